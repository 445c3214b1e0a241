import * as assert from "assert";

import { binaryDirs } from "../../e2e/build/buildAll";
import { passFileLine, psqlCommand } from "../../e2e/quickstart/connection";
import { quickstartEnvironment, quickstartPaths, quickstartStackConfig } from "../../e2e/quickstart/quickstart";
import { e2ePaths } from "../../e2e/support/paths";

const paths = e2ePaths({ PG_HA_E2E_STATE: "/srv/state", PG_HA_E2E_CACHE: "/srv/cache" });

describe("npm start: never another kube context than the built-in cluster's", () => {
    const users = {
        PATH: "/usr/bin:/bin",
        HOME: "/home/someone",
        KUBECONFIG: "/home/someone/.kube/production",
        KUBECONTEXT: "production",
        KUBERNETES_SERVICE_HOST: "10.0.0.1",
        PULUMI_CONFIG_PASSPHRASE: "the passphrase of someone's own stacks",
        PULUMI_BACKEND_URL: "s3://someones-state",
        PULUMI_K8S_DELETE_UNREACHABLE: "true",
    };
    const env = quickstartEnvironment(paths, binaryDirs(paths), users);

    it("points kubectl and Pulumi at the built-in cluster's kubeconfig, whatever the user's environment says", () => {
        assert.strictEqual(env.KUBECONFIG, "/srv/state/admin.kubeconfig");
        assert.strictEqual(env.KUBECONTEXT, undefined);
        assert.strictEqual(env.KUBERNETES_SERVICE_HOST, undefined);
        assert.strictEqual(env.HOME, "/home/someone", "the rest of the environment is kept");
    });

    it("uses the tooling's backend and passphrase file, never the user's own", () => {
        assert.strictEqual(env.PULUMI_CONFIG_PASSPHRASE, undefined);
        assert.strictEqual(env.PULUMI_CONFIG_PASSPHRASE_FILE, "/srv/cache/pulumi-passphrase");
        assert.strictEqual(env.PULUMI_BACKEND_URL, `file://${paths.pulumiBackend}`);
        assert.strictEqual(env.PULUMI_K8S_DELETE_UNREACHABLE, undefined);
    });

    it("names the kubeconfig in the stack too, so that its provider cannot fall back to another", () => {
        assert.deepStrictEqual(quickstartStackConfig(paths), {
            "kubernetes:kubeconfig": "/srv/state/admin.kubeconfig",
        });
    });

    it("keeps its stack, password file and CA under the cluster's state, which npm stop removes", () => {
        const { workDir, record, passFile, caFile } = quickstartPaths(paths);
        for (const file of [workDir, record, passFile, caFile]) assert.ok(file.startsWith("/srv/state/"), file);
    });
});

describe("npm start: the connection it prints", () => {
    const connection = {
        host: "postgresql-rw.pg-ha-local.svc.cluster.local",
        address: "10.96.0.20",
        passFile: "/srv/state/quickstart/pgpass",
        caFile: "/srv/state/quickstart/ca.crt",
    };

    it("reads the password from a file, so that it is neither printed nor kept in the shell's history", () => {
        assert.match(psqlCommand(connection), /^PGPASSFILE=\/srv\/state\/quickstart\/pgpass psql "/);
        assert.match(
            psqlCommand({ ...connection, passFile: "/srv/my state/pgpass" }),
            /^PGPASSFILE='\/srv\/my state\/pgpass' psql "/,
        );
    });

    it("verifies the certificate against the Service's name while it connects to the Service's address", () => {
        const command = psqlCommand(connection);
        for (const part of [
            "host=postgresql-rw.pg-ha-local.svc.cluster.local",
            "hostaddr=10.96.0.20",
            "sslmode=verify-full",
            "sslrootcert=/srv/state/quickstart/ca.crt",
            "user=postgres",
        ]) {
            assert.ok(command.includes(part), part);
        }
    });

    it("escapes the password file's separators as libpq reads them", () => {
        assert.strictEqual(passFileLine("a:b\\c"), "*:*:*:postgres:a\\:b\\\\c\n");
    });
});
