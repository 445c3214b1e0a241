import * as pulumi from "@pulumi/pulumi";

/**
 * Arguments of a `PostgresCluster`. Defaults are applied in one place, `resolveSettings` in `settings.ts`.
 *
 * Only the passwords are `pulumi.Input`s: every other value shapes the resource graph (how many volumes,
 * which names) or must be validated before any resource is registered, so it has to be known up front.
 */
export interface PostgresClusterArgs {
    /** Namespace of every namespaced object. Default `postgresql`. */
    namespace?: string;
    /**
     * Create the namespace (kept on `pulumi destroy`, since deleting it would delete the claims and, with a
     * deleting StorageClass, the data). `false` uses an existing one. Default `true`.
     */
    createNamespace?: boolean;
    /** Name of the StatefulSet; pods are `<name>-0` (primary) to `<name>-<replicas-1>`. Default `postgresql`. */
    name?: string;
    /** Pods in all: one primary and `replicas - 1` streaming standbys, 1 to 32. Default 3. */
    replicas?: number;
    /** PostgreSQL container image (Debian-based official image or compatible). Default `postgres:17`. */
    image?: string;
    /**
     * Data volumes. `size` (default `10Gi`) and exactly one of:
     * - `nfs`: static NFS PersistentVolumes: `server`, `paths` (one exported directory per pod, in ordinal
     *   order), optional `mountOptions` (default `["hard", "nfsvers=4.1"]`; `soft` is refused);
     * - `className`: a StorageClass for dynamic provisioning.
     */
    storage: {
        size?: string;
        nfs?: { server: string; paths: string[]; mountOptions?: string[] };
        className?: string;
    };
    /** `OrderedReady` (default: each pod starts after the previous one is ready) or `Parallel`. */
    podManagementPolicy?: "OrderedReady" | "Parallel";
    /**
     * `RollingUpdate` with an optional `partition` (only pods with an ordinal at least `partition` are
     * updated; default 0), or `OnDelete`. Default `{ type: "RollingUpdate", partition: 0 }`.
     */
    updateStrategy?: { type: "RollingUpdate"; partition?: number } | { type: "OnDelete" };
    /**
     * Requests and limits of the PostgreSQL container. Default requests `250m` CPU and `512Mi` memory,
     * limit `1Gi` memory.
     */
    resources?: {
        requests?: { cpu?: string; memory?: string };
        limits?: { cpu?: string; memory?: string };
    };
    /** Password of the `postgres` superuser. Generated (32 characters) when not given. */
    superuserPassword?: pulumi.Input<string>;
    /** Password of the `replicator` role the standbys stream with. Generated when not given. */
    replicationPassword?: pulumi.Input<string>;
    /** How long a standby waits for pod 0 to answer before it exits and lets Kubernetes restart it. Default 300. */
    primaryWaitTimeoutSeconds?: number;
    /**
     * Extra postgresql.conf settings, such as `{ shared_buffers: "256MB" }`. Settings the replication
     * depends on (`wal_level`, `hba_file`, ...) are refused.
     */
    postgresqlParameters?: Record<string, string | number | boolean>;
}
