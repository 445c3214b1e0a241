import * as pulumi from "@pulumi/pulumi";

// Every type here is one Pulumi's component analyzer turns into a package schema, so that the component can
// be used from Python, Go, .NET and YAML: named interfaces, and string enums declared as `as const` objects
// (TypeScript callers still write the plain strings). No unions or intersections: a choice between
// variants is a set of optional fields, and the validator (`resolveSettings`) enforces that exactly one is
// given, with the same errors in every language.

/** How the StatefulSet starts pods. */
export const PodManagementPolicy = { OrderedReady: "OrderedReady", Parallel: "Parallel" } as const;
export type PodManagementPolicy = (typeof PodManagementPolicy)[keyof typeof PodManagementPolicy];

/** How the StatefulSet replaces pods when their template changes. */
export const UpdateStrategyType = { RollingUpdate: "RollingUpdate", OnDelete: "OnDelete" } as const;
export type UpdateStrategyType = (typeof UpdateStrategyType)[keyof typeof UpdateStrategyType];

/** Whether pod anti-affinity across nodes is a preference or a rule. */
export const AntiAffinity = { preferred: "preferred", required: "required" } as const;
export type AntiAffinity = (typeof AntiAffinity)[keyof typeof AntiAffinity];

/** What the scheduler does when the topology spread cannot be met. */
export const WhenUnsatisfiable = { ScheduleAnyway: "ScheduleAnyway", DoNotSchedule: "DoNotSchedule" } as const;
export type WhenUnsatisfiable = (typeof WhenUnsatisfiable)[keyof typeof WhenUnsatisfiable];

