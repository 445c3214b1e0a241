import * as fs from "fs";

import { POD_PATHS } from "../components/specs/podPaths";
import { PodCluster, waitUntil } from "../tests/support/podHarness";
import { execOrFail, receiverStreams, requireHarness, withCluster } from "./pods";
import { Row } from "./report";
import { percentile, summarize } from "./stats";

const LOAD_SECONDS = 30;
const SAMPLE_SECONDS = 0.05;
const PGBENCH_SCALE = 10;
const STANDBYS = ["postgresql-1", "postgresql-2"];

/**
 * One sample per standby and tick: replay_lag in ms, and whether the standby has replayed all it was sent.
 * replay_lag is NULL before the first measurement and once the standby has caught up and no new WAL comes
 * ("the most recently measured lag times will continue to be displayed for a short while and then show
 * NULL"): a NULL counts as 0 only when sent_lsn = replay_lsn says so; otherwise the sample is left out.
 */
const SAMPLE_SQL =
    "SELECT application_name, extract(epoch FROM replay_lag) * 1000, sent_lsn = replay_lsn FROM pg_stat_replication";

interface RunLag {
    /** Per standby: the lag of every usable sample, ms. */
    samples: Map<string, number[]>;
    /** Per standby: samples with NULL replay_lag and WAL not yet replayed (left out). */
    unmeasured: Map<string, number>;
    tps: number;
}

function pgbench(args: string[]): string[] {
    return ["pgbench", ...args, "-h", POD_PATHS.runtime, "-U", "postgres", "postgres"];
}

/** 30 s of pgbench's TPC-B-like writes on pod 0, while one psql session on pod 0 samples pg_stat_replication. */
async function loadRun(cluster: PodCluster): Promise<RunLag> {
    await cluster.psql(0, "CHECKPOINT");
    // Both in pod 0 against its own socket; `timeout` ends the sampler (SIGINT stops \watch) in the pod.
    // psql runs \watch only after a query in the same buffer: a script file in the pod's /tmp holds both.
    const script = `${POD_PATHS.tmp}/pg-ha-bench-lag.sql`;
    fs.writeFileSync(cluster.hostPath(0, script), `${SAMPLE_SQL} \\watch ${SAMPLE_SECONDS}\n`);
    const samplerArgv = ["timeout", "-s", "INT", String(LOAD_SECONDS), "psql", "-X", "-A", "-t", "-q"];
    const sampler = cluster
        .exec(0, [...samplerArgv, "-U", "postgres", "-d", "postgres", "-f", script], {
            timeoutMs: (LOAD_SECONDS + 30) * 1000,
        })
        .then((result) => {
            // 124: timeout stopped psql, as it should; the samples are on stdout all the same.
            if (result.code !== 0 && result.code !== 124) {
                throw new Error(`the sampler failed (${result.code}): ${result.stderr}`);
            }
            return result.stdout;
        });
    const load = execOrFail(
        cluster,
        0,
        pgbench(["-T", String(LOAD_SECONDS), "-c", "4", "-j", "2"]),
        (LOAD_SECONDS + 60) * 1000,
    );
    const [sampled, loaded] = await Promise.all([sampler, load]);
    const samples = new Map(STANDBYS.map((name) => [name, [] as number[]]));
    const unmeasured = new Map(STANDBYS.map((name) => [name, 0]));
    for (const line of sampled.split("\n").filter((l) => l.includes("|"))) {
        const [name, lag, caughtUp] = line.split("|");
        const values = samples.get(name);
        if (!values) {
            continue;
        }
        if (lag !== "") {
            values.push(Number(lag));
        } else if (caughtUp === "t") {
            values.push(0);
        } else {
            unmeasured.set(name, (unmeasured.get(name) ?? 0) + 1);
        }
    }
    const tps = /tps = ([\d.]+)/.exec(loaded);
    return { samples, unmeasured, tps: tps ? Number(tps[1]) : Number.NaN };
}

/** Section "lag": replay lag of each standby of a 3-pod cluster under 30 s of pgbench writes on pod 0. */
export async function lagBenchmark(runs: number): Promise<Row[]> {
    requireHarness("lag");
    return withCluster({ replicas: 3, storage: { className: "standard" } }, async (cluster) => {
        await cluster.startAll();
        for (const ordinal of [1, 2]) {
            await waitUntil(`${cluster.podName(ordinal)} streams`, () => receiverStreams(cluster, ordinal), 60000);
        }
        await execOrFail(cluster, 0, pgbench(["-i", "-q", "-s", String(PGBENCH_SCALE)]), 300000);
        const perRun: RunLag[] = [];
        for (let run = 0; run < runs; run++) {
            const result = await loadRun(cluster);
            perRun.push(result);
            const parts = STANDBYS.map((name) => {
                const sorted = [...(result.samples.get(name) ?? [])].sort((a, b) => a - b);
                return `${name} median ${percentile(sorted, 0.5).toFixed(2)} p99 ${percentile(sorted, 0.99).toFixed(2)} max ${sorted[sorted.length - 1]?.toFixed(2)} ms (${sorted.length} samples, ${result.unmeasured.get(name)} unmeasured)`;
            });
            console.log(`lag run ${run + 1}/${runs}: ${result.tps.toFixed(0)} tps; ${parts.join("; ")}`);
        }
        const rows: Row[] = [
            {
                figure: `pgbench -T ${LOAD_SECONDS} -c 4 -j 2 (TPC-B-like, scale ${PGBENCH_SCALE}) on pod 0: throughput`,
                unit: "tps",
                value: summarize(perRun.map((run) => run.tps)),
            },
        ];
        for (const name of STANDBYS) {
            const perRunSorted = perRun.map((run) => [...(run.samples.get(name) ?? [])].sort((a, b) => a - b));
            const p99 = summarize(perRunSorted.map((sorted) => percentile(sorted, 0.99)));
            rows.push(
                {
                    figure: `replay lag of ${name}: median of a run's samples`,
                    unit: "ms",
                    value: summarize(perRunSorted.map((sorted) => percentile(sorted, 0.5))),
                },
                {
                    figure: `replay lag of ${name}: p99 of a run's samples`,
                    unit: "ms",
                    value: p99,
                    target: `< 10 ms: ${p99.median < 10 ? "met" : "missed"}`,
                },
                {
                    figure: `replay lag of ${name}: max of a run's samples`,
                    unit: "ms",
                    value: summarize(perRunSorted.map((sorted) => sorted[sorted.length - 1])),
                },
            );
        }
        return rows;
    });
}
