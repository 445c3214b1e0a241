import * as fs from "fs";
import * as os from "os";
import * as path from "path";

import { resolveSettings } from "../components/settings";
import { POD_PATHS } from "../components/specs/podPaths";
import { PodCluster, sleep, waitUntil } from "../tests/support/podHarness";
import { CLONE_SCALE, PGBENCH_INIT, copyRelationFiles } from "./clone";
import { BENCH_PASSWORDS, execOrFail, now, requireHarness, withCluster } from "./pods";
import { Row } from "./report";
import { summarize } from "./stats";

const BACKUP_CLAIM = "bench-backups";
const ARCHIVE_TIMEOUT_SECONDS = 10;
const LOAD_SECONDS = 30;
const TIMEOUT_MS = 600000;

/** The segment being written now, and the newest one archived. */
async function walPositions(cluster: PodCluster): Promise<{ current: string; archived: string }> {
    const [current, archived] = (
        await cluster.psql(
            0,
            "SELECT pg_walfile_name(pg_current_wal_lsn()) || '|' || coalesce(last_archived_wal, '') FROM pg_stat_archiver",
        )
    ).split("|");
    return { current, archived };
}

/**
 * 30 s of pgbench writes on pod 0 while the archiver is watched every 100 ms: for each segment, from the
 * moment pod 0 moved on to the next one (it is finished) to the moment it is archived, in ms.
 */
export async function archiveLagUnderLoad(cluster: PodCluster): Promise<number[]> {
    const load = execOrFail(
        cluster,
        0,
        [
            "pgbench",
            "-T",
            String(LOAD_SECONDS),
            "-c",
            "4",
            "-j",
            "2",
            "-h",
            POD_PATHS.runtime,
            "-U",
            "postgres",
            "postgres",
        ],
        (LOAD_SECONDS + 60) * 1000,
    );
    const finishedAt = new Map<string, number>();
    const lags: number[] = [];
    let loading = true;
    const loaded = load.then(() => {
        loading = false;
    });
    let previous = (await walPositions(cluster)).current;
    // Until the load ends and every segment it finished is archived; the one being written then is not finished.
    while (loading || finishedAt.size > 0) {
        const { current, archived } = await walPositions(cluster);
        if (current !== previous) {
            finishedAt.set(previous, now());
            previous = current;
        }
        for (const [segment, at] of finishedAt) {
            if (archived >= segment) {
                lags.push(now() - at);
                finishedAt.delete(segment);
            }
        }
        await sleep(100);
    }
    await loaded;
    return lags;
}

/**
 * The RPO's bound under a trickle of writes: a row committed right after a segment switch, the worst case, is in
 * a segment that is archived only once archiveTimeoutSeconds have passed. Ms from the commit to that segment
 * archived.
 */
export async function trickleRpo(cluster: PodCluster): Promise<number> {
    await cluster.psql(0, "CREATE TABLE IF NOT EXISTS trickle (at timestamptz)");
    // A switch happens only after writes: one first, then the switch starts the new segment now.
    await cluster.psql(0, "INSERT INTO trickle VALUES (now())");
    await cluster.psql(0, "SELECT pg_switch_wal()");
    const segment = await cluster.psql(
        0,
        // The insert position: right after a switch the write position is still the old segment's end.
        "INSERT INTO trickle VALUES (now()) RETURNING pg_walfile_name(pg_current_wal_insert_lsn())",
    );
    const committed = now();
    await waitUntil(
        `the segment ${segment} is archived`,
        async () => (await walPositions(cluster)).archived >= segment,
        60000,
    );
    return now() - committed;
}

/**
 * A new cluster's pod 0 restoring the newest base backup and all archived WAL: from its start to ready. Its own
 * backup directory is emptied first, as a restore into a used one is refused.
 */
async function restoreOnce(restored: PodCluster, ownBackups: string): Promise<number> {
    await restored.kill(0);
    restored.wipe(0);
    fs.rmSync(ownBackups, { recursive: true, force: true });
    const started = now();
    await restored.start(0);
    await waitUntil("the restored pod 0 is ready", () => restored.probe(0, "readiness"), TIMEOUT_MS);
    return now() - started;
}

/**
 * `runs` base backups by the CronJob's Job, each after a checkpoint, and as many `cp -a` + `sync` of the
 * relation files as the reference: ms each.
 */
