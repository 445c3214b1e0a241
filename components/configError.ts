import { RunError } from "@pulumi/pulumi";

/** The settings that hold passwords: stored encrypted in the stack, and never printed in an error. */
export const SECRET_SETTINGS: ReadonlySet<string> = new Set([
    "superuserPassword",
    "replicationPassword",
    "applicationPassword",
]);

/**
 * Keys never printed in an error, at any depth of the value shown: the passwords, and the credentials a user
 * may write where they do not belong (backup.objectStore.credentials refuses them).
 */
const REDACTED_KEYS: ReadonlySet<string> = new Set([...SECRET_SETTINGS, "accessKeyId", "secretAccessKey"]);

/** One invalid setting: the key path, the value given and what is allowed. */
export interface ConfigProblem {
    key: string;
    value: unknown;
    allowed: string;
}

/**
 * Thrown before any resource is registered when a setting is invalid. Lists every problem at once. A
 * RunError, so that the Pulumi CLI prints the message as the program's error, without a stack trace: the
 * problem is in the configuration, not in the code.
 */
export class ConfigError extends RunError {
    constructor(readonly problems: ConfigProblem[]) {
        super(
            "invalid configuration:\n" +
                problems.map((problem) => `  ${problem.key} = ${formatValue(problem)}: ${problem.allowed}`).join("\n"),
        );
        this.name = "ConfigError";
    }
}

/** A URL's user and password (`https://KEY:SECRET@host`, refused where a URL is read) are not printed. */
function withoutUserinfo(value: string): string {
    return value.replace(/^([a-z][a-z0-9+.-]*:\/\/)[^/@\s]*@/i, "$1[secret]@");
}

function formatValue(problem: ConfigProblem): string {
    if (REDACTED_KEYS.has(problem.key.split(/[.:]/).pop() ?? "")) {
        return "[secret]";
    }
    if (problem.value === undefined) {
        return "(not set)";
    }
    return JSON.stringify(problem.value, (key, value: unknown) =>
        REDACTED_KEYS.has(key) ? "[secret]" : typeof value === "string" ? withoutUserinfo(value) : value,
    );
}
