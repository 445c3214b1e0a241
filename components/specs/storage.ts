import type { types } from "@pulumi/kubernetes";
import { ClusterSettings } from "../settings";
import { DATA_VOLUME, RETAINED_OBJECT_ANNOTATIONS, clusterNames, commonLabels } from "../naming";

/**
 * One statically provisioned NFS PersistentVolume per pod, each pre-bound to the claim of exactly one pod.
 *
 * A volumeClaimTemplate cannot name a different volume per pod, so the binding is made from the PV side:
 * `claimRef` names the claim the StatefulSet will create for that ordinal (no uid, so the claim may be
 * created later), and the empty storage class on both sides keeps a default StorageClass out of it.
 * Empty in dynamic mode.
 */
export function persistentVolumes(settings: ClusterSettings): types.input.core.v1.PersistentVolume[] {
    const nfs = settings.storage.nfs;
    if (!nfs) {
        return [];
    }
    const names = clusterNames(settings);
    return nfs.paths.map((path, ordinal) => ({
        apiVersion: "v1",
        kind: "PersistentVolume",
        metadata: {
            name: names.persistentVolume(ordinal),
            annotations: { ...RETAINED_OBJECT_ANNOTATIONS },
            labels: { ...commonLabels(settings), "pg-ha/ordinal": String(ordinal) },
        },
        spec: {
            capacity: { storage: settings.storage.size },
            volumeMode: "Filesystem",
            accessModes: ["ReadWriteOnce"],
            persistentVolumeReclaimPolicy: "Retain",
            storageClassName: "",
            mountOptions: [...nfs.mountOptions],
            nfs: { server: nfs.server, path },
            claimRef: {
                apiVersion: "v1",
                kind: "PersistentVolumeClaim",
                namespace: settings.namespace,
                name: names.claim(ordinal),
            },
        },
    }));
}

/** The StatefulSet's claim template: pre-bound NFS volumes in static mode, a StorageClass in dynamic mode. */
export function volumeClaimTemplate(settings: ClusterSettings): types.input.core.v1.PersistentVolumeClaim {
    return {
        metadata: { name: DATA_VOLUME, labels: commonLabels(settings) },
        spec: {
            accessModes: ["ReadWriteOnce"],
            storageClassName: settings.storage.className ?? "",
            volumeMode: "Filesystem",
            resources: { requests: { storage: settings.storage.size } },
        },
    };
}
