import * as fs from "fs";
import * as path from "path";
import * as pulumi from "@pulumi/pulumi";
import { parse } from "yaml";
import { RegisteredResource, registeredResources, resetRegistrations } from "./mockEngine";

export const REPO_ROOT = path.resolve(__dirname, "..", "..");

interface ProjectConfigDeclaration {
    type?: string;
    description?: string;
    default?: unknown;
    secret?: boolean;
}

export interface ProjectFile {
    name: string;
    config: Record<string, ProjectConfigDeclaration>;
}

export function projectFile(): ProjectFile {
    return parse(fs.readFileSync(path.join(REPO_ROOT, "Pulumi.yaml"), "utf8")) as ProjectFile;
}

/** Every `Pulumi.<stack>.yaml` in the repository. */
export function stackNames(): string[] {
    return fs
        .readdirSync(REPO_ROOT)
        .map((file) => /^Pulumi\.(.+)\.yaml$/.exec(file)?.[1])
        .filter((stack): stack is string => stack !== undefined)
        .sort();
}

export function stackConfig(stack: string): Record<string, unknown> {
    const file = parse(fs.readFileSync(path.join(REPO_ROOT, `Pulumi.${stack}.yaml`), "utf8")) as {
        config?: Record<string, unknown>;
    };
    return file.config ?? {};
}

/**
 * The config map the engine hands the program: the project's declared defaults overlaid with the stack's
 * values, every value a string (text as is, anything else as JSON).
 */
export function engineConfig(stackValues: Record<string, unknown>): Record<string, string> {
    const defaults = Object.fromEntries(
        Object.entries(projectFile().config)
            .filter(([, declaration]) => declaration.default !== undefined)
            .map(([key, declaration]) => [key, declaration.default]),
    );
    return Object.fromEntries(
        Object.entries({ ...defaults, ...stackValues }).map(([key, value]) => [
            key,
            typeof value === "string" ? value : JSON.stringify(value),
        ]),
    );
}

type ProgramExports = typeof import("../../index");

export interface ProgramRun {
    resources: readonly RegisteredResource[];
    outputs: ProgramExports;
}

/** Resolves an Output's value under the mocks. */
export function valueOf<T>(output: pulumi.Output<T>): Promise<T> {
    return new Promise((resolve) => output.apply(resolve));
}

/**
 * Runs `index.ts` afresh with the given engine config and waits until every resource is registered.
 * `secretKeys` are the config keys the stack stores encrypted.
 */
export async function runProgram(config: Record<string, string>, secretKeys: string[] = []): Promise<ProgramRun> {
    resetRegistrations();
    pulumi.runtime.setAllConfig(config, secretKeys);
    const entry = require.resolve("../../index");
    delete require.cache[entry];
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const outputs = require(entry) as ProgramExports;
    await Promise.all(Object.values(outputs).map((output) => valueOf(output as pulumi.Output<unknown>)));
    return { resources: [...registeredResources()], outputs };
}

/** Runs the program with one stack's file, as `pulumi up --stack <stack>` would. */
export function runStack(stack: string): Promise<ProgramRun> {
    return runProgram(engineConfig(stackConfig(stack)));
}

export function ofType(run: ProgramRun, type: string): RegisteredResource[] {
    return run.resources.filter((resource) => resource.type === type);
}
