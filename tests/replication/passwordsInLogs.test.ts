import { strict as assert } from "assert";
import * as fs from "fs";

import { POD_PATHS } from "../../components/specs/podPaths";
import { TIMEOUTS, filesUnder, usePodCluster, waitForStreaming } from "../support/podHarnessFixtures";

const PASSWORDS = {
    superuser: "superuser-Pa55word-in-no-log",
    replication: "replication-Pa55word-in-no-log",
    application: "application-Pa55word-in-no-log",
};

/**
 * A stack may log every statement, every duration and every failed statement. What the scripts run must
 * still put no password into a log: the container's, or a server log file on a volume.
 */
describe("replication against real PostgreSQL: no password in any log, whatever the logging settings", function () {
    this.timeout(TIMEOUTS.test);
    const pods = usePodCluster(
        {
            replicas: 2,
            storage: { className: "standard" },
            database: { name: "app", owner: "app_owner" },
            postgresqlParameters: {
                log_statement: "all",
                log_min_duration_statement: 0,
                log_min_error_statement: "debug5",
                log_connections: true,
            },
        },
        PASSWORDS,
    );

    it("initialising pod 0, cloning a standby and the maintenance Job log statements, but no password", async () => {
        const { cluster } = pods;
        await cluster.startAll();
        await waitForStreaming(cluster, 1);
        await cluster.restart(1);
        await waitForStreaming(cluster, 1);
        for (const container of ["drop-slots", "app-database"] as const) {
            const job = await cluster.runMaintenanceJob(1, container);
            assert.equal(job.code, 0, job.stderr);
            for (const password of Object.values(PASSWORDS)) {
                assert.ok(!job.stdout.includes(password) && !job.stderr.includes(password), `${container} output`);
            }
        }

        const logs: Record<string, string> = {};
        for (let ordinal = 0; ordinal < cluster.replicas; ordinal++) {
            logs[`${cluster.podName(ordinal)} container log`] = cluster.logs(ordinal);
            for (const volume of [POD_PATHS.runtime, POD_PATHS.data]) {
                for (const file of filesUnder(cluster.hostPath(ordinal, volume))) {
                    if (/\.log$|\/log\/[^/]+$/.test(file)) {
                        logs[file] = fs.readFileSync(file, "utf8");
                    }
                }
            }
        }
        assert.ok(
            Object.values(logs).some((text) => /LOG: {2}statement: /.test(text)),
            "the settings did log statements, so the scan looked at real logs",
        );
        for (const [where, text] of Object.entries(logs)) {
            for (const password of Object.values(PASSWORDS)) {
                assert.ok(!text.includes(password), `${where} holds a password`);
            }
        }
    });
});
