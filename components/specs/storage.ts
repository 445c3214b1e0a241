import type * as pulumi from "@pulumi/pulumi";
import type { types } from "@pulumi/kubernetes";
import { ClusterSettings } from "../settings";
import { DATA_VOLUME, RETAINED_OBJECT_ANNOTATIONS, clusterNames, commonLabels } from "../naming";

/** A static PersistentVolume as built here: every part the component reads is a plain value. */
export interface StaticVolume {
    apiVersion: "v1";
    kind: "PersistentVolume";
    metadata: { name: string; annotations: Record<string, string>; labels: Record<string, string> };
    spec: Omit<types.input.core.v1.PersistentVolumeSpec, "claimRef"> & {
        claimRef: { apiVersion: string; kind: string; namespace: string; name: string; uid?: pulumi.Input<string> };
    };
}

/**
 * One statically provisioned NFS PersistentVolume per pod, each pre-bound to the claim of exactly one pod.
 *
 * A volumeClaimTemplate cannot name a different volume per pod, so the binding is made here: `claimRef` names
 * the claim of that ordinal (see `persistentVolumeClaims`; the component adds the claim's uid), and the empty
 * storage class on both sides keeps a default StorageClass out of it. Empty in dynamic mode.
 */
export function persistentVolumes(settings: ClusterSettings): StaticVolume[] {
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
export function volumeClaimTemplate(settings: ClusterSettings) {
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

/**
 * The claims of the static NFS volumes, one per pod, made by the component before the StatefulSet (which
 * adopts a claim of the name it would give) and kept when the StatefulSet is gone, as the StatefulSet keeps
 * its own. Each names its volume, and the volume's `claimRef` names the claim with its uid: bound from both
 * sides, so a claim made anew (after the namespace was deleted) binds the volume that still names the uid of
 * the claim before it, instead of leaving the volume `Released`. Empty in dynamic mode.
 */
export function persistentVolumeClaims(settings: ClusterSettings): types.input.core.v1.PersistentVolumeClaim[] {
    const nfs = settings.storage.nfs;
    if (!nfs) {
        return [];
    }
    const names = clusterNames(settings);
    const template = volumeClaimTemplate(settings);
    return nfs.paths.map((_, ordinal) => ({
        apiVersion: "v1",
        kind: "PersistentVolumeClaim",
        metadata: {
            name: names.claim(ordinal),
            namespace: settings.namespace,
            labels: { ...commonLabels(settings), "pg-ha/ordinal": String(ordinal) },
            // Pulumi would wait for the claim to bind, which needs the volume, which is made after the claim.
            annotations: { ...RETAINED_OBJECT_ANNOTATIONS, "pulumi.com/skipAwait": "true" },
        },
        spec: { ...template.spec, volumeName: names.persistentVolume(ordinal) },
    }));
}

/** The volume bound to its claim by uid as well as by name; the uid is known once the claim exists. */
export function boundToClaim(volume: StaticVolume, claimUid: pulumi.Input<string>): StaticVolume {
    return { ...volume, spec: { ...volume.spec, claimRef: { ...volume.spec.claimRef, uid: claimUid } } };
}
