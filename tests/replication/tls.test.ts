import { strict as assert } from "assert";
import * as fs from "fs";
import * as path from "path";

import { certificateDnsNames } from "../../components/naming";
import { resolveSettings } from "../../components/settings";
import { POD_PATHS } from "../../components/specs/podPaths";
import { TLS_FILES } from "../../components/specs/tls";
import { fingerprint, issueServerCertificate, makeCertificateAuthority } from "../support/certificates";
import { CommandResult } from "../support/podHarness";
import { TIMEOUTS, rows, usePodCluster, waitForResult, waitForStreaming } from "../support/podHarnessFixtures";

const PASSWORDS = { superuser: "superuser-password-for-tls", replication: "replication-password-for-tls" };
const SETTINGS = { replicas: 3, storage: { className: "standard" } };
const CA = makeCertificateAuthority();
const DNS_NAMES = certificateDnsNames(resolveSettings(SETTINGS));

/** TLS as the default settings turn it on: the pods mount a certificate for every name, signed by a CA. */
describe("replication against real PostgreSQL: TLS for clients and replication", function () {
    this.timeout(TIMEOUTS.test);
    const pods = usePodCluster(SETTINGS, PASSWORDS, { tls: issueServerCertificate(CA, DNS_NAMES) });

    /** A client in pod `from`, over TCP as the superuser, with these libpq settings. */
    const connect = (from: number, conninfo: string): Promise<CommandResult> =>
        pods.cluster.exec(
            from,
            [
                "psql",
                "-X",
                "-A",
                "-t",
                "-d",
                `${conninfo} user=postgres dbname=postgres`,
                "-c",
                "SELECT ssl FROM pg_stat_ssl WHERE pid = pg_backend_pid()",
            ],
            {
                env: { PGPASSWORD: PASSWORDS.superuser },
            },
        );
    const rwHost = () => pods.cluster.names.serviceHost(pods.cluster.names.rwService);

    /** The certificate pod `ordinal` presents, as a client on pod 0 receives it. */
    const servedFingerprint = async (ordinal: number): Promise<string> => {
        const result = await pods.cluster.exec(0, [
            "sh",
            "-c",
            `openssl s_client -starttls postgres -connect ${pods.cluster.address(ordinal)}:5432 </dev/null 2>/dev/null`,
        ]);
        assert.equal(result.code, 0, result.stderr);
        return fingerprint(result.stdout);
    };

    before(async function () {
        this.timeout(TIMEOUTS.test);
        await pods.cluster.startAll();
        await waitForStreaming(pods.cluster, 1);
        await waitForStreaming(pods.cluster, 2);
    });

    it("refuses a plain TCP connection", async () => {
        const result = await connect(1, `host=${rwHost()} sslmode=disable`);
        assert.notEqual(result.code, 0, "a plain connection was admitted");
        assert.match(result.stderr, /no pg_hba\.conf entry .*no encryption/);
    });

    it("admits verify-full with the cluster's CA by every Service and pod name the certificate lists", async () => {
        for (const name of DNS_NAMES) {
            const result = await connect(1, `host=${name} sslmode=verify-full sslrootcert=${TLS_FILES.ca}`);
            assert.equal(result.code, 0, `${name}: ${result.stderr}`);
            assert.equal(result.stdout.trim(), "t", `${name}: not encrypted`);
        }
    });

    it("refuses a client that trusts another CA", async () => {
        const other = makeCertificateAuthority("another CA");
        const file = path.join(pods.cluster.hostPath(1, POD_PATHS.tmp), "other-ca.crt");
        fs.writeFileSync(file, other.certificate);
        const result = await connect(
            1,
            `host=${rwHost()} sslmode=verify-full sslrootcert=${POD_PATHS.tmp}/other-ca.crt`,
        );
        assert.notEqual(result.code, 0, "a client trusting another CA connected");
        assert.match(result.stderr, /certificate verify failed/);
    });

    it("streams every standby over an encrypted connection that verifies pod 0's certificate", async () => {
        const senders = rows(
            await pods.cluster.psql(
                0,
                "SELECT r.application_name || ' ' || s.ssl FROM pg_stat_replication r JOIN pg_stat_ssl s USING (pid) ORDER BY 1",
            ),
        );
        assert.deepEqual(senders, ["postgresql-1 true", "postgresql-2 true"]);
        for (const ordinal of [1, 2]) {
            assert.match(await pods.cluster.psql(ordinal, "SHOW primary_conninfo"), /sslmode=verify-full/);
        }
    });

    it("a renewed certificate reaches every pod through a reload, and the standbys stream throughout and after pod 0 restarts", async () => {
        const { cluster } = pods;
        const renewed = issueServerCertificate(CA, DNS_NAMES);
        assert.notEqual(fingerprint(renewed.certificate), await servedFingerprint(0));
        const pidsBefore = await cluster.psql(
            0,
            "SELECT string_agg(pid::text, ',' ORDER BY pid) FROM pg_stat_replication",
        );
        cluster.setTls(renewed);
        for (let ordinal = 0; ordinal < cluster.replicas; ordinal++) {
            assert.ok(await cluster.probe(ordinal, "readiness"), `${cluster.podName(ordinal)} ready after the renewal`);
            assert.equal(
                await servedFingerprint(ordinal),
                fingerprint(renewed.certificate),
                `${cluster.podName(ordinal)} serves the renewed certificate`,
            );
        }
        assert.equal(
            await cluster.psql(0, "SELECT string_agg(pid::text, ',' ORDER BY pid) FROM pg_stat_replication"),
            pidsBefore,
            "a replication connection was cut by the renewal",
        );
        assert.match(cluster.logs(0), /LOG: {2}pg-ha: the TLS Secret changed: reloaded the certificate/);

        await cluster.restart(0);
        await waitForStreaming(cluster, 1);
        await waitForStreaming(cluster, 2);
        await cluster.psql(0, "CREATE TABLE after_renewal AS SELECT 1 AS id");
        await waitForResult(cluster, 2, "SELECT count(*) FROM after_renewal", "1");
    });
});

