import * as pulumi from "@pulumi/pulumi";
import * as k8s from "@pulumi/kubernetes";
import * as random from "@pulumi/random";
import { PostgresClusterArgs } from "./postgresClusterArgs";
import { ClusterSettings, ConfigError, resolveSettings } from "./settings";
import { POSTGRES_PORT, clusterNames } from "./naming";
import { clusterObjects } from "./specs/cluster";
import { boundToClaim } from "./specs/storage";
import { providerForKeptObjects } from "./keptObjectsProvider";
import { generatedCertificate } from "./generatedCertificate";
import { maintenanceJob } from "./specs/maintenanceJob";
import { tlsEnabled, tlsSecretName } from "./specs/tls";

export { PostgresClusterArgs };

/**
 * Resource options of a `PostgresCluster`. An option that holds a resource lives here rather than in the
 * args, which must be plain data for the package schema of the other languages.
 */
export interface PostgresClusterOptions extends pulumi.ComponentResourceOptions {
    /**
     * The Kubernetes provider for the objects a destroy keeps (the namespace, the NFS volumes and their claims,
     * the configuration's ConfigMaps), which the next `up` must adopt: give one with `upsertExistingObjects:
     * true` and the same cluster settings as the provider of the rest. Default: when the component uses the
     * stack's default provider, one built from the stack's `kubernetes:` settings with upsert on; when the
     * component was given a Kubernetes provider, that provider (with provider 4.30 or later and upsert off,
     * the `up` after a destroy then fails with `AlreadyExists`).
     */
    keptObjectsProvider?: k8s.Provider;
}

const STATEFULSET_TIMEOUT = "2h";
/** Longer than the maintenance Job's activeDeadlineSeconds (see maintenanceJob). */
const JOB_TIMEOUT = "20m";

/** A PostgreSQL primary (pod 0) with streaming-replication standbys, as one StatefulSet. */
export class PostgresCluster extends pulumi.ComponentResource {
    /** Namespace of the cluster's objects. */
    readonly namespace: pulumi.Output<string>;
    /** Name of the StatefulSet; its pods are `<this>-0` (the primary) to `<this>-<replicas - 1>`. */
    readonly statefulSetName: pulumi.Output<string>;
    /** The headless Service's DNS name; each pod is `<pod>.<this>`. */
    readonly headlessServiceHost: pulumi.Output<string>;
    /** Read-write Service: the primary only. */
    readonly rwServiceHost: pulumi.Output<string>;
    /** Read Service: any ready pod. */
    readonly rServiceHost: pulumi.Output<string>;
    /** Stable DNS name of each pod, by ordinal; the first is the primary. */
    readonly podHosts: pulumi.Output<string[]>;
    /** The Secret that holds the passwords (and nothing else reaches the pods' environment). */
    readonly secretName: pulumi.Output<string>;
    /** The `kubernetes.io/tls` Secret the pods mount (generated, or yours); undefined with TLS disabled. */
    readonly tlsSecretName: pulumi.Output<string | undefined>;
    /**
     * The CA certificate (PEM) that signed the server certificate, for clients' `sslrootcert`, with TLS mode
     * "generated"; undefined otherwise (with "secret" the CA is your Secret's `ca.crt`).
     */
    readonly caCertificate: pulumi.Output<string | undefined>;
    /** The ConfigMap that records the cluster was initialised: pod 0 never initialises again while it exists. */
    readonly initialisedMarkerName: pulumi.Output<string>;
    /** Names of the static NFS PersistentVolumes; empty with dynamic provisioning. */
    readonly persistentVolumeNames: pulumi.Output<string[]>;
    /** `postgresql://postgres:…@<rw service>:5432/postgres` (with `?sslmode=verify-full` when TLS is on), a secret. */
    readonly connectionUri: pulumi.Output<string>;
    /** `postgresql://<owner>:…@<rw service>:5432/<database>` with a `database` setting, a secret; else undefined. */
    readonly appConnectionUri: pulumi.Output<string | undefined>;

