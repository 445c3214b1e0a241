import { strict as assert } from "assert";

import { within } from "../support/podHarness";
import { TIMEOUTS, usePodCluster, waitForResult, waitForStreaming } from "../support/podHarnessFixtures";

const OLD = {
    superuser: "old-superuser-password",
    replication: "old-replication-password",
    application: "old-application-password",
};
const NEW = {
    superuser: `new superuser 'quoted' \\ $HOME:`,
    replication: `new:replication\\password "x"`,
    application: "new-application-password",
};

/**
 * Changing the passwords in the Secret, as `pulumi up` does: the kubelet updates the pods' Secret volumes
 * and their readiness probes (which the kubelet runs every few seconds) put the change into effect, with
 * no restart and no manual ALTER ROLE.
 */
describe("replication against real PostgreSQL: passwords changed in the Secret take effect by themselves", function () {
    this.timeout(TIMEOUTS.test);
    const pods = usePodCluster(
        {
            replicas: 3,
            storage: { className: "standard" },
            database: { name: "app", owner: "app_owner" },
            postgresqlParameters: { log_statement: "all", log_min_error_statement: "debug5" },
        },
        OLD,
    );

    /** Logs in over TCP through -rw, as `user`, with `password` in the env. */
    const login = async (user: string, password: string, database = "postgres") =>
        (
            await pods.cluster.exec(
                1,
                [
                    "psql",
                    "-X",
                    "-w",
                    "-h",
                    pods.cluster.names.serviceHost(pods.cluster.names.rwService),
                    "-U",
                    user,
                    "-d",
                    database,
                    "-c",
                    "SELECT 1",
                ],
                {
                    env: { PGPASSWORD: password },
                },
            )
        ).code === 0;
    const walSenders = () =>
        pods.cluster.psql(
            0,
            "SELECT string_agg(application_name || ':' || pid, ',' ORDER BY 1) FROM pg_stat_replication WHERE state = 'streaming'",
        );
    const probeAll = async () => {
        for (let ordinal = 0; ordinal < pods.cluster.replicas; ordinal++) {
            assert.ok(await pods.cluster.probe(ordinal, "readiness"), `${pods.cluster.podName(ordinal)} is ready`);
        }
    };

    before(async function () {
        this.timeout(TIMEOUTS.test);
        await pods.cluster.startAll();
        await waitForStreaming(pods.cluster, 1);
        await waitForStreaming(pods.cluster, 2);
        const job = await pods.cluster.runMaintenanceJob(1, "app-database");
        assert.equal(job.code, 0, job.stderr);
    });

    it("the Job waits until pod 0 has put the new passwords into effect; then the old ones are refused and the new accepted", async () => {
        const { cluster } = pods;
        const senders = await walSenders();
        assert.match(senders, /postgresql-1:\d+,postgresql-2:\d+/);
        cluster.setPasswords(NEW);

        const waiting = cluster.runMaintenanceJob(1, "wait-for-passwords");
        assert.equal(await within(waiting, 3000), undefined, "the Job went on before pod 0 applied the new passwords");
        await probeAll();
        const job = await waiting;
        assert.equal(job.code, 0, job.stderr);
        assert.match(job.stdout, /passwords in the Secret are in effect/);

        assert.ok(await login("postgres", NEW.superuser), "the new superuser password is refused");
        assert.ok(!(await login("postgres", OLD.superuser)), "the old superuser password still works");
        assert.equal(await walSenders(), senders, "a standby stopped streaming while the passwords changed");
        assert.match(cluster.logs(0), /LOG: {2}pg-ha: the passwords in the Secret are in effect/);
    });

    it("a role locked by another session does not hold the probe: pod 0 stays ready, says why, and applies the change once the lock is gone", async () => {
        const { cluster } = pods;
        const locked = `locked superuser 'password' $x`;
        cluster.setPasswords({ ...NEW, superuser: locked });
        const locker = cluster.exec(0, [
            "psql",
            "-X",
            "-U",
            "postgres",
            "-c",
            "BEGIN; SELECT 1 FROM pg_authid WHERE rolname = 'postgres' FOR UPDATE; SELECT pg_sleep(4); COMMIT;",
        ]);
        await cluster.waitUntil(
            "the role is locked",
            async () =>
                (await cluster.psql(
                    0,
                    "SELECT count(*) FROM pg_stat_activity WHERE query LIKE '%FOR UPDATE%' AND pid <> pg_backend_pid()",
                )) === "1",
        );
        const started = Date.now();
        assert.ok(await cluster.probe(0, "readiness"), "pod 0 is not ready while a role is locked");
        assert.ok(Date.now() - started < 5000, "the probe outlasted its timeout");
        assert.match(
            cluster.logs(0),
            /WARNING: {2}pg-ha: could not put the passwords in the Secret into effect, trying again at the next probe: canceling statement due to lock timeout/,
        );
        assert.ok(!(await login("postgres", locked)), "the password was applied under the lock");
        assert.equal((await locker).code, 0);
        assert.ok(await cluster.probe(0, "readiness"));
        assert.ok(await login("postgres", locked), "the password was not applied once the lock was gone");
        assert.ok(!cluster.logs(0).includes(locked), "the password is in pod 0's log");
        cluster.setPasswords(NEW);
        assert.ok(await cluster.probe(0, "readiness"));
        assert.ok(await login("postgres", NEW.superuser));
    });

    it("the application role's password follows the Secret when the Job runs", async () => {
        const job = await pods.cluster.runMaintenanceJob(1, "app-database");
        assert.equal(job.code, 0, job.stderr);
        assert.ok(await login("app_owner", NEW.application, "app"), "the new application password is refused");
        assert.ok(!(await login("app_owner", OLD.application, "app")), "the old application password still works");
    });

    it("the standbys reconnect with the new replication password after pod 0 restarts, without a clone", async () => {
        const { cluster } = pods;
        await cluster.restart(0);
        await waitForStreaming(cluster, 1);
        await waitForStreaming(cluster, 2);
        await cluster.restart(2);
        await waitForStreaming(cluster, 2);
        await cluster.psql(0, "CREATE TABLE after_change AS SELECT 1 AS id");
        await waitForResult(cluster, 1, "SELECT count(*) FROM after_change", "1");
        await waitForResult(cluster, 2, "SELECT count(*) FROM after_change", "1");
        for (const ordinal of [1, 2]) {
            assert.equal(
                cluster.logs(ordinal).match(/cloning the primary/g)?.length,
                1,
                `${cluster.podName(ordinal)} cloned again`,
            );
        }
    });

    it("no password, old or new, is in any container's log", () => {
        for (let ordinal = 0; ordinal < pods.cluster.replicas; ordinal++) {
            const log = pods.cluster.logs(ordinal);
            assert.match(log, /statement: /, "statement logging is on, so the check can fail");
            for (const password of [...Object.values(OLD), ...Object.values(NEW)]) {
                assert.ok(!log.includes(password), `${pods.cluster.podName(ordinal)}'s log holds a password`);
            }
        }
    });
});
