import { strict as assert } from "assert";

import { waitUntil } from "../support/podHarness";
import { TIMEOUTS, systemIdentifier, usePodCluster } from "../support/podHarnessFixtures";

describe("replication against real PostgreSQL: pod 0's initialisation", function () {
    this.timeout(TIMEOUTS.test);
    const pods = usePodCluster(
        { replicas: 1, storage: { className: "standard" } },
        { superuser: "superuser-password-for-tests", replication: "replication-password-for-tests" },
    );

    it("pod 0 is not ready while it initialises: only the final server answers its probes", async () => {
        const { cluster } = pods;
        await cluster.start(0);
        const readyAt: number[] = [];
        let samples = 0;
        await waitUntil(
            "postgresql-0 starts PostgreSQL as the primary",
            async () => {
                if (/starting PostgreSQL as primary/.test(cluster.logs(0))) {
                    return true;
                }
                samples++;
                if (await cluster.probe(0, "readiness")) {
                    readyAt.push(Date.now());
                }
                return false;
            },
            TIMEOUTS.ready,
            0,
        );
        await waitUntil("postgresql-0 is ready", () => cluster.probe(0, "readiness"), TIMEOUTS.ready);
        const started = Number(await cluster.psql(0, "SELECT extract(epoch FROM pg_postmaster_start_time()) * 1000"));
        assert.ok(samples > 0, "the probe ran while pod 0 initialised");
        assert.deepEqual(
            readyAt.filter((at) => at < started),
            [],
            "the readiness probe succeeded against the temporary server of the initialisation",
        );
    });

    describe("an initialised pod 0 is never initialised again", function () {
        let identifier = "";

        before(async function () {
            const { cluster } = pods;
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
});
