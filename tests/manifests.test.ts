import * as assert from "assert";
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { parse, parseAllDocuments, stringify } from "yaml";
import { KubernetesObject, renderManifests, secretPlaceholder } from "../tools/manifests";
import { CREDENTIALS_REVISION_ANNOTATION } from "../components/specs/maintenanceJob";
import { validateKubernetesObject } from "./support/kubernetesSchema";
import { REPO_ROOT, runStack, stackNames } from "./support/stacks";

const TOOL = path.join(REPO_ROOT, "tools", "manifests.ts");
const PLACEHOLDER_MARK = "<set by pulumi:";

/** Runs the tool as `npm run manifests` does. */
function runTool(args: string[]) {
    return spawnSync(process.execPath, ["-r", "ts-node/register/transpile-only", TOOL, ...args], {
        cwd: REPO_ROOT,
        encoding: "utf8",
    });
}

function tempDir(): string {
    return fs.mkdtempSync(path.join(os.tmpdir(), "pg-ha-manifests-"));
}

/**
 * The object without what the program and the tool fill differently: the Secret's values; the uid of a
 * claim in a volume's claimRef, which the program takes from the claim it created (the manifests bind by
 * name); and the credentials Secret's revision, which the program puts into the maintenance Job's spec (and
 * so its name) from the Secret it created, and the manifests leave empty.
 */
function comparable(object: KubernetesObject): KubernetesObject {
    if (object.kind === "Job") {
        return withoutCredentialsRevision(object);
    }
    if (object.kind === "PersistentVolume") {
        const spec = object.spec as { claimRef: Record<string, unknown> };
        const { uid: _uid, ...claimRef } = spec.claimRef;
        return { ...object, spec: { ...spec, claimRef } };
    }
    if (object.kind !== "Secret") {
        return object;
    }
    const stringData = object.stringData as Record<string, string>;
    return { ...object, stringData: Object.fromEntries(Object.keys(stringData).map((key) => [key, "(value)"])) };
}

/** A Job's name without the digest of its spec it ends in. */
const jobName = (job: KubernetesObject) => `${job.metadata.name.replace(/-[0-9a-f]+$/, "")}-(digest of its spec)`;

function withoutCredentialsRevision(job: KubernetesObject): KubernetesObject {
    const spec = job.spec as { template: { metadata: { annotations?: Record<string, string> } } };
    const { [CREDENTIALS_REVISION_ANNOTATION]: _revision, ...annotations } = spec.template.metadata.annotations ?? {};
    const template = { ...spec.template, metadata: { ...spec.template.metadata, annotations } };
    return { ...job, metadata: { ...job.metadata, name: jobName(job) }, spec: { ...spec, template } };
}

/** Objects are matched by kind and name; a Job's name ends in a digest that holds the credentials' revision. */
const key = (object: KubernetesObject) =>
    `${object.kind}/${object.kind === "Job" ? jobName(object) : object.metadata.name}`;