export async function baseBackupsAgainstCopies(
    cluster: PodCluster,
    runs: number,
    section: string,
    timeoutMs: number,
): Promise<{ backups: number[]; copies: number[] }> {
    const target = path.join(path.dirname(cluster.dataVolume(0)), "..", "bench-copy");
    const backups: number[] = [];
    const copies: number[] = [];
    for (let run = 0; run < runs; run++) {
        await cluster.psql(0, "CHECKPOINT");
        const started = now();
        const result = await cluster.runBackupJob(0, { timeoutMs });
        if (result.code !== 0) throw new Error(`the base backup failed: ${result.stderr}`);
        backups.push(now() - started);
        copies.push(copyRelationFiles(cluster, target));
        console.log(
            `${section} run ${run + 1}/${runs}: base backup Job ${backups[run].toFixed(0)} ms, cp -a + sync ${copies[run].toFixed(0)} ms`,
        );
    }
    return { backups, copies };
}

/**
 * Section "backup": on the clone benchmark's database (pgbench scale 70, ~1 GB), the base backup Job against
 * `cp -a` + `sync` of the relation files, archive lag under pgbench, the RPO under a trickle of writes
 * (archiveTimeoutSeconds 10), and a restore of a new cluster from the backups.
 */
export async function backupBenchmark(runs: number): Promise<Row[]> {
    requireHarness("backup");
    const backupsDir = fs.mkdtempSync(path.join(os.tmpdir(), "pg-ha-bench-backups-"));
    const backup = {
        volume: { claimName: BACKUP_CLAIM },
        archiveTimeoutSeconds: ARCHIVE_TIMEOUT_SECONDS,
        keepBaseBackups: 1,
    };
    const sharedClaimDirs = { [BACKUP_CLAIM]: backupsDir };
    try {
        return await withCluster(
            { replicas: 1, storage: { className: "standard" }, backup },
            async (cluster) => {
                await cluster.startAll();
                console.log(`backup: pgbench -i -s ${CLONE_SCALE} on pod 0 …`);
                await execOrFail(cluster, 0, PGBENCH_INIT, TIMEOUT_MS);
                const { backups, copies } = await baseBackupsAgainstCopies(cluster, runs, "backup", TIMEOUT_MS);

                const lags: number[] = [];
                for (let run = 0; run < runs; run++) {
                    lags.push(...(await archiveLagUnderLoad(cluster)));
                    console.log(`archive lag run ${run + 1}/${runs}: ${lags.length} segments so far`);
                }
                const rpos: number[] = [];
                for (let run = 0; run < runs; run++) {
                    rpos.push(await trickleRpo(cluster));
                    console.log(`RPO run ${run + 1}/${runs}: ${rpos[run].toFixed(0)} ms`);
                }
                // After the load: the restore replays every segment archived since the newest base backup.
                const backupStarted = now();
                await cluster.runBackupJob(0, { timeoutMs: TIMEOUT_MS });
                console.log(`backup: a last base backup in ${(now() - backupStarted).toFixed(0)} ms`);
                await cluster.psql(0, "INSERT INTO trickle VALUES (now())");
                await cluster.psql(0, "SELECT pg_switch_wal()");

                const restored = await PodCluster.create(
                    resolveSettings({
                        replicas: 1,
                        name: "restored",
                        storage: { className: "standard" },
                        backup,
                        restore: { from: { name: cluster.settings.name } },
                    }),
                    BENCH_PASSWORDS,
                    { sharedClaimDirs },
                );
                const restores: number[] = [];
                try {
                    for (let run = 0; run < runs; run++) {
                        const ownBackups = path.join(backupsDir, restored.settings.namespace, restored.settings.name);
                        restores.push(await restoreOnce(restored, ownBackups));
                        console.log(`restore run ${run + 1}/${runs}: ${restores[run].toFixed(0)} ms`);
                    }
                } finally {
                    await restored.destroy();
                }
                const copy = { label: "cp -a base/ global/ + sync", value: summarize(copies) };
                return [
                    {
                        figure: `base backup Job of the pgbench scale ${CLONE_SCALE} database (pg_basebackup, pg_verifybackup, retention)`,
                        unit: "ms",
                        value: summarize(backups),
                        reference: copy,
                    },
                    {
                        figure: `archive lag under pgbench (4 clients): a segment finished to archived`,
                        unit: "ms",
                        value: summarize(lags),
                    },
                    {
                        figure: `RPO under a trickle of writes (archiveTimeoutSeconds ${ARCHIVE_TIMEOUT_SECONDS}): a commit right after a segment switch to its segment archived`,
                        unit: "ms",
                        value: summarize(rpos),
                        target: `≤ ${ARCHIVE_TIMEOUT_SECONDS} s + the copy`,
                    },
                    {
                        figure: "restore of a new cluster from the newest base backup and the archived WAL: pod 0 start to ready",
                        unit: "ms",
                        value: summarize(restores),
                        reference: copy,
                    },
                ];
            },
            { sharedClaimDirs },
        );
    } finally {
        fs.rmSync(backupsDir, { recursive: true, force: true });
    }
}