/** Where the server certificate comes from, if any. */
export const TlsMode = { generated: "generated", secret: "secret", disabled: "disabled" } as const;
export type TlsMode = (typeof TlsMode)[keyof typeof TlsMode];

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
    storage: Storage;
    /** `OrderedReady` (default: each pod starts after the previous one is ready) or `Parallel`. */
    podManagementPolicy?: PodManagementPolicy;
    /**
     * `RollingUpdate` with an optional `partition` (only pods with an ordinal at least `partition` are
     * updated; default 0), or `OnDelete`. Default `{ type: "RollingUpdate", partition: 0 }`.
     */
    updateStrategy?: UpdateStrategy;
    /**
     * Requests and limits of the PostgreSQL container. Both requests and the memory limit are required, the
     * CPU limit is optional; a request may not exceed its limit. Default requests `250m` CPU and `512Mi`
     * memory, limit `1Gi` memory.
     */
    resources?: ContainerResources;
    /** Password of the `postgres` superuser. Generated (32 characters) when not given. */
    superuserPassword?: pulumi.Input<string>;
    /** Password of the `replicator` role the standbys stream with. Generated when not given. */
    replicationPassword?: pulumi.Input<string>;
    /** Password of the `database` setting's role. Generated when not given; only with `database`. */
    applicationPassword?: pulumi.Input<string>;
    /** How long a standby waits for pod 0 to answer before it exits and lets Kubernetes restart it. Default 300. */
    primaryWaitTimeoutSeconds?: number;
    /**
     * How long a standby whose primary is away stays ready (serving reads through the `-r` Service) after it
     * last streamed. A standby that does not stream while pod 0 accepts connections is never ready. 0 keeps a
     * standby ready only while it streams. Default 60.
     */
    maxStandbyLagSeconds?: number;
    /**
     * Extra postgresql.conf settings, such as `{ shared_buffers: "256MB", max_connections: "200" }`. A value
     * that is a number or `on`/`off` is written as it is, any other is quoted. (The validator also takes
     * numbers and booleans, as a stack's YAML gives them.) Settings the replication depends on (`hba_file`,
     * `max_wal_senders`, ...) are refused; `wal_level` may be `replica` (the default) or `logical`.
     */
    postgresqlParameters?: Record<string, string>;
    /**
     * uid the PostgreSQL container runs as; must own the data directory. Default 999, the `postgres` user of
     * the official Debian-based `postgres` images (the Alpine-based ones use 70). Not 0: the pods run as
     * non-root, as the "restricted" Pod Security Standard requires.
     */
    postgresUid?: number;
    /** gid the PostgreSQL container runs as, and the pod's `fsGroup` (group of the mounted volumes). Default 999. */
    postgresGid?: number;
    /**
     * An init container that, as root, hands the data volume's root directory and an empty PGDATA to
     * `postgresUid:postgresGid` (never recursively), for volumes that ignore `fsGroup`, such as NFS exported
     * with `no_root_squash`. Off by default. Running as root, it does not pass the "restricted" Pod Security
     * Standard: with it enabled a created namespace enforces "baseline" instead. Default
     * `{ enabled: false, resources: { requests: { cpu: "10m", memory: "16Mi" }, limits: { memory: "64Mi" } } }`.
     */
    volumePermissions?: VolumePermissions;
    /**
     * Pod anti-affinity across nodes (`kubernetes.io/hostname`): `preferred` (default) spreads the pods when
     * it can; `required` never puts two on one node, and leaves a pod Pending when no node is free.
     */
    antiAffinity?: AntiAffinity;
    /**
     * The number of nodes that can run the pods, if you know it. With `antiAffinity: "required"`, `replicas`
     * may not exceed it. Default 0: not known, no check.
     */
    schedulableNodes?: number;
    /**
     * An optional topology spread constraint over the pods: `topologyKey` (default
     * `topology.kubernetes.io/zone`), `maxSkew` (default 1), `whenUnsatisfiable` (`ScheduleAnyway`, the
     * default, or `DoNotSchedule`). Giving the object turns it on unless `enabled` is false; default
     * `{ enabled: false }`.
     */
    topologySpread?: TopologySpread;
    /**
     * A NetworkPolicy that admits TCP 5432 only from the cluster's own pods (replication) and from
     * `allowedClients`, and denies every other ingress to the pods. Each client is a `podSelector` (pods of
     * the cluster's namespace), a `namespaceSelector` (every pod of those namespaces) or both (those pods in
     * those namespaces). Default `{ enabled: true, allowedClients: [] }`: only the cluster itself.
     */
    networkPolicy?: NetworkPolicy;
    /**
     * Networks (CIDR notation) pg_hba.conf admits over TCP, for clients and for replication alike, with
     * scram-sha-256 only. Must include the pod network, since the standbys connect to the primary from it.
     * Default `["0.0.0.0/0", "::/0"]` (the NetworkPolicy is then what limits the clients).
     */
    allowedCidrs?: string[];
    /**
     * The cluster's DNS domain, for the Services' and pods' full names in the outputs. Default
     * `cluster.local`.
     */
    clusterDomain?: string;
    /**
     * TLS for clients and replication. `mode`:
     * - `generated` (default): the program makes a CA (ten years) and a server certificate signed by it
     *   (`validityDays`, default 365, renewed by a `pulumi up --refresh` in its last 30 days) that names every
     *   Service and pod, short and fully qualified; the CA is the `caCertificate` output;
     * - `secret`: the pods use the `kubernetes.io/tls` Secret `secretName` you provide in the namespace
     *   (`tls.crt`, `tls.key`, and the CA in `ca.crt`, as cert-manager writes it), renewed by whoever writes it;
     * - `disabled`: no TLS; passwords and data cross the network in clear text.
     * With TLS on, a plain TCP connection is refused and the standbys verify pod 0's certificate
     * (`sslmode=verify-full`).
     */
    tls?: Tls;
    /**
     * An application database and the role that owns it, `{ name, owner }` (lower-case PostgreSQL names),
     * so that applications need not use the superuser. The role gets a generated password of its own (in
     * the Secret, key `application-password`, and the `appConnectionUri` output); the component's Job creates
     * both after the cluster is ready and sets the role's password to the Secret's. None by default.
     */
    database?: Database;
    /**
     * Continuous WAL archiving from pod 0 and scheduled base backups, to exactly one target: `volume` or
     * `objectStore` (README: "Backups and point-in-time recovery"). `volume` is one of `nfs: { server, path, mountOptions? }`
     * (a static ReadWriteMany PersistentVolume, kept on destroy), `className` with `size` (default `20Gi`; a
     * ReadWriteMany claim of that StorageClass, kept on destroy) or `claimName` (a ReadWriteMany claim you made
     * in the namespace). Every pod mounts it; pod 0 archives each WAL segment there, at the latest
     * `archiveTimeoutSeconds` (default 300) after it was written, which bounds what a lost cluster loses. A
     * CronJob takes a base backup on `schedule` (default `"0 3 * * *"`), verifies it with `pg_verifybackup`,
     * keeps the newest `keepBaseBackups` (default 7) and removes the WAL only older ones needed. Off by default.
     * `objectStore` sends the same to an S3-compatible bucket through Barman Cloud, which the image must
     * contain: `destinationPath` (`s3://bucket/prefix`), `endpointURL` (left out for AWS S3), `region`, and
     * `credentials.secretName`, a Secret in the namespace whose keys `accessKeyIdKey` (default
     * `ACCESS_KEY_ID`) and `secretAccessKeyKey` (default `ACCESS_SECRET_KEY`) hold the access key.
     */
    backup?: Backup;
    /**
     * Bootstraps a new cluster from the backups of `from` (a cluster name, and its namespace when not this
     * one) on the backup target: pod 0 copies the newest base backup finished before `targetTime` (an instant
     * with its offset, such as `"2026-11-29T21:30:00Z"`; default: the newest), replays the archived WAL up to
     * `targetTime` (or to the end), becomes the primary, and the standbys clone from it. Read only while pod 0's
     * volume is empty and the cluster was never initialised: it never touches a volume that holds data. Needs
     * `backup`.
     */
    restore?: Restore;
    /**
     * The most WAL pod 0 keeps for a standby that is down or behind (PostgreSQL's `max_slot_wal_keep_size`),
     * such as `"2GB"`. A standby further behind loses its slot and must be cloned again; until then its slot
     * also holds back VACUUM on pod 0. Default: a quarter of `storage.size`; at most half of it.
     */
    maxSlotWalKeepSize?: string;
    /**
     * How long the kubelet waits for a stopping pod before it kills it; the shutdown checkpoint must fit.
     * Default: 30 s plus the time to write all of `shared_buffers` at 32 MiB/s, at least 60 s.
     */
    terminationGracePeriodSeconds?: number;
}

