import * as fs from "fs";
import * as path from "path";

import { POD_PATHS } from "../components/specs/podPaths";
import { PodCluster } from "../tests/support/podHarness";
import { POLL_MS, firstTrue, now, receiverStreams, requireHarness, withCluster } from "./pods";
import { Row } from "./report";
import { Summary, summarize } from "./stats";

type Policy = "OrderedReady" | "Parallel";
const PODS = 3;
const TIMEOUT_MS = 120000;
/** How often the host looks for the files that mark a pod's progress; cheap (a stat), unlike a probe. */
const FILE_POLL_MS = 5;

/** When (ms after startAll) each pod passed each step, as seen from the host. */
interface Timeline {
    /** The container started (its log file exists). */
    started: number[];
    /** initdb or pg_basebackup began (PGDATA.partial exists). */
    building: number[];
    /** The new cluster or clone was renamed into PGDATA. */
    built: number[];
    /** Everything ready: pod 0's readiness probe succeeds and both standbys' WAL receivers stream. */
    allStreaming: number;
    /** Containers that exited and were started again, as the kubelet would after its back-off. */
    restarts: number;
}

/** The kubelet's first back-off before it restarts a container that exited (restartPolicy Always). */
const RESTART_BACKOFF_MS = 10000;

/**
 * What the kubelet does for a container that exits (restartPolicy: Always): start it again, the first
 * time after a 10 s back-off. `tick` does it when due and always returns true.
 */
function restartExited(cluster: PodCluster): { tick: () => Promise<boolean>; restarts: () => number } {
    const exitedAt = new Map<number, number>();
    let restarts = 0;
    return {
        tick: async () => {
            for (let ordinal = 0; ordinal < PODS; ordinal++) {
                if (cluster.isRunning(ordinal) || !cluster.wasStarted(ordinal)) {
                    continue;
                }
                const at = exitedAt.get(ordinal) ?? now();
                exitedAt.set(ordinal, at);
                if (now() - at >= RESTART_BACKOFF_MS) {
                    console.log(
                        `coldstart: ${cluster.podName(ordinal)} exited; restarting it after the kubelet's back-off`,
                    );
                    exitedAt.delete(ordinal);
                    restarts++;
                    await cluster.start(ordinal);
                }
            }
            return true;
        },
        restarts: () => restarts,
    };
}

/**
 * Watches the host side of every pod's volumes every FILE_POLL_MS: when the container starts, when
 * PGDATA.partial appears, when PGDATA/PG_VERSION appears.
 */
function watchFiles(cluster: PodCluster, origin: number): { stop: () => Omit<Timeline, "allStreaming" | "restarts"> } {
    const steps = {
        started: new Array<number>(PODS).fill(Number.NaN),
        building: new Array<number>(PODS).fill(Number.NaN),
        built: new Array<number>(PODS).fill(Number.NaN),
    };
    const files = Array.from({ length: PODS }, (_, ordinal) => {
        const pgdata = cluster.hostPath(ordinal, POD_PATHS.pgdata);
        return {
            started: path.join(path.dirname(path.dirname(cluster.dataVolume(ordinal))), "container.log"),
            building: `${pgdata}.partial`,
            built: path.join(pgdata, "PG_VERSION"),
        };
    });
    const timer = setInterval(() => {
        const at = now() - origin;
        for (let ordinal = 0; ordinal < PODS; ordinal++) {
            for (const step of ["started", "building", "built"] as const) {
                if (Number.isNaN(steps[step][ordinal]) && fs.existsSync(files[ordinal][step])) {
                    steps[step][ordinal] = at;
                }
            }
        }
    }, FILE_POLL_MS);
    return {
        stop: () => {
            clearInterval(timer);
            return steps;
        },
    };
}

