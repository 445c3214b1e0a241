import { strict as assert } from "assert";

import { PodCluster, waitUntil } from "../support/podHarness";
import { TIMEOUTS, rows, usePodCluster, waitForResult, waitForStreaming } from "../support/podHarnessFixtures";

const PASSWORDS = { superuser: "superuser-password-for-tests", replication: "replication-password-for-tests" };
const ROWS = 1000;

/** Dead row versions VACUUM on pod 0 could not remove because some transaction or slot may still see them. */
async function deadRowsAfterVacuum(cluster: PodCluster): Promise<number> {
    await cluster.psql(0, "VACUUM rows_to_update");
    return Number(await cluster.psql(0, "SELECT n_dead_tup FROM pg_stat_user_tables WHERE relname = 'rows_to_update'"));
}

/** Makes ROWS dead row versions on pod 0. */
const updateEveryRow = (cluster: PodCluster) => cluster.psql(0, "UPDATE rows_to_update SET version = version + 1");

const slotNames = async (cluster: PodCluster) =>
    rows(await cluster.psql(0, "SELECT slot_name FROM pg_replication_slots ORDER BY slot_name"));

/** Waits until the standby's hot_standby_feedback has put its xmin on its slot. */
const waitForFeedback = (cluster: PodCluster, ordinal: number) =>
    waitForResult(
        cluster,
        0,
        `SELECT xmin IS NOT NULL FROM pg_replication_slots WHERE slot_name = 'postgresql_${ordinal}'`,
        "t",
    );

/**
 * A standby's slot keeps WAL and, with hot_standby_feedback, an xmin on pod 0: VACUUM leaves the rows that
 * standby might still read. A standby that is gone for good must stop costing the primary either.
 */
describe("replication against real PostgreSQL: a standby that is gone does not hurt the primary", function () {
    this.timeout(TIMEOUTS.test);
    const pods = usePodCluster(
        { replicas: 3, storage: { className: "standard", size: "1Gi" }, maxSlotWalKeepSize: "64MB" },
        PASSWORDS,
    );

    before(async function () {
        this.timeout(TIMEOUTS.test);
        const { cluster } = pods;
        await cluster.startAll();
        await waitForStreaming(cluster, 1);
        await waitForStreaming(cluster, 2);
        await cluster.psql(
            0,
            `CREATE TABLE rows_to_update AS SELECT g AS id, 0 AS version FROM generate_series(1, ${ROWS}) g`,
        );
    });

    it("after a scale-down from 3 to 2, the Job drops the removed pod's slot, and VACUUM removes what it held back", async () => {
        const { cluster } = pods;
        await waitForFeedback(cluster, 2);
        await cluster.kill(2);
        await updateEveryRow(cluster);
        // The remaining standby's feedback moves past the update (it reports every few seconds): from then on
        // only the removed pod's slot holds the old row versions.
        const afterUpdate = await cluster.psql(0, "SELECT pg_current_xact_id()::text");
        await waitForResult(
            cluster,
            0,
            `SELECT age(xmin) <= age('${afterUpdate}'::xid) FROM pg_replication_slots WHERE slot_name = 'postgresql_1'`,
            "t",
        );
        assert.equal(await deadRowsAfterVacuum(cluster), ROWS, "the removed pod's slot holds the dead rows back");

        const result = await cluster.runMaintenanceJob(1, "drop-slots", 2);
        assert.equal(result.code, 0, result.stderr);
        assert.match(result.stdout, /dropped postgresql_2: its pod is gone/);
        assert.deepEqual(await slotNames(cluster), ["postgresql_1"], "the remaining standby keeps its slot");
        assert.equal(await deadRowsAfterVacuum(cluster), 0);
        await waitForStreaming(cluster, 1);
    });

    it("a standby down past maxSlotWalKeepSize loses its slot: pod 0 keeps neither its WAL nor its xmin", async () => {
        const { cluster } = pods;
        await waitForFeedback(cluster, 1);
        await cluster.kill(1);
        await updateEveryRow(cluster);
        assert.equal(await deadRowsAfterVacuum(cluster), ROWS, "the stopped standby's slot holds the dead rows back");

        // About 300 MB of WAL, well past the bound (and past wal_keep_size, 128 MB), a checkpoint after each part.
        await cluster.psql(0, "CREATE TABLE filler (payload text)");
        for (let part = 0; part < 14; part++) {
            await cluster.psql(0, "INSERT INTO filler SELECT repeat('x', 1000) FROM generate_series(1, 20000)");
            await cluster.psql(0, "CHECKPOINT");
        }
        assert.equal(
            await cluster.psql(0, "SELECT wal_status || ' ' || (restart_lsn IS NULL) FROM pg_replication_slots"),
            "lost true",
        );
        assert.equal(await deadRowsAfterVacuum(cluster), 0);
        const walBytes = Number(await cluster.psql(0, "SELECT sum(size) FROM pg_ls_waldir()"));
        assert.ok(walBytes <= 256 * 1024 * 1024, `pod 0 keeps ${walBytes} bytes of WAL`);
        await cluster.psql(0, "DROP TABLE filler");
    });

    it("a Job run while a removed pod still streams waits for its slot to be released, then drops it", async () => {
        const { cluster } = pods;
        // The standby that lost its WAL is cloned again (README: "Recovering a standby that lost its WAL").
        cluster.wipe(1);
        await cluster.start(1);
        await waitForStreaming(cluster, 1);

        const job = cluster.runMaintenanceJob(0, "drop-slots", 1);
        await waitForResult(cluster, 0, "SELECT count(*) FROM pg_replication_slots WHERE active", "1");
        await cluster.kill(1);
        const result = await job;
        assert.equal(result.code, 0, result.stderr);
        assert.match(result.stdout, /dropped postgresql_1: its pod is gone/);
        assert.deepEqual(await slotNames(cluster), []);
    });
});

/** Pods scaled away and back, or a rebuilt pod 0: the standby's data is there, its slot on pod 0 is not. */
describe("replication against real PostgreSQL: a standby whose slot is gone makes it again", function () {
    this.timeout(TIMEOUTS.test);
    const pods = usePodCluster({ replicas: 2, storage: { className: "standard" } }, PASSWORDS);

    it("through its readiness probe while pod 0 accepts connections, and streams again without a clone", async () => {
        const { cluster } = pods;
        await cluster.startAll();
        await waitForStreaming(cluster, 1);
        await cluster.kill(1);
        await cluster.psql(0, "SELECT pg_drop_replication_slot('postgresql_1')");
        await cluster.psql(0, "CREATE TABLE written_without_a_slot AS SELECT 1 AS one");

        await cluster.start(1);
        // The kubelet's probing, every few seconds: each output says why the standby is not ready yet.
        const outputs: string[] = [];
        await waitUntil(
            "postgresql-1 is ready",
            async () => {
                const result = await cluster.probeResult(1, "readiness");
                outputs.push(result.stdout.trim());
                return result.code === 0;
            },
            TIMEOUTS.ready,
            1000,
        );
        assert.ok(
            outputs.some((output) => /made its missing replication slot postgresql_1 on pod 0/.test(output)),
            outputs.join("\n"),
        );
        await waitForStreaming(cluster, 1);
        assert.doesNotMatch(cluster.logs(1, { sinceLastStart: true }), /cloning/);
        assert.deepEqual(await slotNames(cluster), ["postgresql_1"]);
        await waitForResult(cluster, 1, "SELECT one FROM written_without_a_slot", "1");
    });
});