/** Data volumes: `size` and exactly one of `nfs` or `className`. */
export interface Storage {
    /** Size of each pod's volume. Default `10Gi`. */
    size?: string;
    /** Static NFS PersistentVolumes, one per pod. */
    nfs?: NfsVolumes;
    /** A StorageClass that provisions each pod's volume. */
    className?: string;
}

/** Static NFS PersistentVolumes, one exported directory per pod. */
export interface NfsVolumes {
    /** The NFS server's host name or address. */
    server: string;
    /** One exported directory per pod, in ordinal order (pod 0's first). */
    paths: string[];
    /** NFS mount options. Default `["hard", "nfsvers=4.1"]`; `soft` is refused, since it can corrupt data. */
    mountOptions?: string[];
}

/** The StatefulSet's update strategy. */
export interface UpdateStrategy {
    /** `RollingUpdate` (the default) or `OnDelete`. */
    type?: UpdateStrategyType;
    /** With `RollingUpdate` only: only pods with an ordinal at least this are updated. Default 0. */
    partition?: number;
}

/** Requests and limits of one container. */
export interface ContainerResources {
    /** What the scheduler reserves for the container. */
    requests: ResourceRequests;
    /** What the container may use at most. */
    limits: ResourceLimits;
}

/** Requests of one container, in Kubernetes quantities. */
export interface ResourceRequests {
    /** CPU, such as `250m`. */
    cpu: string;
    /** Memory, such as `512Mi`. */
    memory: string;
}

/** Limits of one container, in Kubernetes quantities. */
export interface ResourceLimits {
    /** CPU; optional, since throttling a database hurts more than it protects. */
    cpu?: string;
    /** Memory, such as `1Gi`. */
    memory: string;
}

/** The root init container that hands the data volume to the postgres user. */
export interface VolumePermissions {
    /** Run it. Default `false`. */
    enabled?: boolean;
    /** Its requests and limits. Default requests `10m` CPU and `16Mi`, limit `64Mi`. */
    resources?: ContainerResources;
}

