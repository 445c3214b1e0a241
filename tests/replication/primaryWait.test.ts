import { strict as assert } from "assert";
import * as fs from "fs";

import { waitUntil } from "../support/podHarness";
import {
    TIMEOUTS,
    usePodCluster,
    waitForResult,
    waitForStreaming,
    waitUntilWaitingForPrimary,
} from "../support/podHarnessFixtures";

const WAIT_SECONDS = 6;

describe("replication against real PostgreSQL: a standby started before its primary", function () {
    this.timeout(TIMEOUTS.test);
    const pods = usePodCluster(
        // The real setting (PG_HA_PRIMARY_WAIT_SECONDS in the pods), small so that the test is quick.
        { replicas: 2, storage: { className: "standard" }, primaryWaitTimeoutSeconds: WAIT_SECONDS },
        { superuser: "superuser-password-for-tests", replication: "replication-password-for-tests" },
    );

    it("gives up after its bounded wait with a clear log line and a non-zero exit, touching nothing", async () => {
        const { cluster } = pods;
        const started = Date.now();
        await cluster.start(1);
        const status = await cluster.waitForExit(1, (WAIT_SECONDS + 30) * 1000);
        const waited = (Date.now() - started) / 1000;

        assert.notEqual(status.code, 0, `exit status ${JSON.stringify(status)}`);
        assert.equal(status.signal, null);
        assert.ok(waited >= WAIT_SECONDS - 1, `gave up after ${waited}s, before its ${WAIT_SECONDS}s`);
        assert.match(
            cluster.logs(1),
            new RegExp(
                `primary postgresql-rw\\.postgresql\\.svc\\.cluster\\.local:5432 did not answer within ${WAIT_SECONDS}s`,
            ),
        );
        assert.deepEqual(
            fs.readdirSync(cluster.dataVolume(1)),
            [".pg-ha-lock"],
            "nothing but the lock is written before the primary answers",
        );
    });

    // Its startup probe waits for it longer than this wait lasts: see quietStart.test.ts.
    it("passes its liveness probe while it waits, but is not ready", async () => {
        const { cluster } = pods;
        await cluster.start(1);
        await waitUntilWaitingForPrimary(cluster, 1, TIMEOUTS.replication);
        assert.equal(await cluster.probe(1, "liveness"), true);
        assert.equal(await cluster.probe(1, "readiness"), false);
        await cluster.kill(1);
    });

    it("restarted, it waits for pod 0 and joins once pod 0 starts", async () => {
        const { cluster } = pods;
        await cluster.start(1); // Kubernetes restarts the container
        await waitUntilWaitingForPrimary(cluster, 1, TIMEOUTS.replication);
        await cluster.start(0);
        await waitUntil("postgresql-0 is ready", () => cluster.probe(0, "readiness"), TIMEOUTS.ready);
        await waitForStreaming(cluster, 1);
        assert.ok(cluster.isRunning(1), "the standby joined without another restart");
        await cluster.psql(0, "CREATE TABLE joined AS SELECT 1 AS one");
        await waitForResult(cluster, 1, "SELECT one FROM joined", "1");
    });
});
