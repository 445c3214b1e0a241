import { strict as assert } from "assert";

import { ClusterSettingsInput, resolveSettings } from "../../components/settings";
import { TIMEOUTS, rows, usePodCluster, waitForResult, waitForStreaming } from "../support/podHarnessFixtures";

const PASSWORDS = { superuser: "superuser-password-tls-on", replication: "replication-password-tls-on" };
/** The sslmode a conninfo string asks for: its last one. */
const effectiveSslmode = (conninfo: string) => [...conninfo.matchAll(/sslmode=(\S+)/g)].pop()?.[1];

const BEFORE: ClusterSettingsInput = { replicas: 3, storage: { className: "standard" }, tls: { mode: "disabled" } };

/**
 * An existing cluster without TLS gets it (the upgrade to a version with TLS on by default, or
 * `tls.mode` changed): the rolling update restarts the standbys first, while pod 0 still serves no TLS.
 */
describe("replication against real PostgreSQL: TLS turned on for a running cluster", function () {
    this.timeout(TIMEOUTS.test);
    const pods = usePodCluster(BEFORE, PASSWORDS);
    const senders = () =>
        pods.cluster.psql(
            0,
            "SELECT r.application_name || ' ' || s.ssl FROM pg_stat_replication r JOIN pg_stat_ssl s USING (pid) WHERE r.state = 'streaming' ORDER BY 1",
        );

    before(async function () {
        this.timeout(TIMEOUTS.test);
        await pods.cluster.startAll();
        await waitForStreaming(pods.cluster, 1);
        await waitForStreaming(pods.cluster, 2);
        assert.deepEqual(rows(await senders()), ["postgresql-1 false", "postgresql-2 false"]);
    });

    it("the standbys, restarted first, stream on from pod 0 without TLS meanwhile", async () => {
        const { cluster } = pods;
        cluster.changeSettings(resolveSettings({ ...BEFORE, tls: { mode: "generated" } }));
        for (const ordinal of [2, 1]) {
            await cluster.restart(ordinal);
            await waitForStreaming(cluster, ordinal);
            assert.match(
                cluster.logs(ordinal, { sinceLastStart: true }),
                /pod 0 offers no TLS yet \(TLS was just turned on\): streaming with sslmode=prefer/,
            );
        }
    });

    it("once pod 0 restarts with TLS, every standby switches to verify-full by itself and streams encrypted", async () => {
        const { cluster } = pods;
        await cluster.restart(0);
        for (const ordinal of [1, 2]) {
            await cluster.waitUntil(
                `${cluster.podName(ordinal)} streams with verify-full`,
                async () =>
                    (await cluster.probe(ordinal, "readiness")) &&
                    effectiveSslmode(await cluster.psql(ordinal, "SHOW primary_conninfo")) === "verify-full",
                TIMEOUTS.ready,
            );
            await waitForStreaming(cluster, ordinal);
        }
        await cluster.waitUntil(
            "both walsenders encrypted",
            async () => (await senders()) === "postgresql-1 true\npostgresql-2 true",
            TIMEOUTS.replication,
        );
        assert.match(
            cluster.logs(1),
            /pg-ha: pod 0 presents a certificate signed by the cluster's CA: streaming with sslmode=verify-full from now on/,
        );
        await cluster.psql(0, "CREATE TABLE after_tls AS SELECT 1 AS id");
        await waitForResult(cluster, 2, "SELECT count(*) FROM after_tls", "1");
    });

    it("a standby that streamed with verify-full restarts straight into verify-full", async () => {
        const { cluster } = pods;
        await cluster.restart(1);
        await waitForStreaming(cluster, 1);
        assert.doesNotMatch(cluster.logs(1, { sinceLastStart: true }), /streaming with sslmode=prefer/);
        assert.equal(effectiveSslmode(await cluster.psql(1, "SHOW primary_conninfo")), "verify-full");
    });
});
