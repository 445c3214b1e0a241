import { strict as assert } from "assert";

import { TIMEOUTS, usePodCluster, waitForStreaming } from "../support/podHarnessFixtures";

describe("replication against real PostgreSQL: all pods started at once (Parallel)", function () {
    this.timeout(TIMEOUTS.test);
    const pods = usePodCluster(
        { replicas: 3, podManagementPolicy: "Parallel", storage: { className: "standard" } },
        { superuser: "superuser-password-for-tests", replication: "replication-password-for-tests" },
    );

    it("both standbys clone at the same time and stream, without a failed clone or a restart", async () => {
        const { cluster } = pods;
        await cluster.startAll();
        await waitForStreaming(cluster, 1);
        await waitForStreaming(cluster, 2);
        for (const ordinal of [1, 2]) {
            assert.ok(cluster.isRunning(ordinal), `postgresql-${ordinal} is still its first container`);
            const log = cluster.logs(ordinal);
            assert.equal(log.match(/cloning the primary/g)?.length, 1, log);
            assert.doesNotMatch(log, /has already been removed|pg_basebackup: error/);
        }
    });
});
