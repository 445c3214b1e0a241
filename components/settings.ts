import { isIP } from "net";
import { z } from "zod";

/**
 * Validation of the cluster's settings and the one place where defaults are applied.
 *
 * Everything here is plain data: it runs before any resource is registered, and tests call it without
 * Pulumi. Each rule's message says what is allowed; `ConfigError` adds the key and the offending value.
 */

const DNS_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const DNS_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
const STORAGE_QUANTITY = /^[1-9][0-9]*(Ki|Mi|Gi|Ti|Pi|Ei|k|M|G|T|P|E)?$/;
const CPU_QUANTITY = /^([1-9][0-9]*m|[0-9]+(\.[0-9]+)?)$/;
const NFS_SERVER = /^[A-Za-z0-9]([A-Za-z0-9.-]*[A-Za-z0-9])?$|^\[?[0-9A-Fa-f:.]+\]?$/;
const GUC_NAME = /^[a-z_][a-z0-9_.]*$/;
const LABEL_NAME = /^[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?$/;

/** PostgreSQL settings the bootstrap and the replication depend on; a stack may not override them. */
export const MANAGED_PARAMETERS: readonly string[] = [
    "listen_addresses",
    "port",
    "unix_socket_directories",
    "hba_file",
    "ident_file",
    "config_file",
    "data_directory",
    "wal_level",
    "hot_standby",
    "max_wal_senders",
    "max_replication_slots",
    "primary_conninfo",
    "primary_slot_name",
    "password_encryption",
];

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
    resources: {
        requests: { cpu: "250m", memory: "512Mi" },
        limits: { memory: "1Gi" },
    },
    primaryWaitTimeoutSeconds: 300,
    postgresqlParameters: {},
    postgresUid: 999,
    postgresGid: 999,
    volumePermissions: {
        enabled: false,
        resources: {
            requests: { cpu: "10m", memory: "16Mi" },
            limits: { memory: "64Mi" },
        },
    },
    antiAffinity: "preferred",
    networkPolicy: { enabled: true, allowedClients: [] },
    allowedCidrs: ["0.0.0.0/0", "::/0"],
} as const;

const dnsLabel = (maxLength: number) =>
    z
        .string({ error: "must be a string" })
        .max(maxLength, { error: `must be at most ${maxLength} characters` })
        .regex(DNS_LABEL, {
            error: "must be a DNS label: lower-case letters, digits and '-', starting and ending with a letter or digit",
        });

const storageQuantity = z.string({ error: 'must be a string such as "10Gi"' }).regex(STORAGE_QUANTITY, {
    error: 'must be a positive whole Kubernetes quantity such as "10Gi", "500Mi" or "1Ti" (binary suffixes Ki, Mi, Gi, Ti, Pi, Ei or decimal k, M, G, T, P, E)',
});

const cpuQuantity = z
    .string({ error: 'must be a string such as "250m" or "2"' })
    .regex(CPU_QUANTITY, { error: 'must be a CPU quantity such as "250m", "1" or "1.5"' });

const BINARY_SUFFIXES = ["Ki", "Mi", "Gi", "Ti", "Pi", "Ei"];
const DECIMAL_SUFFIXES = ["k", "M", "G", "T", "P", "E"];

/** The value of a quantity that passed STORAGE_QUANTITY (bytes) or CPU_QUANTITY (cores); for comparisons only. */
function quantityValue(quantity: string): number {
    if (quantity.endsWith("m") && CPU_QUANTITY.test(quantity)) {
        return Number(quantity.slice(0, -1)) / 1000;
    }
    const suffix = /[A-Za-z]+$/.exec(quantity)?.[0] ?? "";
    const number = Number(quantity.slice(0, quantity.length - suffix.length));
    const binary = BINARY_SUFFIXES.indexOf(suffix);
    const decimal = DECIMAL_SUFFIXES.indexOf(suffix);
    return number * (binary >= 0 ? 1024 ** (binary + 1) : decimal >= 0 ? 1000 ** (decimal + 1) : 1);
}

/**
 * Requests and limits of one container. Both requests and the memory limit are required, so that every
 * container fits a namespace's ResourceQuota and a runaway one is killed before it starves its node; a CPU
 * limit is optional (it throttles PostgreSQL under load without protecting the node's memory).
 */
