import { strict as assert } from "assert";
import { spawn } from "child_process";
import { randomBytes } from "crypto";

import { certificateDnsNames, clusterNames } from "../../components/naming";
import { CONFIG_NAMESPACE } from "../../components/stackConfig";
import { fingerprint, makeCertificateAuthority } from "../../tests/support/certificates";
import { CLIENT_LABELS, deleteClientPod, startClientPod } from "./support/clientPod";
import { podIdentities, podNames, streamingStandbys, waitForCluster } from "./support/clusterState";
import { stackSettings } from "./support/expectedObjects";
import { kubectl, psqlInPod, waitUntil } from "./support/kubectl";
import { writeTlsSecret } from "./support/tlsSecret";
import { useE2EStack } from "./support/useE2EStack";

const APP_DATABASE = { name: "e2e_app", owner: "e2e_app_owner" };
const CA_FILE = "/tmp/ca.crt";

/** What each pod's walsender connection is: `<standby> <ssl> <pid>`, from pod 0. */
const WAL_SENDERS =
    "SELECT string_agg(r.application_name || ' ' || s.ssl || ' ' || r.pid, ',' ORDER BY r.application_name) FROM pg_stat_replication r JOIN pg_stat_ssl s USING (pid)";

describe("TLS and password changes on a real cluster", function () {
    const suite = useE2EStack("local", {
        networkPolicy: { enabled: true, allowedClients: [{ podSelector: { matchLabels: CLIENT_LABELS } }] },
        database: APP_DATABASE,
    });
    const settings = (): ReturnType<typeof stackSettings> => stackSettings(suite.e2e.config);
    const names = () => clusterNames(settings());
    const rwHost = () => names().serviceHost(names().rwService);
    let client = "";

    /** Runs a shell script in the client pod, with `input` on its stdin. */
    const inClient = (script: string, args: string[] = [], input?: string) =>
        kubectl(["exec", "-i", "-n", suite.e2e.namespace, client, "--", "sh", "-c", script, "sh", ...args], input);
    /** Connects from the client pod with these libpq settings; the exit code and psql's error. */
    const connect = async (conninfo: string, passfile = "") => {
        const result = await kubectl([
            "exec",
            "-n",
            suite.e2e.namespace,
            client,
            "--",
            "sh",
            "-c",
            `${passfile ? `unset PGPASSWORD; PGPASSFILE=${passfile} ` : ""}exec psql -X -qAt -w -d "$1" -c "SELECT ssl FROM pg_stat_ssl WHERE pid = pg_backend_pid()"`,
            "sh",
            conninfo,
        ]).catch((error: { result?: { code: number; stdout: string; stderr: string } }) => {
            if (error.result) return error.result;
            throw error;
        });
        return { ok: result.code === 0 && result.stdout.trim() === "t", stderr: result.stderr };
    };
    /** The fingerprint of the certificate a pod presents, as the client pod receives it. */
    const served = async (host: string): Promise<string> => {
        const result = await inClient('openssl s_client -starttls postgres -connect "$1:5432" </dev/null 2>/dev/null', [
            host,
        ]);
        return fingerprint(result.stdout);
    };
    const writePassfile = (file: string, user: string, password: string) =>
        inClient(`umask 077 && cat > "$1"`, [file], `*:*:*:${user}:${password.replace(/[\\:]/g, "\\$&")}\n`);

    before(async function () {
        const result = await suite.e2e.stack.up({ color: "never" });
        assert.equal(result.summary.result, "succeeded");
        await waitForCluster(suite.e2e.namespace, settings(), { streamingTimeoutMs: 120_000 });
        client = await startClientPod(suite.e2e.namespace, suite.environment.image, names().secret);
        const ca = suite.e2e.tlsAuthority;
        assert.ok(ca, "the e2e stack has a TLS Secret of its own CA");
        await inClient(`cat > ${CA_FILE}`, [], ca.certificate);
    });

    after(async function () {
        if (client) await deleteClientPod(suite.e2e.namespace, client);
    });

    it("refuses a plain connection, admits verify-full by every Service and pod name, refuses a client of another CA", async function () {
        const plain = await connect(`host=${rwHost()} sslmode=disable`);
        assert.equal(plain.ok, false, "a plain connection was admitted");
        assert.match(plain.stderr, /no pg_hba\.conf entry .*no encryption/);
        for (const name of certificateDnsNames(settings())) {
            const verified = await connect(`host=${name} sslmode=verify-full sslrootcert=${CA_FILE}`);
            assert.ok(verified.ok, `${name}: ${verified.stderr}`);
        }
        await inClient("cat > /tmp/other-ca.crt", [], makeCertificateAuthority("another CA").certificate);
        const other = await connect(`host=${rwHost()} sslmode=verify-full sslrootcert=/tmp/other-ca.crt`);
        assert.equal(other.ok, false, "a client trusting another CA connected");
        assert.match(other.stderr, /certificate verify failed/);
    });

    it("streams every standby over TLS", async function () {
        const senders = (await psqlInPod(suite.e2e.namespace, names().pod(0), WAL_SENDERS)).split(",");
        assert.deepEqual(
            senders.map((sender) => sender.split(" ").slice(0, 2).join(" ")),
            podNames(settings())
                .slice(1)
                .map((pod) => `${pod} true`),
        );
    });

    it("a renewed certificate in the Secret reaches every pod, without cutting a replication connection", async function () {
        const ca = suite.e2e.tlsAuthority!;
        const sendersBefore = await psqlInPod(suite.e2e.namespace, names().pod(0), WAL_SENDERS);
        const started = Date.now();
        const renewed = await writeTlsSecret(settings(), ca);
        const expected = fingerprint(renewed.certificate);
        for (const ordinal of podNames(settings()).keys()) {
            await waitUntil(`${names().pod(ordinal)} serves the renewed certificate`, 300_000, async () =>
                (await served(names().podHost(ordinal))) === expected ? true : undefined,
            );
        }
        console.log(
            `      the renewed certificate was served by every pod after ${((Date.now() - started) / 1000).toFixed(1)} s`,
        );
        assert.equal(await psqlInPod(suite.e2e.namespace, names().pod(0), WAL_SENDERS), sendersBefore);
    });

    it("`pulumi up` with new passwords ends with them in effect: no restart, -rw always available, standbys streaming", async function () {
        const [oldSuperuser, oldApplication] = await Promise.all(
            ["superuserPassword", "applicationPassword"].map(async (key) =>
                String((await suite.e2e.stack.getConfig(`${CONFIG_NAMESPACE}:${key}`)).value),
            ),
        );
        const fresh = () => randomBytes(24).toString("base64url");
        const next = { superuser: fresh(), replication: fresh(), application: fresh() };
        await writePassfile("/tmp/old.pgpass", "postgres", oldSuperuser);
        await writePassfile("/tmp/new.pgpass", "postgres", next.superuser);
        const pods = await podIdentities(suite.e2e.namespace, settings());
        const sendersBefore = await psqlInPod(suite.e2e.namespace, names().pod(0), WAL_SENDERS);

        await suite.e2e.stack.setAllConfig({
            [`${CONFIG_NAMESPACE}:superuserPassword`]: { value: next.superuser, secret: true },
            [`${CONFIG_NAMESPACE}:replicationPassword`]: { value: next.replication, secret: true },
            [`${CONFIG_NAMESPACE}:applicationPassword`]: { value: next.application, secret: true },
        });
        const monitor = availabilityMonitor(
            suite.e2e.namespace,
            client,
            `host=${rwHost()} sslmode=verify-full sslrootcert=${CA_FILE}`,
        );
        const started = Date.now();
        let samples: Sample[];
        try {
            const result = await suite.e2e.stack.up({ color: "never" });
            assert.equal(result.summary.result, "succeeded");
        } finally {
            samples = await monitor.stop();
        }
        const upSeconds = (Date.now() - started) / 1000;

        assert.ok(
            (await connect(`host=${rwHost()} sslmode=verify-full sslrootcert=${CA_FILE}`, "/tmp/new.pgpass")).ok,
            "the new superuser password is refused after the up",
        );
        assert.equal(
            (await connect(`host=${rwHost()} sslmode=verify-full sslrootcert=${CA_FILE}`, "/tmp/old.pgpass")).ok,
            false,
            "the old superuser password still works",
        );
        await writePassfile("/tmp/app-new.pgpass", APP_DATABASE.owner, next.application);
        await writePassfile("/tmp/app-old.pgpass", APP_DATABASE.owner, oldApplication);
        const app = `host=${rwHost()} dbname=${APP_DATABASE.name} user=${APP_DATABASE.owner} sslmode=verify-full sslrootcert=${CA_FILE}`;
        assert.ok((await connect(app, "/tmp/app-new.pgpass")).ok, "the new application password is refused");
        assert.equal((await connect(app, "/tmp/app-old.pgpass")).ok, false, "the old application password still works");

        assert.deepEqual(await podIdentities(suite.e2e.namespace, settings()), pods, "a pod was replaced");
        assert.equal(
            await psqlInPod(suite.e2e.namespace, names().pod(0), WAL_SENDERS),
            sendersBefore,
            "a standby reconnected",
        );
        const longestGap = longestUnavailable(samples);
        console.log(
            `      pulumi up with three new passwords: ${upSeconds.toFixed(1)} s; -rw sampled ${samples.length} times, longest unavailable stretch ${longestGap.toFixed(1)} s`,
        );
        assert.ok(samples.length > 10, "too few samples to say anything about -rw");
        assert.ok(
            samples.filter((sample) => !sample.ok).length <= 1,
            `-rw refused both passwords in ${samples.filter((s) => !s.ok).length} samples`,
        );
    });

    it("after pod 0 restarts, the standbys stream again with the new replication password, without a clone", async function () {
        const before = await podIdentities(suite.e2e.namespace, settings());
        await kubectl(["delete", "pod", "-n", suite.e2e.namespace, names().pod(0), "--wait=true"]);
        await waitForCluster(suite.e2e.namespace, settings(), { streamingTimeoutMs: 120_000 });
        assert.deepEqual(await streamingStandbys(suite.e2e.namespace, settings()), podNames(settings()).slice(1));
        const after = await podIdentities(suite.e2e.namespace, settings());
        for (const pod of podNames(settings()).slice(1)) {
            assert.equal(after[pod].uid, before[pod].uid, `${pod} was replaced`);
            // Its first start cloned pod 0, once.
            const log = await kubectl(["logs", "-n", suite.e2e.namespace, pod]);
            assert.equal(log.stderr.concat(log.stdout).match(/cloning the primary/g)?.length, 1, `${pod} cloned again`);
        }
    });
});

