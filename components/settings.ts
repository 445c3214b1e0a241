import { z } from "zod";
import { ConfigError, ConfigProblem } from "./configError";
import {
    DNS_SUBDOMAIN,
    GUC_NAME,
    NFS_SERVER,
    allowedClient,
    cidr,
    containerResources,
    dnsLabel,
    imageReference,
    labelKey,
    password,
    positiveId,
    storageQuantity,
    wholeNumber,
    isPlainObject,
    withDefaults,
} from "./settingRules";
import {
    MIN_TERMINATION_GRACE_SECONDS,
    defaultMaxSlotWalKeepSize,
    defaultTerminationGracePeriod,
    postgresProblems,
} from "./derivedSettings";
import { TLS_DEFAULTS, tlsProblems, tlsSettings } from "./tlsSettings";
import { BACKUP_DEFAULTS, backupProblems, backupSettings, restoreSettings } from "./backupSettings";
import { MAX_CLUSTER_NAME } from "./naming";

export { ConfigError, ConfigProblem };

/**
 * Validation of the cluster's settings and the one place where defaults are applied.
 *
 * Everything here is plain data: it runs before any resource is registered, and tests call it without
 * Pulumi. Each rule's message says what is allowed; `ConfigError` adds the key and the offending value.
 */

/** PostgreSQL settings the bootstrap and the replication depend on; a stack may not override them. */
export const MANAGED_PARAMETERS: readonly string[] = [
    "listen_addresses",
    "port",
    "unix_socket_directories",
    "hba_file",
    "ident_file",
    "config_file",
    "data_directory",
    "hot_standby",
    "max_wal_senders",
    "max_replication_slots",
    "primary_conninfo",
    "primary_slot_name",
    "password_encryption",
    "ssl",
    "ssl_cert_file",
    "ssl_key_file",
    "archive_mode",
    "archive_command",
    "archive_library",
    "archive_timeout",
    "restore_command",
    "recovery_target",
    "recovery_target_time",
    "recovery_target_action",
];

/** A database or role name that needs no quoting: lower-case letters, digits and _, at most 63 bytes. */
const postgresIdentifier = z.string({ error: "must be a string" }).regex(/^[a-z_][a-z0-9_]{0,62}$/, {
    error: "must be a PostgreSQL name of lower-case letters, digits and _, starting with a letter or _, at most 63 characters",
});
const RESERVED_DATABASES = ["postgres", "template0", "template1"];
const RESERVED_ROLES = ["postgres", "replicator"];

/** The defaults, in one place. `Pulumi.yaml` declares the same values; a test keeps the two in step. */
export const DEFAULTS = {
    namespace: "postgresql",
    createNamespace: true,
    name: "postgresql",
    replicas: 3,
    image: "postgres:17",
    storageSize: "10Gi",
    nfsMountOptions: ["hard", "nfsvers=4.1"],
    podManagementPolicy: "OrderedReady",
    updateStrategy: { type: "RollingUpdate", partition: 0 },
    // Ephemeral storage: what the pod writes outside its volumes, its log (the kubelet keeps at most 5 files of
    // 10Mi by default), the runtime directory's sockets and passfile, and /tmp, where Barman Cloud buffers up
    // to five upload parts of about 11 MB each. The limit leaves room for a burst; only a runaway reaches it.
    resources: {
        requests: { cpu: "250m", memory: "512Mi", "ephemeral-storage": "256Mi" },
        limits: { memory: "1Gi", "ephemeral-storage": "1Gi" },
    },
    primaryWaitTimeoutSeconds: 300,
    maxStandbyLagSeconds: 60,
    postgresqlParameters: {},
    postgresUid: 999,
    postgresGid: 999,
    volumePermissions: {
        enabled: false,
        resources: {
            requests: { cpu: "10m", memory: "16Mi", "ephemeral-storage": "16Mi" },
            limits: { memory: "64Mi", "ephemeral-storage": "64Mi" },
        },
    },
    antiAffinity: "preferred",
    networkPolicy: { enabled: true, allowedClients: [] },
    allowedCidrs: ["0.0.0.0/0", "::/0"],
    clusterDomain: "cluster.local",
    tls: TLS_DEFAULTS,
} as const;

