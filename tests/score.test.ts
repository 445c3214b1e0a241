import * as assert from "assert";
import { execFileSync, spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { stringify } from "yaml";
import { VERSIONS } from "../e2e/versions";
import { buildKubeScore } from "../tools/score/build";
import { main } from "../tools/score/cli";
import { checksTable, waiversTable } from "../tools/score/readmeTables";
import { scoreStacks } from "../tools/score/score";
import { WAIVERS, Waiver, namesObject } from "../tools/score/waivers";
import { REPO_ROOT } from "./support/stacks";

// kube-score, a rule suite others write and maintain, over the manifests of every stack: `npm run score` fails
// on a finding that is neither fixed nor waived in tools/score/waivers.ts, and on a waiver that covers nothing.

/** Runs `npm run score` in this process with the given arguments and context; its exit code and output. */
async function score(argv: string[], context: { root?: string; waivers?: readonly Waiver[] } = {}) {
    let output = "";
    const code = await main(argv, { ...context, write: (text) => (output += text) });
    return { code, output };
}

describe("kube-score over every stack's manifests", function () {
    // The first build downloads kube-score's modules and compiles it (about 30 s to 2 minutes); later ones are cached.
    this.timeout(15 * 60 * 1000);
    let binary: string;

    before(async function () {
        if (spawnSync("go", ["version"]).status !== 0) {
            console.log("      skipping: no Go toolchain to build kube-score");
            this.skip();
        }
        binary = await buildKubeScore();
    });

    describe("npm run score", () => {
        it("builds the pinned kube-score", () => {
            assert.match(execFileSync(binary, ["version"], { encoding: "utf8" }), new RegExp(VERSIONS.kubeScore));
        });

        it("passes on every stack: each finding is fixed or waived, and every waiver still covers a finding", async () => {
            const { code, output } = await score([]);
            assert.strictEqual(code, 0, output);
            assert.match(output, /^score: passed$/m);
        });

        it("fails on a finding no waiver covers, naming the stack, the object, the check and what is wrong", async () => {
            const root = fs.mkdtempSync(path.join(os.tmpdir(), "pg-ha-score-"));
            try {
                fs.copyFileSync(path.join(REPO_ROOT, "Pulumi.yaml"), path.join(root, "Pulumi.yaml"));
                const config = {
                    "pg-ha:storage": { className: "standard" },
                    "pg-ha:networkPolicy": { enabled: false },
                };
                fs.writeFileSync(path.join(root, "Pulumi.open.yaml"), stringify({ config }));
                const { code, output } = await score(["--stack", "open"], { root });
                assert.strictEqual(code, 1, output);
                assert.match(
                    output,
                    /NOT WAIVED \[CRITICAL\] open StatefulSet\/postgresql: pod-networkpolicy: The pod does not have a matching NetworkPolicy/,
                );
                assert.match(output, /^score: FAILED: findings not waived: 1,/m);
            } finally {
                fs.rmSync(root, { recursive: true, force: true });
            }
        });

        it("fails when a waiver is missing, reporting each finding it covered", async () => {
            const waivers = WAIVERS.filter((waiver) => waiver.check !== "container-image-pull-policy");
            const { code, output } = await score([], { waivers });
            assert.strictEqual(code, 1, output);
            assert.match(
                output,
                /NOT WAIVED \[CRITICAL\] prod CronJob\/postgresql-backup \(container base-backup\): container-image-pull-policy: ImagePullPolicy is not set to Always/,
            );
        });

        it("fails on a stale waiver, one that covers no finding of any stack", async () => {
            const stale: Waiver = {
                check: "container-resources",
                objects: ["StatefulSet/postgresql"],
                findings: ["Memory limit is not set"],
                reason: "Fixed long ago.",
            };
            const { code, output } = await score([], { waivers: [...WAIVERS, stale] });
            assert.strictEqual(code, 1, output);
            assert.match(
                output,
                /STALE WAIVER container-resources on StatefulSet\/postgresql: "Memory limit is not set"/,
            );
        });
    });

    describe("the waivers", () => {
        it("each covers only the objects it names, a * standing for a Job's digest", () => {
            assert.ok(namesObject("Job/postgresql-maintenance-*", "Job/postgresql-maintenance-05fb04cbe62b"));
            assert.ok(!namesObject("Job/postgresql-maintenance-*", "Job/other-maintenance-05fb04cbe62b"));
            assert.ok(!namesObject("StatefulSet/postgresql", "StatefulSet/postgresql-2"));
            assert.ok(!namesObject("Service/postgresql-rw", "Service/postgresql-r"));
        });

        it("each states its reason in one sentence", () => {
            for (const waiver of WAIVERS) {
                assert.match(waiver.reason, /^[A-Z][^]*\.$/, waiver.check);
                assert.doesNotMatch(waiver.reason.slice(0, -1), /[.!?]\s/, `${waiver.check}: more than one sentence`);
            }
        });
    });

    describe('README: "Checked by kube-score"', () => {
        const readme = fs.readFileSync(path.join(REPO_ROOT, "README.md"), "utf8");

        it("lists every check kube-score runs on the stacks, and whether it passes or what is waived", async () => {
            const table = checksTable(await scoreStacks(binary));
            assert.ok(readme.includes(table), `README.md lacks this table (npm run score -- --readme):\n${table}`);
        });

        it("names the kube-score version that is pinned", () => {
            assert.ok(readme.includes(`builds kube-score ${VERSIONS.kubeScore}`));
        });

        it("lists every waiver with its objects, its findings and its reason", () => {
            const table = waiversTable();
            assert.ok(readme.includes(table), `README.md lacks this table (npm run score -- --readme):\n${table}`);
        });
    });
});
