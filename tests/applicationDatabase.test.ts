import * as assert from "assert";
import * as pulumi from "@pulumi/pulumi";
import { SECRET_KEYS } from "../components/naming";
import { mockPasswordFor } from "./support/mockEngine";
import { engineConfig, ofType, runProgram, stackConfig, valueOf } from "./support/stacks";

const SECRET = "kubernetes:core/v1:Secret";
const JOB = "kubernetes:batch/v1:Job";
const PASSWORD = "random:index/randomPassword:RandomPassword";

interface JobInputs {
    spec: { template: { spec: { containers: { name: string; env: { name: string; value: string }[] }[] } } };
}

const withDatabase = (database?: Record<string, string>) =>
    runProgram(engineConfig({ ...stackConfig("local"), ...(database ? { "pg-ha:database": database } : {}) }));

describe("an application database: its own role and generated password, never the superuser's", () => {
    it("generates the role's password, keeps it in the Secret only, and gives a secret URI for it", async () => {
        const run = await withDatabase({ name: "orders", owner: "orders_app" });
        const generated = ofType(run, PASSWORD).find((resource) => resource.name.endsWith("-application-password"));
        assert.ok(generated, "no generated password for the application role");
        const password = mockPasswordFor(generated.name);

        const [secret] = ofType(run, SECRET);
        const stringData = secret.inputs.stringData as Record<string, string>;
        assert.strictEqual(stringData[SECRET_KEYS.applicationPassword], password);
        // The whole of stringData travels as one secret once any value in it is one.
        assert.ok(
            secret.secretInputPaths.some(
                (path) => path === "stringData" || path === `stringData.${SECRET_KEYS.applicationPassword}`,
            ),
        );

        const uri = await valueOf(run.outputs.appConnectionUri);
        assert.strictEqual(
            uri,
            `postgresql://orders_app:${encodeURIComponent(password)}@postgresql-rw.pg-ha-local.svc.cluster.local:5432/orders?sslmode=verify-full`,
        );
        assert.strictEqual(await pulumi.isSecret(run.outputs.appConnectionUri), true);
    });

    it("has the maintenance Job create the database and role, with the password's file and no password in its spec", async () => {
        const run = await withDatabase({ name: "orders", owner: "orders_app" });
        const [job] = ofType(run, JOB);
        const containers = (job.inputs as unknown as JobInputs).spec.template.spec.containers;
        const app = containers.find((container) => container.name === "app-database");
        assert.ok(app, "no app-database container");
        const env = Object.fromEntries(app.env.map(({ name, value }) => [name, value]));
        assert.strictEqual(env.PG_HA_APP_DATABASE, "orders");
        assert.strictEqual(env.PG_HA_APP_OWNER, "orders_app");
        assert.strictEqual(env.PG_HA_APP_PASSWORD_FILE, `/etc/pg-ha/secrets/${SECRET_KEYS.applicationPassword}`);
        assert.ok(!JSON.stringify(job.inputs).includes("mock-password-for"), "a password in the Job's spec");
    });

    it("uses a configured password instead of generating one, as for the other roles", async () => {
        const config = engineConfig({
            ...stackConfig("local"),
            "pg-ha:database": { name: "orders", owner: "orders_app" },
            "pg-ha:applicationPassword": "a-configured-application-password",
        });
        const run = await runProgram(config, ["pg-ha:applicationPassword"]);
        assert.strictEqual(ofType(run, PASSWORD).length, 2, "only the superuser's and the replication role's");
        const [secret] = ofType(run, SECRET);
        const stringData = secret.inputs.stringData as Record<string, string>;
        assert.strictEqual(stringData[SECRET_KEYS.applicationPassword], "a-configured-application-password");
    });

    it("makes no role, password or URI without the setting", async () => {
        const run = await withDatabase();
        assert.strictEqual(ofType(run, PASSWORD).length, 2);
        const [secret] = ofType(run, SECRET);
        assert.deepStrictEqual(Object.keys(secret.inputs.stringData as object).sort(), [
            SECRET_KEYS.replicationPassword,
            SECRET_KEYS.superuserPassword,
        ]);
        const [job] = ofType(run, JOB);
        const names = (job.inputs as unknown as JobInputs).spec.template.spec.containers.map((c) => c.name);
        assert.deepStrictEqual(names, ["drop-slots"]);
        assert.strictEqual(await valueOf(run.outputs.appConnectionUri), undefined);
    });
});
