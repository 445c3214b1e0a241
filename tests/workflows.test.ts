import * as assert from "assert";
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { ValidationError, validateWorkflow } from "@action-validator/core";
import { parse } from "yaml";
import { REPO_ROOT, stackNames } from "./support/stacks";

/**
 * The GitHub Actions workflows: valid against SchemaStore's github-workflow JSON schema (bundled in
 * @action-validator/core, so this runs offline), and wired as the README describes.
 */

const WORKFLOWS = path.join(REPO_ROOT, ".github", "workflows");

interface Step {
    uses?: string;
    run?: string;
    with?: Record<string, unknown>;
}

interface Job {
    if?: string;
    needs?: string | string[];
    environment?: string | { name: string };
    permissions?: Record<string, string>;
    concurrency?: { group: string; "cancel-in-progress"?: boolean };
    strategy?: { matrix: { stack?: string[]; include?: { stack: string }[] } };
    steps: Step[];
}

interface Workflow {
    on: Record<string, unknown>;
    permissions?: Record<string, string>;
    jobs: Record<string, Job>;
}

function workflowText(file: string): string {
    return fs.readFileSync(path.join(WORKFLOWS, file), "utf8");
}

function workflow(file: string): Workflow {
    return parse(workflowText(file)) as Workflow;
}

/** Every problem the validator found, flattened, one line each. */
function describeErrors(errors: readonly ValidationError[]): string[] {
    return errors.flatMap((error) => {
        const nested = "states" in error && error.states ? error.states.flatMap((s) => describeErrors(s.errors)) : [];
        const where = "path" in error ? error.path : "location" in error ? JSON.stringify(error.location) : "";
        return [`${where}: ${error.title}${error.detail ? ` (${error.detail})` : ""}`, ...nested];
    });
}

function pulumiSteps(job: Job): Step[] {
    return job.steps.filter((step) => step.uses?.startsWith("pulumi/actions@"));
}

function matrixStacks(job: Job): string[] {
    const matrix = job.strategy?.matrix;
    return [...(matrix?.stack ?? []), ...(matrix?.include ?? []).map((entry) => entry.stack)];
}

