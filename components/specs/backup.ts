import type { types } from "@pulumi/kubernetes";
import { ClusterSettings } from "../settings";
import {
    BACKUP_VOLUME,
    POSTGRES_PORT,
    REPLICATION_USER,
    RETAINED_OBJECT_ANNOTATIONS,
    SECRET_KEYS,
    TLS_SECRET_KEYS,
    clusterNames,
    commonLabels,
    maintenanceSelectorLabels,
    namespacedMetadata,
} from "../naming";
import { POD_PATHS } from "./podPaths";
import { podSecurityContext, restrictedContainerSecurity } from "./securityContexts";
import { TLS_FILES, tlsEnabled, tlsSecretName } from "./tls";
import { StaticVolume } from "./storage";

/** A base backup that runs longer is stopped, so that a hung one does not hold back every later one. */
export const BASE_BACKUP_DEADLINE_SECONDS = 12 * 3600;

/** Where the backups of the cluster `namespace/name` live on the backup volume, as every pod mounts it. */
export function backupDirectory(cluster: { namespace: string; name: string }): string {
    return `${POD_PATHS.backup}/${cluster.namespace}/${cluster.name}`;
}

/** The command PostgreSQL runs for each finished WAL segment; %p and %f are its path and file name. */
export function archiveCommand(settings: ClusterSettings): string {
    return `/bin/sh ${POD_PATHS.config}/archive-wal.sh ${backupDirectory(settings)} %p %f`;
}

/**
 * postgresql.conf lines of the WAL archive: none without a `backup` setting, so that a cluster without one
 * keeps its configuration (and its pods) exactly as before. On a standby `archive_mode = on` archives
 * nothing: only pod 0 archives.
 */
export function archiveParameters(settings: ClusterSettings): Record<string, string | number | boolean> {
    if (!settings.backup) {
        return {};
    }
    return {
        archive_mode: "on",
        archive_command: archiveCommand(settings),
        archive_timeout: settings.backup.archiveTimeoutSeconds,
    };
}

/** The bootstrap's restore settings: where the backups of `restore.from` are, and up to when to replay. */
export function restoreEnv(settings: ClusterSettings): Record<string, string> {
    const restore = settings.restore;
    if (!restore) {
        return {};
    }
    const from = { name: restore.from.name, namespace: restore.from.namespace ?? settings.namespace };
    return {
        PG_HA_RESTORE_DIR: backupDirectory(from),
        ...(restore.targetTime === undefined
            ? {}
            : {
                  // PostgreSQL refuses the zone abbreviation "Z" in recovery_target_time: its offset is taken.
                  PG_HA_RESTORE_TARGET_TIME: restore.targetTime.replace(/Z$/, "+00:00"),
                  // For choosing a base backup that ended before it: shells parse no ISO 8601 portably.
                  PG_HA_RESTORE_TARGET_EPOCH: String(Math.floor(Date.parse(restore.targetTime) / 1000)),
              }),
    };
}

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
    const nfs = settings.backup?.volume.nfs;
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

/** The labels of the backup Job's pods: the maintenance selector, so the NetworkPolicy admits them. */
function backupPodLabels(settings: ClusterSettings): Record<string, string> {
    return { ...maintenanceSelectorLabels(settings), "app.kubernetes.io/component": "backup" };
}

/**
 * The CronJob of the base backups (base-backup.sh): `pg_basebackup` from pod 0 through the -rw Service as the
 * replication role, into the backup volume; verified with `pg_verifybackup` before it counts; then the
 * retention. One at a time (Forbid), and a Job that fails stays, with its pod's log, for `kubectl` and alerts.
 */
export function backupCronJob(settings: ClusterSettings, configMapName: string) {
    const backup = settings.backup;
    if (!backup) {
        return undefined;
    }
    const names = clusterNames(settings);
    const tls = tlsEnabled(settings);
    const tlsSecret = tlsSecretName(settings);
    const mount = backupVolumeMount(settings);
    const env: Record<string, string> = {
        PGHOST: names.serviceHost(names.rwService),
        PGPORT: String(POSTGRES_PORT),
        PGUSER: REPLICATION_USER,
        PGDATABASE: "postgres",
        PGCONNECT_TIMEOUT: "10",
        PGPASSFILE: `${POD_PATHS.tmp}/backup.pgpass`,
        PG_HA_REPLICATION_PASSWORD_FILE: `${POD_PATHS.secrets}/${SECRET_KEYS.replicationPassword}`,
        PG_HA_BACKUP_DIR: backupDirectory(settings),
        PG_HA_KEEP_BASE_BACKUPS: String(backup.keepBaseBackups),
        PG_HA_PRIMARY_WAIT_SECONDS: String(settings.primaryWaitTimeoutSeconds),
        ...(tls ? { PGSSLMODE: "verify-full", PGSSLROOTCERT: TLS_FILES.ca } : {}),
    };
    const template = {
        metadata: { labels: backupPodLabels(settings) },
        spec: {
            restartPolicy: "Never",
            automountServiceAccountToken: false,
            enableServiceLinks: false,
            securityContext: podSecurityContext(settings),
            containers: [
                {
                    name: "base-backup",
                    image: settings.image,
                    imagePullPolicy: "IfNotPresent",
                    command: ["/bin/sh", `${POD_PATHS.config}/base-backup.sh`],
                    env: Object.entries(env).map(([name, value]) => ({ name, value })),
                    resources: { requests: { cpu: "100m", memory: "64Mi" }, limits: { memory: "256Mi" } },
                    securityContext: restrictedContainerSecurity(),
                    volumeMounts: [
                        { name: "config", mountPath: POD_PATHS.config, readOnly: true },
                        { name: "secrets", mountPath: POD_PATHS.secrets, readOnly: true },
                        ...(tls ? [{ name: "tls", mountPath: POD_PATHS.tls, readOnly: true }] : []),
                        ...mount.volumeMounts,
                        { name: "tmp", mountPath: POD_PATHS.tmp },
                    ],
                },
            ],
            volumes: [
                { name: "config", configMap: { name: configMapName, defaultMode: 0o444 } },
                // The replication password alone: the backup needs no other.
                {
                    name: "secrets",
                    secret: {
                        secretName: names.secret,
                        defaultMode: 0o440,
                        items: [{ key: SECRET_KEYS.replicationPassword, path: SECRET_KEYS.replicationPassword }],
                    },
                },
                ...(tlsSecret === undefined
                    ? []
                    : [
                          {
                              name: "tls",
                              secret: {
                                  secretName: tlsSecret,
                                  defaultMode: 0o440,
                                  items: [{ key: TLS_SECRET_KEYS.ca, path: TLS_SECRET_KEYS.ca }],
                              },
                          },
                      ]),
                ...mount.volumes,
                { name: "tmp", emptyDir: {} },
            ],
        },
    } satisfies types.input.core.v1.PodTemplateSpec;
    return {
        apiVersion: "batch/v1",
        kind: "CronJob",
        metadata: namespacedMetadata(settings, names.backupCronJob),
        spec: {
            schedule: backup.schedule,
            concurrencyPolicy: "Forbid",
            // A run missed by more than this (the controller was down) is skipped, not started late.
            startingDeadlineSeconds: 3600,
            successfulJobsHistoryLimit: 3,
            failedJobsHistoryLimit: 3,
            jobTemplate: {
                metadata: { labels: backupPodLabels(settings) },
                spec: { backoffLimit: 1, activeDeadlineSeconds: BASE_BACKUP_DEADLINE_SECONDS, template },
            },
        },
    } satisfies types.input.batch.v1.CronJob;
}
