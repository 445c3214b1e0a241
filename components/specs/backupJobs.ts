import type { types } from "@pulumi/kubernetes";
import { ClusterSettings } from "../settings";
import { BackupSettings } from "../backupSettings";
import { REPLICATION_USER, SECRET_KEYS, clusterNames, maintenanceSelectorLabels, namespacedMetadata } from "../naming";
import { dataChecksum } from "./configuration";
import { POD_PATHS } from "./podPaths";
import { podSecurityContext, restrictedContainerSecurity } from "./securityContexts";
import { caOnlyTls } from "./tls";
import { rwClientEnv } from "./rwClient";
import { backupDirectory } from "./backup";
import { backupVolumeMount } from "./backupVolume";

/** A base backup that runs longer is stopped, so that a hung one does not hold back every later one. */
export const BASE_BACKUP_DEADLINE_SECONDS = 12 * 3600;

/** The labels of the backup Job's pods: the maintenance selector, so the NetworkPolicy admits them. */
function backupPodLabels(settings: ClusterSettings): Record<string, string> {
    return { ...maintenanceSelectorLabels(settings), "app.kubernetes.io/component": "backup" };
}

/** A backup Job's container: its script, environment, the key of the Secret it reads, and its volumes. */
interface BackupContainer {
    script: string;
    env: Record<string, string>;
    passwordKey: string;
    volumes: types.input.core.v1.Volume[];
    volumeMounts: types.input.core.v1.VolumeMount[];
}

/**
 * To the backup volume (base-backup.sh): `pg_basebackup` from pod 0 through the -rw Service as the replication
 * role, verified with `pg_verifybackup` before it counts; then the retention.
 */
function volumeBackupContainer(settings: ClusterSettings): BackupContainer {
    const mount = backupVolumeMount(settings);
    return {
        script: "base-backup.sh",
        env: {
            ...rwClientEnv(settings, REPLICATION_USER, `${POD_PATHS.tmp}/backup.pgpass`),
            PG_HA_REPLICATION_PASSWORD_FILE: `${POD_PATHS.secrets}/${SECRET_KEYS.replicationPassword}`,
            PG_HA_BACKUP_DIR: backupDirectory(settings),
        },
        passwordKey: SECRET_KEYS.replicationPassword,
        ...mount,
    };
}

/**
 * To the object store (object-store-backup-job.sh): Barman Cloud reads the data directory itself, so pod 0
 * takes the backup, asked by the Job as the superuser; the Job needs neither the store's credentials nor a
 * volume.
 */
function objectStoreBackupContainer(settings: ClusterSettings): BackupContainer {
    return {
        script: "object-store-backup-job.sh",
        env: {
            ...rwClientEnv(settings, "postgres", `${POD_PATHS.tmp}/backup.pgpass`),
            PG_HA_SUPERUSER_PASSWORD_FILE: `${POD_PATHS.secrets}/${SECRET_KEYS.superuserPassword}`,
            PG_HA_CONFIG_DIR: POD_PATHS.config,
        },
        passwordKey: SECRET_KEYS.superuserPassword,
        volumes: [],
        volumeMounts: [],
    };
}