describe("GitHub workflows", () => {
    const files = fs.readdirSync(WORKFLOWS).filter((file) => /\.ya?ml$/.test(file));

    it("are the preview, the deploy and the end-to-end workflow", () => {
        assert.deepStrictEqual(files.sort(), ["deploy.yml", "e2e.yml", "preview.yml"]);
    });

    for (const file of files) {
        it(`${file} validates against the github-workflow JSON schema`, () => {
            const state = validateWorkflow(workflowText(file));
            assert.deepStrictEqual(describeErrors(state.errors), []);
        });
    }

    it("the schema check catches a mistake (it is not a no-op)", () => {
        const broken = workflowText("deploy.yml").replace("environment: production", "enviroment: production");
        assert.notStrictEqual(validateWorkflow(broken).errors.length, 0);
    });

    describe("preview.yml", () => {
        const preview = workflow("preview.yml");

        it("runs on pull requests, reading the repository only, but where it comments", () => {
            assert.ok("pull_request" in preview.on);
            assert.deepStrictEqual(preview.permissions, { contents: "read" });
            for (const [name, job] of Object.entries(preview.jobs)) {
                const expected = name === "preview" ? { contents: "read", "pull-requests": "write" } : undefined;
                assert.deepStrictEqual(job.permissions, expected, name);
            }
        });

        it("previews real stacks with pulumi/actions, commented on the PR, one concurrency group per stack", () => {
            const job = preview.jobs.preview;
            const stacks = matrixStacks(job);
            assert.ok(stacks.length > 0);
            for (const stack of stacks) {
                assert.ok(stackNames().includes(stack), `no Pulumi.${stack}.yaml`);
            }
            const [step] = pulumiSteps(job);
            assert.match(step.uses!, /^pulumi\/actions@v6$/);
            assert.strictEqual(step.with?.command, "preview");
            assert.strictEqual(step.with?.["comment-on-pr"], true);
            assert.match(job.concurrency!.group, /matrix\.stack/);
        });

        it("runs the policy pack in the preview, from the directory that holds it", () => {
            const [step] = pulumiSteps(preview.jobs.preview);
            assert.strictEqual(step.with?.policyPacks, "policy");
            assert.ok(fs.existsSync(path.join(REPO_ROOT, "policy", "PulumiPolicy.yaml")), "no pack in policy/");
        });

        it("renders the manifests of every stack", () => {
            assert.deepStrictEqual(matrixStacks(preview.jobs.manifests).sort(), stackNames());
        });

        it("scores each stack's manifests with kube-score, once Go is set up", () => {
            const steps = preview.jobs.manifests.steps;
            const score = steps.findIndex((step) => step.run?.startsWith("npm run score"));
            assert.ok(score >= 0, "no npm run score");
            assert.strictEqual(steps[score].run, 'npm run score -- --stack "${{ matrix.stack }}"');
            const go = steps.findIndex((step) => step.uses?.startsWith("actions/setup-go@"));
            assert.ok(go >= 0 && go < score, "Go must be set up before kube-score is built");
        });

        it("checks with .ci/run, which scores every stack with kube-score before the tests, once Go is set up", () => {
            const steps = preview.jobs.check.steps;
            const ci = steps.findIndex((step) => step.run?.includes("bash .ci/run"));
            const go = steps.findIndex((step) => step.uses?.startsWith("actions/setup-go@"));
            assert.ok(go >= 0 && go < ci, "Go must be set up before .ci/run");
            const script = fs.readFileSync(path.join(REPO_ROOT, ".ci", "run"), "utf8");
            const score = script.indexOf("npm run score || exit 1");
            assert.ok(score >= 0 && score < script.indexOf("npm test 2>&1"), ".ci/run scores before it tests");
        });

        it("checks that the stack's cluster answers before it previews", () => {
            const steps = preview.jobs.preview.steps;
            const check = steps.findIndex((step) => step.run?.includes("tools/check-cluster-reachable.sh"));
            assert.ok(check >= 0, "no reachability check");
            assert.match(steps[check].run!, /check-cluster-reachable\.sh \$\{\{ matrix\.stack \}\}/);
            assert.ok(
                check < steps.indexOf(pulumiSteps(preview.jobs.preview)[0]),
                "the check must come before the preview",
            );
        });
    });

    describe("tools/check-cluster-reachable.sh", () => {
        /** Runs the check with a kubectl that answers as given. */
        function checkWith(kubectl: string): { status: number | null; output: string } {
            const bin = fs.mkdtempSync(path.join(os.tmpdir(), "pg-ha-kubectl-"));
            try {
                fs.writeFileSync(path.join(bin, "kubectl"), `#!/bin/sh\n${kubectl}\n`, { mode: 0o755 });
                const result = spawnSync("bash", [path.join(REPO_ROOT, "tools", "check-cluster-reachable.sh"), "dev"], {
                    env: { ...process.env, PATH: `${bin}:${process.env.PATH ?? ""}` },
                    encoding: "utf8",
                });
                return { status: result.status, output: result.stdout + result.stderr };
            } finally {
                fs.rmSync(bin, { recursive: true, force: true });
            }
        }

        it("fails, with a GitHub error that names the stack and the reason, when the API server does not answer", () => {
            const { status, output } = checkWith(
                'echo "Unable to connect to the server: dial tcp 10.0.0.1:6443: i/o timeout" >&2; exit 1',
            );
            assert.strictEqual(status, 1);
            assert.match(output, /::error::the dev stack's cluster cannot be reached/);
            assert.match(output, /i\/o timeout/);
        });

        it("fails when the server refuses the credential", () => {
            const { status, output } = checkWith(
                'echo "error: You must be logged in to the server (Unauthorized)" >&2; exit 1',
            );
            assert.strictEqual(status, 1);
            assert.match(output, /Unauthorized/);
        });

        it("passes when the server answers, and says which one", () => {
            const { status, output } = checkWith('[ "$1" = config ] && echo https://10.0.0.1:6443; exit 0');
            assert.strictEqual(status, 0, output);
            assert.match(output, /answers at https:\/\/10\.0\.0\.1:6443/);
        });
    });

    describe("deploy.yml", () => {
        const deploy = workflow("deploy.yml");

        it("runs pulumi up on the default branch: dev, then prod behind the production environment", () => {
            assert.deepStrictEqual(deploy.on.push, { branches: ["main"] });
            assert.deepStrictEqual(deploy.permissions, { contents: "read" });
            const { dev, prod } = deploy.jobs;
            assert.strictEqual(dev.needs, "check");
            assert.strictEqual(prod.needs, "dev");
            assert.strictEqual(prod.environment, "production");
            for (const [job, stack] of [
                [dev, "dev"],
                [prod, "prod"],
            ] as const) {
                const [step] = pulumiSteps(job);
                assert.strictEqual(step.with?.command, "up");
                assert.match(String(step.with?.["stack-name"]), new RegExp(`'${stack}'`));
                assert.strictEqual(job.concurrency?.["cancel-in-progress"], false, "an update is never cancelled");
            }
        });
    });

    describe("e2e.yml", () => {
        const e2e = workflow("e2e.yml");
        const steps = Object.values(e2e.jobs).flatMap((job) => job.steps);

        it("runs the end-to-end tests on kind, with the official image and a pinned Pulumi CLI", () => {
            assert.ok(steps.some((step) => step.uses?.startsWith("helm/kind-action@")));
            const cli = steps.find((step) => step.uses?.startsWith("pulumi/actions@"));
            assert.ok(cli?.with?.["pulumi-version"], "the CLI version is pinned");
            const tests = steps.find((step) => step.run === "npm run e2e:test") as Step & {
                env?: Record<string, string>;
            };
            assert.ok(tests, "runs npm run e2e:test");
            assert.match(String(tests.env?.PG_HA_E2E_IMAGE), /^postgres:\d+$/);
            // The tests refuse to run without KUBECONFIG, which kind-action does not set.
            const before = steps
                .slice(0, steps.indexOf(tests))
                .map((step) => step.run ?? "")
                .join("\n");
            assert.match(before, /KUBECONFIG=.*>> "\$GITHUB_ENV"/);
        });

        it("reads the repository only and needs no secret of the project", () => {
            assert.deepStrictEqual(e2e.permissions, { contents: "read" });
            assert.doesNotMatch(workflowText("e2e.yml"), /secrets\./);
        });
    });

    it("every job sets up Node with the npm cache", () => {
        for (const file of files) {
            for (const [name, job] of Object.entries(workflow(file).jobs)) {
                const setup = job.steps.find((step) => step.uses?.startsWith("actions/setup-node@"));
                assert.strictEqual(setup?.with?.cache, "npm", `${file} ${name}`);
            }
        }
    });
});
