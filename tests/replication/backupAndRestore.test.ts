import { strict as assert } from "assert";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";

import { ClusterSettingsInput, resolveSettings } from "../../components/settings";
import { backupDirectory } from "../../components/specs/backup";
import { POD_PATHS } from "../../components/specs/podPaths";
import { PodCluster, sleep, waitUntil } from "../support/podHarness";
import {
    TIMEOUTS,
    UTC_NOW,
    rows,
    startAllExplained,
    writeInBatches,
    usePodCluster,
    waitForResult,
    waitForStreaming,
} from "../support/podHarnessFixtures";

const PASSWORDS = { superuser: "superuser-password-for-tests", replication: "replication-password-for-tests" };
/** The claim every cluster of this suite mounts its backups from: one volume, as a shared NFS export would be. */
const BACKUP_CLAIM = "backups";
const BACKUPS_DIR = path.join(os.tmpdir(), `pg-ha-backups-${process.pid}`);
const backup = { volume: { claimName: BACKUP_CLAIM }, archiveTimeoutSeconds: 10, keepBaseBackups: 2 };
const SOURCE: ClusterSettingsInput = { replicas: 1, storage: { className: "standard", size: "1Gi" }, backup };

/** The host path of the cluster's directory on the backup volume. */
const sourceDir = (cluster: PodCluster) => path.join(BACKUPS_DIR, cluster.settings.namespace, cluster.settings.name);
const baseBackups = (cluster: PodCluster) =>
    fs
        .readdirSync(path.join(sourceDir(cluster), "base"))
        .filter((name) => /^\d{8}T\d{6}Z$/.test(name))
        .sort();
const archivedWal = (cluster: PodCluster) => fs.readdirSync(path.join(sourceDir(cluster), "wal")).sort();

/** Ends the WAL segment being written (after some activity) and waits until pod 0 has archived it. */
async function archiveCurrentSegment(cluster: PodCluster): Promise<string> {
    const segment = await cluster.psql(0, "SELECT pg_walfile_name(pg_current_wal_lsn())");
    await cluster.psql(0, "SELECT pg_switch_wal()");
    await waitUntil(`pod 0 archives ${segment}`, () => archivedWal(cluster).includes(segment), TIMEOUTS.replication);
    return segment;
}

/** The segments of `start`'s timeline, from `start` to the newest archived one, that are not in `archived`. */
function missingSegments(archived: string[], start: string): string[] {
    const timeline = start.slice(0, 8);
    const position = (segment: string) => parseInt(segment.slice(8, 16), 16) * 256 + parseInt(segment.slice(16), 16);
    const present = new Set(archived.filter((file) => /^[0-9A-F]{24}$/.test(file) && file.startsWith(timeline)));
    const newest = Math.max(position(start), ...[...present].map(position));
    const missing: string[] = [];
    for (let at = position(start); at <= newest; at++) {
        const name = `${timeline}${Math.floor(at / 256)
            .toString(16)
            .toUpperCase()
            .padStart(8, "0")}${(at % 256).toString(16).toUpperCase().padStart(8, "0")}`;
        if (!present.has(name)) missing.push(name);
    }
    return missing;
}

async function takeBaseBackup(cluster: PodCluster): Promise<string> {
    const result = await cluster.runBackupJob(0);
    assert.equal(result.code, 0, `the base backup failed: ${result.stderr}`);
    assert.match(result.stderr, /base backup \d{8}T\d{6}Z is verified and kept/);
    return baseBackups(cluster).at(-1) ?? "";
}

/**
 * The backups as the program ships them: pod 0's archive_command, the CronJob's base-backup.sh and pod 0's
 * restore of a new cluster, against real PostgreSQL. Each restore is a new cluster whose pod 0 reads the source
 * cluster's backups from the same backup volume.
 */