const containerResources = z
    .strictObject(
        {
            requests: z.strictObject(
                { cpu: cpuQuantity, memory: storageQuantity },
                { error: "must be an object with keys cpu and memory" },
            ),
            limits: z.strictObject(
                { cpu: cpuQuantity.optional(), memory: storageQuantity },
                { error: "must be an object with key memory and optional key cpu" },
            ),
        },
        { error: "must be an object with requests: {cpu, memory} and limits: {memory, optional cpu}" },
    )
    .superRefine((resources, ctx) => {
        for (const resource of ["cpu", "memory"] as const) {
            const request = resources.requests[resource];
            const limit = resources.limits[resource];
            if (limit !== undefined && quantityValue(request) > quantityValue(limit)) {
                ctx.addIssue({
                    code: "custom",
                    path: ["requests", resource],
                    input: request,
                    message: `must not be more than limits.${resource} (${limit})`,
                });
            }
        }
    });

const labelKey = z.string({ error: "must be a string" }).refine(
    (key) => {
        const slash = key.lastIndexOf("/");
        const prefix = slash >= 0 ? key.slice(0, slash) : undefined;
        const name = key.slice(slash + 1);
        return (
            (prefix === undefined || (prefix.length <= 253 && DNS_SUBDOMAIN.test(prefix))) &&
            name.length <= 63 &&
            LABEL_NAME.test(name)
        );
    },
    {
        error: "must be a label key: an optional DNS-subdomain prefix and '/', then at most 63 letters, digits, '-', '_' or '.', starting and ending with a letter or digit",
    },
);

const labelValue = z
    .string({ error: 'must be a string (quote values such as "true")' })
    .max(63, { error: "must be at most 63 characters" })
    .regex(/^$|^[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?$/, {
        error: "must be a label value: empty, or letters, digits, '-', '_' and '.', starting and ending with a letter or digit",
    });

const labelSelector = z.strictObject(
    {
        matchLabels: z.record(labelKey, labelValue, { error: "must be an object of label keys to values" }),
    },
    { error: "must be an object {matchLabels: {key: value}}" },
);

/** One NetworkPolicy peer; both selectors together mean "these pods in these namespaces". */
const allowedClient = z
    .strictObject(
        { podSelector: labelSelector.optional(), namespaceSelector: labelSelector.optional() },
        { error: "must be an object with podSelector and/or namespaceSelector, each {matchLabels: {...}}" },
    )
    .refine((peer) => peer.podSelector !== undefined || peer.namespaceSelector !== undefined, {
        error: "must set podSelector, namespaceSelector or both",
    });

/** An IPv4 or IPv6 network in CIDR notation, as pg_hba.conf takes it. */
function isCidr(text: string): boolean {
    const match = /^([^/\s]+)\/([0-9]{1,3})$/.exec(text);
    if (!match) {
        return false;
    }
    const family = isIP(match[1]);
    const prefix = Number(match[2]);
    return (family === 4 && prefix <= 32) || (family === 6 && prefix <= 128);
}

const cidr = z.string({ error: "must be a string" }).refine(isCidr, {
    error: 'must be an IPv4 or IPv6 network in CIDR notation, such as "10.0.0.0/8" or "fd00::/8" (prefix 0-32 for IPv4, 0-128 for IPv6)',
});

const positiveId = (what: string) =>
    z
        .number({ error: `must be a whole number (the ${what})` })
        .int({ error: `must be a whole number (the ${what})` })
        .min(1, { error: "must be at least 1 (0 is root, which the pods never run PostgreSQL as)" })
        .max(2147483647, { error: "must be at most 2147483647" });

const password = z
    .string({ error: "must be a string" })
    .min(16, { error: "must be at least 16 characters" })
    .refine((value) => !/[\r\n\0]/.test(value), { error: "must not contain line breaks or NUL characters" });

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

const updateStrategy = z.discriminatedUnion(
    "type",
    [
        z.strictObject({
            type: z.literal("RollingUpdate"),
            partition: z
                .number({ error: "must be a whole number" })
                .int({ error: "must be a whole number" })
                .min(0, { error: "must be at least 0" })
                .default(0),
        }),
        z.strictObject({ type: z.literal("OnDelete") }, { error: "OnDelete takes no partition" }),
    ],
    { error: 'must be an object whose type is "RollingUpdate" (with an optional partition) or "OnDelete"' },
);

const parameterValue = z.union([z.string(), z.number(), z.boolean()], {
    error: "must be a string, number or boolean",
});

const schema = z
    .strictObject({
        namespace: dnsLabel(63).default(DEFAULTS.namespace),
        createNamespace: z.boolean({ error: "must be true or false" }).default(DEFAULTS.createNamespace),
        name: dnsLabel(52).default(DEFAULTS.name),
        replicas: z
            .number({ error: "must be a whole number" })
            .int({ error: "must be a whole number" })
            .min(1, { error: "must be at least 1 (one primary)" })
            .max(32, { error: "must be at most 32" })
            .default(DEFAULTS.replicas),
        image: z
            .string({ error: "must be a string" })
            .regex(/^[^\s]+$/, { error: 'must be a container image reference such as "postgres:17"' })
            .default(DEFAULTS.image),
        storage,
        podManagementPolicy: z
            .enum(["OrderedReady", "Parallel"], { error: 'must be "OrderedReady" or "Parallel"' })
            .default(DEFAULTS.podManagementPolicy),
        updateStrategy: updateStrategy.default({ ...DEFAULTS.updateStrategy }),
        resources: containerResources.default(structuredClone(DEFAULTS.resources)),
        superuserPassword: password.optional(),
        replicationPassword: password.optional(),
        primaryWaitTimeoutSeconds: z
            .number({ error: "must be a whole number of seconds" })
            .int({ error: "must be a whole number of seconds" })
            .min(1, { error: "must be at least 1" })
            .max(86400, { error: "must be at most 86400 (one day)" })
            .default(DEFAULTS.primaryWaitTimeoutSeconds),
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
                    resources: containerResources.default(structuredClone(DEFAULTS.volumePermissions.resources)),
                },
                { error: "must be an object {enabled: true or false, resources: {requests, limits}}" },
            )
            .default(structuredClone(DEFAULTS.volumePermissions)),
        antiAffinity: z
            .enum(["preferred", "required"], { error: 'must be "preferred" or "required"' })
            .default(DEFAULTS.antiAffinity),
        schedulableNodes: z
            .number({ error: "must be a whole number of nodes" })
            .int({ error: "must be a whole number of nodes" })
            .min(0, { error: "must be 0 (not known) or more" })
            .default(0),
        topologySpread: z
            .strictObject(
                {
                    // Giving the object turns the constraint on; the default is `{ enabled: false }`.
                    enabled: z.boolean({ error: "must be true or false" }).default(true),
                    topologyKey: labelKey.default("topology.kubernetes.io/zone"),
                    maxSkew: z
                        .number({ error: "must be a whole number" })
                        .int({ error: "must be a whole number" })
                        .min(1, { error: "must be at least 1" })
                        .default(1),
                    whenUnsatisfiable: z
                        .enum(["ScheduleAnyway", "DoNotSchedule"], {
                            error: 'must be "ScheduleAnyway" or "DoNotSchedule"',
                        })
                        .default("ScheduleAnyway"),
                },
                { error: "must be an object {enabled, topologyKey, maxSkew, whenUnsatisfiable}" },
            )
            .default({
                enabled: false,
                topologyKey: "topology.kubernetes.io/zone",
                maxSkew: 1,
                whenUnsatisfiable: "ScheduleAnyway",
            }),
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
            .default({ enabled: DEFAULTS.networkPolicy.enabled, allowedClients: [] }),
        allowedCidrs: z
            .array(cidr, { error: 'must be a list of networks in CIDR notation, such as ["10.0.0.0/8"]' })
            .min(1, {
                error: "must list at least one network: the standbys connect to the primary over TCP, so the pods' own network must be in it",
            })
            .default([...DEFAULTS.allowedCidrs]),
    })
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
    });