/** A topology spread constraint over the pods. */
export interface TopologySpread {
    /** Default `true` once the object is given. */
    enabled?: boolean;
    /** The node label that names a topology domain. Default `topology.kubernetes.io/zone`. */
    topologyKey?: string;
    /** The most the pod counts of two domains may differ by. Default 1. */
    maxSkew?: number;
    /** `ScheduleAnyway` (the default) or `DoNotSchedule`. */
    whenUnsatisfiable?: WhenUnsatisfiable;
}

/** The NetworkPolicy in front of the pods. */
export interface NetworkPolicy {
    /** Default `true`. */
    enabled?: boolean;
    /** Clients admitted to port 5432 besides the cluster's own pods. Default none. */
    allowedClients?: AllowedClient[];
}

/** Label selectors of one NetworkPolicy peer; at least one of the two. */
export interface AllowedClient {
    /** Pods of the cluster's namespace (or of `namespaceSelector`'s namespaces) with these labels. */
    podSelector?: LabelSelector;
    /** Every pod of the namespaces with these labels. */
    namespaceSelector?: LabelSelector;
}

/** Labels a selected object must carry. */
export interface LabelSelector {
    /** Label names to values; all must match. */
    matchLabels: Record<string, string>;
}

/** TLS for clients and replication. */
export interface Tls {
    /** `generated` (the default), `secret` or `disabled`. */
    mode?: TlsMode;
    /** With `secret`: the `kubernetes.io/tls` Secret in the namespace. */
    secretName?: string;
    /** With `generated`: the server certificate's validity in days. Default 365. */
    validityDays?: number;
}

/** An application database and the role that owns it. */
export interface Database {
    /** The database's name, a lower-case PostgreSQL name. */
    name: string;
    /** The owning role's name, a lower-case PostgreSQL name. */
    owner: string;
}

/** WAL archiving and base backups, to exactly one of `volume` or `objectStore`. */
export interface Backup {
    /** A ReadWriteMany volume every pod mounts. */
    volume?: BackupVolume;
    /** An S3-compatible bucket, through Barman Cloud. */
    objectStore?: ObjectStore;
    /** Cron schedule of the base backups. Default `"0 3 * * *"`. */
    schedule?: string;
    /** Base backups kept. Default 7. */
    keepBaseBackups?: number;
    /** The longest a written WAL segment waits before it is archived. Default 300. */
    archiveTimeoutSeconds?: number;
}

/** The backup volume: exactly one of `nfs`, `className` (with `size`) or `claimName`. */
export interface BackupVolume {
    /** A static ReadWriteMany NFS PersistentVolume, kept on destroy. */
    nfs?: NfsBackupVolume;
    /** A StorageClass for a ReadWriteMany claim, kept on destroy. */
    className?: string;
    /** With `className`: the claim's size. Default `20Gi`. */
    size?: string;
    /** A ReadWriteMany claim you made in the namespace. */
    claimName?: string;
}

/** One exported NFS directory for the backups. */
export interface NfsBackupVolume {
    /** The NFS server's host name or address. */
    server: string;
    /** The exported directory. */
    path: string;
    /** NFS mount options. Default `["hard", "nfsvers=4.1"]`. */
    mountOptions?: string[];
}

/** An S3-compatible bucket for the backups. */
export interface ObjectStore {
    /** `s3://bucket[/prefix]`; each cluster writes under `<namespace>/<name>/` below it. */
    destinationPath: string;
    /** The store's http(s) URL; left out for AWS S3. */
    endpointURL?: string;
    /** The bucket's region. */
    region?: string;
    /** Where the pods find the access key. */
    credentials: ObjectStoreCredentials;
}

/** A Secret in the namespace that holds the object store's access key. */
export interface ObjectStoreCredentials {
    /** The Secret's name. */
    secretName: string;
    /** The key of the access key id. Default `ACCESS_KEY_ID`. */
    accessKeyIdKey?: string;
    /** The key of the secret access key. Default `ACCESS_SECRET_KEY`. */
    secretAccessKeyKey?: string;
}

/** Where a new cluster restores from. */
export interface Restore {
    /** The cluster whose backups are restored. */
    from: RestoreSource;
    /** An instant with its offset, such as `"2026-11-29T21:30:00Z"`. Default: the end of the archive. */
    targetTime?: string;
}

/** A cluster on the backup target. */
export interface RestoreSource {
    /** Its name. */
    name: string;
    /** Its namespace. Default: this cluster's. */
    namespace?: string;
}
