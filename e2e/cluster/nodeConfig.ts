import { stringify } from "yaml";

import { E2EPaths } from "../support/paths";
import { IMAGES } from "../versions";
import { TOPOLOGY } from "./topology";

/**
 * containerd's configuration (format version 2, containerd 1.6), with its own root, state and socket so that
 * it never meets another containerd on the machine.
 * - restrict_oom_score_adj: root here lacks CAP_SYS_RESOURCE, and runc fails every sandbox that asks for a
 *   lower OOM score than its own.
 * - netns_mounts_under_state_dir: the pods' network namespaces are mounted under the state directory, so that
 *   a clean stop finds every one of them there.
 * - cgroupfs (SystemdCgroup false): there is no systemd; runc keeps its state under containerd's.
 */
export function containerdConfig(paths: E2EPaths): string {
    const cri = '[plugins."io.containerd.grpc.v1.cri"]';
    return `version = 2
root = ${JSON.stringify(paths.containerdRoot)}
state = ${JSON.stringify(paths.containerdState)}
disabled_plugins = ["io.containerd.snapshotter.v1.aufs", "io.containerd.snapshotter.v1.btrfs", "io.containerd.snapshotter.v1.devmapper", "io.containerd.snapshotter.v1.zfs"]

[grpc]
  address = ${JSON.stringify(paths.containerdSocket)}

${cri}
  sandbox_image = ${JSON.stringify(IMAGES.pause)}
  restrict_oom_score_adj = true
  netns_mounts_under_state_dir = true
  stream_server_address = "127.0.0.1"

${cri.slice(0, -1)}.containerd]
  snapshotter = "overlayfs"
  default_runtime_name = "runc"

${cri.slice(0, -1)}.containerd.runtimes.runc]
  runtime_type = "io.containerd.runc.v2"

${cri.slice(0, -1)}.containerd.runtimes.runc.options]
  SystemdCgroup = false
  Root = ${JSON.stringify(`${paths.containerdState}/runc`)}

${cri.slice(0, -1)}.cni]
  bin_dir = "/usr/lib/cni"
  conf_dir = ${JSON.stringify(paths.cniConfig)}
  max_conf_num = 1
`;
}

/** The pods' network: a bridge with the node as gateway, addresses from host-local, loopback in each pod. */
export function cniConfig(paths: E2EPaths): string {
    return `${JSON.stringify(
        {
            cniVersion: "0.4.0",
            name: TOPOLOGY.cniNetwork,
            plugins: [
                {
                    type: "bridge",
                    bridge: TOPOLOGY.bridge,
                    isGateway: true,
                    // Pods talk to each other and to the node only: nothing is masqueraded out of the machine.
                    ipMasq: false,
                    hairpinMode: true,
                    ipam: {
                        type: "host-local",
                        dataDir: paths.cniData,
                        ranges: [[{ subnet: TOPOLOGY.podSubnet, gateway: TOPOLOGY.nodeIP }]],
                        routes: [{ dst: "0.0.0.0/0" }],
                    },
                },
                { type: "portmap", capabilities: { portMappings: true } },
            ],
        },
        null,
        2,
    )}\n`;
}

/**
 * The kubelet's configuration. What this machine needs: cgroupfs on cgroup v1 (failCgroupV1 false), swap
 * tolerated, no resolv.conf of the host (CoreDNS has no upstream here). Only the API server may call it:
 * client certificates of the cluster CA, no anonymous access.
 */
export function kubeletConfig(paths: E2EPaths, caFile: string): string {
    return stringify({
        apiVersion: "kubelet.config.k8s.io/v1beta1",
        kind: "KubeletConfiguration",
        address: TOPOLOGY.nodeIP,
        port: TOPOLOGY.kubeletPort,
        readOnlyPort: 0,
        healthzBindAddress: "127.0.0.1",
        healthzPort: TOPOLOGY.kubeletHealthzPort,
        authentication: {
            anonymous: { enabled: false },
            webhook: { enabled: false },
            x509: { clientCAFile: caFile },
        },
        authorization: { mode: "AlwaysAllow" },
        cgroupDriver: "cgroupfs",
        failCgroupV1: false,
        failSwapOn: false,
        containerRuntimeEndpoint: `unix://${paths.containerdSocket}`,
        clusterDomain: TOPOLOGY.clusterDomain,
        clusterDNS: [TOPOLOGY.nodeIP],
        resolvConf: "",
        // The images were imported, not pulled: garbage collection must never remove them.
        imageGCHighThresholdPercent: 100,
        imageGCLowThresholdPercent: 99,
        evictionHard: { "memory.available": "100Mi", "nodefs.available": "1%", "imagefs.available": "1%" },
        serializeImagePulls: false,
        // A deleted pod is gone in seconds: the tests delete pods on purpose.
        syncFrequency: "10s",
        fileCheckFrequency: "10s",
    });
}

export function kubeProxyConfig(kubeconfig: string): string {
    return stringify({
        apiVersion: "kubeproxy.config.k8s.io/v1alpha1",
        kind: "KubeProxyConfiguration",
        // No IPVS in this kernel.
        mode: "iptables",
        clusterCIDR: TOPOLOGY.podSubnet,
        hostnameOverride: TOPOLOGY.nodeName,
        bindAddress: TOPOLOGY.nodeIP,
        healthzBindAddress: `127.0.0.1:${TOPOLOGY.kubeProxyHealthzPort}`,
        metricsBindAddress: `127.0.0.1:${TOPOLOGY.kubeProxyMetricsPort}`,
        clientConnection: { kubeconfig },
        // Leave the conntrack table's size alone: setting it needs privileges root lacks here.
        conntrack: { maxPerCore: 0, min: 0 },
    });
}
