import { ClusterSettings } from "./settings";

/** The port PostgreSQL listens on in every pod and every Service. */
export const POSTGRES_PORT = 5432;

/** Name of the StatefulSet's volumeClaimTemplate; each pod's claim is `<template>-<statefulset>-<ordinal>`. */
export const DATA_VOLUME = "data";

/** Name of the pod volume of the backups (see `backupVolumeMount`). */
export const BACKUP_VOLUME = "backup";

/** Hex digits of the configuration's digest in its ConfigMap's name: enough that versions never collide. */
const CONFIG_DIGEST_LENGTH = 12;

/**
 * The longest cluster name: every object's name must fit its kind's limit, and the tightest is the maintenance
 * Job's, `<name>-maintenance-<digest>`, at most 63 characters (its pods carry it in their job-name label).
 */
export const MAX_CLUSTER_NAME = 63 - "-maintenance-".length - CONFIG_DIGEST_LENGTH;

/**
 * Hex digits of the first backup Job's digest: `<name>-first-backup-<digest>` fits 63 characters with the
 * longest name (MAX_CLUSTER_NAME).
 */
export const FIRST_BACKUP_DIGEST_LENGTH = 6;

/** The role the standbys use to stream from pod 0. */
export const REPLICATION_USER = "replicator";

/** The key of the initialised-marker ConfigMap that pod 0 reads (as PG_HA_CLUSTER_INITIALISED). */
export const INITIALISED_MARKER_KEY = "initialised";

/** Keys of the credentials Secret; each becomes a file under the Secret's mount path. */
export const SECRET_KEYS = {
    superuserPassword: "superuser-password",
    replicationPassword: "replication-password",
    applicationPassword: "application-password",
} as const;

/** Keys of a `kubernetes.io/tls` Secret, with the CA in `ca.crt` as cert-manager writes it. */
export const TLS_SECRET_KEYS = {
    certificate: "tls.crt",
    privateKey: "tls.key",
    ca: "ca.crt",
} as const;

/** Every name the cluster's objects use, derived from the settings so that specs and outputs agree. */
export interface ClusterNames {
    namespace: string;
    statefulSet: string;
    headlessService: string;
    rwService: string;
    rService: string;
    secret: string;
    /** The Secret of the generated server certificate (with `tls.mode` "generated"). */
    tlsSecret: string;
    /** One ConfigMap per version of the configuration, named by its digest (see `bootstrapConfigMap`). */
    configMap: (checksum: string) => string;
    /** The record that the cluster was initialised (see `initialisedMarker`). */
    initialisedMarker: string;
    /** The maintenance Job, one name per version of its spec (see `maintenanceJob`). */
    maintenanceJob: (checksum: string) => string;
    podDisruptionBudget: string;
    networkPolicy: string;
    pod: (ordinal: number) => string;
    claim: (ordinal: number) => string;
    /** PersistentVolumes are cluster-scoped, so the name carries the namespace to keep stacks apart. */
    persistentVolume: (ordinal: number) => string;
    /** The backup volume's claim, when the program makes it (`backup.volume` nfs or className). */
    backupClaim: string;
    /** The static NFS PersistentVolume of the backups; cluster-scoped, so it carries the namespace. */
    backupPersistentVolume: string;
    /** The CronJob of the base backups. */
    backupCronJob: string;
    /** The Job of the first base backup, one name per version of its spec (see `firstBackupJob`). */
    firstBackupJob: (checksum: string) => string;
    /** Stable DNS name of one pod, through the headless Service. */
    podHost: (ordinal: number) => string;
    /** The in-cluster DNS name of a Service of this cluster. */
    serviceHost: (service: string) => string;
    /** The short name replicas use to reach pod 0: `<sts>-0.<headless-svc>`. */
    primaryHost: string;
}