describe("npm run manifests", function () {
    this.timeout(120000);

    for (const stack of stackNames()) {
        describe(`stack ${stack}`, () => {
            let dir: string;
            let files: string[];
            let objects: KubernetesObject[];

            before(() => {
                dir = tempDir();
                const result = runTool(["--stack", stack, "--out", dir]);
                assert.strictEqual(result.status, 0, result.stderr);
                files = fs.readdirSync(dir).sort();
                objects = files.map((file) => parse(fs.readFileSync(path.join(dir, file), "utf8")) as KubernetesObject);
            });

            after(() => fs.rmSync(dir, { recursive: true, force: true }));

            it("writes one YAML file per object, named and numbered in the order they are applied", () => {
                const expected = renderManifests(stack).map((manifest) => manifest.fileName);
                assert.deepStrictEqual(files, expected);
                files.forEach((file, index) => {
                    const object = objects[index];
                    assert.strictEqual(
                        file,
                        `${String(index + 1).padStart(2, "0")}-${object.kind.toLowerCase()}-${object.metadata.name}.yaml`,
                    );
                });
                const kinds = objects.map((object) => object.kind);
                const order = [
                    "Namespace",
                    "Secret",
                    "ConfigMap",
                    "PersistentVolumeClaim",
                    "PersistentVolume",
                    "Service",
                    "NetworkPolicy",
                    "StatefulSet",
                    "PodDisruptionBudget",
                    "Job",
                    "CronJob",
                ];
                assert.ok(
                    kinds.every((kind) => order.includes(kind)),
                    `a kind outside the order: ${kinds.join(", ")}`,
                );
                assert.deepStrictEqual(
                    kinds,
                    [...kinds].sort((a, b) => order.indexOf(a) - order.indexOf(b)),
                    "namespace, Secret, ConfigMap, claims, PersistentVolumes, Services, NetworkPolicy, StatefulSet, PDB, Jobs, CronJob",
                );
            });

            it("validates every object against the Kubernetes schemas", () => {
                for (const object of objects) {
                    assert.doesNotThrow(
                        () => validateKubernetesObject(object),
                        `${object.kind} ${object.metadata.name}`,
                    );
                }
            });

            it("writes exactly what the program registers for the stack, but the Secret's values, claim uids and the initialised marker", async () => {
                const run = await runStack(stack);
                const registered = run.resources
                    .filter((resource) => resource.type.startsWith("kubernetes:"))
                    .map((resource) => resource.inputs as KubernetesObject)
                    // Recorded once the cluster is ready: applied with the rest, it would stop pod 0's first start.
                    .filter(
                        (object) => !(object.kind === "ConfigMap" && object.metadata.name.endsWith("-initialised")),
                    );
                assert.deepStrictEqual(objects.map(key).sort(), registered.map(key).sort());
                for (const object of objects) {
                    const inputs = registered.find((candidate) => key(candidate) === key(object));
                    assert.deepStrictEqual(comparable(object), comparable(inputs!), key(object));
                }
            });

            it("puts placeholders in the Secrets (the passwords, the generated certificate) and nowhere else", () => {
                objects.forEach((object, index) => {
                    const text = fs.readFileSync(path.join(dir, files[index]), "utf8");
                    if (object.kind === "Secret" && object.metadata.name.endsWith("-tls")) {
                        assert.deepStrictEqual(object.stringData, {
                            "tls.crt": secretPlaceholder("pg-ha:tls (the generated server certificate)"),
                            "tls.key": secretPlaceholder("pg-ha:tls (the generated server key)"),
                            "ca.crt": secretPlaceholder("pg-ha:tls (the generated CA certificate)"),
                        });
                        assert.strictEqual(object.data, undefined);
                    } else if (object.kind === "Secret") {
                        assert.deepStrictEqual(object.stringData, {
                            "superuser-password": secretPlaceholder("pg-ha:superuserPassword"),
                            "replication-password": secretPlaceholder("pg-ha:replicationPassword"),
                        });
                        assert.strictEqual(object.data, undefined);
                    } else {
                        assert.ok(!text.includes(PLACEHOLDER_MARK), `${files[index]} holds a placeholder`);
                    }
                });
            });
        });
    }

    it("writes the same objects to standard output as one multi-document stream with --out -", () => {
        const result = runTool(["--stack", "dev", "--out", "-"]);
        assert.strictEqual(result.status, 0, result.stderr);
        const documents = parseAllDocuments(result.stdout);
        assert.deepStrictEqual(
            documents.map((document) => document.toJS() as KubernetesObject),
            renderManifests("dev").map((manifest) => manifest.object),
        );
    });

    it("removes the files of an earlier run, such as a pod's volume after scaling down", () => {
        const dir = tempDir();
        try {
            fs.writeFileSync(path.join(dir, "07-persistentvolume-stale.yaml"), "kind: PersistentVolume\n");
            fs.writeFileSync(path.join(dir, "kustomization.yaml"), "resources: []\n");
            assert.strictEqual(runTool(["--stack", "local", "--out", dir]).status, 0);
            const files = fs.readdirSync(dir);
            assert.ok(!files.includes("07-persistentvolume-stale.yaml"));
            assert.ok(files.includes("kustomization.yaml"), "files the tool did not write are kept");
        } finally {
            fs.rmSync(dir, { recursive: true, force: true });
        }
    });

    it("refuses an unknown stack with a clear message and a non-zero exit, through npm run", () => {
        const dir = tempDir();
        try {
            const result = spawnSync("npm", ["run", "--silent", "manifests", "--", "--stack", "nope", "--out", dir], {
                cwd: REPO_ROOT,
                encoding: "utf8",
            });
            assert.notStrictEqual(result.status, 0);
            assert.match(result.stderr, /unknown stack "nope": there is no Pulumi\.nope\.yaml; the stacks are .*dev/);
            assert.deepStrictEqual(fs.readdirSync(dir), [], "nothing written");
        } finally {
            fs.rmSync(dir, { recursive: true, force: true });
        }
    });

    describe("a stack file with encrypted values", () => {
        let root: string;
        const ciphertext = "v1:c2VjcmV0LWNpcGhlcnRleHQtdGhhdC1tdXN0LW5vdC1sZWFr";

        beforeEach(() => {
            root = tempDir();
            fs.copyFileSync(path.join(REPO_ROOT, "Pulumi.yaml"), path.join(root, "Pulumi.yaml"));
        });
        afterEach(() => fs.rmSync(root, { recursive: true, force: true }));

        const writeStack = (config: Record<string, unknown>) =>
            fs.writeFileSync(path.join(root, "Pulumi.enc.yaml"), stringify({ config }));
        const base = { "pg-ha:storage": { className: "standard" } };

        it("renders placeholders and never the ciphertext", () => {
            writeStack({ ...base, "pg-ha:superuserPassword": { secure: ciphertext } });
            const manifests = renderManifests("enc", root);
            const text = manifests.map((manifest) => JSON.stringify(manifest.object)).join("\n");
            assert.ok(!text.includes(ciphertext));
            const secret = manifests.find((manifest) => manifest.object.kind === "Secret")!.object;
            assert.strictEqual(
                (secret.stringData as Record<string, string>)["superuser-password"],
                secretPlaceholder("pg-ha:superuserPassword"),
            );
        });

        it("refuses a password stored in plain text, as the program does", () => {
            writeStack({ ...base, "pg-ha:superuserPassword": "plain-text-password-1234" });
            assert.throws(() => renderManifests("enc", root), /must be stored encrypted/);
        });
    });

    it("refuses a missing --stack or an unknown option with its usage", () => {
        for (const args of [[], ["--stack", "dev", "--bogus"]]) {
            const result = runTool(args);
            assert.strictEqual(result.status, 2);
            assert.match(result.stderr, /usage: npm run manifests -- --stack <name>/);
        }
    });
});
