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
    /** The node's disk the container uses outside its volumes (its log, `/tmp`, the runtime directory), such as `256Mi`. Left out: the container's default. */
    "ephemeral-storage"?: string;
}

/** Limits of one container, in Kubernetes quantities. */
export interface ResourceLimits {
    /** CPU; optional, since throttling a database hurts more than it protects. */
    cpu?: string;
    /** Memory, such as `1Gi`. */
    memory: string;
    /** The node's disk the container may use outside its volumes, such as `1Gi`: past it the kubelet evicts the pod. Left out: the container's default. */
    "ephemeral-storage"?: string;
}

/** The root init container that hands the data volume to the postgres user. */
export interface VolumePermissions {
    /** Run it. Default `false`. */
    enabled?: boolean;
    /** Its requests and limits. Default requests `10m` CPU, `16Mi` memory and `16Mi` ephemeral storage, limits `64Mi` of each. */
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
