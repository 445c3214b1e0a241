import { strict as assert } from "assert";
import { stringify } from "yaml";

import { clusterNames } from "../../components/naming";
import { TOPOLOGY } from "../cluster/topology";
import { S3Server } from "../../tests/support/s3Server";
import { waitForCluster } from "./support/clusterState";
import { stackSettings } from "./support/expectedObjects";
import { UTC_NOW } from "../../tests/support/podHarnessFixtures";
import { firstBackupJobName, jobResult, printPodLogs, restoreToNotedTime } from "./support/backupSteps";
import { kubectl, psqlInPod, waitUntil } from "./support/kubectl";
import { useE2EStack } from "./support/useE2EStack";

const BUCKET = "pg-ha-e2e";
/** Off the node's usual ports; on the node's address, which the pods reach (their gateway). */
const S3_PORT = 19000;
const RESTORED_NAMESPACE = "pg-ha-e2e-restored-s3";
const CREDENTIALS_SECRET = "backup-s3";
const backup = {
    objectStore: {
        destinationPath: `s3://${BUCKET}/clusters`,
        endpointURL: `http://${TOPOLOGY.nodeIP}:${S3_PORT}`,
        region: "us-east-1",
        credentials: { secretName: CREDENTIALS_SECRET },
    },
    schedule: "0 0 1 1 *",
    archiveTimeoutSeconds: 10,
};

/** The namespace, and the user's Secret of the store's credentials in it, as a user makes them before `up`. */
const namespaceWithCredentials = (namespace: string) => [
    { apiVersion: "v1", kind: "Namespace", metadata: { name: namespace } },
    {
        apiVersion: "v1",
        kind: "Secret",
        metadata: { name: CREDENTIALS_SECRET, namespace },
        stringData: { ACCESS_KEY_ID: "e2e-key-id", ACCESS_SECRET_KEY: "e2e-secret-key" },
    },
];

/**
 * Backups to an S3-compatible object store as a user runs them, with Barman Cloud in the image: a cluster
 * archives its WAL to the bucket and its backup Jobs have pod 0 take base backups there; a second stack, in
 * another namespace, restores a new cluster from them to a time before a DROP TABLE. The store is an S3 server
 * on the node's address.
 */
describe("backups to an object store on a real cluster", function () {
    let s3: S3Server | undefined;
    const source = useE2EStack("local", { replicas: 2, backup });
    const restored = useE2EStack("local", { namespace: RESTORED_NAMESPACE, replicas: 2, backup }, "e2e-local-s3");
    const sourceSettings = () => stackSettings(source.e2e.config);
    const sourceNames = () => clusterNames(sourceSettings());
    const inSource = (sql: string) => psqlInPod(source.e2e.namespace, sourceNames().pod(0), sql);
    const objects = (kind: "wals" | "base") =>
        s3?.keys(BUCKET, `clusters/${source.e2e.namespace}/${sourceSettings().name}/${kind}/`) ?? [];

    async function archiveCurrentSegment(): Promise<string> {
        const segment = await inSource("SELECT pg_walfile_name(pg_current_wal_lsn())");
        await inSource("SELECT pg_switch_wal()");
        await waitUntil(`pod 0 archives ${segment}`, 120_000, () =>
            Promise.resolve(objects("wals").some((key) => key.endsWith(`/${segment}`)) ? true : undefined),
        );
        return segment;
    }

    /** Waits until the Job ends; fails with its log and pod 0's unless it succeeded. */
    async function jobSucceeds(namespace: string, job: string): Promise<void> {
        const { succeeded, log } = await jobResult(namespace, job);
        if (!succeeded) {
            const primary = (await kubectl(["logs", "-n", namespace, sourceNames().pod(0), "--tail=40"])).stdout;
            assert.fail(`Job ${job} failed; its log:\n${log}\npod 0's:\n${primary}`);
        }
    }

    const finishedBackups = () => objects("base").filter((key) => key.endsWith("/backup.info"));

    before(async function () {
        s3 = await S3Server.onHost(TOPOLOGY.nodeIP, S3_PORT);
        s3.createBucket(BUCKET);
        const made = [source.e2e.namespace, RESTORED_NAMESPACE].flatMap(namespaceWithCredentials);
        await kubectl(["apply", "-f", "-"], made.map((object) => stringify(object)).join("---\n"));
        const result = await source.e2e.stack.up({ color: "never" });
        assert.equal(result.summary.result, "succeeded");
        await waitForCluster(source.e2e.namespace, sourceSettings());
    });

    afterEach(async function () {
        if (this.currentTest?.state === "failed") await printPodLogs([source.e2e.namespace, RESTORED_NAMESPACE]);
    });

    after(function () {
        // After both stacks' own clean-up (mocha runs a suite's after hooks in order, theirs first).
        s3?.stop();
    });

    it("pod 0 archives its WAL to the bucket, with the credentials from the user's Secret", async function () {
        await inSource("CREATE TABLE early AS SELECT 1 AS id");
        const segment = await archiveCurrentSegment();
        assert.equal(
            await inSource(`SELECT failed_count = 0 AND last_archived_wal >= '${segment}' FROM pg_stat_archiver`),
            "t",
        );
    });

    it("the first backup's Job has pod 0 take a base backup at once, and a Job of the CronJob another", async function () {
        const namespace = source.e2e.namespace;
        await jobSucceeds(namespace, await firstBackupJobName(namespace, sourceSettings().name));
        assert.equal(finishedBackups().length, 1);

        const job = "e2e-object-store-backup";
        await kubectl(["create", "job", "-n", namespace, job, `--from=cronjob/${sourceNames().backupCronJob}`]);
        await jobSucceeds(namespace, job);
        assert.equal(finishedBackups().length, 2);
        const log = (await kubectl(["logs", "-n", namespace, sourceNames().pod(0)])).stdout;
        assert.match(log, /pg-ha object-store: the base backup is uploaded/);
    });

    it("a new cluster restored to a noted time has the table a later DROP removed, and its standby streams", async function () {
        await inSource("CREATE TABLE precious AS SELECT generate_series(1, 5000) AS id");
        await new Promise((resolve) => setTimeout(resolve, 2000));
        const noted = await inSource(UTC_NOW);
        await new Promise((resolve) => setTimeout(resolve, 2000));
        await inSource("DROP TABLE precious");
        await archiveCurrentSegment();

        await restoreToNotedTime(restored.e2e, source.e2e, noted, "5000");
        assert.equal(await inSource("SELECT to_regclass('precious') IS NULL"), "t", "the source cluster is untouched");
    });
});
