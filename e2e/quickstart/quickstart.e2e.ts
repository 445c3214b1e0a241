import { strict as assert } from "assert";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";

import { binaryDirs } from "../build/buildAll";
import { status } from "../cluster/lifecycle";
import { e2ePaths } from "../support/paths";
import { run } from "../support/run";
import { PROJECT_ROOT } from "../../components/stackFiles";

// Run by `npm run e2e` after the other suites, once their cluster is stopped: it starts its own.
describe("a newcomer's two commands, from a fresh clone: npm start, then npm stop", function () {
    const clone = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "pg-ha-quickstart-")), "pg-ha");
    // What a person has: no kubeconfig of the built-in cluster, perhaps one of their own that must not be used.
    const env = { ...process.env, KUBECONFIG: path.join(os.tmpdir(), "a-kubeconfig-that-must-not-be-used") };
    let started = "";

    before(async function () {
        await run("git", ["clone", "-q", PROJECT_ROOT, clone]);
        await run("npm", ["ci", "--silent"], { cwd: clone, env });
    });

    after(async function () {
        // A failed test must not leave the cluster running: stop it as a person would.
        if (fs.existsSync(e2ePaths().state)) await run("npm", ["stop"], { cwd: clone, env, allowFailure: true });
        fs.rmSync(path.dirname(clone), { recursive: true, force: true });
    });

    it("npm start deploys the local stack and ends with the status, how to connect, look around and stop", async function () {
        started = (await run("npm", ["start"], { cwd: clone, env })).stdout;
        assert.match(started, /==> pulumi up \(the local stack\)/);
        assert.match(started, /done in \d+(m\d+)?s: wait until every pod is Ready and every standby streams/);
        assert.match(started, /^postgresql-0 +primary +Running +yes/m);
        for (const standby of ["postgresql-1", "postgresql-2"]) {
            assert.match(started, new RegExp(`^${standby} +standby +Running +yes +\\d+ +streaming`, "m"));
        }
        assert.match(started, /^Replication slots on postgresql-0:$/m);
        assert.match(started, /npm stop/);
    });

    it("the printed psql command works as printed, over TLS, and sees both standbys stream", async function () {
        const command = /^ {2}(PGPASSFILE=\S+ psql "[^"]+")$/m.exec(started)?.[1];
        assert.ok(command, "no psql command in the output");
        const result = await run("bash", [
            "-c",
            `${command} -XAtc "SELECT count(*) FROM pg_stat_replication WHERE state = 'streaming'"`,
        ]);
        assert.equal(result.stdout.trim(), "2");
    });

    it("npm run status, as printed, prints the same table for the running cluster", async function () {
        const command = /^ {2}(KUBECONFIG=\S+ npm run status -- --stack local)$/m.exec(started)?.[1];
        assert.ok(command, "no status command in the output");
        const { stdout } = await run("bash", ["-c", command], { cwd: clone, env });
        assert.match(stdout, /^postgresql-2 +standby +Running +yes +\d+ +streaming/m);
    });

    it("a second npm start finds the cluster and the stack in place, and only runs an up", async function () {
        const again = (await run("npm", ["start"], { cwd: clone, env })).stdout;
        assert.match(again, /the built-in cluster is already running/);
        assert.doesNotMatch(again, /First run/);
    });

    it("npm stop removes the stack and stops the cluster: nothing of it is left running", async function () {
        const { stdout } = await run("npm", ["stop"], { cwd: clone, env });
        assert.match(stdout, /nothing of it is left running/);
        const paths = e2ePaths();
        const left = await status(paths, binaryDirs(paths));
        assert.deepEqual(
            left.daemons.filter((daemon) => daemon.pid !== undefined),
            [],
        );
        assert.equal(fs.existsSync(paths.state), false, "the cluster's state directory is gone");
        const stacks = await run(path.join(binaryDirs(paths).pulumi, "pulumi"), ["stack", "ls", "--all", "--json"], {
            env: { ...env, PULUMI_BACKEND_URL: `file://${paths.pulumiBackend}`, PULUMI_HOME: paths.pulumiHome },
        });
        const names = (JSON.parse(stacks.stdout) as { name: string }[]).map((stack) => stack.name);
        assert.ok(
            !names.some((name) => /(^|\/)local$/.test(name)),
            `the stack is still in the backend: ${names.join(", ")}`,
        );
    });
});