const nfsStorage = z.strictObject(
    {
        server: z
            .string({ error: "must be a string" })
            .regex(NFS_SERVER, { error: "must be the NFS server's host name or IP address" }),
        paths: z
            .array(
                z
                    .string({ error: "must be a string" })
                    .regex(/^\/[^\s]*$/, { error: "must be an absolute path without spaces" }),
                { error: "must be a list with one exported path per pod" },
            )
            .refine((paths) => new Set(paths).size === paths.length, {
                error: "must not repeat a path: each pod needs a directory of its own",
            }),
        mountOptions: z
            .array(z.string({ error: "must be a string" }), { error: "must be a list of mount options" })
            .refine((options) => !options.includes("soft"), {
                error: 'must not contain "soft": a soft NFS mount can silently corrupt PostgreSQL data; use "hard"',
            })
            .refine(
                (options) =>
                    !options.some((option) => option === "nolock" || /^local_lock=(flock|posix|all)$/.test(option)),
                {
                    error: 'must not contain "nolock" or "local_lock" other than "local_lock=none": the lock that keeps a second server off a data directory must be held on the NFS server',
                },
            )
            .default([...DEFAULTS.nfsMountOptions]),
    },
    { error: "must be an object with keys server, paths and optional mountOptions" },
);

const storage = z
    .strictObject(
        {
            size: storageQuantity.default(DEFAULTS.storageSize),
            nfs: nfsStorage.optional(),
            className: z
                .string({ error: "must be a string" })
                .regex(DNS_SUBDOMAIN, { error: "must be the name of a StorageClass (a DNS subdomain)" })
                .optional(),
        },
        { error: "must be an object with size and either nfs: {server, paths} or className" },
    )
    .refine((value) => (value.nfs === undefined) !== (value.className === undefined), {
        error: "must set exactly one of nfs (static NFS volumes) or className (dynamic provisioning)",
    });

/** Container resources whose left-out fields take the given defaults. */
const resourcesWithDefaults = (defaults: Record<string, unknown>) =>
    // prefault: an absent value is parsed as {}, so it takes every default through the same merge.
    z.preprocess((value) => withDefaults(defaults, value), containerResources).prefault({});

// Only the type has a default: OnDelete takes no partition, so the RollingUpdate defaults stay out of it.
const updateStrategy = z.preprocess(
    (value) => withDefaults({ type: DEFAULTS.updateStrategy.type }, value),
    z.discriminatedUnion(
        "type",
        [
            z.strictObject({
                type: z.literal("RollingUpdate"),
                partition: wholeNumber().min(0, { error: "must be at least 0" }).default(0),
            }),
            z.strictObject({
                type: z.literal("OnDelete"),
                // A field of the args in every language (they have no unions), so it gets its own message.
                partition: z
                    .undefined({
                        error: 'is only for type "RollingUpdate": OnDelete replaces a pod when you delete it',
                    })
                    .optional(),
            }),
        ],
        { error: 'must be an object whose type is "RollingUpdate" (with an optional partition) or "OnDelete"' },
    ),
);

const parameterValue = z.union([z.string(), z.number(), z.boolean()], {
    error: "must be a string, number or boolean",
});

