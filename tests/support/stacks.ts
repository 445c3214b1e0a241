import * as pulumi from "@pulumi/pulumi";
import * as stackFiles from "../../components/stackFiles";
import { PostgresCluster } from "../../components/postgresCluster";
import { RegisteredResource, registeredResources, resetRegistrations } from "./mockEngine";

// Reading stack files is shared with the manifest renderer: see components/stackFiles.ts.
export { PROJECT_ROOT as REPO_ROOT, projectFile, stackConfig, stackNames } from "../../components/stackFiles";
export type { ProjectFile } from "../../components/stackFiles";

/** What the tests use for a value a stack file holds encrypted: the CLI would decrypt it. */
export function testSecureValue(key: string): string {
    return `test-stand-in-for-encrypted-${key}`;
}

/**
 * The config map the engine hands the program: the project's declared defaults overlaid with the stack's
 * values, every value a string (text as is, anything else as JSON).
 */
export function engineConfig(stackValues: Record<string, unknown>): Record<string, string> {
    return stackFiles.engineConfig(stackValues, testSecureValue);
}

type ProgramExports = typeof import("../../index");

// Internal to the SDK, not in its typings: resolves once every resource registration the program started has
// finished, including those of resources no output depends on (the initialised marker, the slot Job).
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { waitForRPCs } = require("@pulumi/pulumi/runtime/settings") as { waitForRPCs: () => Promise<void> };

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
    await waitForRPCs();
    return { resources: [...registeredResources()], outputs };
}

/**
 * Runs a program other than `index.ts` (one that uses the component as a library, or an earlier version of
 * this one) with the given engine config, and waits until every cluster it builds is registered.
 */
export async function runComponents(
    config: Record<string, string>,
    build: () => PostgresCluster[],
): Promise<readonly RegisteredResource[]> {
    resetRegistrations();
    pulumi.runtime.setAllConfig(config, []);
    const outputs = build().flatMap((cluster): pulumi.Output<unknown>[] => [
        cluster.namespace,
        cluster.statefulSetName,
        cluster.podHosts,
        cluster.persistentVolumeNames,
        cluster.connectionUri,
        cluster.initialisedMarkerName,
    ]);
    await Promise.all(outputs.map(valueOf));
    await waitForRPCs();
    return [...registeredResources()];
}

/** Runs the program with one stack's file, as `pulumi up --stack <stack>` would. */
export function runStack(stack: string): Promise<ProgramRun> {
    const { config, secretKeys } = stackFiles.stackEngineConfig(stack, testSecureValue);
    return runProgram(config, secretKeys);
}

export function ofType(run: ProgramRun, type: string): RegisteredResource[] {
    return run.resources.filter((resource) => resource.type === type);
}