/** Every top-level setting, in declaration order. */
export const SETTING_KEYS: readonly string[] = Object.keys(schema.shape);

/** The settings as given: every key optional but `storage`. */
export type ClusterSettingsInput = z.input<typeof schema>;
/** The settings with every default applied. */
export type ClusterSettings = z.output<typeof schema>;

const SECRET_KEYS = new Set(["superuserPassword", "replicationPassword"]);

/** One invalid setting: the key path, the value given and what is allowed. */
export interface ConfigProblem {
    key: string;
    value: unknown;
    allowed: string;
}

/** Thrown before any resource is registered when a setting is invalid. Lists every problem at once. */
export class ConfigError extends Error {
    constructor(readonly problems: ConfigProblem[]) {
        super(
            "invalid configuration:\n" +
                problems.map((problem) => `  ${problem.key} = ${formatValue(problem)}: ${problem.allowed}`).join("\n"),
        );
        this.name = "ConfigError";
    }
}

function isRecord(value: unknown): value is Record<string, unknown> {
    return typeof value === "object" && value !== null && !Array.isArray(value);
}

function formatValue(problem: ConfigProblem): string {
    if (SECRET_KEYS.has(problem.key.split(/[.:]/).pop() ?? "")) {
        return "[secret]";
    }
    return problem.value === undefined ? "(not set)" : JSON.stringify(problem.value);
}

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
                issue.code === "invalid_union" && isRecord(issue.input) && path.length > 0
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