const settingsObject = z.strictObject({
    namespace: dnsLabel(63).default(DEFAULTS.namespace),
    createNamespace: z.boolean({ error: "must be true or false" }).default(DEFAULTS.createNamespace),
    name: dnsLabel(63)
        .max(MAX_CLUSTER_NAME, {
            error: `must be at most ${MAX_CLUSTER_NAME} characters: the maintenance Job is named <name>-maintenance-<digest>, and a Job's name at most 63`,
        })
        .default(DEFAULTS.name),
    replicas: wholeNumber()
        .min(1, { error: "must be at least 1 (one primary)" })
        .max(32, { error: "must be at most 32" })
        .default(DEFAULTS.replicas),
    image: imageReference.default(DEFAULTS.image),
    storage,
    podManagementPolicy: z
        .enum(["OrderedReady", "Parallel"], { error: 'must be "OrderedReady" or "Parallel"' })
        .default(DEFAULTS.podManagementPolicy),
    updateStrategy: updateStrategy.prefault({}),
    resources: resourcesWithDefaults(DEFAULTS.resources),
    superuserPassword: password.optional(),
    replicationPassword: password.optional(),
    applicationPassword: password.optional(),
    primaryWaitTimeoutSeconds: wholeNumber(" of seconds")
        .min(1, { error: "must be at least 1" })
        .max(86400, { error: "must be at most 86400 (one day)" })
        .default(DEFAULTS.primaryWaitTimeoutSeconds),
    maxStandbyLagSeconds: wholeNumber(" of seconds")
        .min(0, { error: "must be 0 (ready only while streaming) or more" })
        .max(3600, { error: "must be at most 3600 (one hour)" })
        .default(DEFAULTS.maxStandbyLagSeconds),
    postgresqlParameters: z
        .record(
            z.string().regex(GUC_NAME, { error: "must be a PostgreSQL setting name such as shared_buffers" }),
            parameterValue,
            { error: "must be an object of PostgreSQL setting names to values" },
        )
        .refine((parameters) => !Object.keys(parameters).some((key) => MANAGED_PARAMETERS.includes(key)), {
            error: `must not set a parameter the cluster manages itself (${MANAGED_PARAMETERS.join(", ")})`,
        })
        .default({}),
    postgresUid: positiveId("uid of the postgres user in the image").default(DEFAULTS.postgresUid),
    postgresGid: positiveId("gid of the postgres group in the image").default(DEFAULTS.postgresGid),
    volumePermissions: z
        .strictObject(
            {
                enabled: z.boolean({ error: "must be true or false" }).default(DEFAULTS.volumePermissions.enabled),
                resources: resourcesWithDefaults(DEFAULTS.volumePermissions.resources),
            },
            { error: "must be an object {enabled: true or false, resources: {requests, limits}}" },
        )
        .prefault({}),
    antiAffinity: z
        .enum(["preferred", "required"], { error: 'must be "preferred" or "required"' })
        .default(DEFAULTS.antiAffinity),
    schedulableNodes: wholeNumber(" of nodes").min(0, { error: "must be 0 (not known) or more" }).default(0),
    topologySpread: z
        .strictObject(
            {
                // Giving the object turns the constraint on; the default is `{ enabled: false }`.
                enabled: z.boolean({ error: "must be true or false" }).default(true),
                topologyKey: labelKey.default("topology.kubernetes.io/zone"),
                maxSkew: wholeNumber().min(1, { error: "must be at least 1" }).default(1),
                whenUnsatisfiable: z
                    .enum(["ScheduleAnyway", "DoNotSchedule"], {
                        error: 'must be "ScheduleAnyway" or "DoNotSchedule"',
                    })
                    .default("ScheduleAnyway"),
            },
            { error: "must be an object {enabled, topologyKey, maxSkew, whenUnsatisfiable}" },
        )
        // Parsed, so the fields take their defaults from the object above.
        .prefault({ enabled: false }),
    networkPolicy: z
        .strictObject(
            {
                enabled: z.boolean({ error: "must be true or false" }).default(DEFAULTS.networkPolicy.enabled),
                allowedClients: z
                    .array(allowedClient, { error: "must be a list of {podSelector, namespaceSelector}" })
                    .default([]),
            },
            { error: "must be an object {enabled: true or false, allowedClients: [...]}" },
        )
        .prefault({}),
    allowedCidrs: z
        .array(cidr, { error: 'must be a list of networks in CIDR notation, such as ["10.0.0.0/8"]' })
        .min(1, {
            error: "must list at least one network: the standbys connect to the primary over TCP, so the pods' own network must be in it",
        })
        .default([...DEFAULTS.allowedCidrs]),
    database: z
        .strictObject(
            {
                name: postgresIdentifier.refine((name) => !RESERVED_DATABASES.includes(name), {
                    error: `must not be one of PostgreSQL's own databases (${RESERVED_DATABASES.join(", ")})`,
                }),
                owner: postgresIdentifier
                    .refine((owner) => !RESERVED_ROLES.includes(owner), {
                        error: `must not be a role the cluster uses (${RESERVED_ROLES.join(", ")})`,
                    })
                    .refine((owner) => !owner.startsWith("pg_"), {
                        error: 'must not start with "pg_": PostgreSQL reserves those role names',
                    }),
            },
            { error: "must be an object {name, owner}: the application's database and the role that owns it" },
        )
        .optional(),
    clusterDomain: z
        .string({ error: "must be a string" })
        .regex(DNS_SUBDOMAIN, { error: 'must be the cluster\'s DNS domain, such as "cluster.local"' })
        .default(DEFAULTS.clusterDomain),
    tls: tlsSettings,
    backup: backupSettings.optional(),
    restore: restoreSettings.optional(),
    // Derived from storage.size when not given (see withDerivedDefaults).
    maxSlotWalKeepSize: z
        .string({ error: "must be a string" })
        .regex(/^[1-9][0-9]*(MB|GB|TB)$/, { error: 'must be a size such as "2GB" or "512MB" (units MB, GB, TB)' })
        .optional(),
    // Derived from shared_buffers when not given.
    terminationGracePeriodSeconds: wholeNumber(" of seconds")
        .min(MIN_TERMINATION_GRACE_SECONDS, { error: `must be at least ${MIN_TERMINATION_GRACE_SECONDS}` })
        .max(86400, { error: "must be at most 86400 (one day)" })
        .optional(),
});

