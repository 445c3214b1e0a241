import * as assert from "assert";
import * as fs from "fs";
import * as path from "path";
import { parse } from "yaml";
import { policies } from "../../policy/policies";
import { programResources } from "../support/policyFixtures";
import { checkedResource, describeReported, packViolations } from "../support/policyHarness";
import { REPO_ROOT, runStack, stackConfig, stackNames } from "../support/stacks";

describe("policy pack", () => {
    it("has the six rules of the project's promises, each mandatory", () => {
        assert.deepStrictEqual(policies.map((policy) => policy.name).sort(), [
            "disruption-budget-for-several-pods",
            "images-not-latest",
            "network-policy-selects-database-pods",
            "no-secret-values-outside-secrets",
            "persistent-volumes-retain",
            "pod-security-restricted",
        ]);
        for (const policy of policies) {
            assert.strictEqual(policy.enforcementLevel, "mandatory", policy.name);
        }
    });

    it("runs from the repository's node_modules: a nodejs pack whose package.json names index.ts and no dependencies", () => {
        const dir = path.join(REPO_ROOT, "policy");
        const project = parse(fs.readFileSync(path.join(dir, "PulumiPolicy.yaml"), "utf8")) as { runtime: string };
        assert.strictEqual(project.runtime, "nodejs");
        const pkg = JSON.parse(fs.readFileSync(path.join(dir, "package.json"), "utf8")) as Record<string, unknown>;
        assert.ok(pkg.version, "the policy framework refuses a pack without a version");
        assert.ok(fs.existsSync(path.join(dir, String(pkg.main))), `main ${String(pkg.main)} does not exist`);
        for (const field of ["dependencies", "devDependencies", "peerDependencies"]) {
            assert.strictEqual(
                pkg[field],
                undefined,
                `${field}: a second copy of @pulumi/pulumi would not be the engine's`,
            );
        }
        assert.ok(!fs.existsSync(path.join(dir, "node_modules")), "policy/ must resolve from the root node_modules");
    });

    describe("every stack passes every rule", () => {
        for (const stack of stackNames()) {
            it(`stack ${stack}`, async () => {
                const violations = await packViolations((await runStack(stack)).resources.map(checkedResource));
                assert.deepStrictEqual(violations, [], describeReported(violations));
            });
        }

        const variants: [string, Record<string, unknown>][] = [
            [
                "with volumePermissions (a root init container, in a namespace created to enforce baseline)",
                {
                    "pg-ha:storage": { nfs: { server: "nfs.example.internal", paths: ["/a", "/b", "/c"] } },
                    "pg-ha:volumePermissions": { enabled: true },
                },
            ],
            ["with one pod (no PodDisruptionBudget)", { ...stackConfig("local"), "pg-ha:replicas": 1 }],
            [
                "with an application database and backups to an object store",
                {
                    ...stackConfig("local"),
                    "pg-ha:database": { name: "app", owner: "app" },
                    "pg-ha:backup": {
                        objectStore: {
                            destinationPath: "s3://bucket/pg",
                            endpointURL: "http://s3.example.internal",
                            credentials: { secretName: "s3-credentials" },
                        },
                        schedule: "0 2 * * *",
                    },
                },
            ],
        ];
        for (const [what, config] of variants) {
            it(what, async () => {
                const violations = await packViolations(await programResources(config));
                assert.deepStrictEqual(violations, [], describeReported(violations));
            });
        }
    });
});
