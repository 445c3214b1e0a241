import * as path from "path";

import { E2EPaths } from "../support/paths";
import { IMAGES } from "../versions";
import { Daemon } from "./processes";
import { ClusterPki } from "./pki";
import { etcdUrl, TOPOLOGY } from "./topology";

/** Where each program's binary is: the build step decides, this layer only runs them. */
export interface Binaries {
    etcd: string;
    kubernetes: string;
    coredns: string;
    localPathProvisioner: string;
    kubeRouter: string;
}

/** Files `up` writes before it starts anything: configurations and one kubeconfig per identity. */
export interface ClusterFiles {
    tokens: string;
    containerdConfig: string;
    kubeletConfig: string;
    kubeProxyConfig: string;
    corefile: string;
    kubeconfigs: Record<
        "controllerManager" | "scheduler" | "kubelet" | "kubeProxy" | "coredns" | "localPath" | "kubeRouter",
        string
    >;
}

export function clusterFiles(paths: E2EPaths): ClusterFiles {
    const file = (name: string): string => path.join(paths.config, name);
    return {
        tokens: file("tokens.csv"),
        containerdConfig: file("containerd.toml"),
        kubeletConfig: file("kubelet.yaml"),
        kubeProxyConfig: file("kube-proxy.yaml"),
        corefile: file("Corefile"),
        kubeconfigs: {
            controllerManager: file("controller-manager.kubeconfig"),
            scheduler: file("scheduler.kubeconfig"),
            kubelet: file("kubelet.kubeconfig"),
            kubeProxy: file("kube-proxy.kubeconfig"),
            coredns: file("coredns.kubeconfig"),
            localPath: file("local-path-provisioner.kubeconfig"),
            kubeRouter: file("kube-router.kubeconfig"),
        },
    };
}

/**
 * The cluster's programs in start order; `down` stops them in reverse, and `status` lists them. The control
 * plane first, then the node (containerd, kubelet, kube-proxy), then the node-side add-ons.
 */
export const DAEMON_NAMES = [
    "etcd",
    "kube-apiserver",
    "kube-controller-manager",
    "kube-scheduler",
    "containerd",
    "kubelet",
    "kube-proxy",
    "coredns",
    "kube-router",
    "local-path-provisioner",
] as const;

export type DaemonName = (typeof DAEMON_NAMES)[number];