    constructor(name: string, args: PostgresClusterArgs, opts?: PostgresClusterOptions) {
        // Validated before super(): a bad argument must not leave even the component registered.
        const settings = resolveArgs(args);
        const { keptObjectsProvider, ...componentOpts } = opts ?? {};
        super("pg-ha:index:PostgresCluster", name, {}, componentOpts);
        // Objects a destroy keeps, so that the next `up` finds them and adopts them (see providerForKeptObjects).
        const kept: pulumi.CustomResourceOptions = {
            parent: this,
            retainOnDelete: true,
            provider: providerForKeptObjects(this, name, keptObjectsProvider),
        };

        const names = clusterNames(settings);
        const superuserPassword = generatedUnlessGiven(this, `${name}-superuser-password`, args.superuserPassword);
        const replicationPassword = generatedUnlessGiven(
            this,
            `${name}-replication-password`,
            args.replicationPassword,
        );
        const applicationPassword = settings.database
            ? generatedUnlessGiven(this, `${name}-application-password`, args.applicationPassword)
            : undefined;
        const certificate = settings.tls.mode === "generated" ? generatedCertificate(this, name, settings) : undefined;
        const objects = clusterObjects(
            settings,
            { superuser: superuserPassword, replication: replicationPassword, application: applicationPassword },
            certificate,
        );

        // Kept: deleting the namespace would delete the claims and, with a StorageClass whose reclaim policy
        // is Delete, the data.
        const namespace = objects.namespace
            ? [new k8s.core.v1.Namespace(`${name}-namespace`, objects.namespace, kept)]
            : [];
        const namespaced: pulumi.CustomResourceOptions = { parent: this, dependsOn: namespace };

        const secret = new k8s.core.v1.Secret(`${name}-credentials`, objects.secret, namespaced);
        const tlsSecret = objects.tlsSecret
            ? [new k8s.core.v1.Secret(`${name}-tls`, objects.tlsSecret, namespaced)]
            : [];
        // Kept: pods on an older revision still mount the version of the configuration they started with.
        const configMap = new k8s.core.v1.ConfigMap(`${name}-bootstrap`, objects.configMap, {
            ...kept,
            dependsOn: namespace,
        });

        // Kept: with reclaim policy Retain the data outlives the objects anyway, and keeping them keeps the
        // binding a re-created cluster needs.
        const claims = objects.persistentVolumeClaims.map(
            (spec, ordinal) =>
                new k8s.core.v1.PersistentVolumeClaim(`${name}-data-claim-${ordinal}`, spec, {
                    ...kept,
                    dependsOn: namespace,
                    // A claim of a static volume cannot be resized; `storage.size` applies to new claims.
                    ignoreChanges: ["spec.resources"],
                }),
        );
        const volumes = objects.persistentVolumes.map(
            (spec, ordinal) =>
                new k8s.core.v1.PersistentVolume(
                    `${name}-data-${ordinal}`,
                    boundToClaim(spec, claims[ordinal].metadata.uid),
                    kept,
                ),
        );

        // Kept, like the data volumes: the backups are the copy that outlives the cluster.
        const backupClaim = objects.backupPersistentVolumeClaim
            ? [
                  new k8s.core.v1.PersistentVolumeClaim(`${name}-backup-claim`, objects.backupPersistentVolumeClaim, {
                      ...kept,
                      dependsOn: namespace,
                  }),
              ]
            : [];
        const backupVolume = objects.backupPersistentVolume
            ? [
                  new k8s.core.v1.PersistentVolume(
                      `${name}-backup-volume`,
                      boundToClaim(objects.backupPersistentVolume, backupClaim[0].metadata.uid),
                      kept,
                  ),
              ]
            : [];

        const headless = new k8s.core.v1.Service(`${name}-headless`, objects.services.headless, namespaced);
        const rw = new k8s.core.v1.Service(`${name}-rw`, objects.services.rw, namespaced);
        const r = new k8s.core.v1.Service(`${name}-r`, objects.services.r, namespaced);

        // Before the pods: they must never run without the ingress restriction.
        const policy = objects.networkPolicy
            ? [new k8s.networking.v1.NetworkPolicy(`${name}-network-policy`, objects.networkPolicy, namespaced)]
            : [];

        const sts = new k8s.apps.v1.StatefulSet(`${name}-statefulset`, objects.statefulSet, {
            parent: this,
            // The standbys reach pod 0 through the -rw Service.
            dependsOn: [
                ...namespace,
                ...claims,
                ...volumes,
                ...backupClaim,
                ...backupVolume,
                headless,
                rw,
                secret,
                ...tlsSecret,
                configMap,
                ...policy,
            ],
            // A replacement (an immutable field changed) must stop the old pods before new ones mount the
            // same volumes: two servers on one data directory corrupt it.
            deleteBeforeReplace: true,
            // Pulumi waits for the pods; a clone of a large database takes longer than its 10-minute default.
            customTimeouts: { create: STATEFULSET_TIMEOUT, update: STATEFULSET_TIMEOUT },
        });

        // Once the cluster is ready it exists: from then on pod 0 never initialises an empty volume. Kept, so
        // that a destroy and an `up` on lost volumes does not start an empty cluster either.
        const marker = new k8s.core.v1.ConfigMap(`${name}-initialised`, objects.initialisedMarker, {
            ...kept,
            dependsOn: [...namespace, sts],
        });

        // After the StatefulSet has its new number of pods: the removed ones' slots are free to drop. A new
        // revision of the credentials runs it again: it ends once pod 0 has the new passwords in effect.
        const job = secret.metadata.resourceVersion.apply((revision) =>
            maintenanceJob(settings, objects.configMap.metadata.name, revision ?? ""),
        );
        new k8s.batch.v1.Job(
            `${name}-maintenance`,
            { apiVersion: "batch/v1", kind: "Job", metadata: job.metadata, spec: job.spec },
            {
                parent: this,
                dependsOn: [...namespace, sts, secret, ...tlsSecret, configMap, ...policy],
                // Pulumi's default wait for a Job is 10 minutes; this one may take its whole deadline.
                customTimeouts: { create: JOB_TIMEOUT, update: JOB_TIMEOUT },
            },
        );

        // Once pod 0 answers; the first Job takes a base backup at once, the CronJob then on its schedule.
        const backupDependencies = [...namespace, sts, secret, ...tlsSecret, configMap, ...backupClaim, ...policy];
        if (objects.backupCronJob) {
            new k8s.batch.v1.CronJob(`${name}-backup`, objects.backupCronJob, {
                parent: this,
                dependsOn: backupDependencies,
            });
        }
        if (objects.firstBackupJob) {
            new k8s.batch.v1.Job(`${name}-first-backup`, objects.firstBackupJob, {
                parent: this,
                dependsOn: backupDependencies,
            });
        }

        if (objects.podDisruptionBudget) {
            new k8s.policy.v1.PodDisruptionBudget(`${name}-disruption-budget`, objects.podDisruptionBudget, namespaced);
        }

        this.namespace = namespace.length > 0 ? namespace[0].metadata.name : pulumi.output(settings.namespace);
        this.statefulSetName = sts.metadata.name;
        this.headlessServiceHost = headless.metadata.name.apply(names.serviceHost);
        this.rwServiceHost = rw.metadata.name.apply(names.serviceHost);
        this.rServiceHost = r.metadata.name.apply(names.serviceHost);
        this.podHosts = sts.metadata.name.apply(() =>
            Array.from({ length: settings.replicas }, (_, ordinal) => names.podHost(ordinal)),
        );
        this.secretName = secret.metadata.name;
        const mountedTlsSecret = tlsSecretName(settings);
        this.tlsSecretName = tlsSecret.length > 0 ? tlsSecret[0].metadata.name : pulumi.output(mountedTlsSecret);
        this.caCertificate = certificate ? certificate.caCertificate : pulumi.output(undefined);
        this.initialisedMarkerName = marker.metadata.name;
        this.persistentVolumeNames = pulumi.all(volumes.map((volume) => volume.metadata.name));
        const query = tlsEnabled(settings) ? "?sslmode=verify-full" : "";
        this.connectionUri = connectionUri(superuserPassword, this.rwServiceHost, "postgres", "postgres", query);
        const database = settings.database;
        this.appConnectionUri =
            database && applicationPassword
                ? connectionUri(applicationPassword, this.rwServiceHost, database.owner, database.name, query)
                : pulumi.output(undefined);

        this.registerOutputs({
            namespace: this.namespace,
            statefulSetName: this.statefulSetName,
            headlessServiceHost: this.headlessServiceHost,
            rwServiceHost: this.rwServiceHost,
            rServiceHost: this.rServiceHost,
            podHosts: this.podHosts,
            secretName: this.secretName,
            tlsSecretName: this.tlsSecretName,
            caCertificate: this.caCertificate,
            initialisedMarkerName: this.initialisedMarkerName,
            persistentVolumeNames: this.persistentVolumeNames,
            connectionUri: this.connectionUri,
            appConnectionUri: this.appConnectionUri,
        });
    }
}

