import * as pulumi from "@pulumi/pulumi";
import * as runtimeConfig from "@pulumi/pulumi/runtime/config";
import { PostgresClusterArgs } from "./postgresClusterArgs";
import { SECRET_SETTINGS } from "./configError";
import { ClusterSettings, ConfigError, resolveSettings } from "./settings";

/** The stack config namespace: the project name in `Pulumi.yaml`. */
export const CONFIG_NAMESPACE = "pg-ha";

/** Settings whose config value is taken as text; every other value is parsed as JSON (numbers, booleans, objects). */
export const TEXT_SETTINGS: ReadonlySet<string> = new Set([
    "namespace",
    "name",
    "image",
    "podManagementPolicy",
    "clusterDomain",
    "superuserPassword",
    "replicationPassword",
    "applicationPassword",
    "antiAffinity",
    "maxSlotWalKeepSize",
]);

export { SECRET_SETTINGS };

/**
 * Settings that are left out unless a stack sets them (their default follows from other settings, or there
 * is none): Pulumi.yaml declares them with this placeholder, since the CLI demands a value for every
 * declared key.
 */
export const UNSET_WHEN_DECLARED_DEFAULT: Readonly<Record<string, string>> = {
    maxSlotWalKeepSize: "",
    terminationGracePeriodSeconds: "0",
    database: "{}",
    backup: "{}",
    restore: "{}",
};

/** What the program needs from the stack: validated settings, and the configured passwords as secrets. */
export interface StackConfig {
    settings: ClusterSettings;
    args: PostgresClusterArgs;
}

/**
 * Reads every key under `pg-ha:` from the stack's config, as the engine passes it (all values are strings;
 * non-text ones are JSON), and validates it. Unknown keys are errors, so a typo is not silently ignored.
 */
export function readStackConfig(
    config: Record<string, string> = pulumi.runtime.allConfig(),
    secretKeys: readonly string[] = configuredSecretKeys(),
): StackConfig {
    const prefix = `${CONFIG_NAMESPACE}:`;
    const raw: Record<string, unknown> = {};
    for (const [fullKey, text] of Object.entries(config)) {
        if (fullKey.startsWith(prefix)) {
            const key = fullKey.slice(prefix.length);
            // Pulumi.yaml declares the passwords with an empty default, since the CLI demands a value for
            // every declared key without one; empty means "generate it".
            if ((SECRET_SETTINGS.has(key) && text === "") || UNSET_WHEN_DECLARED_DEFAULT[key] === text) {
                continue;
            }
            raw[key] = TEXT_SETTINGS.has(key) ? text : parseJson(text);
        }
    }
    const plaintextSecrets = [...SECRET_SETTINGS].filter(
        (key) => raw[key] !== undefined && !secretKeys.includes(prefix + key),
    );
    if (plaintextSecrets.length > 0) {
        throw new ConfigError(
            plaintextSecrets.map((key) => ({
                key: prefix + key,
                value: "[secret]",
                allowed: `must be stored encrypted: pulumi config set --secret ${prefix}${key}`,
            })),
        );
    }
    const settings = resolveSettings(raw, prefix);
    const { superuserPassword, replicationPassword, applicationPassword, ...plain } = settings;
    return {
        settings,
        args: {
            ...plain,
            ...(superuserPassword === undefined ? {} : { superuserPassword: pulumi.secret(superuserPassword) }),
            ...(replicationPassword === undefined ? {} : { replicationPassword: pulumi.secret(replicationPassword) }),
            ...(applicationPassword === undefined ? {} : { applicationPassword: pulumi.secret(applicationPassword) }),
        },
    };
}

// The SDK knows which keys the stack stores encrypted (the language host passes their names), but its
// lookup is not in the public typings; without it, the variable the language host sets is read directly.
function configuredSecretKeys(): string[] {
    const { isConfigSecret } = runtimeConfig as { isConfigSecret?: (key: string) => boolean };
    if (isConfigSecret) {
        return [...SECRET_SETTINGS].map((key) => `${CONFIG_NAMESPACE}:${key}`).filter(isConfigSecret);
    }
    const encoded = process.env.PULUMI_CONFIG_SECRET_KEYS;
    return encoded ? (JSON.parse(encoded) as string[]) : [];
}

/** Text that is not JSON stays text, so that the validator can name it in its error. */
function parseJson(text: string): unknown {
    try {
        return JSON.parse(text);
    } catch {
        return text;
    }
}
