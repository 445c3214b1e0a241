import type { types } from "@pulumi/kubernetes";
import { ClusterSettings } from "../settings";
import { BACKUP_VOLUME, RETAINED_OBJECT_ANNOTATIONS, clusterNames, commonLabels, namespacedMetadata } from "../naming";
import { POD_PATHS } from "./podPaths";
import { StaticVolume } from "./storage";

/** The claim every pod mounts the backup volume from: the program's own, or the one `claimName` gives. */
export function backupClaimName(settings: ClusterSettings): string | undefined {
    const volume = settings.backup?.volume;
    if (!volume) {
        return undefined;
    }
    return volume.claimName ?? clusterNames(settings).backupClaim;
}

/** The pod volume and mount of the backups, for the database pods and the backup Job alike. */
export function backupVolumeMount(settings: ClusterSettings): {
    volumes: types.input.core.v1.Volume[];
    volumeMounts: types.input.core.v1.VolumeMount[];
} {
    const claimName = backupClaimName(settings);
    if (claimName === undefined) {
        return { volumes: [], volumeMounts: [] };
    }
    return {
        volumes: [{ name: BACKUP_VOLUME, persistentVolumeClaim: { claimName } }],
        volumeMounts: [{ name: BACKUP_VOLUME, mountPath: POD_PATHS.backup }],
    };
}

/**
 * The static NFS PersistentVolume of the backups (`backup.volume.nfs`), ReadWriteMany since every pod and the
 * backup Job mount it, pre-bound to the program's backup claim and kept like the data volumes.
 */
export function backupPersistentVolume(settings: ClusterSettings): StaticVolume | undefined {
    const nfs = settings.backup?.volume?.nfs;
    if (!nfs) {
        return undefined;
    }
    const names = clusterNames(settings);
    return {
        apiVersion: "v1",
        kind: "PersistentVolume",
        metadata: {
            name: names.backupPersistentVolume,
            annotations: { ...RETAINED_OBJECT_ANNOTATIONS },
            labels: commonLabels(settings),
        },
        spec: {
            // An NFS export has no size of its own that Kubernetes enforces; the claim asks for as much.
            capacity: { storage: "1Gi" },
            volumeMode: "Filesystem",
            accessModes: ["ReadWriteMany"],
            persistentVolumeReclaimPolicy: "Retain",
            storageClassName: "",
            mountOptions: [...nfs.mountOptions],
            nfs: { server: nfs.server, path: nfs.path },
            claimRef: {
                apiVersion: "v1",
                kind: "PersistentVolumeClaim",
                namespace: settings.namespace,
                name: names.backupClaim,
            },
        },
    };
}

/** The program's backup claim: of the static NFS volume, or of `className`; none with `claimName`. */
export function backupPersistentVolumeClaim(settings: ClusterSettings) {
    const volume = settings.backup?.volume;
    if (!volume || volume.claimName !== undefined) {
        return undefined;
    }
    const names = clusterNames(settings);
    return {
        apiVersion: "v1",
        kind: "PersistentVolumeClaim",
        metadata: {
            ...namespacedMetadata(settings, names.backupClaim),
            // A claim of a static volume binds once the volume exists, which is made after it.
            annotations: { ...RETAINED_OBJECT_ANNOTATIONS, "pulumi.com/skipAwait": "true" },
        },
        spec: {
            accessModes: ["ReadWriteMany"],
            volumeMode: "Filesystem",
            storageClassName: volume.className ?? "",
            resources: { requests: { storage: volume.size ?? "1Gi" } },
            ...(volume.nfs ? { volumeName: names.backupPersistentVolume } : {}),
        },
    } satisfies types.input.core.v1.PersistentVolumeClaim;
}