/** How each program of the cluster is started. */
export function clusterDaemons(
    paths: E2EPaths,
    bin: Binaries,
    pki: ClusterPki,
    files: ClusterFiles,
): Record<DaemonName, Omit<Daemon, "name">> {
    const k8s = (name: string): string => path.join(bin.kubernetes, name);
    const kubeconfigFlags = (kubeconfig: string): string[] => [
        `--kubeconfig=${kubeconfig}`,
        `--authentication-kubeconfig=${kubeconfig}`,
        `--authorization-kubeconfig=${kubeconfig}`,
    ];
    const peer = `http://127.0.0.1:${TOPOLOGY.etcdPeerPort}`;
    return {
        etcd: {
            binary: path.join(bin.etcd, "etcd"),
            args: [
                `--name=${TOPOLOGY.nodeName}`,
                `--data-dir=${paths.etcdData}`,
                `--listen-client-urls=${etcdUrl()}`,
                `--advertise-client-urls=${etcdUrl()}`,
                `--listen-peer-urls=${peer}`,
                `--initial-advertise-peer-urls=${peer}`,
                `--initial-cluster=${TOPOLOGY.nodeName}=${peer}`,
                "--log-level=warn",
            ],
        },
        "kube-apiserver": {
            binary: k8s("kube-apiserver"),
            args: [
                `--etcd-servers=${etcdUrl()}`,
                `--bind-address=${TOPOLOGY.apiServerHost}`,
                `--secure-port=${TOPOLOGY.apiServerPort}`,
                // Its Endpoints may not be loopback: the node IP is advertised, and nothing in the cluster
                // calls the API server through the `kubernetes` Service, so no endpoints are kept for it.
                `--advertise-address=${TOPOLOGY.nodeIP}`,
                "--endpoint-reconciler-type=none",
                `--tls-cert-file=${pki.apiServerCert}`,
                `--tls-private-key-file=${pki.apiServerKey}`,
                `--client-ca-file=${pki.caCert}`,
                `--token-auth-file=${files.tokens}`,
                "--authorization-mode=Node,RBAC",
                "--enable-admission-plugins=NodeRestriction",
                `--service-account-key-file=${pki.serviceAccountPub}`,
                `--service-account-signing-key-file=${pki.serviceAccountKey}`,
                `--service-account-issuer=https://kubernetes.default.svc.${TOPOLOGY.clusterDomain}`,
                `--service-cluster-ip-range=${TOPOLOGY.serviceSubnet}`,
                `--kubelet-client-certificate=${pki.kubeletClientCert}`,
                `--kubelet-client-key=${pki.kubeletClientKey}`,
                "--kubelet-preferred-address-types=InternalIP",
                "--allow-privileged=true",
                "--profiling=false",
            ],
        },
        "kube-controller-manager": {
            binary: k8s("kube-controller-manager"),
            args: [
                ...kubeconfigFlags(files.kubeconfigs.controllerManager),
                "--bind-address=127.0.0.1",
                `--secure-port=${TOPOLOGY.controllerManagerPort}`,
                `--service-account-private-key-file=${pki.serviceAccountKey}`,
                `--root-ca-file=${pki.caCert}`,
                "--use-service-account-credentials=true",
                `--service-cluster-ip-range=${TOPOLOGY.serviceSubnet}`,
                "--leader-elect=false",
                "--profiling=false",
            ],
        },
        "kube-scheduler": {
            binary: k8s("kube-scheduler"),
            args: [
                ...kubeconfigFlags(files.kubeconfigs.scheduler),
                "--bind-address=127.0.0.1",
                `--secure-port=${TOPOLOGY.schedulerPort}`,
                "--leader-elect=false",
                "--profiling=false",
            ],
        },
        containerd: { binary: "/usr/bin/containerd", args: [`--config=${files.containerdConfig}`] },
        kubelet: {
            binary: k8s("kubelet"),
            args: [
                `--config=${files.kubeletConfig}`,
                `--kubeconfig=${files.kubeconfigs.kubelet}`,
                `--root-dir=${paths.kubeletRoot}`,
                `--node-ip=${TOPOLOGY.nodeIP}`,
                `--hostname-override=${TOPOLOGY.nodeName}`,
            ],
        },
        "kube-proxy": { binary: k8s("kube-proxy"), args: [`--config=${files.kubeProxyConfig}`] },
        // The firewall alone, enforcing NetworkPolicy with iptables and ipsets; routes, Services and the CNI
        // stay the bridge plugin's and kube-proxy's. No health or metrics port: nothing listens outside.
        "kube-router": {
            binary: path.join(bin.kubeRouter, "kube-router"),
            args: [
                `--kubeconfig=${files.kubeconfigs.kubeRouter}`,
                `--hostname-override=${TOPOLOGY.nodeName}`,
                "--run-firewall=true",
                "--run-router=false",
                "--run-service-proxy=false",
                "--run-loadbalancer=false",
                "--enable-cni=false",
                `--service-cluster-ip-range=${TOPOLOGY.serviceSubnet}`,
                "--health-port=0",
                "--metrics-port=0",
            ],
        },
        coredns: { binary: path.join(bin.coredns, "coredns"), args: ["-conf", files.corefile] },
        "local-path-provisioner": {
            binary: path.join(bin.localPathProvisioner, "local-path-provisioner"),
            args: [
                "start",
                `--kubeconfig=${files.kubeconfigs.localPath}`,
                `--namespace=${TOPOLOGY.localPathNamespace}`,
                "--configmap-name=local-path-config",
                "--service-account-name=local-path-provisioner",
                `--helper-image=${IMAGES.postgres}`,
                "--provisioner-name=rancher.io/local-path",
            ],
        },
    };
}
