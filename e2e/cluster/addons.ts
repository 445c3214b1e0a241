import { stringify } from "yaml";

import { E2EPaths } from "../support/paths";
import { TOPOLOGY } from "./topology";

/** Identities of the node-side programs: one token user each, bound to the least they need. */
export const ADDON_USERS = {
    coredns: "pg-ha-e2e:coredns",
    localPath: "pg-ha-e2e:local-path-provisioner",
    kubeRouter: "pg-ha-e2e:kube-router",
} as const;

/**
 * CoreDNS runs on the node, serves the cluster domain on the node IP (the pods' nameserver) from the API
 * server, and has no upstream: this machine reaches no other resolver, so outside names fail fast.
 */
export function corefile(kubeconfig: string): string {
    return `.:53 {
    bind ${TOPOLOGY.nodeIP}
    errors
    health 127.0.0.1:${TOPOLOGY.corednsHealthPort}
    ready 127.0.0.1:${TOPOLOGY.corednsReadyPort}
    kubernetes ${TOPOLOGY.clusterDomain} in-addr.arpa ip6.arpa {
        kubeconfig ${kubeconfig}
        pods insecure
        fallthrough in-addr.arpa ip6.arpa
        ttl 30
    }
    cache 30
}
`;
}

const SETUP_SCRIPT = `#!/bin/sh
set -eu
mkdir -m 0777 -p "$VOL_DIR"
`;

const TEARDOWN_SCRIPT = `#!/bin/sh
set -eu
rm -rf "$VOL_DIR"
`;

function clusterRole(name: string, rules: object[]): object[] {
    return [
        { apiVersion: "rbac.authorization.k8s.io/v1", kind: "ClusterRole", metadata: { name }, rules },
        {
            apiVersion: "rbac.authorization.k8s.io/v1",
            kind: "ClusterRoleBinding",
            metadata: { name },
            roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "ClusterRole", name },
            subjects: [{ apiGroup: "rbac.authorization.k8s.io", kind: "User", name }],
        },
    ];
}

const READ = ["get", "list", "watch"];

/**
 * What `up` applies once the API server answers: the add-ons' RBAC, the StorageClass of the `local` stack
 * served by rancher's local-path-provisioner as `local` volumes (fsGroup applies to them, unlike hostPath),
 * and the provisioner's namespace with the scripts and pod template of its helper pods.
 */
export function addonManifests(paths: E2EPaths, helperImage: string): string {
    const namespace = TOPOLOGY.localPathNamespace;
    const objects: object[] = [
        ...clusterRole(ADDON_USERS.coredns, [
            { apiGroups: [""], resources: ["endpoints", "services", "pods", "namespaces"], verbs: READ },
            { apiGroups: ["discovery.k8s.io"], resources: ["endpointslices"], verbs: READ },
        ]),
        ...clusterRole(ADDON_USERS.kubeRouter, [
            { apiGroups: [""], resources: ["pods", "namespaces", "nodes", "services", "endpoints"], verbs: READ },
            { apiGroups: ["networking.k8s.io"], resources: ["networkpolicies"], verbs: READ },
            { apiGroups: ["discovery.k8s.io"], resources: ["endpointslices"], verbs: READ },
            { apiGroups: [""], resources: ["events"], verbs: ["create", "patch", "update"] },
        ]),
        ...clusterRole(ADDON_USERS.localPath, [
            { apiGroups: [""], resources: ["nodes", "configmaps", "persistentvolumeclaims"], verbs: READ },
            { apiGroups: [""], resources: ["pods"], verbs: [...READ, "create", "delete"] },
            { apiGroups: [""], resources: ["pods/log"], verbs: ["get"] },
            {
                apiGroups: [""],
                resources: ["persistentvolumes"],
                verbs: [...READ, "create", "delete", "patch", "update"],
            },
            { apiGroups: [""], resources: ["events"], verbs: ["create", "patch", "update"] },
            { apiGroups: [""], resources: ["endpoints"], verbs: [...READ, "create", "update", "patch"] },
            {
                apiGroups: ["coordination.k8s.io"],
                resources: ["leases"],
                verbs: [...READ, "create", "update", "patch"],
            },
            { apiGroups: ["storage.k8s.io"], resources: ["storageclasses"], verbs: READ },
        ]),
        { apiVersion: "v1", kind: "Namespace", metadata: { name: namespace } },
        { apiVersion: "v1", kind: "ServiceAccount", metadata: { name: "local-path-provisioner", namespace } },
        {
            apiVersion: "v1",
            kind: "ConfigMap",
            metadata: { name: "local-path-config", namespace },
            data: {
                "config.json": JSON.stringify({
                    nodePathMap: [{ node: "DEFAULT_PATH_FOR_NON_LISTED_NODES", paths: [paths.localVolumes] }],
                }),
                setup: SETUP_SCRIPT,
                teardown: TEARDOWN_SCRIPT,
                "helperPod.yaml": stringify({
                    apiVersion: "v1",
                    kind: "Pod",
                    metadata: { name: "helper-pod" },
                    spec: {
                        containers: [
                            {
                                name: "helper-pod",
                                image: helperImage,
                                imagePullPolicy: "Never",
                                // Creates and removes volume directories under a root-owned parent.
                                securityContext: { runAsUser: 0 },
                            },
                        ],
                    },
                }),
            },
        },
        {
            apiVersion: "storage.k8s.io/v1",
            kind: "StorageClass",
            metadata: { name: TOPOLOGY.storageClass, annotations: { defaultVolumeType: "local" } },
            provisioner: "rancher.io/local-path",
            reclaimPolicy: "Delete",
            volumeBindingMode: "WaitForFirstConsumer",
        },
    ];
    return objects.map((object) => stringify(object)).join("---\n");
}
