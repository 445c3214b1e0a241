import { strict as assert } from "assert";
import * as fs from "fs";
import * as path from "path";
import { stringify } from "yaml";

import { clusterNames } from "../../components/naming";
import { podNames, podSelector, waitForCluster } from "./support/clusterState";
import { stackSettings } from "./support/expectedObjects";
import { UTC_NOW } from "../../tests/support/podHarnessFixtures";
import { firstBackupJobName, jobResult, printPodLogs, restoreToNotedTime } from "./support/backupSteps";
import { kubectl, psqlInPod, waitUntil } from "./support/kubectl";
import { useE2EStack } from "./support/useE2EStack";

/** The backup volume both clusters mount: one directory of the node, as one NFS export would be. */
const BACKUP_CLAIM = "pg-ha-e2e-backups";
const BACKUP_DIR = `/var/tmp/pg-ha-e2e-backups-${process.pid}`;
const RESTORED_NAMESPACE = "pg-ha-e2e-restored";
const backup = { volume: { claimName: BACKUP_CLAIM }, schedule: "0 0 1 1 *", archiveTimeoutSeconds: 10 };

/** A ReadWriteMany PersistentVolume of the node's backup directory and its claim in `namespace`. */
function backupVolumeObjects(namespace: string) {
    const volume = `${namespace}-${BACKUP_CLAIM}`;
    return [
        {
            apiVersion: "v1",
            kind: "PersistentVolume",
            metadata: { name: volume },
            spec: {
                capacity: { storage: "1Gi" },
                accessModes: ["ReadWriteMany"],
                persistentVolumeReclaimPolicy: "Retain",
                storageClassName: "",
                hostPath: { path: BACKUP_DIR, type: "Directory" },
                claimRef: { namespace, name: BACKUP_CLAIM },
            },
        },
        {
            apiVersion: "v1",
            kind: "PersistentVolumeClaim",
            metadata: { name: BACKUP_CLAIM, namespace },
            spec: {
                accessModes: ["ReadWriteMany"],
                storageClassName: "",
                volumeName: volume,
                resources: { requests: { storage: "1Gi" } },
            },
        },
    ];
}

/**
 * The backups as a user runs them: a cluster with a backup setting archives its WAL and, when its CronJob runs,
 * takes a base backup; a second stack, in another namespace, restores a new cluster from them to a time before
 * a DROP TABLE. Both mount one backup volume (a hostPath directory of the node, as two PersistentVolumes of one
 * NFS export would).
 */