describe("backups against real PostgreSQL: archiving, base backups, retention and point-in-time recovery", function () {
    this.timeout(TIMEOUTS.test);
    const pods = usePodCluster(SOURCE, PASSWORDS, { sharedClaimDirs: { [BACKUP_CLAIM]: BACKUPS_DIR } });
    const restored: PodCluster[] = [];

    /** A new cluster named `name` with a restore setting, started and ready. */
    async function restore(name: string, replicas: number, targetTime?: string): Promise<PodCluster> {
        const settings = resolveSettings({
            ...SOURCE,
            name,
            replicas,
            restore: { from: { name: pods.cluster.settings.name }, ...(targetTime ? { targetTime } : {}) },
        });
        const cluster = await PodCluster.create(settings, PASSWORDS, {
            sharedClaimDirs: { [BACKUP_CLAIM]: BACKUPS_DIR },
        });
        restored.push(cluster);
        await startAllExplained(cluster);
        return cluster;
    }

    /** A new cluster named `name` whose pod 0 must refuse to restore: its log, once it exited non-zero. */
    async function refusedRestore(name: string, targetTime?: string): Promise<{ log: string; cluster: PodCluster }> {
        const settings = resolveSettings({
            ...SOURCE,
            name,
            restore: { from: { name: pods.cluster.settings.name }, ...(targetTime ? { targetTime } : {}) },
        });
        const cluster = await PodCluster.create(settings, PASSWORDS, {
            sharedClaimDirs: { [BACKUP_CLAIM]: BACKUPS_DIR },
        });
        restored.push(cluster);
        await cluster.start(0);
        const exit = await cluster.waitForExit(0, TIMEOUTS.ready);
        assert.notEqual(exit.code, 0, `${name}-0 exited with 0`);
        assert.ok(!fs.existsSync(path.join(cluster.dataVolume(0), "pgdata", "PG_VERSION")), "nothing was published");
        return { log: cluster.logs(0), cluster };
    }

    before(async function () {
        await pods.cluster.startAll();
    });

    after(async function () {
        for (const cluster of restored) await cluster.destroy();
        fs.rmSync(BACKUPS_DIR, { recursive: true, force: true });
    });

    it("pod 0 archives each finished WAL segment into the cluster's directory on the backup volume", async () => {
        const { cluster } = pods;
        await cluster.psql(0, "CREATE TABLE early AS SELECT 1 AS id");
        const segment = await archiveCurrentSegment(cluster);
        assert.ok(archivedWal(cluster).includes(segment));
        assert.equal(
            await cluster.psql(
                0,
                "SELECT last_archived_wal >= '" + segment + "' AND failed_count = 0 FROM pg_stat_archiver",
            ),
            "t",
        );
    });

    it("the first backup's Job takes a base backup while there is none, and then leaves it to the schedule", async () => {
        const { cluster } = pods;
        assert.deepEqual(baseBackups(cluster), []);
        const first = await cluster.runBackupJob(0, { first: true });
        assert.equal(first.code, 0, first.stderr);
        assert.match(first.stderr, /base backup \d{8}T\d{6}Z is verified and kept/);
        const taken = baseBackups(cluster);
        assert.equal(taken.length, 1);
        const again = await cluster.runBackupJob(0, { first: true });
        assert.equal(again.code, 0, again.stderr);
        assert.match(
            again.stderr,
            new RegExp(`base backup ${taken[0]} of timeline 1 exists already: the schedule takes the next one`),
        );
        assert.deepEqual(baseBackups(cluster), taken);
    });

    it("a base backup taken while writes run passes pg_verifybackup and is kept", async () => {
        const { cluster } = pods;
        const writer = await writeInBatches(cluster, "written_during_backup", 400);
        const stamp = await takeBaseBackup(cluster);
        assert.equal((await writer.finished).code, 0);
        const verified = await cluster.exec(0, [
            "pg_verifybackup",
            `${backupDirectory(cluster.settings)}/base/${stamp}/data`,
        ]);
        assert.equal(verified.code, 0, verified.stderr);
        assert.match(verified.stdout, /backup successfully verified/);
    });

    let noted = "";
    /** A time between the second and third base backups, which the in-place recovery goes back to. */
    let between = "";
    /** The cluster restored to the noted time: two pods, backing up to a directory of its own. */
    let toTime: PodCluster | undefined;
    let countAtNote = "";

    it("recovering a new cluster to a noted time brings back a dropped table and its rows", async () => {
        const { cluster } = pods;
        await cluster.psql(0, "CREATE TABLE precious AS SELECT generate_series(1, 1000) AS id");
        countAtNote = await cluster.psql(0, "SELECT count(*) FROM precious");
        await sleep(1100);
        noted = await cluster.psql(0, UTC_NOW);
        await sleep(1100);
        await cluster.psql(0, "DROP TABLE precious");
        await archiveCurrentSegment(cluster);

        const recovered = await restore("to-time", 2, noted);
        toTime = recovered;
        assert.equal(await recovered.psql(0, "SELECT count(*) FROM precious"), countAtNote);
        assert.match(recovered.logs(0), /restoring base backup \d{8}T\d{6}Z/);
        assert.equal(await recovered.psql(0, "SELECT pg_is_in_recovery()"), "f", "the restored pod 0 is the primary");
        await waitForStreaming(recovered, 1);
        await waitForResult(recovered, 1, "SELECT count(*) FROM precious", countAtNote);
        assert.equal(
            await recovered.psql(0, "SHOW recovery_target_time"),
            "",
            "the restored primary carries no recovery settings (its standbys cloned them otherwise)",
        );
    });

    it("a base backup started while pod 0 is away waits for it instead of failing the night's backup", async () => {
        assert.ok(toTime, "the cluster restored to the noted time exists");
        const cluster = toTime;
        await cluster.kill(0);
        // From the standby's pod, which shares the backup volume and the cluster network, as the Job's pod would.
        const job = cluster.runBackupJob(1);
        await sleep(3000);
        await cluster.start(0);
        const result = await job;
        assert.equal(result.code, 0, result.stderr);
        assert.match(result.stderr, /base backup \d{8}T\d{6}Z is verified and kept/);
    });

    it("recovering a new cluster to the end of the archive replays the DROP: the table is gone", async () => {
        const recovered = await restore("to-end", 1);
        assert.equal(await recovered.psql(0, "SELECT to_regclass('precious') IS NULL"), "t");
        await archiveCurrentSegment(recovered);
        const own = archivedWal(recovered);
        assert.ok(
            own.some((file) => file.endsWith(".history")),
            "it archives its own timeline's history",
        );
        assert.deepEqual(
            own.filter((file) => file.startsWith("00000001") && !file.endsWith(".partial")),
            [],
            "it archives no segment of the source's timeline: those are the source's, in the source's directory",
        );
        assert.equal(await recovered.psql(0, "SELECT count(*) FROM written_during_backup"), "200000");

        await recovered.psql(0, "CREATE TABLE written_after_restore AS SELECT 1 AS id");
        await recovered.restart(0);
        await waitUntil("the restored pod 0 is ready again", () => recovered.probe(0, "readiness"), TIMEOUTS.ready);
        assert.doesNotMatch(
            recovered.logs(0, { sinceLastStart: true }),
            /restoring/,
            "a volume with data is never restored over",
        );
        assert.equal(await recovered.psql(0, "SELECT count(*) FROM written_after_restore"), "1");
    });

    it("a new cluster is not restored into a directory that holds backups already: its archive would mix with them", async () => {
        const { log } = await refusedRestore("to-time");
        assert.match(log, /\/to-time already holds backups, of another cluster or of an earlier restore: refusing/);
    });

    it("a target the archive does not reach fails pod 0 loudly instead of starting with less", async () => {
        const future = new Date(Date.now() + 3600_000).toISOString().replace(/\.\d+Z$/, "Z");
        const { log } = await refusedRestore("too-far", future);
        assert.match(log, /recovery ended before configured recovery target was reached/);
    });

    it("retention keeps the newest base backups and the WAL from the oldest one kept: a restore from it still works", async () => {
        const { cluster } = pods;
        const first = baseBackups(cluster)[0];
        const earliestWal = archivedWal(cluster)[0];
        await sleep(1100);
        const second = await takeBaseBackup(cluster);
        await cluster.psql(0, "CREATE TABLE after_second AS SELECT 'kept' AS note");
        await sleep(1100);
        between = await cluster.psql(0, UTC_NOW);
        await sleep(1100);
        // Recovery to a time stops at the first transaction after it, which the archive must hold.
        await cluster.psql(0, "CREATE TABLE after_between AS SELECT 'not restored' AS note");
        await archiveCurrentSegment(cluster);
        const third = await takeBaseBackup(cluster);

        assert.deepEqual(baseBackups(cluster), [second, third], `keepBaseBackups is 2; ${first} goes`);
        const wal = archivedWal(cluster);
        assert.ok(!wal.includes(earliestWal), `${earliestWal}, older than every kept base backup, is removed`);
        const label = fs.readFileSync(path.join(sourceDir(cluster), "base", second, "data", "backup_label"), "utf8");
        const start = /\(file ([0-9A-F]{24})\)/.exec(label)?.[1] ?? "";
        assert.deepEqual(
            missingSegments(wal, start),
            [],
            `every WAL segment from ${start}, where the oldest kept backup starts, is still archived`,
        );

        // Before the third backup ended: the restore must start from the second, the oldest kept.
        const recovered = await restore("from-oldest", 1, between);
        assert.match(recovered.logs(0), new RegExp(`restoring base backup ${second}`));
        assert.equal(await recovered.psql(0, "SELECT note FROM after_second"), "kept");
        assert.equal(await recovered.psql(0, "SELECT to_regclass('after_between') IS NULL"), "t");
    });

    it("a failing archive_command shows in pod 0's log, in pg_stat_archiver, and fails the backup Job", async () => {
        const { cluster } = pods;
        await cluster.psql(0, "CREATE TABLE more AS SELECT 1 AS id");
        const segment = await cluster.psql(0, "SELECT pg_walfile_name(pg_current_wal_lsn())");
        // A file of that name with other content: the archive must not be overwritten with another history.
        const blocker = path.join(sourceDir(cluster), "wal", segment);
        fs.writeFileSync(blocker, "not this cluster's WAL");
        try {
            await cluster.psql(0, "SELECT pg_switch_wal()");
            await waitUntil(
                "pod 0 logs the failing archive_command",
                () => /archive command failed/.test(cluster.logs(0)),
                TIMEOUTS.replication,
            );
            assert.match(cluster.logs(0), /already archived with other content: refusing to overwrite it/);
            assert.equal(
                await cluster.psql(
                    0,
                    "SELECT failed_count > 0 AND last_failed_wal = '" + segment + "' FROM pg_stat_archiver",
                ),
                "t",
            );
            assert.ok(await cluster.probe(0, "readiness"), "pod 0 still serves writes");
            assert.match(
                cluster.logs(0),
                /WARNING: {2}pg-ha: WAL archiving is failing since .* WAL files \(.*\) wait in pg_wal/,
            );
            const backupsBefore = baseBackups(cluster);
            const job = await cluster.runBackupJob(0);
            assert.notEqual(job.code, 0);
            assert.match(job.stderr, /WAL archiving on pod 0 is failing since/);
            assert.deepEqual(
                baseBackups(cluster).slice(0, backupsBefore.length),
                backupsBefore,
                "no retention while archiving fails: the older backups are what a restore to before the failure needs",
            );
            assert.equal(baseBackups(cluster).length, backupsBefore.length + 1, "the new backup is kept");
        } finally {
            fs.rmSync(blocker);
        }
        await waitUntil(`pod 0 archives ${segment} once it can`, () => archivedWal(cluster).includes(segment), 90000);
        assert.deepEqual(
            rows(await cluster.psql(0, "SELECT last_archived_wal >= '" + segment + "' FROM pg_stat_archiver")),
            ["t"],
        );
    });

    it("archiving that hangs (the archiver stuck on its volume) is said in pod 0's log once a WAL file waits a minute", async () => {
        const { cluster } = pods;
        const archiver = await cluster.psql(0, "SELECT pid FROM pg_stat_activity WHERE backend_type = 'archiver'");
        // A stopped archiver waits as one blocked on a hard NFS mount would: no failure, nothing archived.
        await cluster.exec(0, ["kill", "-STOP", archiver]);
        try {
            await cluster.psql(0, "CREATE TABLE while_stuck AS SELECT 1 AS id");
            const segment = await cluster.psql(0, "SELECT pg_walfile_name(pg_current_wal_lsn())");
            await cluster.psql(0, "SELECT pg_switch_wal()");
            const ready = path.join(
                cluster.hostPath(0, POD_PATHS.pgdata),
                "pg_wal",
                "archive_status",
                `${segment}.ready`,
            );
            await waitUntil(`${segment} waits to be archived`, () => fs.existsSync(ready), TIMEOUTS.replication);
            // Finished two minutes ago, as far as the check can tell.
            const past = new Date(Date.now() - 120_000);
            fs.utimesSync(ready, past, past);
            // The warning is said at most once a minute: forget the last one (the failing test's).
            fs.rmSync(path.join(cluster.hostPath(0, POD_PATHS.runtime), "archive-warned"), { force: true });
            assert.ok(await cluster.probe(0, "readiness"), "pod 0 still serves writes");
            assert.match(
                cluster.logs(0),
                /WARNING: {2}pg-ha: WAL archiving is stuck or behind: the oldest WAL file waiting was finished 1\d\d s ago: \d+ WAL files/,
            );
        } finally {
            await cluster.exec(0, ["kill", "-CONT", archiver]);
        }
        await waitUntil(
            "pod 0 archives again",
            async () =>
                (await cluster.psql(0, "SELECT count(*) FROM pg_ls_archive_statusdir() WHERE name LIKE '%.ready'")) ===
                "0",
            90000,
        );
    });

    it("a restore to the end refuses an archive with a segment missing in the middle, and starts over once it is back", async () => {
        const { cluster } = pods;
        const segments: string[] = [];
        for (const note of ["a", "b", "c"]) {
            await cluster.psql(0, `CREATE TABLE gap_${note} AS SELECT 1 AS id`);
            segments.push(await archiveCurrentSegment(cluster));
        }
        const hidden = path.join(sourceDir(cluster), "wal", segments[1]);
        fs.renameSync(hidden, `${hidden}.hidden`);
        let refused: PodCluster;
        try {
            const { log, cluster: withGap } = await refusedRestore("with-gap");
            refused = withGap;
            assert.match(
                log,
                new RegExp(
                    `the restore stopped at WAL segment ${segments[0].slice(8)} of timeline 00000001, but the archive holds up to ${segments[2]}`,
                ),
            );
        } finally {
            fs.renameSync(`${hidden}.hidden`, hidden);
        }
        // The failed restore had promoted its private server: it archived nothing, so the next try is no
        // refused as a restore into a used directory.
        await refused.start(0);
        await waitUntil("the restore started over is ready", () => refused.probe(0, "readiness"), TIMEOUTS.ready);
        assert.equal(await refused.psql(0, "SELECT count(*) FROM gap_c"), "1");
    });

    describe("after an in-place recovery (a new timeline in the same directory)", function () {
        let branched = "";
        /** A time on the new timeline, before any base backup of it. */
        let onNewTimeline = "";

        before(async function () {
            const { cluster } = pods;
            // The old timeline runs well ahead of the branch point, and its last base backup with it: the new
            // timeline's segments then start at lower numbers than that backup's.
            // Every base backup kept for now: the second, from before the branch point, is what it restores.
            const keepAll = { ...backup, keepBaseBackups: baseBackups(cluster).length + 1 };
            cluster.changeSettings(resolveSettings({ ...SOURCE, backup: keepAll }));
            for (let segment = 0; segment < 4; segment++) {
                await cluster.psql(0, `CREATE TABLE ahead_${segment} AS SELECT 1 AS id`);
                await archiveCurrentSegment(cluster);
            }
            await takeBaseBackup(cluster);
            cluster.changeSettings(
                resolveSettings({ ...SOURCE, restore: { from: { name: cluster.settings.name }, targetTime: between } }),
            );
            await cluster.kill(0);
            cluster.wipe(0);
            await cluster.start(0);
            try {
                await waitUntil(
                    "pod 0, recovered in place, is ready",
                    () => cluster.probe(0, "readiness"),
                    TIMEOUTS.ready,
                );
            } catch (error) {
                const log = cluster.logs(0, { sinceLastStart: true }).split("\n").slice(-30).join("\n");
                throw new Error(`${(error as Error).message}; the last lines of its log:\n${log}`, { cause: error });
            }
            branched = await cluster.psql(0, "SELECT timeline_id FROM pg_control_checkpoint()");
            await sleep(1100);
            onNewTimeline = await cluster.psql(0, UTC_NOW);
            await sleep(1100);
            await cluster.psql(0, "CREATE TABLE on_new_timeline AS SELECT 1 AS id");
        });

        it("pod 0 is back at the time between the backups on a new timeline, and archives its history file", async () => {
            const { cluster } = pods;
            assert.equal(await cluster.psql(0, "SELECT note FROM after_second"), "kept");
            assert.equal(await cluster.psql(0, "SELECT to_regclass('after_between') IS NULL"), "t");
            assert.notEqual(branched, "1");
            await archiveCurrentSegment(cluster);
            assert.ok(
                archivedWal(cluster).includes(
                    `${Number(branched).toString(16).toUpperCase().padStart(8, "0")}.history`,
                ),
            );
            await waitUntil(
                "nothing waits to be archived: the base backup's own WAL is the source's, archived already",
                async () =>
                    (await cluster.psql(
                        0,
                        "SELECT count(*) FROM pg_ls_archive_statusdir() WHERE name LIKE '%.ready'",
                    )) === "0",
                TIMEOUTS.replication,
            );
            assert.equal(
                await cluster.psql(0, "SELECT coalesce(last_failed_time < stats_reset, true) FROM pg_stat_archiver"),
                "t",
                "no archiving failed since the recovery",
            );
        });

        it("the first backup's Job takes one of the new timeline, though backups of the old one exist", async () => {
            const { cluster } = pods;
            const before = baseBackups(cluster);
            assert.ok(before.length > 0);
            const first = await cluster.runBackupJob(0, { first: true });
            assert.equal(first.code, 0, first.stderr);
            assert.match(
                first.stderr,
                new RegExp(`taking base backup \\d{8}T\\d{6}Z of .* \\(timeline ${branched}\\)`),
            );
            const newest = baseBackups(cluster).at(-1) ?? "";
            assert.ok(!before.includes(newest), "a new base backup was taken");
            const label = fs.readFileSync(
                path.join(sourceDir(cluster), "base", newest, "data", "backup_label"),
                "utf8",
            );
            assert.match(label, new RegExp(`^START TIMELINE: ${branched}$`, "m"));
        });

        it("retention keeps the WAL every kept backup needs, though the new timeline's segments start lower than the old one's", async () => {
            const { cluster } = pods;
            // The new timeline's WAL reaches the archive; the next retention keeps the old timeline's last backup.
            for (let segment = 0; segment < 3; segment++) {
                await cluster.psql(0, `CREATE TABLE later_${segment} AS SELECT 1 AS id`);
                await archiveCurrentSegment(cluster);
            }
            cluster.changeSettings(resolveSettings({ ...SOURCE, backup: { ...backup, keepBaseBackups: 3 } }));
            await takeBaseBackup(cluster);
            const kept = baseBackups(cluster);
            const timelines = kept.map(
                (backup) =>
                    /^START TIMELINE: (\d+)$/m.exec(
                        fs.readFileSync(path.join(sourceDir(cluster), "base", backup, "data", "backup_label"), "utf8"),
                    )?.[1],
            );
            assert.deepEqual(
                timelines,
                ["1", branched, branched],
                "the old timeline's last backup and the new one's stay",
            );
            const wal = archivedWal(cluster);
            for (const backup of baseBackups(cluster)) {
                const label = fs.readFileSync(
                    path.join(sourceDir(cluster), "base", backup, "data", "backup_label"),
                    "utf8",
                );
                const start = /\(file ([0-9A-F]{24})\)/.exec(label)?.[1] ?? "";
                assert.deepEqual(
                    missingSegments(wal, start),
                    [],
                    `the WAL base backup ${backup} needs (from ${start}) is all there`,
                );
            }
        });

        it("a restore to a time on the new timeline never starts from a backup of the old one taken after the branch", async () => {
            const { log } = await refusedRestore("off-history", onNewTimeline);
            // The old timeline's backups kept were taken after the branch point: none leads to the new timeline.
            assert.match(log, /no finished base backup in .* that ended before/);
            assert.doesNotMatch(log, /is not a child of this server's history/);
        });

        it("a new cluster restored to the end follows the new timeline, from a backup on its history", async () => {
            const recovered = await restore("after-branch", 1);
            assert.match(recovered.logs(0), new RegExp(`\\(timeline ${branched}\\)`));
            assert.equal(await recovered.psql(0, "SELECT note FROM after_second"), "kept");
            assert.equal(await recovered.psql(0, "SELECT to_regclass('after_between') IS NULL"), "t");
            assert.equal(
                await recovered.psql(0, "SELECT to_regclass('gap_c') IS NULL"),
                "t",
                "nothing of the old timeline after the branch",
            );
            assert.equal(await recovered.psql(0, "SELECT count(*) FROM on_new_timeline"), "1");
        });
    });
});
