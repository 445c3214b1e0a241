import * as assert from "assert";
import * as pulumi from "@pulumi/pulumi";
import { texts } from "../policy/texts";
import { RegisteredResource, mockPasswordFor, mockPrivateKeyFor } from "./support/mockEngine";
import {
    ProgramRun,
    engineConfig,
    ofType,
    runProgram,
    runStack,
    stackConfig,
    stackNames,
    valueOf,
} from "./support/stacks";

const SECRET = "kubernetes:core/v1:Secret";
const PASSWORD = "random:index/randomPassword:RandomPassword";
const PRIVATE_KEY = "tls:index/privateKey:PrivateKey";

/** The forms a password could leak in: as is, URL-encoded (connection strings) and base64 (Secret data). */
function formsOf(password: string): string[] {
    return [...new Set([password, encodeURIComponent(password), Buffer.from(password).toString("base64")])];
}

/** Where a password belongs: a Secret's `stringData`. */
const inStringData = (resource: RegisteredResource, path: string) =>
    resource.type === SECRET && /^stringData\.[^.{[]+$/.test(path);

/**
 * Where a private key belongs: the generated certificate's Secret, under `tls.key` (the CA's key is in no
 * Kubernetes object), and the secret inputs of the `@pulumi/tls` resources that sign with it.
 */
const whereKeysBelong = (resource: RegisteredResource, path: string) =>
    (resource.type === SECRET && resource.name.endsWith("-tls") && path === "stringData.tls.key") ||
    (resource.type.startsWith("tls:") && resource.secretInputPaths.includes(path));

/**
 * Every place a secret value appears in the registered objects and the plain stack outputs, except where
 * `allowed` says it belongs.
 */
async function leaks(
    run: ProgramRun,
    secrets: string[],
    allowed: (resource: RegisteredResource, path: string) => boolean = inStringData,
): Promise<string[]> {
    const found: string[] = [];
    const scan = (where: string, value: unknown, allowed: (path: string) => boolean = () => false) => {
        for (const { path, text } of texts(value, "")) {
            for (const secret of secrets) {
                if (!allowed(path) && formsOf(secret).some((form) => text.includes(form))) {
                    found.push(`${where} at ${path || "(root)"}`);
                }
            }
        }
    };
    for (const resource of run.resources) {
        scan(`${resource.type} ${resource.name}`, resource.inputs, (path) => allowed(resource, path));
    }
    for (const [name, output] of Object.entries(run.outputs)) {
        if (!(await pulumi.isSecret(output as pulumi.Output<unknown>))) {
            scan(`stack output ${name}`, await valueOf(output as pulumi.Output<unknown>));
        }
    }
    return found;
}

describe("secrets: no password outside the Secret's data", () => {
    for (const stack of stackNames()) {
        it(`stack ${stack}: generated passwords appear nowhere else`, async () => {
            const run = await runStack(stack);
            const passwords = ofType(run, PASSWORD).map((resource) => mockPasswordFor(resource.name));
            assert.strictEqual(passwords.length, 2);
            const secret = ofType(run, SECRET)[0];
            assert.deepStrictEqual(
                Object.values((secret.inputs as { stringData: Record<string, string> }).stringData).sort(),
                [...passwords].sort(),
            );
            assert.deepStrictEqual(await leaks(run, passwords), []);
            assert.strictEqual(await pulumi.isSecret(run.outputs.connectionUri), true);
        });
    }

    const special = [
        `p@ss:w/rd?#%&='"\\$\`!{}[]<>|;,~^ é-superuser`,
        `${"x".repeat(8)}$(id)\`uname\` 'quoted' "double" \\n-repl`,
    ];

    for (const stack of stackNames()) {
        it(`stack ${stack}: configured passwords with special characters appear nowhere else`, async () => {
            const [superuser, replication] = special;
            const run = await runProgram(
                engineConfig({
                    ...stackConfig(stack),
                    "pg-ha:superuserPassword": superuser,
                    "pg-ha:replicationPassword": replication,
                }),
                ["pg-ha:superuserPassword", "pg-ha:replicationPassword"],
            );
            assert.strictEqual(ofType(run, PASSWORD).length, 0);
            const secret = ofType(run, SECRET)[0];
            assert.deepStrictEqual(
                Object.values((secret.inputs as { stringData: Record<string, string> }).stringData).sort(),
                [...special].sort(),
            );
            assert.deepStrictEqual(await leaks(run, special), []);
            assert.ok((await valueOf(run.outputs.connectionUri)).includes(encodeURIComponent(superuser)));
        });
    }

    it("the scan finds a password put anywhere else (annotation, env, command, ConfigMap, output)", async () => {
        const run = await runStack(stackNames()[0]);
        const password = mockPasswordFor(ofType(run, PASSWORD)[0].name);
        const planted = (where: (inputs: Record<string, unknown>) => void, type: string): ProgramRun => {
            const resources = run.resources.map((resource) =>
                resource.type === type ? { ...resource, inputs: structuredClone(resource.inputs) } : resource,
            );
            where(resources.find((resource) => resource.type === type)!.inputs);
            return { ...run, resources };
        };
        type Template = { spec: { template: { metadata: Record<string, unknown>; spec: Record<string, unknown> } } };
        const cases: [string, ProgramRun][] = [
            [
                "a pod annotation",
                planted((inputs) => {
                    (inputs as Template).spec.template.metadata.annotations = { note: `pw=${password}` };
                }, "kubernetes:apps/v1:StatefulSet"),
            ],
            [
                "an env value, base64-encoded",
                planted((inputs) => {
                    const [container] = (inputs as Template).spec.template.spec.containers as {
                        env: { name: string; value: string }[];
                    }[];
                    container.env.push({ name: "X", value: Buffer.from(password).toString("base64") });
                }, "kubernetes:apps/v1:StatefulSet"),
            ],
            [
                "a command line",
                planted((inputs) => {
                    const [container] = (inputs as Template).spec.template.spec.containers as { command: string[] }[];
                    container.command.push(`--password=${password}`);
                }, "kubernetes:apps/v1:StatefulSet"),
            ],
            [
                "a ConfigMap",
                planted((inputs) => {
                    (inputs.data as Record<string, string>)["pg_hba.conf"] += `# ${password}`;
                }, "kubernetes:core/v1:ConfigMap"),
            ],
            [
                "the Secret's metadata",
                planted((inputs) => {
                    (inputs.metadata as Record<string, unknown>).annotations = { [password]: "" };
                }, SECRET),
            ],
            [
                "a plain stack output",
                {
                    ...run,
                    outputs: { ...run.outputs, secretName: pulumi.output(`postgresql://postgres:${password}@x`) },
                },
            ],
        ];
        for (const [where, planted] of cases) {
            assert.notDeepStrictEqual(await leaks(planted, [password]), [], `missed ${where}`);
        }
    });
});

describe("secrets: no private key outside the generated certificate's Secret", () => {
    for (const stack of stackNames()) {
        it(`stack ${stack}: the server key is only in the TLS Secret, the CA key in no Kubernetes object, neither in a plain output`, async () => {
            const run = await runStack(stack);
            const keys = ofType(run, PRIVATE_KEY);
            assert.deepStrictEqual(keys.map((key) => key.name).sort(), ["postgresql-ca-key", "postgresql-server-key"]);
            const pems = keys.map((key) => mockPrivateKeyFor(key.name));
            assert.deepStrictEqual(await leaks(run, pems, whereKeysBelong), []);
            const tlsSecret = ofType(run, SECRET).find((secret) => secret.name.endsWith("-tls"));
            assert.ok(tlsSecret, "no Secret for the generated certificate");
            assert.strictEqual(
                (tlsSecret.inputs as { stringData: Record<string, string> }).stringData["tls.key"],
                mockPrivateKeyFor("postgresql-server-key"),
            );
            assert.ok(
                tlsSecret.secretInputPaths.some((path) => path === "stringData" || path === "stringData.tls.key"),
            );
            const caKey = mockPrivateKeyFor("postgresql-ca-key");
            for (const resource of run.resources.filter((candidate) => candidate.type.startsWith("kubernetes:"))) {
                assert.ok(
                    !JSON.stringify(resource.inputs).includes(caKey.trim()),
                    `${resource.name} holds the CA's key`,
                );
            }
        });
    }

    it("the scan finds a private key put anywhere else (a ConfigMap, the TLS Secret's ca.crt, a plain output)", async () => {
        const run = await runStack(stackNames()[0]);
        const key = mockPrivateKeyFor("postgresql-server-key");
        const planted = (type: string, name: RegExp, where: (inputs: Record<string, unknown>) => void): ProgramRun => {
            const resources = run.resources.map((resource) =>
                resource.type === type && name.test(resource.name)
                    ? { ...resource, inputs: structuredClone(resource.inputs) }
                    : resource,
            );
            where(resources.find((resource) => resource.type === type && name.test(resource.name))!.inputs);
            return { ...run, resources };
        };
        const cases: [string, ProgramRun][] = [
            [
                "a ConfigMap",
                planted("kubernetes:core/v1:ConfigMap", /-bootstrap$/, (inputs) => {
                    (inputs.data as Record<string, string>)["server.key"] = key;
                }),
            ],
            [
                "the TLS Secret's ca.crt",
                planted(SECRET, /-tls$/, (inputs) => {
                    (inputs.stringData as Record<string, string>)["ca.crt"] = key;
                }),
            ],
            ["a plain stack output", { ...run, outputs: { ...run.outputs, caCertificate: pulumi.output(key) } }],
        ];
        for (const [where, leaky] of cases) {
            assert.notDeepStrictEqual(await leaks(leaky, [key], whereKeysBelong), [], `missed ${where}`);
        }
    });
});
