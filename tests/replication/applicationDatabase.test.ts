import { strict as assert } from "assert";

import { waitUntil } from "../support/podHarness";
import { TIMEOUTS, usePodCluster } from "../support/podHarnessFixtures";

const PASSWORDS = {
    superuser: "superuser-password-for-tests",
    replication: "replication-password-for-tests",
    application: `app 'quoted' "and" \\back:slash`,
};

/** The application database, as the maintenance Job makes it and an application reaches it. */
describe("replication against real PostgreSQL: an application database with a role of its own", function () {
    this.timeout(TIMEOUTS.test);
    const pods = usePodCluster(
        { replicas: 1, storage: { className: "standard" }, database: { name: "orders", owner: "orders_app" } },
        PASSWORDS,
    );

    /** Logs in as the application would: over TCP through -rw, with the role's password (in the env, not argv). */
    const asApplication = (password: string) =>
        pods.cluster.exec(
            0,
            [
                "psql",
                "-X",
                "-A",
                "-t",
                "-h",
                pods.cluster.names.serviceHost(pods.cluster.names.rwService),
                "-U",
                "orders_app",
                "-d",
                "orders",
                "-c",
                "SELECT current_user || ' owns ' || pg_get_userbyid(datdba) FROM pg_database WHERE datname = current_database()",
            ],
            { env: { PGPASSWORD: password } },
        );

    before(async function () {
        this.timeout(TIMEOUTS.test);
        await pods.cluster.start(0);
        await waitUntil("postgresql-0 is ready", () => pods.cluster.probe(0, "readiness"), TIMEOUTS.ready);
    });

    it("the Job creates the role and its database; the role logs in with its password and owns the database", async () => {
        const result = await pods.cluster.runMaintenanceJob(0, "app-database");
        assert.equal(result.code, 0, result.stderr);
        assert.match(result.stdout, /application database orders, owned by orders_app, is in place/);
        const login = await asApplication(PASSWORDS.application);
        assert.equal(login.code, 0, login.stderr);
        assert.equal(login.stdout.trim(), "orders_app owns orders_app");
        assert.equal(await pods.cluster.psql(0, "SELECT rolsuper FROM pg_roles WHERE rolname = 'orders_app'"), "f");
    });

    it("run again, it keeps the database and sets the role's password to the Secret's", async () => {
        const { cluster } = pods;
        await cluster.psql(0, "CREATE TABLE kept (id int)", { database: "orders" });
        const changed = "a-changed-application-password";
        cluster.setPasswords({ ...PASSWORDS, application: changed });
        const result = await cluster.runMaintenanceJob(0, "app-database");
        assert.equal(result.code, 0, result.stderr);
        assert.equal((await asApplication(changed)).code, 0);
        assert.notEqual((await asApplication(PASSWORDS.application)).code, 0, "the old password still works");
        assert.equal(await cluster.psql(0, "SELECT count(*) FROM kept", { database: "orders" }), "0");
    });
});