/** The pod of a base backup, then the retention. `extraEnv` is added to the container's environment. */
function backupPodTemplate(
    settings: ClusterSettings,
    backup: BackupSettings,
    configMapName: string,
    extraEnv: Record<string, string> = {},
) {
    const names = clusterNames(settings);
    const tls = caOnlyTls(settings);
    const container = backup.objectStore ? objectStoreBackupContainer(settings) : volumeBackupContainer(settings);
    const env: Record<string, string> = {
        ...container.env,
        PG_HA_KEEP_BASE_BACKUPS: String(backup.keepBaseBackups),
        PG_HA_BASE_BACKUP_DEADLINE_SECONDS: String(BASE_BACKUP_DEADLINE_SECONDS),
        PG_HA_PRIMARY_WAIT_SECONDS: String(settings.primaryWaitTimeoutSeconds),
        ...extraEnv,
    };
    return {
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
                    command: ["/bin/sh", `${POD_PATHS.config}/${container.script}`],
                    env: Object.entries(env).map(([name, value]) => ({ name, value })),
                    // Its disk outside the volumes is its log and a passfile in /tmp; the copy goes to the volume.
                    resources: {
                        requests: { cpu: "100m", memory: "64Mi", "ephemeral-storage": "16Mi" },
                        limits: { memory: "256Mi", "ephemeral-storage": "64Mi" },
                    },
                    securityContext: restrictedContainerSecurity(),
                    volumeMounts: [
                        { name: "config", mountPath: POD_PATHS.config, readOnly: true },
                        { name: "secrets", mountPath: POD_PATHS.secrets, readOnly: true },
                        ...tls.volumeMounts,
                        ...container.volumeMounts,
                        { name: "tmp", mountPath: POD_PATHS.tmp },
                    ],
                },
            ],
            volumes: [
                { name: "config", configMap: { name: configMapName, defaultMode: 0o444 } },
                // The one password the backup needs, no other.
                {
                    name: "secrets",
                    secret: {
                        secretName: names.secret,
                        defaultMode: 0o440,
                        items: [{ key: container.passwordKey, path: container.passwordKey }],
                    },
                },
                ...tls.volumes,
                ...container.volumes,
                { name: "tmp", emptyDir: {} },
            ],
        },
    } satisfies types.input.core.v1.PodTemplateSpec;
}

/**
 * The CronJob of the base backups, on `backup.schedule`. One at a time (Forbid), and a Job that fails stays,
 * with its pod's log, for `kubectl` and alerts.
 */
export function backupCronJob(settings: ClusterSettings, configMapName: string) {
    const backup = settings.backup;
    if (!backup) {
        return undefined;
    }
    return {
        apiVersion: "batch/v1",
        kind: "CronJob",
        metadata: namespacedMetadata(settings, clusterNames(settings).backupCronJob),
        spec: {
            schedule: backup.schedule,
            concurrencyPolicy: "Forbid",
            // A run missed by more than this (the controller was down) is skipped, not started late.
            startingDeadlineSeconds: 3600,
            successfulJobsHistoryLimit: 3,
            failedJobsHistoryLimit: 3,
            jobTemplate: {
                metadata: { labels: backupPodLabels(settings) },
                spec: {
                    backoffLimit: 1,
                    activeDeadlineSeconds: BASE_BACKUP_DEADLINE_SECONDS,
                    template: backupPodTemplate(settings, backup, configMapName),
                },
            },
        },
    } satisfies types.input.batch.v1.CronJob;
}

/**
 * The first base backup, as soon as backups are on: until one exists no restore is possible, and the schedule
 * may be a day away. It takes one only while the cluster's directory holds none (a restored cluster, which
 * starts a history of its own, gets its first at once), so the new Job that a changed configuration makes
 * ends at once. Pulumi does not wait for it: a first backup of a large database takes long. Its name carries
 * a digest of its spec, like the maintenance Job's.
 */
export function firstBackupJob(settings: ClusterSettings, configMapName: string) {
    const backup = settings.backup;
    if (!backup) {
        return undefined;
    }
    const template = backupPodTemplate(settings, backup, configMapName, { PG_HA_ONLY_IF_NONE: "true" });
    const name = clusterNames(settings).firstBackupJob(dataChecksum({ template: JSON.stringify(template) }));
    return {
        apiVersion: "batch/v1",
        kind: "Job",
        metadata: {
            ...namespacedMetadata(settings, name),
            annotations: { "pulumi.com/skipAwait": "true" },
        },
        spec: { backoffLimit: 3, activeDeadlineSeconds: BASE_BACKUP_DEADLINE_SECONDS, template },
    } satisfies types.input.batch.v1.Job;
}
