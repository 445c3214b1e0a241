import { strict as assert } from "assert";
import * as fs from "fs";

import { waitUntil } from "../support/podHarness";
import { TIMEOUTS, systemIdentifier, usePodCluster, waitForStreaming } from "../support/podHarnessFixtures";

const PASSWORDS = { superuser: "superuser-password-for-tests", replication: "replication-password-for-tests" };
const REFUSAL =
    /the data volume is empty, but this cluster was initialised before \(ConfigMap postgresql\/postgresql-initialised\): refusing to initialise a new, empty primary/;

/**
 * Pod 0 initialises an empty volume only for a new cluster. Once `pulumi up` has recorded the cluster as
 * initialised (a ConfigMap outside every volume), an empty volume is a lost or wrong one: an NFS export of an
 * unmounted mount point, a typo in a path, a re-provisioned claim. Whether the standbys run (a restart of the
 * whole StatefulSet) or can be found (a DNS outage) no longer matters.
 */
describe("replication against real PostgreSQL: creating a cluster is an explicit intent", function () {
    this.timeout(TIMEOUTS.test);
    const pods = usePodCluster({ replicas: 2, storage: { className: "standard" } }, PASSWORDS);
    const onlyTheLock = () => assert.deepEqual(fs.readdirSync(pods.cluster.dataVolume(0)), [".pg-ha-lock"]);

    async function refusesToInitialise(): Promise<void> {
        const { cluster } = pods;
        await cluster.start(0);
        const status = await cluster.waitForExit(0, TIMEOUTS.ready);
        assert.notEqual(status.code, 0);
        assert.match(cluster.logs(0, { sinceLastStart: true }), REFUSAL);
        onlyTheLock();
    }

    it("a new cluster, never recorded, initialises pod 0's empty volume", async () => {
        const { cluster } = pods;
        await cluster.startAll();
        await waitForStreaming(cluster, 1);
        assert.match(cluster.logs(0), /initialising a new cluster/);
        cluster.recordInitialised();
    });

    it("a recorded cluster's pod 0 restarts on its data as before", async () => {
        const { cluster } = pods;
        const identifier = await systemIdentifier(cluster, 0);
        await cluster.restart(0);
        await waitUntil("postgresql-0 is ready", () => cluster.probe(0, "readiness"), TIMEOUTS.ready);
        assert.equal(await systemIdentifier(cluster, 0), identifier);
    });

    it("a recorded cluster's pod 0 refuses an empty volume while no standby runs (the whole StatefulSet restarted)", async () => {
        const { cluster } = pods;
        await cluster.kill(1);
        await cluster.kill(0);
        cluster.wipe(0);
        await refusesToInitialise();
    });

    it("a recorded cluster's pod 0 refuses an empty volume while the cluster DNS is down", async () => {
        const { cluster } = pods;
        await cluster.start(1);
        cluster.setDnsDown(true);
        try {
            await refusesToInitialise();
        } finally {
            cluster.setDnsDown(false);
        }
        // Just started: its server may still be opening its socket, as the kubelet's failure threshold allows.
        await waitUntil("the standby with the data lives on", () => cluster.probe(1, "liveness"), TIMEOUTS.ready);
    });

    it("deleting the record lets pod 0 initialise again, on purpose", async () => {
        const { cluster } = pods;
        await cluster.kill(1);
        cluster.forgetInitialised();
        await cluster.start(0);
        await waitUntil("postgresql-0 is ready", () => cluster.probe(0, "readiness"), TIMEOUTS.ready);
        assert.match(cluster.logs(0, { sinceLastStart: true }), /initialising a new cluster/);
    });

    it("a new cluster's pod 0 does not initialise while the DNS cannot list the pods: it gives up within a minute, saying why, and initialises once the DNS answers", async () => {
        const { cluster } = pods;
        await cluster.kill(0);
        cluster.wipe(0);
        cluster.setDnsDown(true);
        try {
            await cluster.start(0);
            // One name per possible ordinal, each waiting out the resolver (5 s, twice, for IPv6 and IPv4), took
            // ten minutes here before it initialised, blind.
            const status = await cluster.waitForExit(0, 60000);
            assert.notEqual(status.code, 0);
            assert.match(
                cluster.logs(0, { sinceLastStart: true }),
                /the cluster DNS did not list this pod among the pods of postgresql-hl\.postgresql\.svc\.cluster\.local\. within 30s: refusing to initialise/,
            );
            onlyTheLock();
        } finally {
            cluster.setDnsDown(false);
        }
        await cluster.start(0);
        await waitUntil("postgresql-0 is ready", () => cluster.probe(0, "readiness"), TIMEOUTS.ready);
        assert.match(cluster.logs(0, { sinceLastStart: true }), /initialising a new cluster/);
    });
});
