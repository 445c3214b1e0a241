/**
 * npm run manifests -- --stack <name> [--out DIR | --out -]
 *
 * Writes the Kubernetes objects a stack would create, as YAML, one file per object in the order they are
 * applied, without the Pulumi CLI or a cluster. The objects come from `clusterObjects`, the builder the
 * program registers, so they are what `pulumi up` would send, except the Secret's values: a placeholder
 * stands for each password (generated or encrypted in the stack, neither is known here).
 */
import * as fs from "fs";
import * as path from "path";
import { parseArgs } from "util";
import { stringify } from "yaml";
import { CONFIG_NAMESPACE, readStackConfig } from "../components/stackConfig";
import { clusterObjects, inApplyOrder } from "../components/specs/cluster";
import { ConfigError } from "../components/settings";
import { PROJECT_ROOT, UnknownStackError, stackEngineConfig, stackNames } from "../components/stackFiles";

/** What stands for a secret value in the rendered manifests. */
export function secretPlaceholder(key: string): string {
    return `<set by pulumi: ${key}>`;
}

/** One Kubernetes object, as rendered. */
export interface KubernetesObject {
    apiVersion: string;
    kind: string;
    metadata: { name: string; namespace?: string };
    [field: string]: unknown;
}

export interface Manifest {
    /** `NN-<kind>-<name>.yaml`, NN giving the order in which they are applied. */
    fileName: string;
    object: KubernetesObject;
}

/**
 * The manifests of one stack, in the order they are applied: namespace, Secret, ConfigMap,
 * PersistentVolumes, Services, StatefulSet.
 */
export function renderManifests(stack: string, root: string = PROJECT_ROOT): Manifest[] {
    // Encrypted values are validated as the placeholder; the Secret gets placeholders in any case.
    const { config, secretKeys } = stackEngineConfig(stack, secretPlaceholder, root);
    const { settings } = readStackConfig(config, secretKeys);
    const objects = clusterObjects(settings, {
        superuser: secretPlaceholder(`${CONFIG_NAMESPACE}:superuserPassword`),
        replication: secretPlaceholder(`${CONFIG_NAMESPACE}:replicationPassword`),
    });
    const ordered = inApplyOrder(objects) as KubernetesObject[];
    const width = String(ordered.length).length < 2 ? 2 : String(ordered.length).length;
    return ordered.map((object, index) => ({
        fileName: `${String(index + 1).padStart(width, "0")}-${object.kind.toLowerCase()}-${object.metadata.name}.yaml`,
        object,
    }));
}

/**
 * YAML as kubectl reads it: kubectl's parser follows YAML 1.1, where unquoted `on`, `no` or `y` are
 * booleans, so such strings are quoted. Long lines are not folded.
 */
export function toYaml(object: KubernetesObject): string {
    return stringify(object, { version: "1.1", lineWidth: 0 });
}

const MANIFEST_FILE = /^[0-9]{2,}-[a-z]+-[a-z0-9.-]+\.yaml$/;

/** Writes one file per object into `dir`, after removing the files of an earlier run there. */
export function writeManifests(manifests: Manifest[], dir: string): string[] {
    fs.mkdirSync(dir, { recursive: true });
    for (const file of fs.readdirSync(dir)) {
        if (MANIFEST_FILE.test(file)) {
            fs.rmSync(path.join(dir, file));
        }
    }
    return manifests.map(({ fileName, object }) => {
        const file = path.join(dir, fileName);
        fs.writeFileSync(file, toYaml(object));
        return file;
    });
}

/** All manifests as one multi-document YAML stream. */
export function toYamlStream(manifests: Manifest[]): string {
    return manifests.map(({ fileName, object }) => `---\n# ${fileName}\n${toYaml(object)}`).join("");
}

const USAGE = `usage: npm run manifests -- --stack <name> [--out DIR]

Writes the Kubernetes manifests of a stack (Pulumi.<name>.yaml), one YAML file per object,
to DIR (default out/manifests/<name>), or to standard output as one stream with --out -.
Secret values are placeholders. Needs neither the Pulumi CLI nor a cluster.`;

export function main(argv: string[]): number {
    let options: { stack?: string; out?: string; help?: boolean };
    try {
        options = parseArgs({
            args: argv,
            options: {
                stack: { type: "string", short: "s" },
                out: { type: "string", short: "o" },
                help: { type: "boolean", short: "h" },
            },
            strict: true,
            allowPositionals: false,
        }).values;
    } catch (error) {
        process.stderr.write(`${(error as Error).message}\n\n${USAGE}\n`);
        return 2;
    }
    if (options.help) {
        process.stdout.write(`${USAGE}\n`);
        return 0;
    }
    if (!options.stack) {
        process.stderr.write(`--stack is required; the stacks are ${stackNames().join(", ")}\n\n${USAGE}\n`);
        return 2;
    }
    let manifests: Manifest[];
    try {
        manifests = renderManifests(options.stack);
    } catch (error) {
        if (error instanceof UnknownStackError || error instanceof ConfigError) {
            process.stderr.write(`manifests: ${error.message}\n`);
            return 1;
        }
        throw error;
    }
    if (options.out === "-") {
        process.stdout.write(toYamlStream(manifests));
        return 0;
    }
    // npm runs scripts in the project's directory; a relative --out is meant from where npm was run.
    const base = process.env.INIT_CWD ?? process.cwd();
    const dir = path.resolve(base, options.out ?? path.join("out", "manifests", options.stack));
    for (const file of writeManifests(manifests, dir)) {
        process.stdout.write(`${path.relative(base, file) || file}\n`);
    }
    return 0;
}

if (require.main === module) {
    process.exitCode = main(process.argv.slice(2));
}
