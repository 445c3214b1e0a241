import { resolveSettings } from "../components/settings";
import { PodCluster, waitUntil } from "../tests/support/podHarness";
import { S3Server } from "../tests/support/s3Server";
import { archiveLagUnderLoad, baseBackupsAgainstCopies, trickleRpo } from "./backup";
import { CLONE_SCALE, PGBENCH_INIT } from "./clone";
import { BENCH_PASSWORDS, execOrFail, now, requireHarness, withCluster } from "./pods";
import { Row } from "./report";
import { summarize } from "./stats";

const BUCKET = "bench";
const ARCHIVE_TIMEOUT_SECONDS = 10;
const TIMEOUT_MS = 900000;
const secrets = { "bench-s3": { ACCESS_KEY_ID: "bench", ACCESS_SECRET_KEY: "bench" } };

/**
 * Section "backup-s3": the "backup" section's figures with `backup.objectStore` (Barman Cloud to an S3 server,
 * moto's, on the pod network): the base backup Job against `cp -a` + `sync`, archive lag under pgbench (one
 * Barman process per segment), the RPO under a trickle of writes, and a restore of a new cluster once the
 * source is gone. moto keeps objects in memory: a real store adds its network and disks.
 */
export async function objectStoreBackupBenchmark(runs: number): Promise<Row[]> {
    requireHarness("backup-s3");
    const s3 = await S3Server.inNetns();
    try {
        s3.createBucket(BUCKET);
        const backup = {
            objectStore: {
                destinationPath: `s3://${BUCKET}`,
                endpointURL: s3.endpoint,
                region: "us-east-1",
                credentials: { secretName: "bench-s3" },
            },
            archiveTimeoutSeconds: ARCHIVE_TIMEOUT_SECONDS,
            keepBaseBackups: 1,
        };
        const storage = { className: "standard" };
        const measured = await withCluster(
            { replicas: 1, storage, backup },
            async (cluster) => {
                s3.attach(cluster);
                await cluster.startAll();
                console.log(`backup-s3: pgbench -i -s ${CLONE_SCALE} on pod 0 …`);
                await execOrFail(cluster, 0, PGBENCH_INIT, TIMEOUT_MS);
                const { backups, copies } = await baseBackupsAgainstCopies(cluster, runs, "backup-s3", TIMEOUT_MS);
                const lags: number[] = [];
                for (let run = 0; run < runs; run++) {
                    lags.push(...(await archiveLagUnderLoad(cluster)));
                    console.log(`backup-s3 archive lag run ${run + 1}/${runs}: ${lags.length} segments so far`);
                }
                const rpos: number[] = [];
                for (let run = 0; run < runs; run++) {
                    rpos.push(await trickleRpo(cluster));
                    console.log(`backup-s3 RPO run ${run + 1}/${runs}: ${rpos[run].toFixed(0)} ms`);
                }
                // After the load: the restore replays every segment archived since the newest base backup.
                const last = await cluster.runBackupJob(0, { timeoutMs: TIMEOUT_MS });
                if (last.code !== 0) throw new Error(`the last base backup failed: ${last.stderr}`);
                await cluster.psql(0, "INSERT INTO trickle VALUES (now())");
                await cluster.psql(0, "SELECT pg_switch_wal()");
                await waitUntil(
                    "the last segment is archived",
                    async () =>
                        (await cluster.psql(
                            0,
                            "SELECT last_failed_wal IS NULL OR last_archived_time > last_failed_time FROM pg_stat_archiver",
                        )) === "t",
                    60000,
                );
                return { backups, copies, lags, rpos, source: cluster.settings.name };
            },
            { secrets },
        );

        // Each restore is a new cluster of its own name: a restored cluster archives to its own place, which a
        // second restore of that name would find used.
        const restores: number[] = [];
        for (let run = 0; run < runs; run++) {
            const settings = resolveSettings({
                replicas: 1,
                name: `restored-${run}`,
                storage,
                backup,
                restore: { from: { name: measured.source } },
            });
            const restored = await PodCluster.create(settings, BENCH_PASSWORDS, { secrets });
            try {
                s3.attach(restored);
                const started = now();
                await restored.start(0);
                await waitUntil("the restored pod 0 is ready", () => restored.probe(0, "readiness"), TIMEOUT_MS);
                restores.push(now() - started);
                console.log(`backup-s3 restore run ${run + 1}/${runs}: ${restores[run].toFixed(0)} ms`);
            } finally {
                await restored.destroy();
            }
        }
        const copy = { label: "cp -a base/ global/ + sync", value: summarize(measured.copies) };
        return [
            {
                figure: `object store: base backup Job of the pgbench scale ${CLONE_SCALE} database (barman-cloud-backup in pod 0, retention)`,
                unit: "ms",
                value: summarize(measured.backups),
                reference: copy,
            },
            {
                figure: "object store: archive lag under pgbench (4 clients): a segment finished to archived",
                unit: "ms",
                value: summarize(measured.lags),
            },
            {
                figure: `object store: RPO under a trickle of writes (archiveTimeoutSeconds ${ARCHIVE_TIMEOUT_SECONDS})`,
                unit: "ms",
                value: summarize(measured.rpos),
                target: `≤ ${ARCHIVE_TIMEOUT_SECONDS} s + the upload`,
            },
            {
                figure: "object store: restore of a new cluster (download, replay): pod 0 start to ready",
                unit: "ms",
                value: summarize(restores),
                reference: copy,
            },
        ];
    } finally {
        s3.stop();
    }
}
