import { strict as assert } from "assert";
import * as fs from "fs";

import { TIMEOUTS, usePodCluster, waitForStreaming } from "../support/podHarnessFixtures";
import { waitUntil } from "../support/podHarness";

const PASSWORDS = { superuser: "superuser-password-0123", replication: "replication-password-0123" };

/** Whether the standby's WAL receiver currently streams from pod 0. */
async function receiverStreams(psql: (sql: string) => Promise<string>): Promise<boolean> {
    return (await psql("SELECT count(*) FROM pg_stat_wal_receiver WHERE status = 'streaming'")) === "1";
}

/**
 * A primary that vanishes without a reset (its node unreachable, or pod 0 back on a new address while the
 * old one silently drops packets): the standby must not hang on the dead connection for minutes.
 */
describe("replication against real PostgreSQL: a primary that vanishes without a reset", function () {
    this.timeout(TIMEOUTS.test);
    const pods = usePodCluster(
        { replicas: 2, storage: { className: "standard" }, primaryWaitTimeoutSeconds: 60 },
        PASSWORDS,
    );

    before(async function () {
        this.timeout(TIMEOUTS.test);
        await pods.cluster.startAll();
        await waitForStreaming(pods.cluster, 1);
    });

    it("drops the dead connection within 15 s and streams again within 15 s of the primary answering", async () => {
        const { cluster } = pods;
        cluster.disconnect(0);
        const cut = Date.now();
        try {
            await waitUntil(
                "the standby to notice its primary is gone",
                async () => !(await receiverStreams((sql) => cluster.psql(1, sql))),
                15000,
            );
        } finally {
            cluster.reconnect(0);
        }
        const noticed = Date.now() - cut;
        const back = Date.now();
        await waitUntil("the standby to stream again", () => receiverStreams((sql) => cluster.psql(1, sql)), 15000);
        console.log(`      noticed after ${noticed} ms; streaming again ${Date.now() - back} ms after reconnecting`);
    });

    it("pod 0 back on a new address, while the old one drops packets without a reset: the standby streams again within 10 s of pod 0 being ready", async () => {
        const { cluster } = pods;
        const oldAddress = cluster.address(0);
        // Pod 0's node goes first: its connection's close never reaches the standby.
        cluster.disconnect(0);
        await cluster.kill(0);
        cluster.moveToNewAddress(0);
        cluster.reconnect(0);
        assert.notEqual(cluster.address(0), oldAddress);
        await cluster.start(0);
        await waitUntil("postgresql-0 is ready on its new address", () => cluster.probe(0, "readiness"), 60000, 100);
        const ready = Date.now();
        // The standby's own view may still say "streaming" over the dead connection: ask the new pod 0.
        await waitUntil(
            "the new pod 0 to list the standby as streaming",
            async () =>
                (await cluster.psql(
                    0,
                    "SELECT state FROM pg_stat_replication WHERE application_name = 'postgresql-1'",
                )) === "streaming",
            10000,
            100,
        );
        console.log(`      streaming again ${Date.now() - ready} ms after pod 0 was ready on ${cluster.address(0)}`);
    });

    it("bounds the standby's connection to the primary, also for a standby cloned before the bound existed", async () => {
        const { cluster } = pods;
        const autoConf = `${cluster.dataVolume(1)}/pgdata/postgresql.auto.conf`;
        // What an older version wrote: no connect_timeout, no keepalives.
        const old = fs
            .readFileSync(autoConf, "utf8")
            .replace(
                /^primary_conninfo = '([^']*)'$/m,
                (_, conninfo: string) =>
                    `primary_conninfo = '${conninfo.replace(/ (connect_timeout|keepalives\w*|tcp_user_timeout)=\S+/g, "")}'`,
            );
        fs.writeFileSync(autoConf, old);
        assert.doesNotMatch(fs.readFileSync(autoConf, "utf8"), /connect_timeout/);
        await cluster.restart(1);
        await waitForStreaming(cluster, 1);
        const conninfo = await cluster.psql(1, "SHOW primary_conninfo");
        for (const option of [
            "connect_timeout=5",
            "keepalives=1",
            "tcp_user_timeout=5000",
            "application_name=",
            // The -rw Service's address, looked up at the start: no DNS lookup at each reconnect.
            `hostaddr=${cluster.rwAddress}`,
        ]) {
            assert.ok(conninfo.includes(option), `${option} in ${conninfo}`);
        }
        assert.match(fs.readFileSync(autoConf, "utf8"), /^primary_slot_name = /m);
        assert.equal((fs.readFileSync(autoConf, "utf8").match(/^primary_conninfo/gm) ?? []).length, 1);
    });

    it("follows the -rw Service re-created on another address: its readiness probe points the standby at it", async () => {
        const { cluster } = pods;
        cluster.recreateRwService();
        // A connection made before keeps going (kube-proxy's conntrack entry): pod 0's restart ends it.
        await cluster.restart(0);
        const probe = setInterval(() => void cluster.probe(1, "readiness").catch(() => undefined), 1000);
        try {
            await waitUntil(
                "pod 0 to list the standby as streaming again",
                async () =>
                    (await cluster.psql(
                        0,
                        "SELECT state FROM pg_stat_replication WHERE application_name = 'postgresql-1'",
                    )) === "streaming" &&
                    (await cluster.psql(1, "SHOW primary_conninfo")).includes(`hostaddr=${cluster.rwAddress}`),
                30000,
            );
        } finally {
            clearInterval(probe);
        }
    });
});