/**
 * A new CA reaches the pods by a rolling update (TLS mode "generated" switched to a Secret of the user's, or
 * the other way): the standbys restart first with the new CA while pod 0 still presents its old certificate.
 */
describe("replication against real PostgreSQL: a new CA rolled out", function () {
    this.timeout(TIMEOUTS.test);
    const pods = usePodCluster(SETTINGS, PASSWORDS, { tls: issueServerCertificate(CA, DNS_NAMES) });
    const NEW_CA = makeCertificateAuthority("the user's own CA");
    const trustedCa = async (ordinal: number) =>
        (await pods.cluster.exec(ordinal, ["cat", `${POD_PATHS.runtime}/trusted-ca.crt`])).stdout;

    before(async function () {
        this.timeout(TIMEOUTS.test);
        await pods.cluster.startAll();
        await waitForStreaming(pods.cluster, 1);
        await waitForStreaming(pods.cluster, 2);
    });

    it("the standbys, restarted first with the new CA, still verify pod 0's certificate of the old one and stream", async () => {
        const { cluster } = pods;
        cluster.changeSettings(
            resolveSettings({ ...SETTINGS, tls: { mode: "secret", secretName: "from-cert-manager" } }),
            { tls: issueServerCertificate(NEW_CA, DNS_NAMES) },
        );
        for (const ordinal of [2, 1]) {
            await cluster.restart(ordinal);
            await waitForStreaming(cluster, ordinal);
            assert.match(await cluster.psql(ordinal, "SHOW primary_conninfo"), /sslmode=verify-full/);
        }
    });

    it("once pod 0 presents the new CA's certificate, the standbys stream with it and trust the new CA alone", async () => {
        const { cluster } = pods;
        await cluster.restart(0);
        for (const ordinal of [1, 2]) {
            await waitForStreaming(cluster, ordinal);
            await cluster.waitUntil(
                `${cluster.podName(ordinal)} trusts the new CA alone`,
                async () =>
                    (await cluster.probe(ordinal, "readiness")) && (await trustedCa(ordinal)) === NEW_CA.certificate,
                TIMEOUTS.ready,
            );
        }
        assert.match(cluster.logs(1), /the CA it had before is no longer trusted/);
        await cluster.restart(1);
        await waitForStreaming(cluster, 1);
        assert.equal(await trustedCa(1), NEW_CA.certificate);
        await cluster.psql(0, "CREATE TABLE after_new_ca AS SELECT 1 AS id");
        await waitForResult(cluster, 1, "SELECT count(*) FROM after_new_ca", "1");
    });
});
