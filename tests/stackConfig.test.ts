import * as assert from "assert";
import { ConfigError, SETTING_KEYS, resolveSettings } from "../components/settings";
import { CONFIG_NAMESPACE, SECRET_SETTINGS, TEXT_SETTINGS } from "../components/stackConfig";
import { engineConfig, projectFile, runProgram } from "./support/stacks";
import { registeredResources } from "./support/mockEngine";

const declared = () =>
    Object.fromEntries(
        Object.entries(projectFile().config).map(([key, declaration]) => [
            key.replace(`${CONFIG_NAMESPACE}:`, ""),
            declaration,
        ]),
    );

describe("stack config: Pulumi.yaml declares exactly what the validator accepts", () => {
    it("uses the project name as the config namespace", () => {
        assert.strictEqual(projectFile().name, CONFIG_NAMESPACE);
    });

    it("declares every setting and nothing else", () => {
        assert.deepStrictEqual(Object.keys(declared()).sort(), [...SETTING_KEYS].sort());
    });

    it("describes every setting", () => {
        for (const [key, declaration] of Object.entries(declared())) {
            assert.ok((declaration.description ?? "").length > 10, `${key} has no description`);
        }
    });

    it("declares the same defaults the validator applies", () => {
        const applied = resolveSettings({ storage: { className: "standard" } }) as Record<string, unknown>;
        for (const [key, declaration] of Object.entries(declared())) {
            if (declaration.default !== undefined) {
                assert.deepStrictEqual(declaration.default, applied[key], `default of ${key}`);
            }
        }
    });

    it("types as string exactly the settings read as text, and marks the passwords secret", () => {
        const stringTyped = Object.entries(declared())
            .filter(([, declaration]) => declaration.type === "string")
            .map(([key]) => key);
        assert.deepStrictEqual(stringTyped.sort(), [...TEXT_SETTINGS].sort());
        const secret = Object.entries(declared())
            .filter(([, declaration]) => declaration.secret === true)
            .map(([key]) => key);
        assert.deepStrictEqual(secret.sort(), [...SECRET_SETTINGS].sort());
    });
});

describe("stack config: bad values stop the program before any resource is registered", () => {
    const cases: { rule: string; values: Record<string, unknown>; key: string }[] = [
        { rule: "replicas of 0", values: { "pg-ha:replicas": 0 }, key: "pg-ha:replicas" },
        { rule: "replicas that is not a number", values: { "pg-ha:replicas": "three" }, key: "pg-ha:replicas" },
        {
            rule: "a size like 10GB",
            values: { "pg-ha:storage": { size: "10GB", className: "standard" } },
            key: "pg-ha:storage.size",
        },
        {
            rule: "fewer NFS paths than replicas",
            values: { "pg-ha:storage": { nfs: { server: "nfs", paths: ["/a", "/b"] } } },
            key: "pg-ha:storage.nfs.paths",
        },
        { rule: "a name that is not a DNS label", values: { "pg-ha:name": "PG" }, key: "pg-ha:name" },
        {
            rule: "a partition above replicas",
            values: { "pg-ha:updateStrategy": { type: "RollingUpdate", partition: 5 } },
            key: "pg-ha:updateStrategy.partition",
        },
        { rule: "an unknown key", values: { "pg-ha:replcas": 3 }, key: "pg-ha:replcas" },
    ];

    for (const { rule, values, key } of cases) {
        it(`names ${key} for ${rule}`, async () => {
            const config = engineConfig({ "pg-ha:storage": { className: "standard" }, ...values });
            await assert.rejects(runProgram(config), (error: Error) => {
                assert.ok(error instanceof ConfigError, String(error));
                assert.ok(error.message.includes(`${key} = `), error.message);
                return true;
            });
            // Registration is asynchronous: let anything constructed before the throw reach the engine.
            await new Promise((resolve) => setTimeout(resolve, 100));
            assert.deepStrictEqual(registeredResources(), []);
        });
    }
});
