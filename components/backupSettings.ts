/** The `backup` and `restore` settings: their schemas, defaults and the rules between them (see settings.ts). */
import { z } from "zod";
import { DNS_SUBDOMAIN, NFS_SERVER, dnsLabel, storageQuantity, wholeNumber } from "./settingRules";
import { objectStore } from "./objectStoreSettings";

export const BACKUP_DEFAULTS = {
    volumeSize: "20Gi",
    schedule: "0 3 * * *",
    keepBaseBackups: 7,
    archiveTimeoutSeconds: 300,
    nfsMountOptions: ["hard", "nfsvers=4.1"],
} as const;

const CRON_FIELD = /^[0-9A-Za-z*/,?-]+$/;
const CRON_MACRO = /^@(yearly|annually|monthly|weekly|daily|midnight|hourly)$/;

/** Five cron fields, or a macro such as @daily: what a CronJob's schedule takes. */
const schedule = z.string({ error: "must be a string" }).refine(
    (value) => {
        const fields = value.trim().split(/\s+/);
        return (
            CRON_MACRO.test(value.trim()) || (fields.length === 5 && fields.every((field) => CRON_FIELD.test(field)))
        );
    },
    { error: 'must be a cron schedule of five fields such as "0 3 * * *" (03:00 every day), or @daily, @hourly, …' },
);

const backupVolume = z
    .strictObject(
        {
            nfs: z
                .strictObject(
                    {
                        server: z
                            .string({ error: "must be a string" })
                            .regex(NFS_SERVER, { error: "must be the NFS server's host name or IP address" }),
                        path: z
                            .string({ error: "must be a string" })
                            .regex(/^\/[^\s]*$/, { error: "must be an absolute path without spaces" }),
                        mountOptions: z
                            .array(z.string({ error: "must be a string" }), {
                                error: "must be a list of mount options",
                            })
                            .refine((options) => !options.includes("soft"), {
                                error: 'must not contain "soft": a soft mount can lose archived WAL silently; use "hard"',
                            })
                            .default([...BACKUP_DEFAULTS.nfsMountOptions]),
                    },
                    { error: "must be an object {server, path, mountOptions?}: one export for the backups" },
                )
                .optional(),
            className: z
                .string({ error: "must be a string" })
                .regex(DNS_SUBDOMAIN, { error: "must be the name of a StorageClass (a DNS subdomain)" })
                .optional(),
            size: storageQuantity.optional(),
            claimName: z
                .string({ error: "must be a string" })
                .regex(DNS_SUBDOMAIN, { error: "must be the name of a PersistentVolumeClaim (a DNS subdomain)" })
                .optional(),
        },
        { error: "must be an object with exactly one of nfs: {server, path}, className (with size) or claimName" },
    )
    .refine(
        (volume) =>
            [volume.nfs, volume.className, volume.claimName].filter((value) => value !== undefined).length === 1,
        {
            error: "must set exactly one of nfs (a static NFS volume), className (a ReadWriteMany claim of that StorageClass) or claimName (a ReadWriteMany claim you made)",
        },
    );

export const backupSettings = z.strictObject(
    {
        volume: backupVolume.optional(),
        objectStore: objectStore.optional(),
        schedule: schedule.default(BACKUP_DEFAULTS.schedule),
        keepBaseBackups: wholeNumber(" of base backups")
            .min(1, { error: "must be at least 1: the newest base backup is what a restore starts from" })
            .max(365, { error: "must be at most 365" })
            .default(BACKUP_DEFAULTS.keepBaseBackups),
        archiveTimeoutSeconds: wholeNumber(" of seconds")
            .min(10, { error: "must be at least 10: each switch archives a whole 16 MiB segment" })
            .max(3600, { error: "must be at most 3600 (one hour of writes a lost cluster could lose)" })
            .default(BACKUP_DEFAULTS.archiveTimeoutSeconds),
    },
    { error: "must be an object {volume or objectStore, schedule?, keepBaseBackups?, archiveTimeoutSeconds?}" },
);

/** An instant with its offset, as PostgreSQL's recovery_target_time and Date.parse both read it. */
const INSTANT = /^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}:\d{2}(\.\d{1,6})?(Z|[+-]\d{2}:\d{2})$/;

/**
 * An unquoted time in a stack file is a YAML timestamp to the Pulumi CLI, which hands it to the program in Go's
 * format ("2026-11-29 21:30:00 +0000 UTC"): taken as the instant it is, in the form PostgreSQL reads.
 */
const GO_TIME = /^(\d{4}-\d{2}-\d{2}) (\d{2}:\d{2}:\d{2})(\.\d{1,6})?\d* ([+-]\d{2})(\d{2}) \S+$/;
function fromGoTime(value: unknown): unknown {
    const match = typeof value === "string" ? GO_TIME.exec(value) : null;
    return match ? `${match[1]}T${match[2]}${match[3] ?? ""}${match[4]}:${match[5]}` : value;
}

export const restoreSettings = z.strictObject(
    {
        from: z.strictObject(
            {
                name: dnsLabel(52),
                // The restoring cluster's own namespace when left out.
                namespace: dnsLabel(63).optional(),
            },
            { error: "must be an object {name, namespace?}: the cluster whose backups to restore" },
        ),
        targetTime: z
            .preprocess(
                fromGoTime,
                z
                    .string({ error: "must be a string" })
                    .refine((value) => INSTANT.test(value) && !Number.isNaN(Date.parse(value)), {
                        error: 'must be an instant with its offset, such as "2026-11-29T21:30:00Z" or "2026-11-29T22:30:00+01:00"',
                    }),
            )
            .optional(),
    },
    { error: "must be an object {from: {name, namespace?}, targetTime?}" },
);

export type BackupSettings = z.output<typeof backupSettings>;
export type RestoreSettings = z.output<typeof restoreSettings>;

type Problem = { path: string[]; input: unknown; message: string };

/** The rules between backup, restore and the rest of the settings. */
export function backupProblems(settings: { backup?: BackupSettings; restore?: RestoreSettings }): Problem[] {
    const problems: Problem[] = [];
    if (settings.backup && (settings.backup.volume === undefined) === (settings.backup.objectStore === undefined)) {
        problems.push({
            path: ["backup"],
            input: settings.backup,
            message:
                "must set exactly one target: volume (an NFS export or a ReadWriteMany claim, with the postgres image alone) or objectStore (S3-compatible, with Barman Cloud in the image)",
        });
    }
    const volume = settings.backup?.volume;
    if (volume && volume.size !== undefined && volume.className === undefined) {
        problems.push({
            path: ["backup", "volume", "size"],
            input: volume.size,
            message: "is only read with className: an NFS export's or your claim's size is its own",
        });
    }
    if (settings.restore && !settings.backup) {
        problems.push({
            path: ["restore"],
            input: settings.restore,
            message:
                "reads the backups from the backup target: set backup (volume or objectStore) to the target that holds the backups of restore.from (the restored cluster archives there too)",
        });
    }
    return problems;
}
