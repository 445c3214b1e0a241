import { strict as assert } from "assert";

import { PodCluster, ProbeKind, sleep, waitUntil } from "../support/podHarness";
import { TIMEOUTS, rows, usePodCluster, waitForStreaming } from "../support/podHarnessFixtures";

/** Runs a probe every half second for `seconds` and returns every outcome. */
async function sampleProbe(cluster: PodCluster, ordinal: number, kind: ProbeKind, seconds: number): Promise<boolean[]> {
    const outcomes: boolean[] = [];
    const end = Date.now() + seconds * 1000;
    while (Date.now() < end) {
        outcomes.push(await cluster.probe(ordinal, kind));
        await sleep(500);
    }
    return outcomes;
}

// A standby retries streaming every wal_retrieve_retry_interval (5s): sampling over 12s sees at least two
// attempts of its WAL receiver.
const SAMPLE_SECONDS = 12;
/** How long a standby whose primary is away stays ready, here: short, so that the test sees both sides. */
const MAX_LAG_SECONDS = 8;

describe("replication against real PostgreSQL: readiness and liveness probes", function () {
    this.timeout(TIMEOUTS.test);
    const pods = usePodCluster(
        {
            replicas: 2,
            storage: { className: "standard" },
            // A real stack setting: pod 0 keeps at most 32MB of WAL for a standby that is away.
            maxSlotWalKeepSize: "32MB",
            maxStandbyLagSeconds: MAX_LAG_SECONDS,
        },
        { superuser: "superuser-password-for-tests", replication: "replication-password-for-tests" },
    );

    before(async function () {
        this.timeout(TIMEOUTS.test);
        await pods.cluster.startAll();
        await waitForStreaming(pods.cluster, 1);
    });

    it("pod 0 is ready when it accepts writes, and not ready when it does not", async () => {
        const { cluster } = pods;
        assert.equal(await cluster.probe(0, "readiness"), true);
        await cluster.psql(0, "ALTER SYSTEM SET default_transaction_read_only = on");
        await cluster.psql(0, "SELECT pg_reload_conf()");
        await waitUntil("postgresql-0 is not ready", async () => !(await cluster.probe(0, "readiness")));
        assert.equal(await cluster.probe(0, "liveness"), true);
        await cluster.psql(0, "ALTER SYSTEM RESET default_transaction_read_only");
        await cluster.psql(0, "SELECT pg_reload_conf()");
        await waitUntil("postgresql-0 is ready", () => cluster.probe(0, "readiness"));
    });

    it("says why a pod is not ready, in the output the kubelet puts into the pod's events", async () => {
        const { cluster } = pods;
        await cluster.psql(0, "ALTER SYSTEM SET default_transaction_read_only = on");
        await cluster.psql(0, "SELECT pg_reload_conf()");
        try {
            const primary = await cluster.probeResult(0, "readiness");
            assert.equal(primary.stdout.trim(), "not ready: pod 0 does not accept writes (read-only)");
        } finally {
            await cluster.psql(0, "ALTER SYSTEM RESET default_transaction_read_only");
            await cluster.psql(0, "SELECT pg_reload_conf()");
        }

        await cluster.kill(0);
        try {
            let output = "";
            await waitUntil(
                "postgresql-1's readiness to fail",
                async () => {
                    const result = await cluster.probeResult(1, "readiness");
                    output = `${result.stdout}${result.stderr}`;
                    return result.code !== 0;
                },
                TIMEOUTS.replication,
            );
            assert.match(output, /^not ready: this standby does not stream from pod 0 \(.+\)\n$/);
        } finally {
            await cluster.start(0);
            await waitForStreaming(cluster, 1);
        }
    });

    it("a streaming standby is ready and live", async () => {
        const { cluster } = pods;
        assert.equal(await cluster.probe(1, "readiness"), true);
        assert.equal(await cluster.probe(1, "liveness"), true);
        assert.equal(await cluster.probe(1, "startup"), true);
    });

    it("a standby whose primary is unreachable stays ready for maxStandbyLagSeconds after it last streamed, then not, and stays live", async () => {
        const { cluster } = pods;
        assert.equal(await cluster.probe(1, "readiness"), true);
        const lastStreamed = Date.now();
        await cluster.kill(0);
        cluster.disconnect(0); // connections to pod 0 now hang instead of being refused
        try {
            const away = await cluster.probeResult(1, "readiness");
            assert.equal(away.code, 0, away.stdout);
            assert.match(away.stdout, /ready: pod 0 is away, and this standby streamed \d+ s ago \(at most 8 s\)/);
            await waitUntil(
                "postgresql-1 is not ready",
                async () => !(await cluster.probe(1, "readiness")),
                TIMEOUTS.replication,
            );
            const readyFor = (Date.now() - lastStreamed) / 1000;
            assert.ok(readyFor >= MAX_LAG_SECONDS - 1, `not ready after ${readyFor.toFixed(1)} s`);
            assert.match((await cluster.probeResult(1, "readiness")).stdout, /streamed last \d+ s ago/);
            assert.equal(await cluster.probe(1, "liveness"), true, "liveness must not restart the standby");
        } finally {
            cluster.reconnect(0);
        }
        await cluster.start(0);
        await waitForStreaming(cluster, 1);
    });

    it("a standby whose WAL was removed from pod 0 answers but is never ready", async () => {
        const { cluster } = pods;
        await cluster.stop(1);
        // Write more WAL than pod 0 keeps for the absent standby; a checkpoint then removes it.
        await waitUntil(
            "pod 0 has removed WAL the slot of postgresql-1 needs",
            async () => {
                await cluster.psql(0, "CREATE TABLE IF NOT EXISTS filler (id int, filler text)");
                await cluster.psql(
                    0,
                    "INSERT INTO filler SELECT g, repeat('x', 1000) FROM generate_series(1, 50000) g",
                );
                await cluster.psql(0, "CHECKPOINT");
                const status = await cluster.psql(
                    0,
                    "SELECT wal_status FROM pg_replication_slots WHERE slot_name = 'postgresql_1'",
                );
                return status === "lost";
            },
            TIMEOUTS.replication,
        );

        await cluster.start(1);
        await waitUntil("postgresql-1 answers", () => cluster.probe(1, "liveness"), TIMEOUTS.ready);
        const readiness = await sampleProbe(cluster, 1, "readiness", SAMPLE_SECONDS);
        assert.deepEqual(
            readiness.filter((ready) => ready),
            [],
            `ready in ${readiness.filter((ready) => ready).length} of ${readiness.length} samples`,
        );
        assert.equal(await cluster.probe(1, "liveness"), true);
        assert.deepEqual(rows(await cluster.psql(0, "SELECT application_name FROM pg_stat_replication")), []);
    });

    it("that standby, once its volume is wiped, replaces the invalidated slot, clones again and streams", async () => {
        const { cluster } = pods;
        await cluster.kill(1);
        cluster.wipe(1);
        await cluster.start(1);
        await waitForStreaming(cluster, 1);
        const log = cluster.logs(1, { sinceLastStart: true });
        assert.match(log, /dropping replication slot postgresql_1: its WAL was removed/);
        assert.match(log, /creating replication slot postgresql_1/);
        assert.match(log, /cloning the primary/);
        assert.equal(
            await cluster.psql(0, "SELECT wal_status FROM pg_replication_slots WHERE slot_name = 'postgresql_1'"),
            "reserved",
        );
    });
});