const schema = settingsObject
    .superRefine((settings, ctx) => {
        const nfs = settings.storage.nfs;
        if (nfs && nfs.paths.length !== settings.replicas) {
            ctx.addIssue({
                code: "custom",
                path: ["storage", "nfs", "paths"],
                input: nfs.paths,
                message: `must list exactly one path per pod: replicas is ${settings.replicas}, got ${nfs.paths.length} path(s)`,
            });
        }
        const strategy = settings.updateStrategy;
        if (strategy.type === "RollingUpdate" && strategy.partition > settings.replicas) {
            ctx.addIssue({
                code: "custom",
                path: ["updateStrategy", "partition"],
                input: strategy.partition,
                message: `must be between 0 and replicas (${settings.replicas})`,
            });
        }
        if (settings.applicationPassword !== undefined && settings.database === undefined) {
            ctx.addIssue({
                code: "custom",
                path: ["applicationPassword"],
                input: settings.applicationPassword,
                message: "is the password of the database setting's role: set database too, or leave it out",
            });
        }
        for (const problem of tlsProblems(settings.tls, settings.name)) {
            ctx.addIssue({ code: "custom", ...problem });
        }
        for (const problem of backupProblems(settings)) {
            ctx.addIssue({ code: "custom", ...problem });
        }
        for (const problem of postgresProblems(settings)) {
            ctx.addIssue({ code: "custom", ...problem });
        }
        // Required anti-affinity puts each pod on a node of its own: pods beyond the nodes that can run them
        // would stay Pending for good, and a standby that never starts is easy to miss.
        const nodes = settings.schedulableNodes;
        if (settings.antiAffinity === "required" && nodes > 0 && settings.replicas > nodes) {
            ctx.addIssue({
                code: "custom",
                path: ["replicas"],
                input: settings.replicas,
                message: `must be at most schedulableNodes (${nodes}) with antiAffinity "required": each pod needs a node of its own`,
            });
        }
    })
    .transform(withDerivedDefaults);

type ParsedSettings = z.output<typeof settingsObject>;

/** Defaults that follow from other settings, applied once every setting is valid. */
function withDerivedDefaults(settings: ParsedSettings) {
    return {
        ...settings,
        maxSlotWalKeepSize: settings.maxSlotWalKeepSize ?? defaultMaxSlotWalKeepSize(settings.storage.size),
        tls:
            settings.tls.mode === "generated"
                ? { ...settings.tls, validityDays: settings.tls.validityDays ?? DEFAULTS.tls.validityDays }
                : settings.tls,
        backup: settings.backup && {
            ...settings.backup,
            volume: settings.backup.volume && {
                ...settings.backup.volume,
                ...(settings.backup.volume.className === undefined
                    ? {}
                    : { size: settings.backup.volume.size ?? BACKUP_DEFAULTS.volumeSize }),
            },
        },
        restore: settings.restore && {
            ...settings.restore,
            from: { ...settings.restore.from, namespace: settings.restore.from.namespace ?? settings.namespace },
        },
        terminationGracePeriodSeconds:
            settings.terminationGracePeriodSeconds ??
            defaultTerminationGracePeriod(sizeParameter(settings.postgresqlParameters.shared_buffers)),
    };
}

/** A size parameter that passed postgresProblems: never a boolean. */
function sizeParameter(value: string | number | boolean | undefined): string | number | undefined {
    return typeof value === "boolean" ? undefined : value;
}

/** Every top-level setting, in declaration order. */
export const SETTING_KEYS: readonly string[] = Object.keys(settingsObject.shape);

/** The settings as given: every key optional but `storage`. */
export type ClusterSettingsInput = z.input<typeof schema>;
/** The settings with every default applied. */
export type ClusterSettings = z.output<typeof schema>;

/**
 * Validates the given settings and applies the defaults. `keyPrefix` is put before each key in error
 * messages (the stack config namespace, `pg-ha:`, when the settings come from stack config).
 */
export function resolveSettings(input: unknown, keyPrefix = ""): ClusterSettings {
    const result = schema.safeParse(input, { reportInput: true });
    if (result.success) {
        return result.data;
    }
    throw new ConfigError(
        result.error.issues.flatMap((issue): ConfigProblem[] => {
            const path = issue.path.map(String);
            if (issue.code === "unrecognized_keys") {
                const known = path.length === 0 ? `; known settings: ${SETTING_KEYS.join(", ")}` : "";
                return issue.keys.map((key) => ({
                    key: keyPrefix + [...path, key].join("."),
                    value: issue.input?.[key],
                    allowed: `is not a known setting${known}`,
                }));
            }
            // A union that matched no option reports the whole object; the discriminator is what was wrong.
            const value =
                issue.code === "invalid_union" && isPlainObject(issue.input) && path.length > 0
                    ? issue.input[path[path.length - 1]]
                    : issue.input;
            // A record's own message would hide why one of its keys was refused.
            const allowed =
                issue.code === "invalid_key" && issue.issues.length > 0
                    ? issue.issues.map((keyIssue) => keyIssue.message).join("; ")
                    : issue.message;
            return [{ key: keyPrefix + path.join("."), value, allowed }];
        }),
    );
}