describe("backups and point-in-time recovery on a real cluster", function () {
    const source = useE2EStack("local", { replicas: 2, backup });
    const restored = useE2EStack("local", { namespace: RESTORED_NAMESPACE, replicas: 2, backup }, "e2e-local-restored");
    const sourceSettings = () => stackSettings(source.e2e.config);
    const sourceNames = () => clusterNames(sourceSettings());
    const primary = () => sourceNames().pod(0);
    const inSource = (sql: string) => psqlInPod(source.e2e.namespace, primary(), sql);
    /** The time noted before the DROP TABLE, which both restores go back to. */
    let noted = "";
    const sourceDir = () => path.join(BACKUP_DIR, source.e2e.namespace, sourceSettings().name);

    async function archiveCurrentSegment(): Promise<string> {
        const segment = await inSource("SELECT pg_walfile_name(pg_current_wal_lsn())");
        await inSource("SELECT pg_switch_wal()");
        await waitUntil(`pod 0 archives ${segment}`, 120_000, () =>
            Promise.resolve(fs.existsSync(path.join(sourceDir(), "wal", segment)) ? true : undefined),
        );
        return segment;
    }

    before(async function () {
        const { postgresUid, postgresGid } = sourceSettings();
        fs.mkdirSync(BACKUP_DIR, { recursive: true });
        fs.chownSync(BACKUP_DIR, postgresUid, postgresGid);
        fs.chmodSync(BACKUP_DIR, 0o770);
        const objects = [source.e2e.namespace, RESTORED_NAMESPACE].flatMap(backupVolumeObjects);
        await kubectl(["apply", "-f", "-"], objects.map((object) => stringify(object)).join("---\n"));
        const result = await source.e2e.stack.up({ color: "never" });
        assert.equal(result.summary.result, "succeeded");
        await waitForCluster(source.e2e.namespace, sourceSettings());
    });

    afterEach(async function () {
        if (this.currentTest?.state === "failed") await printPodLogs([source.e2e.namespace, RESTORED_NAMESPACE]);
    });

    after(async function () {
        // After both stacks' own clean-up (mocha runs a suite's after hooks in order, theirs first).
        const volumes = [source.e2e.namespace, RESTORED_NAMESPACE].map((namespace) => `${namespace}-${BACKUP_CLAIM}`);
        await kubectl(["delete", "persistentvolume", "--ignore-not-found", ...volumes]).catch(() => undefined);
        fs.rmSync(BACKUP_DIR, { recursive: true, force: true });
    });

    it("pod 0 archives its WAL to the backup volume", async function () {
        await inSource("CREATE TABLE early AS SELECT 1 AS id");
        const segment = await archiveCurrentSegment();
        assert.equal(
            await inSource(`SELECT failed_count = 0 AND last_archived_wal >= '${segment}' FROM pg_stat_archiver`),
            "t",
        );
    });

    /** Waits until the Job ends; returns its pod's log, and fails with it unless the Job succeeded. */
    async function jobLog(namespace: string, job: string): Promise<string> {
        const { succeeded, log } = await jobResult(namespace, job);
        assert.ok(succeeded, `Job ${job} failed; its log:\n${log}`);
        return log;
    }

    const finishedBackups = () =>
        fs.readdirSync(path.join(sourceDir(), "base")).filter((name) => /^\d{8}T\d{6}Z$/.test(name));

    it("the first backup's Job takes a base backup at once, and a Job of the CronJob another", async function () {
        const namespace = source.e2e.namespace;
        const first = await firstBackupJobName(namespace, sourceSettings().name);
        assert.match(await jobLog(namespace, first), /base backup \d{8}T\d{6}Z is verified and kept/);
        assert.equal(finishedBackups().length, 1);

        const job = "e2e-base-backup";
        await kubectl(["create", "job", "-n", namespace, job, `--from=cronjob/${sourceNames().backupCronJob}`]);
        assert.match(await jobLog(namespace, job), /base backup \d{8}T\d{6}Z is verified and kept/);
        assert.equal(finishedBackups().length, 2);
    });

    it("a new cluster restored to a noted time has the table a later DROP removed, and its standby streams", async function () {
        await inSource("CREATE TABLE precious AS SELECT generate_series(1, 5000) AS id");
        await new Promise((resolve) => setTimeout(resolve, 2000));
        noted = await inSource(UTC_NOW);
        await new Promise((resolve) => setTimeout(resolve, 2000));
        await inSource("DROP TABLE precious");
        await archiveCurrentSegment();

        await restoreToNotedTime(restored.e2e, source.e2e, noted, "5000");
        assert.equal(await inSource("SELECT to_regclass('precious') IS NULL"), "t", "the source cluster is untouched");
    });

    it("the README's in-place recovery takes the source stack back to the noted time: the dropped table is back", async function () {
        const namespace = source.e2e.namespace;
        const settings = sourceSettings();
        const names = sourceNames();
        source.e2e.changeSettings({ restore: { from: { name: settings.name }, targetTime: noted } });
        const rolled = await source.e2e.stack.up({ color: "never" });
        assert.equal(rolled.summary.result, "succeeded");
        await waitForCluster(namespace, stackSettings(source.e2e.config));
        assert.equal(await inSource("SELECT to_regclass('precious') IS NULL"), "t", "pods with data ignore restore");

        const stamp = Date.now();
        for (const pod of podNames(settings)) {
            await kubectl([
                "exec",
                "-n",
                namespace,
                pod,
                "--",
                "sh",
                "-c",
                `mv "$PGDATA" "$PGDATA.before-restore-${stamp}"`,
            ]);
        }
        // As the README says: no pod may refer to the record when it is deleted (see "Re-initialising a cluster").
        await kubectl(["scale", "statefulset", "-n", namespace, names.statefulSet, "--replicas=0"]);
        await kubectl(["wait", "-n", namespace, "--for=delete", "pod", "-l", podSelector(settings), "--timeout=10m"]);
        await kubectl(["delete", "configmap", "-n", namespace, names.initialisedMarker]);
        await kubectl(["scale", "statefulset", "-n", namespace, names.statefulSet, `--replicas=${settings.replicas}`]);
        await waitForCluster(namespace, stackSettings(source.e2e.config), { timeoutMs: 600_000 });
        const refreshed = await source.e2e.stack.up({ color: "never", refresh: true });
        assert.equal(refreshed.summary.result, "succeeded");

        const log = (await kubectl(["logs", "-n", namespace, names.pod(0)])).stdout;
        assert.match(log, /restoring base backup \d{8}T\d{6}Z/);
        for (const pod of podNames(settings)) {
            assert.equal(await psqlInPod(namespace, pod, "SELECT count(*) FROM precious"), "5000", pod);
        }
        const marker = await kubectl(["get", "configmap", "-n", namespace, names.initialisedMarker, "-o", "name"]);
        assert.equal(
            marker.stdout.trim(),
            `configmap/${names.initialisedMarker}`,
            "the up recorded the restored cluster",
        );
    });
});
