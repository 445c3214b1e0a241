import { createHash } from "crypto";
import { readFileSync } from "fs";
import { join } from "path";

import { ClusterSettings } from "../settings";
import {
    INITIALISED_MARKER_KEY,
    POSTGRES_PORT,
    REPLICATION_USER,
    RETAINED_OBJECT_ANNOTATIONS,
    clusterNames,
    namespacedMetadata,
} from "../naming";
import { POD_PATHS } from "./podPaths";
import { TLS_FILES, tlsEnabled } from "./tls";
import { archiveParameters } from "./backup";

/** A ConfigMap whose data is plain strings, as built here. */
export interface ConfigMapSpec {
    apiVersion: "v1";
    kind: "ConfigMap";
    metadata: {
        name: string;
        namespace: string;
        labels: Record<string, string>;
        annotations: Record<string, string>;
    };
    immutable: true;
    data: Record<string, string>;
}

/** The scripts the pods run, shipped verbatim from `components/scripts/`. */
export const SCRIPT_FILES = [
    "bootstrap.sh",
    "probe.sh",
    "stop.sh",
    "drop-slots.sh",
    "app-database.sh",
    "passfile.sh",
    "keep-in-step.sh",
    "wait-for-passwords.sh",
    "archive-wal.sh",
    "backup-directory.sh",
    "restore-wal.sh",
    "restore.sh",
    "base-backup.sh",
    "backup-job.sh",
    "restore-from-volume.sh",
    "object-store.sh",
    "barman-cloud.sh",
    "object-store-catalog.py",
    "object-store-backup-job.sh",
    "restore-from-object-store.sh",
    "no-statement-logging.sql",
] as const;

// Constant rather than derived from replicas: a standby refuses to start with a smaller value than its
// primary's, which a scale-down would otherwise cause while the standbys restart first. Each clone with
// `-X stream` takes two senders for a while.
const MAX_WAL_SENDERS = 70;

/** Settings the cluster manages; a stack's `postgresqlParameters` come after them and may add to them. */
function managedParameters(settings: ClusterSettings): Record<string, string | number | boolean> {
    return {
        listen_addresses: "*",
        port: POSTGRES_PORT,
        unix_socket_directories: POD_PATHS.runtime,
        hba_file: `${POD_PATHS.config}/pg_hba.conf`,
        password_encryption: "scram-sha-256",
        wal_level: "replica",
        hot_standby: true,
        hot_standby_feedback: true,
        wal_log_hints: true,
        max_wal_senders: MAX_WAL_SENDERS,
        max_replication_slots: MAX_WAL_SENDERS,
        // A standby that is gone for good must not fill the primary's disk through its slot, nor hold back
        // VACUUM for ever: past this bound its slot is invalidated (see maxSlotWalKeepSize).
        max_slot_wal_keep_size: settings.maxSlotWalKeepSize,
        // Recent WAL is kept whatever the slots say: standbys cloning at once (Parallel) otherwise lose a
        // segment that one clone's checkpoint removes before the other's new slot protects it (seen with
        // PostgreSQL 15: "requested WAL segment … has already been removed").
        wal_keep_size: "128MB",
        // A replication connection whose peer vanished without a reset (a partitioned node, pod 0 back on a
        // new address) ends within seconds, not after the default minute: the receiver asks for a reply
        // after half of its timeout and gives up after all of it, then reconnects. CloudNativePG uses 5 s too.
        // wal_sender_timeout keeps its default: it also cuts pg_basebackup's WAL stream, and a clone whose
        // volume stalls for a few seconds (NFS) must not start over.
        wal_receiver_timeout: "5s",
        // The files are the mounted Secret's: a renewed certificate is read at the next reload, which the
        // readiness probe asks for when they change (keep-in-step.sh).
        ...(tlsEnabled(settings)
            ? { ssl: true, ssl_cert_file: TLS_FILES.certificate, ssl_key_file: TLS_FILES.privateKey }
            : { ssl: false }),
        ...archiveParameters(settings),
    };
}

function formatParameter(value: string | number | boolean): string {
    if (typeof value === "boolean") {
        return value ? "on" : "off";
    }
    if (typeof value === "number") {
        return String(value);
    }
    return `'${value.replace(/\\/g, "\\\\").replace(/'/g, "''")}'`;
}

