import { strict as assert } from "assert";
import * as fs from "fs";

import { POD_PATHS } from "../../components/specs/podPaths";
import { DEFAULTS } from "../../components/settings";
import { PodCluster, waitUntil } from "../support/podHarness";
import {
    TIMEOUTS,
    filesUnder,
    rows,
    systemIdentifier,
    usePodCluster,
    waitForResult,
    waitForStreaming,
} from "../support/podHarnessFixtures";

// Every character a shell, a conninfo string, a passfile or SQL could trip over.
const PASSWORDS = {
    superuser: `su 'single' "double" $HOME \`id\` \\back\\slash: $$ end`,
    replication: `rep 'q' "dq" $PATH \\n \\\\ colon:colon * $(id) end`,
};

/** The passfile the standby's primary_conninfo names, as a path inside the pod. */
function passfileOf(cluster: PodCluster, ordinal: number): string {
    const autoConf = fs.readFileSync(`${cluster.dataVolume(ordinal)}/pgdata/postgresql.auto.conf`, "utf8");
    const match = /passfile=(\S+)/.exec(autoConf);
    assert.ok(match, `primary_conninfo names no passfile:\n${autoConf}`);
    return match[1].replace(/'/g, "");
}

describe("replication against real PostgreSQL: a cluster of three pods", function () {
    this.timeout(TIMEOUTS.test);
    const pods = usePodCluster(
        // Standbys ready only while they stream: readiness.test.ts covers the time they stay ready without pod 0.
        { replicas: 3, storage: { className: "standard" }, primaryWaitTimeoutSeconds: 60, maxStandbyLagSeconds: 0 },
        PASSWORDS,
    );

    describe("an empty cluster starts", function () {
        before(async function () {
            this.timeout(TIMEOUTS.test);
            await pods.cluster.startAll();
        });

        it("pod 0 initialises a new cluster and pods 1 and 2 clone it", async () => {
            const { cluster } = pods;
            assert.match(cluster.logs(0), /initialising a new cluster/);
            for (const ordinal of [1, 2]) {
                assert.match(cluster.logs(ordinal), /cloning the primary/);
                assert.doesNotMatch(cluster.logs(ordinal), /initialising a new cluster/);
                assert.equal(await systemIdentifier(cluster, ordinal), await systemIdentifier(cluster, 0));
                assert.equal(await cluster.psql(ordinal, "SELECT pg_is_in_recovery()"), "t");
            }
        });

        it("pod 0 lists both standbys by pod name in pg_stat_replication, each on its own slot", async () => {
            const { cluster } = pods;
            await waitForStreaming(cluster, 1);
            await waitForStreaming(cluster, 2);
            assert.deepEqual(
                rows(
                    await cluster.psql(
                        0,
                        "SELECT application_name, usename, state FROM pg_stat_replication ORDER BY 1",
                    ),
                ),
                ["postgresql-1|replicator|streaming", "postgresql-2|replicator|streaming"],
            );
            assert.deepEqual(
                rows(await cluster.psql(0, "SELECT slot_name, slot_type, active FROM pg_replication_slots ORDER BY 1")),
                ["postgresql_1|physical|t", "postgresql_2|physical|t"],
            );
        });

        it("1,000 rows written on pod 0 are read on pods 1 and 2", async () => {
            const { cluster } = pods;
            await cluster.psql(0, "CREATE TABLE items (id int PRIMARY KEY, label text NOT NULL)");
            await cluster.psql(0, "INSERT INTO items SELECT g, 'item ' || g FROM generate_series(1, 1000) g");
            for (const ordinal of [1, 2]) {
                await waitForResult(cluster, ordinal, "SELECT count(*), sum(id) FROM items", "1000|500500");
            }
        });

        it("a write on a standby fails: it is read-only", async () => {
            await assert.rejects(
                pods.cluster.psql(1, "INSERT INTO items VALUES (1001, 'on a standby')"),
                /cannot execute INSERT in a read-only transaction/,
            );
            assert.equal(await pods.cluster.psql(0, "SELECT count(*) FROM items WHERE id = 1001"), "0");
        });
    });

    describe("passwords with quotes, spaces, $ and backslashes", function () {
        it("the superuser logs in over the network with the Secret's password, and only with it", async () => {
            const { cluster } = pods;
            const conninfo = `host=${cluster.names.primaryHost} user=postgres dbname=postgres`;
            const login = (password: string) =>
                cluster.exec(1, ["psql", "-X", "-A", "-t", "-d", conninfo, "-c", "SELECT current_user"], {
                    env: { PGPASSWORD: password },
                });
            const right = await login(PASSWORDS.superuser);
            assert.equal(right.code, 0, right.stderr);
            assert.equal(right.stdout.trim(), "postgres");
            const wrong = await login(`${PASSWORDS.superuser}x`);
            assert.notEqual(wrong.code, 0);
            assert.match(wrong.stderr, /password authentication failed for user "postgres"/);
        });

        it("a standby opens a replication connection with the replication password from its passfile", async () => {
            const { cluster } = pods;
            const conninfo = `host=${cluster.names.primaryHost} user=replicator replication=true passfile=${passfileOf(cluster, 1)}`;
            const result = await cluster.exec(1, ["psql", "-X", "-A", "-t", "-d", conninfo, "-c", "IDENTIFY_SYSTEM"]);
            assert.equal(result.code, 0, result.stderr);
            assert.match(result.stdout, new RegExp(`^${await systemIdentifier(cluster, 0)}\\|1\\|`));
        });
    });

    describe("the replication password on a standby", function () {
        it("is written in no file of the standby's data volume", () => {
            const { cluster } = pods;
            const secret = Buffer.from(PASSWORDS.replication);
            for (const ordinal of [1, 2]) {
                const files = filesUnder(cluster.dataVolume(ordinal));
                assert.ok(files.some((file) => file.endsWith("/postgresql.auto.conf")));
                const leaking = files.filter((file) => fs.readFileSync(file).includes(secret));
                assert.deepEqual(leaking, [], `the replication password is in ${leaking.join(", ")}`);
            }
        });

        it("lives only in a passfile of mode 0600 owned by postgres, outside the data volume", () => {
            const { cluster } = pods;
            const passfile = passfileOf(cluster, 1);
            assert.ok(!passfile.startsWith(`${POD_PATHS.data}/`), passfile);
            const stat = fs.statSync(cluster.hostPath(1, passfile));
            assert.equal(stat.mode & 0o777, 0o600);
            assert.equal(stat.uid, DEFAULTS.postgresUid);
        });
    });

    describe("a standby restarted with its data intact", function () {
        it("does not clone again, streams again and catches up on rows written while it was down", async () => {
            const { cluster } = pods;
            const before = await systemIdentifier(cluster, 2);
            await cluster.kill(2);
            await waitUntil(
                "pod 0 no longer lists postgresql-2",
                async () =>
                    (await cluster.psql(
                        0,
                        "SELECT count(*) FROM pg_stat_replication WHERE application_name = 'postgresql-2'",
                    )) === "0",
                TIMEOUTS.replication,
            );
            await cluster.psql(0, "INSERT INTO items SELECT g, 'while down ' || g FROM generate_series(1001, 1500) g");

            await cluster.start(2);
            await waitForStreaming(cluster, 2);
            await waitForResult(cluster, 2, "SELECT count(*) FROM items", "1500");
            const log = cluster.logs(2, { sinceLastStart: true });
            assert.doesNotMatch(log, /cloning|initialising/);
            assert.match(log, /starting PostgreSQL as standby/);
            assert.equal(await systemIdentifier(cluster, 2), before);
        });
    });

    describe("the primary restarted", function () {
        it("while pod 0 is down, a standby (maxStandbyLagSeconds 0) is not ready but stays live", async () => {
            const { cluster } = pods;
            await cluster.kill(0);
            await waitUntil(
                "postgresql-1 is not ready",
                async () => !(await cluster.probe(1, "readiness")),
                TIMEOUTS.replication,
            );
            assert.equal(
                await cluster.probe(1, "liveness"),
                true,
                "liveness must not restart a standby whose primary is down",
            );
            assert.equal(await cluster.probe(1, "startup"), true);
            assert.equal(await cluster.probe(1, "readiness"), false);
        });

        it("the standbys stream again without intervention once pod 0 is back, and pod 0 keeps its data", async () => {
            const { cluster } = pods;
            await cluster.start(0);
            await waitUntil("postgresql-0 is ready", () => cluster.probe(0, "readiness"), TIMEOUTS.ready);
            assert.doesNotMatch(cluster.logs(0, { sinceLastStart: true }), /initialising/);
            assert.equal(await cluster.psql(0, "SELECT count(*) FROM items"), "1500");
            await waitForStreaming(cluster, 1);
            await waitForStreaming(cluster, 2);
            assert.ok(cluster.isRunning(1) && cluster.isRunning(2), "the standbys were not restarted");

            await cluster.psql(
                0,
                "INSERT INTO items SELECT g, 'after restart ' || g FROM generate_series(1501, 1600) g",
            );
            for (const ordinal of [1, 2]) {
                await waitForResult(cluster, ordinal, "SELECT count(*) FROM items", "1600");
            }
        });
    });

    describe("a standby whose data was wiped while its slot remained on pod 0", function () {
        it("clones again, reusing its slot", async () => {
            const { cluster } = pods;
            await cluster.kill(2);
            cluster.wipe(2);
            assert.equal(
                await cluster.psql(0, "SELECT count(*) FROM pg_replication_slots WHERE slot_name = 'postgresql_2'"),
                "1",
            );

            await cluster.start(2);
            await waitForStreaming(cluster, 2);
            const log = cluster.logs(2, { sinceLastStart: true });
            assert.match(log, /reusing replication slot postgresql_2/);
            assert.match(log, /cloning the primary/);
            assert.doesNotMatch(log, /already exists/);
            assert.ok(cluster.isRunning(2));
            await waitForResult(cluster, 2, "SELECT count(*) FROM items", "1600");
            assert.deepEqual(rows(await cluster.psql(0, "SELECT slot_name FROM pg_replication_slots ORDER BY 1")), [
                "postgresql_1",
                "postgresql_2",
            ]);
        });
    });
});
