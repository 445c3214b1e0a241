import { ClusterSettings } from "../settings";
import { POD_PATHS } from "./podPaths";
import { OBJECT_STORE_SCRIPT } from "./objectStore";

/** The backups in the pods' configuration: where each cluster's backups are, archiving, and restoring. */

/** Where the backups of the cluster `namespace/name` live on the backup volume, as every pod mounts it. */
export function backupDirectory(cluster: { namespace: string; name: string }): string {
    return `${POD_PATHS.backup}/${cluster.namespace}/${cluster.name}`;
}

/** The command PostgreSQL runs for each finished WAL segment; %p and %f are its path and file name. */
export function archiveCommand(settings: ClusterSettings): string {
    return settings.backup?.objectStore
        ? `/bin/sh ${OBJECT_STORE_SCRIPT} archive-wal %p %f`
        : `/bin/sh ${POD_PATHS.config}/archive-wal.sh ${backupDirectory(settings)} %p %f`;
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

/**
 * The bootstrap's restore settings: where the backups of `restore.from` are on the backup volume, and up to
 * when to replay. With an object store its locations are in `objectStoreEnv`.
 */
export function restoreEnv(settings: ClusterSettings): Record<string, string> {
    const restore = settings.restore;
    if (!restore) {
        return {};
    }
    return {
        ...(settings.backup?.volume
            ? {
                  PG_HA_RESTORE_DIR: backupDirectory(restore.from),
                  // The restored cluster's own: empty, unless it is the one restored from (an in-place recovery).
                  PG_HA_BACKUP_DIR: backupDirectory(settings),
              }
            : {}),
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
