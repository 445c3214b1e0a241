import type { types } from "@pulumi/kubernetes";
import { ClusterSettings } from "../settings";
import { RETAINED_OBJECT_ANNOTATIONS, namespaceLabels } from "../naming";

/** A Pod Security Standard level, as the `pod-security.kubernetes.io/*` namespace labels name them. */
export type PodSecurityLevel = "privileged" | "baseline" | "restricted";

/**
 * The level the cluster's pods meet: "restricted", unless the volume-permissions init container runs as
 * root, which only "baseline" admits (its added capabilities CHOWN, FOWNER and DAC_OVERRIDE are all in
 * baseline's allowed list; running as uid 0 is not restricted by baseline).
 */
export function podSecurityLevel(settings: Pick<ClusterSettings, "volumePermissions">): PodSecurityLevel {
    return settings.volumePermissions.enabled ? "baseline" : "restricted";
}

/**
 * The namespace, when the stack creates it. It enforces, audits and warns at the pods' own level, so
 * that no less-hardened pod can be started next to them by accident.
 */
export function clusterNamespace(settings: ClusterSettings): types.input.core.v1.Namespace {
    const level = podSecurityLevel(settings);
    return {
        apiVersion: "v1",
        kind: "Namespace",
        metadata: {
            name: settings.namespace,
            annotations: { ...RETAINED_OBJECT_ANNOTATIONS },
            labels: {
                ...namespaceLabels(),
                "pod-security.kubernetes.io/enforce": level,
                "pod-security.kubernetes.io/audit": level,
                "pod-security.kubernetes.io/warn": level,
            },
        },
    };
}
