import { strict as assert } from "assert";

import { ClusterSettingsInput, DEFAULTS, resolveSettings } from "../../components/settings";
import { PodCluster, sleep, waitUntil } from "../support/podHarness";
import {
    TIMEOUTS,
    UTC_NOW,
    startAllExplained,
    waitForResult,
    waitForStreaming,
    writeInBatches,
} from "../support/podHarnessFixtures";
import { S3Server } from "../support/s3Server";

const PASSWORDS = { superuser: "superuser-password-for-tests", replication: "replication-password-for-tests" };
const BUCKET = "pg-ha-backups";
const CREDENTIALS = { "backup-s3": { ACCESS_KEY_ID: "test-key-id", ACCESS_SECRET_KEY: "test-secret-key" } };

/**
 * Backups to an S3-compatible object store as the program ships them (Barman Cloud: pod 0's archive_command,
 * the backup Job that has pod 0 take a base backup, the restore of a new cluster), against real PostgreSQL and
 * a real S3 API. The store outlives each cluster; the source is gone before the first restore, as in a loss.
 */
describe("backups to an object store against real PostgreSQL: archiving, base backups, retention and recovery", function () {
    this.timeout(TIMEOUTS.test);
    let s3: S3Server;
    const clusters: PodCluster[] = [];

    const settingsFor = (name: string, extra: Partial<ClusterSettingsInput> = {}) =>
        resolveSettings({
            name,
            replicas: 1,
            storage: { className: "standard", size: "1Gi" },
            backup: {
                objectStore: {
                    destinationPath: `s3://${BUCKET}/clusters`,
                    endpointURL: s3.endpoint,
                    region: "us-east-1",
                    credentials: { secretName: "backup-s3" },
                },
                archiveTimeoutSeconds: 10,
                keepBaseBackups: 2,
            },
            ...extra,
        });

    /** A cluster on the store's network (with the credentials Secret unless `secrets` says otherwise). */
    async function create(
        name: string,
        extra: Partial<ClusterSettingsInput> = {},
        secrets: Record<string, Record<string, string>> = CREDENTIALS,
    ): Promise<PodCluster> {
        const cluster = await PodCluster.create(settingsFor(name, extra), PASSWORDS, { secrets });
        clusters.push(cluster);
        s3.attach(cluster);
        return cluster;
    }

    /** A cluster on the store's network, started. */
    async function start(name: string, extra: Partial<ClusterSettingsInput> = {}): Promise<PodCluster> {
        const cluster = await create(name, extra);
        await startAllExplained(cluster);
        return cluster;
    }

    /** A restored cluster whose pod 0 must refuse: it exits non-zero. */
    async function refusedRestore(name: string): Promise<PodCluster> {
        const cluster = await create(name, { restore: { from: { name: "source" } } });
        await cluster.start(0);
        const exit = await cluster.waitForExit(0, TIMEOUTS.ready);
        assert.notEqual(exit.code, 0, `${name}-0 exited with 0`);
        return cluster;
    }

    /** Each cluster's objects are under <destinationPath>/<namespace>/<name>/, its namespace the default. */
    const namespace = DEFAULTS.namespace;
    const objects = (cluster: string, kind: "wals" | "base") =>
        s3.keys(BUCKET, `clusters/${namespace}/${cluster}/${kind}/`);
    const baseBackups = (cluster: string) =>
        objects(cluster, "base")
            .filter((key) => key.endsWith("/backup.info"))
            .map((key) => key.split("/").at(-2) ?? "")
            .sort();

    async function archiveCurrentSegment(cluster: PodCluster): Promise<string> {
        const segment = await cluster.psql(0, "SELECT pg_walfile_name(pg_current_wal_lsn())");
        await cluster.psql(0, "SELECT pg_switch_wal()");
        const name = cluster.settings.name;
        await waitUntil(
            `pod 0 archives ${segment}`,
            () => objects(name, "wals").some((key) => key.endsWith(`/${segment}`)),
            TIMEOUTS.replication,
        );
        return segment;
    }

    async function takeBaseBackup(cluster: PodCluster, first = false): Promise<void> {
        const result = await cluster.runBackupJob(0, { first });
        assert.equal(result.code, 0, `the base backup failed: ${result.stderr}\n${cluster.logs(0)}`);
    }

    before(async function () {
        s3 = await S3Server.inNetns();
        // Made by the test's own client: the endpoint is known once the server is on a cluster's network.
        s3.createBucket(BUCKET);
    });

    after(async function () {
        for (const cluster of clusters) await cluster.destroy();
        s3?.stop();
    });

    let source: PodCluster;
    let noted = "";
    let countAtNote = "";

    it("pod 0 archives each finished WAL segment to the store, with the credentials from the Secret", async () => {
        source = await start("source");
        await source.psql(0, "CREATE TABLE early AS SELECT 1 AS id");
        const segment = await archiveCurrentSegment(source);
        assert.equal(
            await source.psql(0, `SELECT last_archived_wal >= '${segment}' AND failed_count = 0 FROM pg_stat_archiver`),
            "t",
        );
        assert.equal(
            await source.psql(0, "SHOW archive_command"),
            "/bin/sh /etc/pg-ha/config/object-store.sh archive-wal %p %f",
            "no credential is on the command line",
        );
    });

    it("the first backup's Job has pod 0 take a base backup while there is none, and then leaves it to the schedule", async () => {
        await takeBaseBackup(source, true);
        const taken = baseBackups("source");
        assert.equal(taken.length, 1);
        await takeBaseBackup(source, true);
        assert.match(source.logs(0), /a base backup of timeline 1 exists already: the schedule takes the next one/);
        assert.deepEqual(baseBackups("source"), taken);
    });

    it("a base backup taken while writes run is complete, and retention keeps the newest two", async () => {
        const writer = await writeInBatches(source, "written_during_backup", 200);
        const [first] = baseBackups("source");
        await sleep(1100);
        await takeBaseBackup(source);
        assert.equal((await writer.finished).code, 0);
        await sleep(1100);
        await takeBaseBackup(source);
        const kept = baseBackups("source");
        assert.equal(kept.length, 2, `keepBaseBackups is 2: ${kept.join(", ")}`);
        assert.ok(!kept.includes(first), `the oldest, ${first}, goes`);
    });

    it("recovering a new cluster to a noted time brings back a dropped table and its rows; its standby clones it", async () => {
        await source.psql(0, "CREATE TABLE precious AS SELECT generate_series(1, 1000) AS id");
        countAtNote = await source.psql(0, "SELECT count(*) FROM precious");
        await sleep(1100);
        noted = await source.psql(0, UTC_NOW);
        await sleep(1100);
        await source.psql(0, "DROP TABLE precious");
        await archiveCurrentSegment(source);
        // Segments after it, for the test of a gap in the archive.
        for (const filler of ["filler_1", "filler_2"]) {
            await source.psql(0, `CREATE TABLE ${filler} AS SELECT 1 AS id`);
            await archiveCurrentSegment(source);
        }
        // The source is lost; its backups are in the store.
        await source.destroy();

        const recovered = await start("to-time", {
            replicas: 2,
            restore: { from: { name: "source" }, targetTime: noted },
        });
        assert.match(recovered.logs(0), /restoring base backup \d{8}T\d{6}/);
        assert.equal(await recovered.psql(0, "SELECT count(*) FROM precious"), countAtNote);
        assert.equal(await recovered.psql(0, "SELECT count(*) FROM written_during_backup"), "100000");
        assert.equal(await recovered.psql(0, "SELECT pg_is_in_recovery()"), "f", "the restored pod 0 is the primary");
        assert.equal(await recovered.psql(0, "SHOW recovery_target_time"), "", "no recovery settings are left");
        await waitForStreaming(recovered, 1);
        await waitForResult(recovered, 1, "SELECT count(*) FROM precious", countAtNote);
        await archiveCurrentSegment(recovered);
        assert.ok(
            objects("to-time", "wals").some((key) => key.endsWith(".history")),
            "it archives its own timeline to a place of its own",
        );
        await recovered.destroy();
    });

    it("recovering a new cluster to the end of the archive replays the DROP: the table is gone", async () => {
        const recovered = await start("to-end", { restore: { from: { name: "source" } } });
        assert.equal(await recovered.psql(0, "SELECT to_regclass('precious') IS NULL"), "t");
        assert.equal(await recovered.psql(0, "SELECT count(*) FROM early"), "1");
        await archiveCurrentSegment(recovered);
        await recovered.destroy();
    });

    it("a new cluster is not restored where WAL is archived already: its archive would mix with it", async () => {
        const cluster = await refusedRestore("to-time");
        assert.match(
            cluster.logs(0),
            /clusters\/postgresql\/to-time already holds WAL, of another cluster or of an earlier restore: refusing/,
        );
        await cluster.destroy();
    });

    it("a cluster without its credentials Secret runs, and says why it cannot archive", async () => {
        const cluster = await create("no-credentials", {}, {});
        await startAllExplained(cluster);
        await cluster.psql(0, "CREATE TABLE t AS SELECT 1 AS id");
        await cluster.psql(0, "SELECT pg_switch_wal()");
        await waitUntil(
            "pod 0 logs why it cannot archive",
            () =>
                /no credentials for the object store: the Secret that backup.objectStore.credentials names/.test(
                    cluster.logs(0),
                ),
            TIMEOUTS.replication,
        );
        assert.ok(await cluster.probe(0, "readiness"), "pod 0 still serves writes");
        await cluster.destroy();
    });

    it("a cluster whose place holds another's WAL refuses to archive over it, and its backup Job fails at once", async () => {
        const cluster = await start("to-end");
        await cluster.psql(0, "CREATE TABLE t AS SELECT 1 AS id");
        const before = objects("to-end", "wals");
        await cluster.psql(0, "SELECT pg_switch_wal()");
        await waitUntil(
            "pod 0 logs the refusal",
            () =>
                /already holds WAL of timeline 1 or later, of another cluster or history: refusing/.test(
                    cluster.logs(0),
                ),
            TIMEOUTS.replication,
        );
        assert.deepEqual(objects("to-end", "wals"), before, "nothing was archived over the restored cluster's WAL");
        const job = await cluster.runBackupJob(0);
        assert.notEqual(job.code, 0);
        assert.match(
            cluster.logs(0),
            /WAL archiving on pod 0 is failing since .*: no base backup is taken until it works again/,
        );
        await cluster.destroy();
    });

    it("an in-place recovery takes a cluster back to a noted time, and it archives and backs up on a new timeline", async () => {
        const cluster = await start("in-place");
        await cluster.psql(0, "CREATE TABLE kept AS SELECT generate_series(1, 100) AS id");
        await takeBaseBackup(cluster, true);
        await sleep(1100);
        const noted = await cluster.psql(0, UTC_NOW);
        await sleep(1100);
        await cluster.psql(0, "DROP TABLE kept");
        await archiveCurrentSegment(cluster);

        // The README's runbook: the restore setting, then pod 0's data directory gone and the pod restarted.
        cluster.changeSettings(settingsFor("in-place", { restore: { from: { name: "in-place" }, targetTime: noted } }));
        await cluster.kill(0);
        cluster.wipe(0);
        await cluster.start(0);
        await waitUntil("pod 0, recovered in place, is ready", () => cluster.probe(0, "readiness"), TIMEOUTS.ready);
        assert.equal(await cluster.psql(0, "SELECT count(*) FROM kept"), "100");
        assert.equal(await cluster.psql(0, "SELECT timeline_id FROM pg_control_checkpoint()"), "2");
        await cluster.psql(0, "CREATE TABLE after_recovery AS SELECT 1 AS id");
        await archiveCurrentSegment(cluster);
        assert.ok(
            objects("in-place", "wals").some((key) => key.endsWith("/00000002.history")),
            "it archives its new timeline where it restored from",
        );
        await takeBaseBackup(cluster, true);
        assert.match(cluster.logs(0), /taking a base backup of pod 0 \(timeline 2\)/);
        await cluster.destroy();
    });

    it("a segment missing from the middle of the archive fails a restore to the end, which starts over once it is back", async () => {
        const wal = objects("source", "wals")
            .filter((key) => /\/0{7}1[0-9A-F]{16}$/.test(key))
            .sort();
        // The segment of filler_1: after the newest base backup, before the newest segment.
        const missing = wal[wal.length - 2];
        s3.copyKey(BUCKET, missing, `${missing}.aside`);
        s3.deleteKey(BUCKET, missing);
        const cluster = await refusedRestore("gap");
        assert.match(cluster.logs(0), /a segment between is missing or unreadable\. Nothing was published/);
        assert.deepEqual(objects("gap", "wals"), [], "the failed restore archived nothing of its own");

        s3.copyKey(BUCKET, `${missing}.aside`, missing);
        await cluster.start(0);
        await waitUntil("the restore started over is ready", () => cluster.probe(0, "readiness"), TIMEOUTS.ready);
        assert.equal(await cluster.psql(0, "SELECT count(*) FROM filler_2"), "1");
    });
});
