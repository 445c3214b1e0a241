import * as pulumi from "@pulumi/pulumi";
import {
    AntiAffinity,
    Backup,
    ContainerResources,
    Database,
    NetworkPolicy,
    PodManagementPolicy,
    Restore,
    Storage,
    Tls,
    TopologySpread,
    UpdateStrategy,
    VolumePermissions,
} from "./postgresClusterArgTypes";

export * from "./postgresClusterArgTypes";

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
     * Requests and limits of the PostgreSQL container. Every request and the memory and ephemeral-storage
     * limits are required, the CPU limit is optional; a request may not exceed its limit; a field left out
     * takes its default. Default requests `250m` CPU, `512Mi` memory and `256Mi` ephemeral storage, limits
     * `1Gi` memory and `1Gi` ephemeral storage.
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
     * Extra postgresql.conf settings, such as `{ shared_buffers: "256MB", max_connections: 200 }`: each value a
     * string (written quoted), a number or a boolean (written `on`/`off`). Settings the replication depends on
     * (`hba_file`, `max_wal_senders`, ...) are refused; `wal_level` may be `replica` (the default) or
     * `logical`.
     */
    // The package schema has no unions, and string | number | boolean is what a value is: its Any is the one
    // type that keeps every language's numbers and booleans (and this program's rendering of them) as they
    // are. The validator checks each value.
    // eslint-disable-next-line @typescript-eslint/no-explicit-any
    postgresqlParameters?: Record<string, any>;
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
     * `{ enabled: false, resources: { requests: { cpu: "10m", memory: "16Mi", "ephemeral-storage": "16Mi" },
     * limits: { memory: "64Mi", "ephemeral-storage": "64Mi" } } }`.
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
