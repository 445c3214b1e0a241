import * as fs from "fs";
import * as path from "path";

import { E2EPaths } from "../support/paths";
import { clusterEnvironment } from "../cluster/environment";
import { BuiltBinaries } from "../build/buildAll";

/**
 * `npm start` and `npm stop`: the project's `local` stack on the built-in single-node cluster, for someone who
 * wants to see it run before they own a cluster. Everything lives under the cluster's state directory, which
 * `npm stop` removes with the cluster; the Pulumi backend and passphrase are the e2e tooling's, in its cache.
 */
export const QUICKSTART_STACK = "local";

export interface QuickstartPaths {
    /** The stack's project directory: links to the program, its own stack file. */
    workDir: string;
    /** What `npm stop` needs to find the stack. */
    record: string;
    /** psql's password file and the CA of the pods' certificate, for the connection printed at the end. */
    passFile: string;
    caFile: string;
}

export function quickstartPaths(paths: E2EPaths): QuickstartPaths {
    const dir = path.join(paths.state, "quickstart");
    return {
        workDir: path.join(dir, "project"),
        record: path.join(dir, "quickstart.json"),
        passFile: path.join(dir, "pgpass"),
        caFile: path.join(dir, "ca.crt"),
    };
}

const USERS_OWN = /^(KUBECONFIG|KUBECONTEXT|KUBERNETES_|PULUMI_(CONFIG_PASSPHRASE|ACCESS_TOKEN|BACKEND_URL|K8S_|HOME))/;

/**
 * The environment every command of `npm start`, `npm stop` and their status runs with: the built-in cluster's
 * kubeconfig and nothing else. A KUBECONFIG or kube context of the user's (their own cluster) never reaches
 * kubectl or Pulumi here; the stack also names the kubeconfig itself (`kubernetes:kubeconfig`), so that its
 * provider cannot fall back to another.
 */
export function quickstartEnvironment(
    paths: E2EPaths,
    bin: BuiltBinaries,
    env: NodeJS.ProcessEnv,
): Record<string, string> {
    const passed: Record<string, string> = {};
    for (const [name, value] of Object.entries(env)) {
        // kubectl, the provider and the CLI read these too: a user's own would point them at another cluster,
        // another backend, or encrypt the stack with a passphrase a later run does not have.
        if (value !== undefined && !USERS_OWN.test(name)) passed[name] = value;
    }
    return { ...passed, ...clusterEnvironment(paths, bin, env.PATH ?? "") };
}

/**
 * Makes `quickstartEnvironment` this process's own: the Automation API finds the CLI on this process's PATH,
 * and kubectl is run with this process's environment.
 */
export function useQuickstartEnvironment(paths: E2EPaths, bin: BuiltBinaries): Record<string, string> {
    const env = quickstartEnvironment(paths, bin, process.env);
    for (const name of Object.keys(process.env)) if (!(name in env)) delete process.env[name];
    Object.assign(process.env, env);
    return env;
}

/** The stack settings that tie the `local` stack to the built-in cluster. */
export function quickstartStackConfig(paths: E2EPaths): Record<string, string> {
    return { "kubernetes:kubeconfig": paths.kubeconfig };
}

export interface QuickstartRecord {
    workDir: string;
    stack: string;
}

export function readRecord(files: QuickstartPaths): QuickstartRecord | undefined {
    return fs.existsSync(files.record)
        ? (JSON.parse(fs.readFileSync(files.record, "utf8")) as QuickstartRecord)
        : undefined;
}
