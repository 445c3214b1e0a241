import { strict as assert } from "assert";

import { CommandResult, PodCluster, sleep } from "../support/podHarness";
import { TIMEOUTS, usePodCluster, waitForStreaming } from "../support/podHarnessFixtures";

/** The kubelet's startup probe, run until it passes; `periodMs` stands in for its periodSeconds. */
async function untilStarted(cluster: PodCluster, ordinal: number, periodMs = 1000): Promise<void> {
    const end = Date.now() + TIMEOUTS.ready;
    while ((await cluster.probeResult(ordinal, "startup")).code !== 0) {
        if (Date.now() > end) {
            throw new Error(`${cluster.podName(ordinal)}'s startup probe did not pass`);
        }
        await sleep(periodMs);
    }
}

/**
 * Starts the pod as the kubelet does, up to the readiness probe's first run: that run's result. The kubelet
 * runs no readiness probe until the startup probe has passed, and makes a Warning event of each that fails.
 */
async function firstReadiness(
    cluster: PodCluster,
    ordinal: number,
    start: () => Promise<void>,
): Promise<CommandResult> {
    await start();
    await untilStarted(cluster, ordinal);
    return cluster.probeResult(ordinal, "readiness");
}

const passes = (result: CommandResult, what: string) =>
    assert.equal(result.code, 0, `${what}: the first readiness probe failed: ${result.stdout}${result.stderr}`);

describe("replication against real PostgreSQL: a normal start raises no failed probe", function () {
    this.timeout(TIMEOUTS.test);
    const pods = usePodCluster(
        // A standby whose primary is away stays ready this long after it last streamed (see readiness.test.ts).
        { replicas: 2, storage: { className: "standard" }, maxStandbyLagSeconds: 5 },
        { superuser: "superuser-password-for-tests", replication: "replication-password-for-tests" },
    );

    it("pod 0 initialising a new cluster is ready at the first readiness probe after its startup", async () => {
        const { cluster } = pods;
        passes(await firstReadiness(cluster, 0, () => cluster.start(0)), "pod 0 initialising");
    });

    it("a standby cloning pod 0 is ready (streaming) at the first readiness probe after its startup", async () => {
        const { cluster } = pods;
        passes(await firstReadiness(cluster, 1, () => cluster.start(1)), "a standby cloning");
        await waitForStreaming(cluster, 1);
    });

    it("a standby restarted on its data is ready at the first readiness probe after its startup", async () => {
        const { cluster } = pods;
        passes(await firstReadiness(cluster, 1, () => cluster.restart(1)), "a standby restarted");
    });

    it("pod 0 restarted on its data is ready at the first readiness probe after its startup", async () => {
        const { cluster } = pods;
        passes(await firstReadiness(cluster, 0, () => cluster.restart(0)), "pod 0 restarted");
    });

    it("a standby started before pod 0 (Parallel) is ready at the first readiness probe after its startup", async () => {
        const { cluster } = pods;
        await cluster.kill(1);
        await cluster.kill(0);
        const started = firstReadiness(cluster, 1, () => cluster.start(1));
        await sleep(3000);
        await cluster.start(0);
        passes(await started, "a standby started before pod 0");
    });

    it("a standby waiting for pod 0 longer than the wait passes its startup probe at the end of it, and its readiness probe says why it is not ready", async () => {
        const { cluster } = pods;
        // A new standby: it waits for pod 0 before it clones.
        await cluster.kill(1);
        cluster.wipe(1);
        await cluster.kill(0);
        const result = await firstReadiness(cluster, 1, () => cluster.start(1));
        assert.notEqual(result.code, 0);
        assert.match(result.stdout, /^not ready: PostgreSQL does not accept connections yet/);
        await cluster.start(0);
        await waitForStreaming(cluster, 1);
    });

    it("a standby whose primary is away still passes its startup probe once the wait is up, and its readiness probe says why it is not ready", async () => {
        const { cluster } = pods;
        await cluster.kill(0);
        const result = await firstReadiness(cluster, 1, () => cluster.restart(1));
        assert.notEqual(result.code, 0);
        assert.match(result.stdout, /^not ready: /);
        await cluster.start(0);
        await waitForStreaming(cluster, 1);
    });
});
