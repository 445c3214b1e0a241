import { isIP } from "net";
import { z } from "zod";

/**
 * The rules single settings are checked with, shared by the settings schema. Each message says what is
 * allowed; the key and the value given are added by `ConfigError`.
 */

const DNS_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
export const DNS_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
const STORAGE_QUANTITY = /^[1-9][0-9]*(Ki|Mi|Gi|Ti|Pi|Ei|k|M|G|T|P|E)?$/;
const CPU_QUANTITY = /^([1-9][0-9]*m|[0-9]+(\.[0-9]+)?)$/;
export const NFS_SERVER = /^[A-Za-z0-9]([A-Za-z0-9.-]*[A-Za-z0-9])?$|^\[?[0-9A-Fa-f:.]+\]?$/;
export const GUC_NAME = /^[a-z_][a-z0-9_.]*$/;
const LABEL_NAME = /^[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?$/;

export const dnsLabel = (maxLength: number) =>
    z
        .string({ error: "must be a string" })
        .max(maxLength, { error: `must be at most ${maxLength} characters` })
        .regex(DNS_LABEL, {
            error: "must be a DNS label: lower-case letters, digits and '-', starting and ending with a letter or digit",
        });

export const storageQuantity = z.string({ error: 'must be a string such as "10Gi"' }).regex(STORAGE_QUANTITY, {
    error: 'must be a positive whole Kubernetes quantity such as "10Gi", "500Mi" or "1Ti" (binary suffixes Ki, Mi, Gi, Ti, Pi, Ei or decimal k, M, G, T, P, E)',
});

/**
 * A container image reference. A digest, after `@`, must be one the OCI image spec registers, written out in
 * full: a mistyped one would only show as pods that cannot pull.
 */
export const imageReference = z
    .string({ error: "must be a string" })
    .regex(/^[^\s]+$/, { error: 'must be a container image reference such as "postgres:17"' })
    .refine((image) => !image.includes("@") || /^[^@]+@(sha256:[a-f0-9]{64}|sha512:[a-f0-9]{128})$/.test(image), {
        error: 'must give its digest as "sha256:" and 64 lower-case hexadecimal digits, such as "postgres:17@sha256:…" (or sha512: and 128)',
    });

export const cpuQuantity = z
    .string({ error: 'must be a string such as "250m" or "2"' })
    .regex(CPU_QUANTITY, { error: 'must be a CPU quantity such as "250m", "1" or "1.5"' });

const BINARY_SUFFIXES = ["Ki", "Mi", "Gi", "Ti", "Pi", "Ei"];
const DECIMAL_SUFFIXES = ["k", "M", "G", "T", "P", "E"];

/** The value of a quantity that passed STORAGE_QUANTITY (bytes) or CPU_QUANTITY (cores); for comparisons only. */
export function quantityValue(quantity: string): number {
    if (quantity.endsWith("m") && CPU_QUANTITY.test(quantity)) {
        return Number(quantity.slice(0, -1)) / 1000;
    }
    const suffix = /[A-Za-z]+$/.exec(quantity)?.[0] ?? "";
    const number = Number(quantity.slice(0, quantity.length - suffix.length));
    const binary = BINARY_SUFFIXES.indexOf(suffix);
    const decimal = DECIMAL_SUFFIXES.indexOf(suffix);
    return number * (binary >= 0 ? 1024 ** (binary + 1) : decimal >= 0 ? 1000 ** (decimal + 1) : 1);
}

/** The resources of a container that the settings size: CPU, memory, and the node's disk outside the volumes. */
const RESOURCES = ["cpu", "memory", "ephemeral-storage"] as const;

/**
 * Requests and limits of one container. Requests, the memory limit and the ephemeral-storage limit are
 * required, so that every container fits a namespace's ResourceQuota and a runaway one is stopped before it
 * starves its node of memory or disk; a CPU limit is optional (it throttles PostgreSQL under load without
 * protecting the node's memory).
 */
export const containerResources = z
    .strictObject(
        {
            requests: z.strictObject(
                { cpu: cpuQuantity, memory: storageQuantity, "ephemeral-storage": storageQuantity },
                { error: "must be an object with keys cpu, memory and ephemeral-storage" },
            ),
            limits: z.strictObject(
                { cpu: cpuQuantity.optional(), memory: storageQuantity, "ephemeral-storage": storageQuantity },
                { error: "must be an object with keys memory, ephemeral-storage and optional key cpu" },
            ),
        },
        {
            error: "must be an object with requests: {cpu, memory, ephemeral-storage} and limits: {memory, ephemeral-storage, optional cpu}",
        },
    )
    .superRefine((resources, ctx) => {
        for (const resource of RESOURCES) {
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

export const labelKey = z.string({ error: "must be a string" }).refine(
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

export const labelValue = z
    .string({ error: 'must be a string (quote values such as "true")' })
    .max(63, { error: "must be at most 63 characters" })
    .regex(/^$|^[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?$/, {
        error: "must be a label value: empty, or letters, digits, '-', '_' and '.', starting and ending with a letter or digit",
    });

export const labelSelector = z.strictObject(
    {
        matchLabels: z.record(labelKey, labelValue, { error: "must be an object of label keys to values" }),
    },
    { error: "must be an object {matchLabels: {key: value}}" },
);

/** One NetworkPolicy peer; both selectors together mean "these pods in these namespaces". */
export const allowedClient = z
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

export const cidr = z.string({ error: "must be a string" }).refine(isCidr, {
    error: 'must be an IPv4 or IPv6 network in CIDR notation, such as "10.0.0.0/8" or "fd00::/8" (prefix 0-32 for IPv4, 0-128 for IPv6)',
});

/** A whole number; `unit` names what it counts in the message ("a whole number of seconds"). */
export const wholeNumber = (unit = "") => {
    const error = `must be a whole number${unit}`;
    return z.number({ error }).int({ error });
};

export const positiveId = (what: string) =>
    wholeNumber(` (the ${what})`)
        .min(1, { error: "must be at least 1 (0 is root, which the pods never run PostgreSQL as)" })
        .max(2147483647, { error: "must be at most 2147483647" });

export const password = z
    .string({ error: "must be a string" })
    .min(16, { error: "must be at least 16 characters" })
    .refine((value) => !/[\r\n\0]/.test(value), { error: "must not contain line breaks or NUL characters" });

export function isPlainObject(value: unknown): value is Record<string, unknown> {
    return typeof value === "object" && value !== null && !Array.isArray(value);
}

/**
 * `defaults` under `value`, object by object: what `value` leaves out comes from `defaults`, what it sets
 * wins. Pulumi does not merge an object setting with its declared default (`pulumi config set --path
 * pg-ha:resources.limits.memory 2Gi` stores `{limits: {memory: 2Gi}}` alone), so each object setting does it
 * here, the same way. Anything but an object is returned as is, for the schema to judge.
 */
export function withDefaults(defaults: Record<string, unknown>, value: unknown): unknown {
    if (!isPlainObject(value)) {
        return value;
    }
    const merged: Record<string, unknown> = { ...value };
    for (const [key, fallback] of Object.entries(defaults)) {
        merged[key] =
            merged[key] === undefined
                ? structuredClone(fallback)
                : isPlainObject(fallback)
                  ? withDefaults(fallback, merged[key])
                  : merged[key];
    }
    return merged;
}
