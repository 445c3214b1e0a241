import { strict as assert } from "assert";
import * as fs from "fs";
import * as path from "path";

import { waitUntil } from "../support/podHarness";
import { TIMEOUTS, usePodCluster, waitForStreaming } from "../support/podHarnessFixtures";

const NAMESPACE = "postgresql";

describe("replication against real PostgreSQL: a data volume is only ever used by its own pod", function () {
    this.timeout(TIMEOUTS.test);
    const pods = usePodCluster(
        { namespace: NAMESPACE, replicas: 2, storage: { className: "standard" } },
        { superuser: "superuser-password-for-tests", replication: "replication-password-for-tests" },
    );
    const ownerFile = (ordinal: number) => path.join(pods.cluster.dataVolume(ordinal), ".pg-ha-owner");
    const pgVersion = (ordinal: number) => path.join(pods.cluster.dataVolume(ordinal), "pgdata", "PG_VERSION");

    it("marks each volume with the namespace and pod that first used it", async () => {
        const { cluster } = pods;
        await cluster.startAll();
        await waitForStreaming(cluster, 1);
        assert.equal(fs.readFileSync(ownerFile(0), "utf8"), `${NAMESPACE}/postgresql-0\n`);
        assert.equal(fs.readFileSync(ownerFile(1), "utf8"), `${NAMESPACE}/postgresql-1\n`);
    });

    it("refuses a volume that a pod of another cluster initialised, and leaves its data as it was", async () => {
        const { cluster } = pods;
        await cluster.kill(1);
        fs.writeFileSync(ownerFile(1), "other-namespace/postgresql-1\n");
        await cluster.start(1);
        const status = await cluster.waitForExit(1, TIMEOUTS.ready);
        assert.notEqual(status.code, 0);
        assert.match(
            cluster.logs(1, { sinceLastStart: true }),
            /belongs to other-namespace\/postgresql-1, not to postgresql\/postgresql-1; refusing to use it/,
        );
        assert.ok(fs.existsSync(pgVersion(1)), "the data directory is untouched");
        assert.equal(fs.readFileSync(ownerFile(1), "utf8"), "other-namespace/postgresql-1\n");
    });

    it("adopts an initialised volume that has no mark yet", async () => {
        const { cluster } = pods;
        fs.rmSync(ownerFile(1));
        await cluster.start(1);
        await waitForStreaming(cluster, 1);
        assert.doesNotMatch(cluster.logs(1, { sinceLastStart: true }), /cloning the primary/);
        assert.equal(fs.readFileSync(ownerFile(1), "utf8"), `${NAMESPACE}/postgresql-1\n`);
    });

    it("pod 0 with an empty volume does not initialise a new primary while a standby runs", async () => {
        const { cluster } = pods;
        await cluster.kill(0);
        cluster.wipe(0);
        await cluster.start(0);
        const status = await cluster.waitForExit(0, TIMEOUTS.ready);
        assert.notEqual(status.code, 0);
        assert.match(
            cluster.logs(0, { sinceLastStart: true }),
            /the data volume is empty but a standby at 10\.213\.0\.11 is running: refusing to initialise a new, empty primary/,
        );
        assert.deepEqual(
            fs.readdirSync(cluster.dataVolume(0)),
            [".pg-ha-lock"],
            "nothing but the lock was written to pod 0's volume",
        );
        assert.equal(await cluster.probe(1, "liveness"), true, "the standby with the data lives on");
    });

    it("pod 0 initialises its empty volume once no standby runs", async () => {
        const { cluster } = pods;
        await cluster.kill(1);
        await cluster.start(0);
        await waitUntil("postgresql-0 is ready", () => cluster.probe(0, "readiness"), TIMEOUTS.ready);
        assert.match(cluster.logs(0, { sinceLastStart: true }), /initialising a new cluster/);
    });
});
