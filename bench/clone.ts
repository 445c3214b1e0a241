import { spawnSync } from "child_process";
import * as fs from "fs";
import * as path from "path";

import { POD_PATHS } from "../components/specs/podPaths";
import { directorySize } from "../tests/support/podHarnessFixtures";
import { PodCluster, waitUntil } from "../tests/support/podHarness";
import { execOrFail, firstTrue, now, receiverStreams, requireHarness, withCluster } from "./pods";
import { Row } from "./report";
import { summarize } from "./stats";

/** pgbench scale of the cloned database: ~15 MB per unit, so ~1 GB of relation files. */
export const CLONE_SCALE = 70;

/** `pgbench -i` of the cloned database, run in pod 0 as postgres over its socket. */
export const PGBENCH_INIT = [
    "pgbench",
    "-i",
    "-q",
    "-s",
    String(CLONE_SCALE),
    "-h",
    POD_PATHS.runtime,
    "-U",
    "postgres",
    "postgres",
];
const CLONE_TIMEOUT_MS = 600000;

function runOrFail(command: string, args: string[]): void {
    const result = spawnSync(command, args, { encoding: "utf8" });
    if (result.status !== 0) {
        throw new Error(`${command} ${args.join(" ")} failed (${result.status}): ${result.stderr}`);
    }
}

/**
 * The physical limit of a clone: `cp -a` of the primary's relation files (`base/`, `global/`: what a clone
 * must move; not pg_wal, the primary's WAL backlog) to a fresh directory on the same filesystem, then
 * `sync` so that the copy is as durable as the clone. Returns the milliseconds it took.
 */
export function copyRelationFiles(cluster: PodCluster, target: string): number {
    const pgdata = cluster.hostPath(0, POD_PATHS.pgdata);
    fs.rmSync(target, { recursive: true, force: true });
    fs.mkdirSync(target);
    const started = now();
    runOrFail("cp", ["-a", path.join(pgdata, "base"), path.join(pgdata, "global"), target]);
    runOrFail("sync", []);
    const took = now() - started;
    fs.rmSync(target, { recursive: true, force: true });
    return took;
}

interface CloneTiming {
    /** From the pod's start to pg_basebackup creating its target, PGDATA.partial. */
    began: number;
    /** From the pod's start to its clone renamed into place (PGDATA/PG_VERSION exists). */
    copied: number;
    /** From the pod's start to its WAL receiver streaming. */
    streaming: number;
}

/**
 * An empty replica (pod 1, volume wiped) from its start to its WAL receiver streaming, polled on the pod
 * every 20 ms; also when the finished copy appears in PGDATA (polled on the host).
 */
async function cloneReplica(cluster: PodCluster): Promise<CloneTiming> {
    await cluster.kill(1);
    cluster.wipe(1);
    // Both sides then move settled data: the clone's own fast checkpoint has little left to write.
    await cluster.psql(0, "CHECKPOINT");
    const published = path.join(cluster.hostPath(1, POD_PATHS.pgdata), "PG_VERSION");
    const partial = `${cluster.hostPath(1, POD_PATHS.pgdata)}.partial`;
    let beganAt: number | undefined;
    let copiedAt: number | undefined;
    const started = now();
    await cluster.start(1);
    const streamingAt = await firstTrue(
        "postgresql-1 streams",
        async () => {
            if (beganAt === undefined && fs.existsSync(partial)) {
                beganAt = now();
            }
            if (copiedAt === undefined && fs.existsSync(published)) {
                copiedAt = now();
            }
            return receiverStreams(cluster, 1);
        },
        CLONE_TIMEOUT_MS,
    );
    copiedAt ??= streamingAt;
    return { began: (beganAt ?? copiedAt) - started, copied: copiedAt - started, streaming: streamingAt - started };
}

/** Section "clone": a ~1 GB database cloned onto an empty replica, against `cp -a` + `sync` of its files. */
export async function cloneBenchmark(runs: number): Promise<Row[]> {
    requireHarness("clone");
    return withCluster(
        { replicas: 2, storage: { className: "standard" }, podManagementPolicy: "OrderedReady" },
        async (cluster) => {
            await cluster.startAll();
            await waitUntil("postgresql-1 streams", () => receiverStreams(cluster, 1), 60000);
            console.log(`clone: pgbench -i -s ${CLONE_SCALE} on pod 0 …`);
            const initStarted = now();
            await execOrFail(cluster, 0, PGBENCH_INIT, CLONE_TIMEOUT_MS);
            const pgdata = cluster.hostPath(0, POD_PATHS.pgdata);
            const relationBytes = directorySize(path.join(pgdata, "base")) + directorySize(path.join(pgdata, "global"));
            console.log(
                `clone: initialised in ${((now() - initStarted) / 1000).toFixed(0)} s; base/ + global/ = ${(relationBytes / 2 ** 20).toFixed(0)} MiB`,
            );
            const target = path.join(path.dirname(cluster.dataVolume(1)), "..", "bench-copy");
            const clones: CloneTiming[] = [];
            const copies: number[] = [];
            for (let run = 0; run < runs; run++) {
                // Alternate which side goes first, so neither always meets a cache or disk the other warmed.
                if (run % 2 === 0) {
                    clones.push(await cloneReplica(cluster));
                    copies.push(copyRelationFiles(cluster, target));
                } else {
                    copies.push(copyRelationFiles(cluster, target));
                    clones.push(await cloneReplica(cluster));
                }
                const last = clones[clones.length - 1];
                console.log(
                    `clone run ${run + 1}/${runs}: clone ${last.streaming.toFixed(0)} ms (pg_basebackup from ${last.began.toFixed(0)} to ${last.copied.toFixed(0)} ms), cp -a + sync ${copies[copies.length - 1].toFixed(0)} ms`,
                );
            }
            const copy = summarize(copies);
            const clone = summarize(clones.map((timing) => timing.streaming));
            const met = copy.median / clone.median >= 0.8;
            const size = `${(relationBytes / 2 ** 20).toFixed(0)} MiB`;
            return [
                {
                    figure: `clone of a pgbench scale ${CLONE_SCALE} database (${size} in base/ + global/): empty replica to streaming`,
                    unit: "ms",
                    value: clone,
                    reference: { label: "cp -a base/ global/ + sync", value: copy },
                    target: `copy/clone ≥ 0.8: ${(copy.median / clone.median).toFixed(2)}, ${met ? "met" : "missed"}`,
                },
                {
                    figure: "… of which pg_basebackup (PGDATA.partial created to the clone renamed into PGDATA)",
                    unit: "ms",
                    value: summarize(clones.map((timing) => timing.copied - timing.began)),
                    reference: { label: "cp -a base/ global/ + sync", value: copy },
                },
                {
                    figure: "… of which before pg_basebackup (pod start, waiting for the primary, slot)",
                    unit: "ms",
                    value: summarize(clones.map((timing) => timing.began)),
                },
                {
                    figure: "… of which after it (PostgreSQL starts, WAL receiver connects)",
                    unit: "ms",
                    value: summarize(clones.map((timing) => timing.streaming - timing.copied)),
                },
            ];
        },
    );
}
