import type { types } from "@pulumi/kubernetes";
import { ClusterSettings } from "../settings";
import { POSTGRES_PORT, clusterNames, namespacedMetadata, selectorLabels } from "../naming";

export interface ClusterServices {
    /** Gives each pod its stable DNS name; the StatefulSet's `serviceName`. */
    headless: types.input.core.v1.Service;
    /** Read-write: pod 0 only. */
    rw: types.input.core.v1.Service;
    /** Read: any ready pod, primary included. */
    r: types.input.core.v1.Service;
}

export function clusterServices(settings: ClusterSettings): ClusterServices {
    const names = clusterNames(settings);
    const service = (name: string, spec: types.input.core.v1.ServiceSpec): types.input.core.v1.Service => ({
        apiVersion: "v1",
        kind: "Service",
        metadata: namespacedMetadata(settings, name),
        spec: {
            ports: [{ name: "postgresql", port: POSTGRES_PORT, targetPort: "postgresql", protocol: "TCP" }],
            ...spec,
        },
    });
    return {
        // Not-ready pods must resolve too: a standby finds pod 0 by name before pod 0 is ready.
        headless: service(names.headlessService, {
            clusterIP: "None",
            publishNotReadyAddresses: true,
            selector: selectorLabels(settings),
        }),
        rw: service(names.rwService, {
            type: "ClusterIP",
            selector: { ...selectorLabels(settings), "statefulset.kubernetes.io/pod-name": names.pod(0) },
        }),
        r: service(names.rService, { type: "ClusterIP", selector: selectorLabels(settings) }),
    };
}
