import type { types } from "@pulumi/kubernetes";
import { ClusterSettings } from "../settings";
import { POSTGRES_PORT, clusterNames, maintenanceSelectorLabels, namespacedMetadata, selectorLabels } from "../naming";

/**
 * Lets a drain or an upgrade take down one pod at a time; none for a single pod, where it would block
 * every voluntary eviction for good.
 */
export function podDisruptionBudget(settings: ClusterSettings): types.input.policy.v1.PodDisruptionBudget | undefined {
    if (settings.replicas <= 1) {
        return undefined;
    }
    return {
        apiVersion: "policy/v1",
        kind: "PodDisruptionBudget",
        metadata: namespacedMetadata(settings, clusterNames(settings).podDisruptionBudget),
        spec: {
            maxUnavailable: 1,
            selector: { matchLabels: selectorLabels(settings) },
            // A pod that is not ready (a standby stuck without its WAL) protects nothing by staying: without
            // this, one broken standby would block every drain and node upgrade.
            unhealthyPodEvictionPolicy: "AlwaysAllow",
        },
    };
}

/**
 * Ingress to the pods: TCP 5432 from the cluster's own pods (the standbys' replication connections), from its
 * maintenance Jobs (see `maintenanceJob`) and from `allowedClients`; nothing else. Egress is left alone (the standbys reach the primary, and DNS, through it).
 */
export function networkPolicy(settings: ClusterSettings): types.input.networking.v1.NetworkPolicy | undefined {
    if (!settings.networkPolicy.enabled) {
        return undefined;
    }
    const clients: types.input.networking.v1.NetworkPolicyPeer[] = settings.networkPolicy.allowedClients.map(
        (client) => ({
            ...(client.podSelector ? { podSelector: { matchLabels: { ...client.podSelector.matchLabels } } } : {}),
            ...(client.namespaceSelector
                ? { namespaceSelector: { matchLabels: { ...client.namespaceSelector.matchLabels } } }
                : {}),
        }),
    );
    return {
        apiVersion: "networking.k8s.io/v1",
        kind: "NetworkPolicy",
        metadata: namespacedMetadata(settings, clusterNames(settings).networkPolicy),
        spec: {
            podSelector: { matchLabels: selectorLabels(settings) },
            policyTypes: ["Ingress"],
            ingress: [
                {
                    from: [
                        { podSelector: { matchLabels: selectorLabels(settings) } },
                        { podSelector: { matchLabels: maintenanceSelectorLabels(settings) } },
                        ...clients,
                    ],
                    ports: [{ protocol: "TCP", port: POSTGRES_PORT }],
                },
            ],
        },
    };
}
