import { strict as assert } from "assert";

import { waitUntil } from "../support/podHarness";
import { TIMEOUTS, systemIdentifier, usePodCluster } from "../support/podHarnessFixtures";

describe("replication against real PostgreSQL: an initialised pod 0 is never initialised again", function () {
    this.timeout(TIMEOUTS.test);
    const pods = usePodCluster(
        { replicas: 1, storage: { className: "standard" } },
        { superuser: "superuser-password-for-tests", replication: "replication-password-for-tests" },
    );
    let identifier = "";

    before(async function () {
        this.timeout(TIMEOUTS.test);
        const { cluster } = pods;
        await cluster.start(0);
        await waitUntil("postgresql-0 is ready", () => cluster.probe(0, "readiness"), TIMEOUTS.ready);
        await cluster.psql(0, "CREATE TABLE marker AS SELECT 'written before the restart'::text AS note");
        identifier = await systemIdentifier(cluster, 0);
    });

    async function restartAndCheck(): Promise<void> {
        const { cluster } = pods;
        await cluster.restart(0);
        await waitUntil("postgresql-0 is ready", () => cluster.probe(0, "readiness"), TIMEOUTS.ready);
        const log = cluster.logs(0, { sinceLastStart: true });
        assert.doesNotMatch(log, /initialising/);
        assert.match(log, /starting PostgreSQL as primary/);
        assert.equal(await systemIdentifier(cluster, 0), identifier);
        assert.equal(await cluster.psql(0, "SELECT note FROM marker"), "written before the restart");
    }

    it("restarted with empty passwords in its Secret, it keeps its cluster and data", async () => {
        pods.cluster.setPasswords({ superuser: "", replication: "" });
        await restartAndCheck();
    });

    it("restarted with changed passwords in its Secret, it keeps its cluster and data", async () => {
        pods.cluster.setPasswords({
            superuser: "a-different-superuser-password",
            replication: "a-different-replication-password",
        });
        await restartAndCheck();
    });
});
