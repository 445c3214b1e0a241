import { strict as assert } from "assert";
import * as fs from "fs";
import * as path from "path";

import { waitUntil } from "../support/podHarness";
import { TIMEOUTS, usePodCluster } from "../support/podHarnessFixtures";

/** A data directory of another major cannot be opened: the bootstrap says so before PostgreSQL does. */
describe("replication against real PostgreSQL: the image and the data agree on the major version", function () {
    this.timeout(TIMEOUTS.test);
    const pods = usePodCluster(
        { replicas: 1, storage: { className: "standard" } },
        { superuser: "superuser-password-for-tests", replication: "replication-password-for-tests" },
    );
    const pgVersion = () => path.join(pods.cluster.dataVolume(0), "pgdata", "PG_VERSION");

    it("refuses a data directory of another major, naming both and the runbook, and leaves it alone", async () => {
        const { cluster } = pods;
        await cluster.start(0);
        await waitUntil("postgresql-0 is ready", () => cluster.probe(0, "readiness"), TIMEOUTS.ready);
        const serverMajor = fs.readFileSync(pgVersion(), "utf8").trim();
        const otherMajor = String(Number(serverMajor) - 1);
        await cluster.kill(0);
        fs.writeFileSync(pgVersion(), `${otherMajor}\n`);

        await cluster.start(0);
        const status = await cluster.waitForExit(0, TIMEOUTS.ready);
        assert.notEqual(status.code, 0);
        const log = cluster.logs(0, { sinceLastStart: true });
        assert.match(
            log,
            new RegExp(
                `the data directory holds PostgreSQL ${otherMajor} data but this image runs PostgreSQL ${serverMajor}.*'Major upgrades' in the README`,
            ),
        );
        assert.doesNotMatch(log, /starting PostgreSQL|initialising/);
        assert.equal(fs.readFileSync(pgVersion(), "utf8"), `${otherMajor}\n`);
    });

    it("starts again once the data and the image agree", async () => {
        const { cluster } = pods;
        fs.writeFileSync(pgVersion(), `${path.basename(path.dirname(cluster.binDir))}\n`);
        await cluster.start(0);
        await waitUntil("postgresql-0 is ready", () => cluster.probe(0, "readiness"), TIMEOUTS.ready);
    });
});
