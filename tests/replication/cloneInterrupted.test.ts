import { strict as assert } from "assert";
import * as fs from "fs";
import * as path from "path";

import { waitUntil } from "../support/podHarness";
import { TIMEOUTS, directorySize, usePodCluster, waitForResult, waitForStreaming } from "../support/podHarnessFixtures";

// Large enough that pg_basebackup takes a while even over a local veth: ~400 MB of table.
const BIG_ROWS = 400000;

describe("replication against real PostgreSQL: a clone interrupted half-way", function () {
    this.timeout(TIMEOUTS.test);
    const pods = usePodCluster(
        { replicas: 2, storage: { className: "standard" }, primaryWaitTimeoutSeconds: 60 },
        { superuser: "superuser-password-for-tests", replication: "replication-password-for-tests" },
    );

    before(async function () {
        this.timeout(TIMEOUTS.test);
        const { cluster } = pods;
        await cluster.start(0);
        await waitUntil("postgresql-0 is ready", () => cluster.probe(0, "readiness"), TIMEOUTS.ready);
        await cluster.psql(
            0,
            `CREATE TABLE big AS SELECT g AS id, md5(g::text) || repeat('x', 900) AS filler FROM generate_series(1, ${BIG_ROWS}) g`,
        );
    });

    it("leaves only a partial copy, never something that looks like a cluster", async () => {
        const { cluster } = pods;
        const pgdata = path.join(cluster.dataVolume(1), "pgdata");
        const partial = `${pgdata}.partial`;
        await cluster.start(1);
        // Kill the pod once pg_basebackup has copied a good part of the database, but not all of it.
        await waitUntil(
            "the clone has copied 50 MB",
            () => directorySize(partial) > 50 * 1024 * 1024,
            TIMEOUTS.ready,
            20,
        );
        await cluster.kill(1);

        assert.match(cluster.logs(1, { sinceLastStart: true }), /cloning the primary/);
        assert.doesNotMatch(cluster.logs(1, { sinceLastStart: true }), /starting PostgreSQL/);
        assert.ok(fs.existsSync(partial), "the partial copy is where the script builds it");
        assert.ok(directorySize(partial) < directorySize(cluster.dataVolume(0)), "the copy was interrupted half-way");
        assert.ok(!fs.existsSync(pgdata), "PGDATA must not exist until the copy is complete");
    });

    it("the restarted pod discards the partial copy, clones again and streams", async () => {
        const { cluster } = pods;
        await cluster.start(1);
        await waitForStreaming(cluster, 1, TIMEOUTS.test / 2);
        const log = cluster.logs(1, { sinceLastStart: true });
        assert.match(log, /discarding the incomplete copy/);
        assert.match(log, /reusing replication slot postgresql_1/);
        assert.match(log, /cloning the primary/);
        assert.ok(!fs.existsSync(`${path.join(cluster.dataVolume(1), "pgdata")}.partial`));
        await waitForResult(cluster, 1, "SELECT count(*) FROM big", String(BIG_ROWS));
    });
});