interface Sample {
    at: number;
    ok: boolean;
}

/**
 * Logs in to -rw from the client pod every 200 ms, as the superuser with the old password or else the new
 * one, until stopped: a sample fails only when neither is accepted (the server away, or no password valid).
 */
function availabilityMonitor(namespace: string, client: string, conninfo: string): { stop: () => Promise<Sample[]> } {
    const script = [
        "unset PGPASSWORD",
        "rm -f /tmp/stop-monitor",
        "while [ ! -e /tmp/stop-monitor ]; do",
        "  at=$(date +%s.%N)",
        '  if PGPASSFILE=/tmp/old.pgpass psql -X -qAt -w -d "$1" -c "SELECT 1" >/dev/null 2>&1 ||',
        '     PGPASSFILE=/tmp/new.pgpass psql -X -qAt -w -d "$1" -c "SELECT 1" >/dev/null 2>&1; then',
        '    echo "$at ok"; else echo "$at down"; fi',
        "  sleep 0.2",
        "done",
    ].join("\n");
    const child = spawn(
        "kubectl",
        ["exec", "-n", namespace, client, "--", "sh", "-c", script, "monitor", `${conninfo} connect_timeout=3`],
        {
            stdio: ["ignore", "pipe", "inherit"],
        },
    );
    let output = "";
    child.stdout.on("data", (chunk: Buffer) => (output += chunk.toString()));
    const exited = new Promise<void>((resolve) => child.on("close", () => resolve()));
    return {
        stop: async () => {
            await kubectl(["exec", "-n", namespace, client, "--", "touch", "/tmp/stop-monitor"]);
            await exited;
            return output
                .split("\n")
                .map((line) => line.split(" "))
                .filter(([at, state]) => at && state)
                .map(([at, state]) => ({ at: Number(at), ok: state === "ok" }));
        },
    };
}

/** The longest stretch, in seconds, from the first failing sample to the next good one. */
function longestUnavailable(samples: Sample[]): number {
    let longest = 0;
    let downSince: number | undefined;
    for (const sample of samples) {
        if (!sample.ok && downSince === undefined) downSince = sample.at;
        if (sample.ok && downSince !== undefined) {
            longest = Math.max(longest, sample.at - downSince);
            downSince = undefined;
        }
    }
    return longest;
}
