import * as fs from "fs";
import * as path from "path";
import { parse } from "yaml";

/**
 * Reading the project's stack files without the Pulumi CLI: `Pulumi.yaml`'s declared defaults overlaid with
 * one `Pulumi.<stack>.yaml`, turned into the config map the engine hands the program. Used by the manifest
 * renderer (`tools/manifests.ts`) and by the tests, so that both read a stack the way `pulumi up` does.
 */

/** The directory of `Pulumi.yaml`. */
export const PROJECT_ROOT = path.resolve(__dirname, "..");

interface ProjectConfigDeclaration {
    type?: string;
    description?: string;
    default?: unknown;
}

export interface ProjectFile {
    name: string;
    config: Record<string, ProjectConfigDeclaration>;
}

/** A value set with `pulumi config set --secret`: the stack file holds only its ciphertext. */
export interface SecureValue {
    secure: string;
}

export function isSecureValue(value: unknown): value is SecureValue {
    return (
        typeof value === "object" &&
        value !== null &&
        Object.keys(value).length === 1 &&
        typeof (value as Record<string, unknown>).secure === "string"
    );
}

/** The config map the engine hands the program, and which of its keys are secrets. */
export interface EngineConfig {
    config: Record<string, string>;
    secretKeys: string[];
}

/**
 * What stands for an encrypted value: the real one needs the stack's secrets provider, which only the
 * Pulumi CLI has. Gets the full key (`pg-ha:superuserPassword`).
 */
export type SecureValueStandIn = (key: string) => string;

export function projectFile(root: string = PROJECT_ROOT): ProjectFile {
    return parse(fs.readFileSync(path.join(root, "Pulumi.yaml"), "utf8")) as ProjectFile;
}

/** Every `Pulumi.<stack>.yaml` in the project, by stack name, sorted. */
export function stackNames(root: string = PROJECT_ROOT): string[] {
    return fs
        .readdirSync(root)
        .map((file) => /^Pulumi\.(.+)\.yaml$/.exec(file)?.[1])
        .filter((stack): stack is string => stack !== undefined)
        .sort();
}

/** Thrown for a stack that has no `Pulumi.<stack>.yaml`. */
export class UnknownStackError extends Error {
    constructor(
        readonly stack: string,
        readonly known: readonly string[],
    ) {
        super(
            `unknown stack "${stack}": there is no Pulumi.${stack}.yaml; ` +
                (known.length > 0 ? `the stacks are ${known.join(", ")}` : "the project has no stack file"),
        );
        this.name = "UnknownStackError";
    }
}

/** The `config:` of one stack file, values as written (`{secure: …}` for encrypted ones). */
export function stackConfig(stack: string, root: string = PROJECT_ROOT): Record<string, unknown> {
    const known = stackNames(root);
    if (!known.includes(stack)) {
        throw new UnknownStackError(stack, known);
    }
    const file = parse(fs.readFileSync(path.join(root, `Pulumi.${stack}.yaml`), "utf8")) as {
        config?: Record<string, unknown> | null;
    } | null;
    return file?.config ?? {};
}

/**
 * The config map the engine hands the program: the project's declared defaults overlaid with the stack's
 * values, every value a string (text as is, anything else as JSON). Encrypted values are replaced by
 * `standIn`; without one, an encrypted value is an error.
 */
export function engineConfig(
    stackValues: Record<string, unknown>,
    standIn?: SecureValueStandIn,
    root: string = PROJECT_ROOT,
): Record<string, string> {
    const declarations = projectFile(root).config;
    // As the Pulumi CLI does: a declared key without a default must be set by every stack.
    const missing = Object.entries(declarations)
        .filter(([key, declaration]) => declaration.default === undefined && !(key in stackValues))
        .map(([key]) => key);
    if (missing.length > 0) {
        throw new MissingConfigError(missing);
    }
    const defaults = Object.fromEntries(
        Object.entries(declarations)
            .filter(([, declaration]) => declaration.default !== undefined)
            .map(([key, declaration]) => [key, declaration.default]),
    );
    return Object.fromEntries(
        Object.entries({ ...defaults, ...stackValues }).map(([key, value]) => {
            if (isSecureValue(value)) {
                if (!standIn) {
                    throw new Error(`${key} is encrypted in the stack file; only the Pulumi CLI can decrypt it`);
                }
                return [key, standIn(key)];
            }
            return [key, typeof value === "string" ? value : JSON.stringify(value)];
        }),
    );
}

/** What the Pulumi CLI reports for declared keys without a default that a stack does not set. */
export class MissingConfigError extends Error {
    constructor(readonly keys: readonly string[]) {
        super(`the stack is missing configuration value(s) ${keys.map((key) => `'${key}'`).join(", ")}`);
        this.name = "MissingConfigError";
    }
}

/** The keys a stack stores encrypted. */
export function secureKeys(stackValues: Record<string, unknown>): string[] {
    return Object.entries(stackValues)
        .filter(([, value]) => isSecureValue(value))
        .map(([key]) => key);
}

/** One stack's engine config, with `standIn` for its encrypted values. */
export function stackEngineConfig(
    stack: string,
    standIn: SecureValueStandIn,
    root: string = PROJECT_ROOT,
): EngineConfig {
    const values = stackConfig(stack, root);
    return { config: engineConfig(values, standIn, root), secretKeys: secureKeys(values) };
}