/** postgresql.conf, included by every pod's own postgresql.conf. Later lines win in PostgreSQL. */
export function postgresqlConf(settings: ClusterSettings): string {
    const lines = (parameters: Record<string, string | number | boolean>) =>
        Object.entries(parameters).map(([key, value]) => `${key} = ${formatParameter(value)}`);
    return [
        "# Managed by pg-ha. Change it through the stack's configuration, not here.",
        ...lines(managedParameters(settings)),
        ...(Object.keys(settings.postgresqlParameters).length > 0 ? ["# postgresqlParameters"] : []),
        ...lines(settings.postgresqlParameters),
        "",
    ].join("\n");
}

/**
 * Client authentication: the OS user over the pod's own socket (no network involved), and over TCP a
 * SCRAM password from `allowedCidrs` only: replication for the replicator role, any database for any
 * role. With TLS on, a TCP connection must be encrypted (`hostssl`): a plain one matches no line and is
 * refused. Nothing else is admitted; there is no `trust` line.
 */
export function pgHbaConf(settings: Pick<ClusterSettings, "allowedCidrs" | "tls">): string {
    const host = tlsEnabled(settings) ? "hostssl" : "host   ";
    return [
        "# Managed by pg-ha.",
        "# TYPE  DATABASE     USER        ADDRESS    METHOD",
        "local   all          all                    peer",
        ...settings.allowedCidrs.flatMap((cidr) => [
            `${host} replication  ${REPLICATION_USER}  ${cidr}  scram-sha-256`,
            `${host} all          all         ${cidr}  scram-sha-256`,
        ]),
        "",
    ].join("\n");
}

/**
 * The scripts and configuration files the pods mount, one ConfigMap per version: the name carries the digest
 * of the data, so a change makes a new ConfigMap, and a new name in the pod template rolls the pods. The
 * previous versions stay (the component keeps them on delete): a pod still on an older revision (a staged
 * update, OnDelete, a rollback) mounts its own version, and no `up` deletes what a running pod mounts.
 */
export function bootstrapConfigMap(settings: ClusterSettings): ConfigMapSpec {
    const scripts = Object.fromEntries(
        SCRIPT_FILES.map((file) => [file, readFileSync(join(__dirname, "..", "scripts", file), "utf8")]),
    );
    const data = { ...scripts, "postgresql.conf": postgresqlConf(settings), "pg_hba.conf": pgHbaConf(settings) };
    const metadata = namespacedMetadata(settings, clusterNames(settings).configMap(dataChecksum(data)));
    return {
        apiVersion: "v1",
        kind: "ConfigMap",
        metadata: { ...metadata, annotations: { ...RETAINED_OBJECT_ANNOTATIONS } },
        // Content-addressed: the same name must always mean the same data.
        immutable: true,
        data,
    };
}

/** A digest of a ConfigMap's data, independent of the order of its keys. */
export function dataChecksum(data: Readonly<Record<string, string>>): string {
    const canonical = Object.keys(data)
        .sort()
        .map((key) => `${key}\0${data[key]}`)
        .join("\0");
    return createHash("sha256").update(canonical).digest("hex");
}

/**
 * The record that this cluster was initialised, outside every data volume: while it exists, pod 0 refuses to
 * initialise an empty volume (which is then a lost or wrong one, not a new cluster). The component creates
 * it once the StatefulSet is first ready and keeps it on destroy; it must not exist before pod 0's first
 * start, so it is not part of the manifests applied with the rest (see `inApplyOrder`). Deleting it is the
 * deliberate way to let pod 0 initialise again (README: "Re-initialising a cluster").
 */
export function initialisedMarker(settings: ClusterSettings): ConfigMapSpec {
    const name = clusterNames(settings).initialisedMarker;
    const metadata = namespacedMetadata(settings, name);
    return {
        apiVersion: "v1",
        kind: "ConfigMap",
        metadata: { ...metadata, annotations: { ...RETAINED_OBJECT_ANNOTATIONS } },
        immutable: true,
        // The value is what pod 0's log quotes when it refuses: it names the object to look at.
        data: { [INITIALISED_MARKER_KEY]: `ConfigMap ${settings.namespace}/${name}` },
    };
}