/** An empty cluster of three pods under `policy`, from startAll() to pod 0 ready and both standbys streaming. */
async function coldStart(policy: Policy): Promise<Timeline> {
    return withCluster(
        { replicas: PODS, storage: { className: "standard" }, podManagementPolicy: policy },
        async (cluster) => {
            const origin = now();
            const files = watchFiles(cluster, origin);
            try {
                // Readiness probed every POLL_MS, not the kubelet's periodSeconds: what the pods can do.
                await cluster.startAll(TIMEOUT_MS, POLL_MS);
                const kubelet = restartExited(cluster);
                const allAt = await firstTrue(
                    "pod 0 is ready and both standbys stream",
                    async () =>
                        (await kubelet.tick()) &&
                        (await cluster.probe(0, "readiness")) &&
                        (await receiverStreams(cluster, 1)) &&
                        (await receiverStreams(cluster, 2)),
                    TIMEOUT_MS,
                );
                return { ...files.stop(), allStreaming: allAt - origin, restarts: kubelet.restarts() };
            } finally {
                files.stop();
            }
        },
    );
}

const fmt = (ms: number) => ms.toFixed(0);

/** Section "coldstart": an empty 3-pod cluster to all standbys streaming, OrderedReady and Parallel alternately. */
export async function coldStartBenchmark(runs: number): Promise<Row[]> {
    requireHarness("coldstart");
    const timelines: Record<Policy, Timeline[]> = { OrderedReady: [], Parallel: [] };
    for (let run = 0; run < runs; run++) {
        const order: Policy[] = run % 2 === 0 ? ["OrderedReady", "Parallel"] : ["Parallel", "OrderedReady"];
        for (const policy of order) {
            const timeline = await coldStart(policy);
            timelines[policy].push(timeline);
            const pods = timeline.started.map(
                (_, i) =>
                    `pod ${i} start ${fmt(timeline.started[i])} build ${fmt(timeline.building[i])}–${fmt(timeline.built[i])}`,
            );
            console.log(
                `coldstart run ${run + 1}/${runs}, ${policy}: all streaming at ${fmt(timeline.allStreaming)} ms, ${timeline.restarts} restart(s); ${pods.join("; ")}`,
            );
        }
    }
    const of = (policy: Policy, pick: (timeline: Timeline) => number): Summary =>
        summarize(timelines[policy].map(pick));
    const rows: Row[] = [];
    const ordered = of("OrderedReady", (t) => t.allStreaming);
    rows.push(
        {
            figure: "cold start, OrderedReady: empty 3-pod cluster to pod 0 ready and both standbys streaming",
            unit: "ms",
            value: ordered,
            reference: { label: "Parallel", value: of("Parallel", (t) => t.allStreaming) },
            target: `< 3000 ms: ${ordered.median < 3000 ? "met" : "missed"}`,
        },
        {
            figure: "… OrderedReady, pod 0: initdb and the replication role (start to PGDATA in place)",
            unit: "ms",
            value: of("OrderedReady", (t) => t.built[0] - t.started[0]),
        },
        {
            figure: "… OrderedReady, pod 0: PGDATA in place to ready (pod 1 started)",
            unit: "ms",
            value: of("OrderedReady", (t) => t.started[1] - t.built[0]),
        },
        {
            figure: "… OrderedReady, pod 1: start to its clone in place",
            unit: "ms",
            value: of("OrderedReady", (t) => t.built[1] - t.started[1]),
        },
        {
            figure: "… OrderedReady, pod 1: clone in place to ready (pod 2 started)",
            unit: "ms",
            value: of("OrderedReady", (t) => t.started[2] - t.built[1]),
        },
        {
            figure: "… OrderedReady, pod 2: start to streaming (all streaming)",
            unit: "ms",
            value: of("OrderedReady", (t) => t.allStreaming - t.started[2]),
        },
        {
            figure: "… Parallel: pod 0's PGDATA in place to the last standby's clone beginning",
            unit: "ms",
            value: of("Parallel", (t) => Math.max(t.building[1], t.building[2]) - t.built[0]),
        },
        {
            figure: "… Parallel: containers that failed and were restarted after the kubelet's 10 s back-off, per run",
            unit: "",
            value: of("Parallel", (t) => t.restarts),
        },
        {
            figure: "… OrderedReady: the same",
            unit: "",
            value: of("OrderedReady", (t) => t.restarts),
        },
    );
    return rows;
}