export function clusterNames(settings: Pick<ClusterSettings, "namespace" | "name" | "clusterDomain">): ClusterNames {
    const { namespace, name, clusterDomain } = settings;
    const headlessService = `${name}-hl`;
    const serviceHost = (service: string) => `${service}.${namespace}.svc.${clusterDomain}`;
    const pod = (ordinal: number) => `${name}-${ordinal}`;
    return {
        namespace,
        statefulSet: name,
        headlessService,
        rwService: `${name}-rw`,
        rService: `${name}-r`,
        secret: `${name}-credentials`,
        tlsSecret: `${name}-tls`,
        configMap: (checksum) => `${name}-bootstrap-${checksum.slice(0, CONFIG_DIGEST_LENGTH)}`,
        initialisedMarker: `${name}-initialised`,
        maintenanceJob: (checksum) => `${name}-maintenance-${checksum.slice(0, CONFIG_DIGEST_LENGTH)}`,
        podDisruptionBudget: name,
        networkPolicy: name,
        pod,
        claim: (ordinal) => `${DATA_VOLUME}-${name}-${ordinal}`,
        persistentVolume: (ordinal) => `${namespace}-${name}-${DATA_VOLUME}-${ordinal}`,
        backupClaim: `${name}-backup`,
        backupPersistentVolume: `${namespace}-${name}-backup`,
        backupCronJob: `${name}-backup`,
        firstBackupJob: (checksum) => `${name}-first-backup-${checksum.slice(0, FIRST_BACKUP_DIGEST_LENGTH)}`,
        podHost: (ordinal) => `${pod(ordinal)}.${serviceHost(headlessService)}`,
        serviceHost,
        primaryHost: `${pod(0)}.${headlessService}`,
    };
}

/**
 * Every name a client may use to reach the cluster, for the server certificate: each Service and each pod
 * (through the headless Service), from the short form a pod of the namespace uses to the fully qualified one.
 */
export function certificateDnsNames(
    settings: Pick<ClusterSettings, "namespace" | "name" | "clusterDomain" | "replicas">,
): string[] {
    const names = clusterNames(settings);
    const { namespace, clusterDomain } = settings;
    const bases = [
        names.rwService,
        names.rService,
        names.headlessService,
        ...Array.from({ length: settings.replicas }, (_, ordinal) => `${names.pod(ordinal)}.${names.headlessService}`),
    ];
    return bases.flatMap((base) => [
        base,
        `${base}.${namespace}`,
        `${base}.${namespace}.svc`,
        `${base}.${namespace}.svc.${clusterDomain}`,
    ]);
}

/** The labels that name no one cluster. */
const SHARED_LABELS = {
    "app.kubernetes.io/component": "database",
    "app.kubernetes.io/managed-by": "pulumi",
} as const;

/** Labels every object of the cluster carries. */
export function commonLabels(settings: Pick<ClusterSettings, "name">): Record<string, string> {
    return { ...selectorLabels(settings), ...SHARED_LABELS };
}

/**
 * Labels of the namespace, without the cluster's name: clusters of several names may share one namespace,
 * each declaring it, and a label that differed between them would change with whichever applied last.
 */
export function namespaceLabels(): Record<string, string> {
    return { "app.kubernetes.io/name": "postgresql", ...SHARED_LABELS };
}

/** Metadata of a namespaced object of the cluster: its name, the cluster's namespace and common labels. */
export function namespacedMetadata(settings: Pick<ClusterSettings, "namespace" | "name">, name: string) {
    return { name, namespace: settings.namespace, labels: commonLabels(settings) };
}

/**
 * The labels that select the cluster's maintenance Jobs' pods: not the database pods' selector, so that no
 * Service sends clients to them and no PodDisruptionBudget counts them.
 */
export function maintenanceSelectorLabels(settings: Pick<ClusterSettings, "name">): Record<string, string> {
    return { "app.kubernetes.io/name": "postgresql-maintenance", "app.kubernetes.io/instance": settings.name };
}

/** Labels as one selector in the form kubectl's `-l` takes: `name=value,name=value`. */
export function labelSelectorText(labels: Record<string, string>): string {
    return Object.entries(labels)
        .map(([label, value]) => `${label}=${value}`)
        .join(",");
}

/** The labels that select the cluster's pods; a subset of `commonLabels`. */
export function selectorLabels(settings: Pick<ClusterSettings, "name">): Record<string, string> {
    return {
        "app.kubernetes.io/name": "postgresql",
        "app.kubernetes.io/instance": settings.name,
    };
}

/**
 * Annotations of the objects a destroy keeps (the namespace, the NFS PersistentVolumes and their claims, the
 * configuration's ConfigMaps). The next `up` creates them anew as new Pulumi resources, each with a new
 * server-side-apply field manager, while the object still carries the fields the previous one owned: without
 * force, any changed field (a pod-security label after volumePermissions changed, for example) is a field
 * conflict and the `up` fails.
 */
export const RETAINED_OBJECT_ANNOTATIONS: Readonly<Record<string, string>> = { "pulumi.com/patchForce": "true" };
