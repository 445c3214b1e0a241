import { quantityValue } from "./settingRules";

/**
 * Settings whose defaults follow from other settings, and the parsing they need. Plain functions: the schema
 * in settings.ts applies them, tests call them directly.
 */

const MIB = 1024 * 1024;

/** The oldest PostgreSQL major the scripts support (READ_REPLICATION_SLOT is new in 15); the bootstrap gets it in its env. */
export const MIN_POSTGRES_MAJOR = 15;

/** A PostgreSQL size as postgresql.conf takes it: a whole number with an optional unit (case matters). */
export const POSTGRES_SIZE = /^[0-9]+(B|kB|MB|GB|TB)?$/;
const POSTGRES_UNITS: Record<string, number> = { B: 1, kB: 1024, MB: MIB, GB: 1024 * MIB, TB: 1024 * 1024 * MIB };

/** Bytes of a PostgreSQL size; a bare number counts `unitBytes` (8 kB pages for shared_buffers, MB for WAL sizes). */
export function postgresSizeBytes(value: string | number, unitBytes: number): number {
    const text = String(value);
    const match = POSTGRES_SIZE.exec(text);
    if (!match) {
        throw new Error(`not a PostgreSQL size: ${text}`);
    }
    const unit = match[1];
    return Number(text.slice(0, text.length - (unit?.length ?? 0))) * (unit ? POSTGRES_UNITS[unit] : unitBytes);
}

/** PostgreSQL's shared_buffers default, 128 MB. */
const DEFAULT_SHARED_BUFFERS_BYTES = 128 * MIB;
const SHARED_BUFFER_PAGE_BYTES = 8192;

/**
 * A rate at which a shutdown checkpoint can write every dirty buffer, low enough for a busy NFS server, and
 * the time a stop needs beyond that checkpoint (ending sessions, the WAL senders' last records, the exit).
 */
const CHECKPOINT_BYTES_PER_SECOND = 32 * MIB;
const STOP_OVERHEAD_SECONDS = 30;
export const MIN_TERMINATION_GRACE_SECONDS = 60;

/**
 * The kubelet's wait before it kills a stopping pod: long enough for the shutdown checkpoint to write all of
 * shared_buffers at CHECKPOINT_BYTES_PER_SECOND, and never below a minute.
 */
export function defaultTerminationGracePeriod(sharedBuffers: string | number | undefined): number {
    const bytes =
        sharedBuffers === undefined
            ? DEFAULT_SHARED_BUFFERS_BYTES
            : postgresSizeBytes(sharedBuffers, SHARED_BUFFER_PAGE_BYTES);
    return Math.max(
        MIN_TERMINATION_GRACE_SECONDS,
        STOP_OVERHEAD_SECONDS + Math.ceil(bytes / CHECKPOINT_BYTES_PER_SECOND),
    );
}

/** The share of the data volume the WAL kept for standbys' slots may fill by default. */
const DEFAULT_SLOT_WAL_SHARE = 4;
/** The most a slot may hold, as a share of the volume: the data and its own WAL need the rest. */
export const MAX_SLOT_WAL_SHARE = 2;

/** max_slot_wal_keep_size by default: a quarter of the data volume, in MB. */
export function defaultMaxSlotWalKeepSize(storageSize: string): string {
    return `${Math.floor(quantityValue(storageSize) / DEFAULT_SLOT_WAL_SHARE / MIB)}MB`;
}

/** Whether a slot's WAL bound leaves the data volume room for the data: at most half of it. */
export function slotWalFitsVolume(maxSlotWalKeepSize: string, storageSize: string): boolean {
    return postgresSizeBytes(maxSlotWalKeepSize, MIB) * MAX_SLOT_WAL_SHARE <= quantityValue(storageSize);
}

/**
 * The PostgreSQL major an image's tag names, for images of PostgreSQL itself (a repository named
 * `postgres` or `postgresql`, such as the official image, Bitnami's or CloudNativePG's); undefined when the
 * reference does not say (another repository, a tag that does not start with the major, a digest alone).
 */
export function imageMajor(image: string): number | undefined {
    const withoutDigest = image.split("@")[0];
    const lastSlash = withoutDigest.lastIndexOf("/");
    const colon = withoutDigest.lastIndexOf(":");
    if (colon <= lastSlash) {
        return undefined;
    }
    const repository = withoutDigest.slice(lastSlash + 1, colon);
    if (repository !== "postgres" && repository !== "postgresql") {
        return undefined;
    }
    const major = /^([0-9]+)(?:[^0-9]|$)/.exec(withoutDigest.slice(colon + 1))?.[1];
    return major === undefined ? undefined : Number(major);
}

/** wal_level values the standbys can stream from; `logical` also serves logical replication and CDC tools. */
const WAL_LEVELS = ["replica", "logical"];

/** A setting that breaks a rule between the image, the PostgreSQL parameters and the volume. */
export interface SettingProblem {
    path: string[];
    input: unknown;
    message: string;
}

/** The rules between the image, the PostgreSQL parameters and the volume, over otherwise valid settings. */
export function postgresProblems(settings: {
    image: string;
    postgresqlParameters: Record<string, string | number | boolean>;
    maxSlotWalKeepSize?: string;
    storage: { size: string };
}): SettingProblem[] {
    const problems: SettingProblem[] = [];
    const major = imageMajor(settings.image);
    if (major !== undefined && major < MIN_POSTGRES_MAJOR) {
        problems.push({
            path: ["image"],
            input: settings.image,
            message: `must be PostgreSQL ${MIN_POSTGRES_MAJOR} or later (the standbys' scripts use READ_REPLICATION_SLOT); its tag says ${major}`,
        });
    }
    const {
        shared_buffers: sharedBuffers,
        wal_level: walLevel,
        max_slot_wal_keep_size: slotWal,
    } = settings.postgresqlParameters;
    if (slotWal !== undefined) {
        problems.push({
            path: ["postgresqlParameters", "max_slot_wal_keep_size"],
            input: slotWal,
            message: "must not be set here: set maxSlotWalKeepSize instead, which is checked against storage.size",
        });
    }
    if (
        sharedBuffers !== undefined &&
        (typeof sharedBuffers === "boolean" || !POSTGRES_SIZE.test(String(sharedBuffers)))
    ) {
        problems.push({
            path: ["postgresqlParameters", "shared_buffers"],
            input: sharedBuffers,
            message: 'must be a size such as "2GB" or "512MB", or a number of 8kB pages',
        });
    }
    if (walLevel !== undefined && !WAL_LEVELS.includes(String(walLevel))) {
        problems.push({
            path: ["postgresqlParameters", "wal_level"],
            input: walLevel,
            message: `must be ${WAL_LEVELS.map((level) => `"${level}"`).join(" or ")}: the standbys stream the WAL`,
        });
    }
    const wal = settings.maxSlotWalKeepSize;
    if (wal !== undefined && !slotWalFitsVolume(wal, settings.storage.size)) {
        problems.push({
            path: ["maxSlotWalKeepSize"],
            input: wal,
            message: `must be at most 1/${MAX_SLOT_WAL_SHARE} of storage.size (${settings.storage.size}): the WAL kept for the standbys shares the volume with the data`,
        });
    }
    return problems;
}