/** A secret libpq URI for `user` on `database` through the host (the -rw Service), with `query` appended. */
function connectionUri(
    password: pulumi.Output<string>,
    host: pulumi.Output<string>,
    user: string,
    database: string,
    query: string,
): pulumi.Output<string> {
    return pulumi.secret(
        pulumi
            .all([password, host])
            .apply(
                ([plain, rwHost]) =>
                    `postgresql://${user}:${encodeURIComponent(plain)}@${rwHost}:${POSTGRES_PORT}/${database}${query}`,
            ),
    );
}

/** Plain passwords are validated with the rest; passwords that are Outputs can only be checked by the pods. */
function resolveArgs(args: PostgresClusterArgs): ClusterSettings {
    // Programs written before the args had to be plain data passed the provider here; say where it went.
    if ("keptObjectsProvider" in args) {
        throw new ConfigError([
            {
                key: "keptObjectsProvider",
                value: "a provider",
                allowed:
                    "is a resource option, not an argument: new PostgresCluster(name, args, { provider, keptObjectsProvider })",
            },
        ]);
    }
    const { superuserPassword, replicationPassword, applicationPassword, ...rest } = args;
    return resolveSettings({
        ...rest,
        ...(typeof superuserPassword === "string" ? { superuserPassword } : {}),
        ...(typeof replicationPassword === "string" ? { replicationPassword } : {}),
        ...(typeof applicationPassword === "string" ? { applicationPassword } : {}),
    });
}

function generatedUnlessGiven(
    parent: pulumi.Resource,
    name: string,
    given: pulumi.Input<string> | undefined,
): pulumi.Output<string> {
    if (given !== undefined) {
        return pulumi.secret(given);
    }
    // Letters, digits and a few specials that need no quoting anywhere; RandomPassword's result is secret.
    return new random.RandomPassword(name, { length: 32, special: true, overrideSpecial: "-_.~!*+=" }, { parent })
        .result;
}
