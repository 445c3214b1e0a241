import { strict as assert } from "assert";

import { TIMEOUTS, usePodCluster, waitForStreaming, waitUntilWaitingForPrimary } from "../support/podHarnessFixtures";
import { PodCluster, waitUntil } from "../support/podHarness";

const PASSWORDS = { superuser: "superuser-password-0123", replication: "replication-password-0123" };

/** Holds a client session open on the pod until the server ends it. */
function openSession(cluster: PodCluster, ordinal: number): Promise<unknown> {
    const argv = ["psql", "-X", "-q", "-U", "postgres", "-d", "postgres", "-c", "SELECT pg_sleep(600)"];
    return cluster.exec(ordinal, argv, { timeoutMs: 700_000 });
}

async function sessionOpen(cluster: PodCluster, ordinal: number): Promise<boolean> {
    const sessions = await cluster.psql(
        ordinal,
        "SELECT count(*) FROM pg_stat_activity WHERE query = 'SELECT pg_sleep(600)' AND state = 'active'",
    );
    return sessions === "1";
}

/**
 * Deleting a pod: the kubelet runs the preStop hook, then sends the image's stop signal. The shutdown must be
 * fast and clean whatever that signal is: SIGINT (the official image) or SIGTERM (an image that asks for
 * none), which PostgreSQL takes as a smart shutdown that waits for every client.
 */
describe("replication against real PostgreSQL: stopping a pod with a client session open", function () {
    this.timeout(TIMEOUTS.test);
    const pods = usePodCluster({ replicas: 2, storage: { className: "standard" } }, PASSWORDS);

    before(async function () {
        this.timeout(TIMEOUTS.test);
        await pods.cluster.startAll();
        await waitForStreaming(pods.cluster, 1);
    });

    for (const stopSignal of ["SIGTERM", "SIGINT"] as const) {
        it(`stops pod 0 within seconds and cleanly when the image's stop signal is ${stopSignal}`, async () => {
            const { cluster } = pods;
            const session = openSession(cluster, 0);
            await waitUntil("the client session to run", () => sessionOpen(cluster, 0), TIMEOUTS.replication);

            const stopping = Date.now();
            const status = await cluster.stop(0, { stopSignal });
            const seconds = (Date.now() - stopping) / 1000;
            await session;
            assert.notEqual(status?.signal, "SIGKILL", "killed at the end of the grace period");
            assert.ok(seconds < 10, `stopped after ${seconds.toFixed(1)} s`);

            await cluster.start(0);
            await waitUntil("pod 0 ready", () => cluster.probe(0, "readiness"), TIMEOUTS.ready);
            const log = cluster.logs(0, { sinceLastStart: true });
            assert.match(log, /database system was shut down at/);
            assert.doesNotMatch(log, /not properly shut down|interrupted; last known up/);
            await waitForStreaming(cluster, 1);
        });
    }
});

/**
 * Until PostgreSQL runs, the bootstrap shell is the container's PID 1, which ignores a signal it does not
 * handle: a pod deleted while it waits for the primary (or clones) must end at once, not at SIGKILL.
 */
describe("replication against real PostgreSQL: stopping a pod whose bootstrap is still at work", function () {
    this.timeout(TIMEOUTS.test);
    const pods = usePodCluster({ replicas: 2, storage: { className: "standard" } }, PASSWORDS);

    for (const stopSignal of ["SIGTERM", "SIGINT"] as const) {
        it(`a standby waiting for the primary ends within seconds on ${stopSignal}`, async () => {
            const { cluster } = pods;
            await cluster.start(1);
            await waitUntilWaitingForPrimary(cluster, 1);
            const stopping = Date.now();
            const status = await cluster.stop(1, { stopSignal, graceSeconds: 20 });
            const seconds = (Date.now() - stopping) / 1000;
            assert.notEqual(status?.signal, "SIGKILL", "killed at the end of the grace period");
            assert.ok(seconds < 5, `stopped after ${seconds.toFixed(1)} s`);
            assert.match(cluster.logs(1, { sinceLastStart: true }), new RegExp(`received ${stopSignal}: stopping`));
        });
    }
});
