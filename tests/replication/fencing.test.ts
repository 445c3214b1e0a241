import { strict as assert } from "assert";
import * as fs from "fs";
import * as path from "path";

import { SecondInstance, waitUntil, within } from "../support/podHarness";
import { TIMEOUTS, usePodCluster, waitUntilWaitingForPrimary } from "../support/podHarnessFixtures";

const PASSWORDS = { superuser: "superuser-password-for-tests", replication: "replication-password-for-tests" };
const REFUSAL =
    /another instance of postgresql-\d holds the lock on this data volume .*refusing to start a second server on the same data directory.*'Node failure' in the README/;

async function refusal(instance: SecondInstance): Promise<string> {
    const status = await within(instance.exited, TIMEOUTS.ready);
    if (!status) {
        await instance.kill();
        assert.fail(`the second instance still runs; its log:\n${instance.logs()}`);
    }
    assert.notEqual(status.code, 0);
    return instance.logs();
}

/**
 * A pod force-deleted from a node that is unreachable but still runs comes back under the same name on
 * another node, on the same (NFS) volume: the second instance must not start a server there.
 */
describe("replication against real PostgreSQL: one server per data directory", function () {
    this.timeout(TIMEOUTS.test);
    const pods = usePodCluster({ replicas: 2, storage: { className: "standard" } }, PASSWORDS);

    it("a second instance of pod 0 refuses to start while the first runs, and says why", async () => {
        const { cluster } = pods;
        await cluster.start(0);
        await waitUntil("postgresql-0 is ready", () => cluster.probe(0, "readiness"), TIMEOUTS.ready);
        await cluster.psql(0, "CREATE TABLE fenced AS SELECT 'written by the first instance'::text AS note");
        const pgdata = path.join(cluster.dataVolume(0), "pgdata");
        const before = fs.readFileSync(path.join(pgdata, "postmaster.pid"), "utf8");

        assert.match(await refusal(await cluster.startSecondInstance(0)), REFUSAL);

        assert.equal(fs.readFileSync(path.join(pgdata, "postmaster.pid"), "utf8"), before);
        assert.equal(await cluster.probe(0, "readiness"), true, "the first instance serves on");
        assert.equal(await cluster.psql(0, "SELECT note FROM fenced"), "written by the first instance");
    });

    it("the second instance starts once the first is dead", async () => {
        const { cluster } = pods;
        await cluster.kill(0);
        const second = await cluster.startSecondInstance(0);
        try {
            await waitUntil(
                "the second instance's server accepts connections",
                () => /database system is ready to accept connections/.test(second.logs()),
                TIMEOUTS.ready,
            );
            assert.doesNotMatch(second.logs(), /initialising/);
        } finally {
            await second.kill();
        }
    });

    it("a standby's volume is locked while its bootstrap waits for the primary, before any server runs", async () => {
        const { cluster } = pods;
        await cluster.start(1);
        await waitUntilWaitingForPrimary(cluster, 1);
        assert.match(await refusal(await cluster.startSecondInstance(1)), REFUSAL);
        assert.equal(cluster.isRunning(1), true, "the first instance waits on");
    });
});
