import { performance } from "perf_hooks";

import { ClusterSettingsInput, resolveSettings } from "../components/settings";
import { PodCluster, PodClusterOptions, harnessSkipReason, sleep } from "../tests/support/podHarness";

/** Fixed passwords: the benchmarks measure time, not secrecy. */
export const BENCH_PASSWORDS = { superuser: "bench-superuser-password", replication: "bench-replication-password" };

/** How often the benchmarks poll a pod (through `kubectl exec`-like psql): each poll itself takes ~10–30 ms. */
export const POLL_MS = 20;

/** Milliseconds since an arbitrary origin, monotonic. */
export const now = (): number => performance.now();

/** Throws, saying why, where the pods cannot run: the pod sections need root and real PostgreSQL. */
export function requireHarness(section: string): void {
    const reason = harnessSkipReason();
    if (reason) {
        throw new Error(`section ${section} runs real PostgreSQL pods: ${reason}`);
    }
}

/** Builds a cluster from `input`, runs `body` with it, and destroys it even when `body` fails. */
export async function withCluster<T>(
    input: ClusterSettingsInput,
    body: (cluster: PodCluster) => Promise<T>,
    options: PodClusterOptions = {},
): Promise<T> {
    const cluster = await PodCluster.create(resolveSettings(input), BENCH_PASSWORDS, options);
    try {
        return await body(cluster);
    } catch (error) {
        for (let ordinal = 0; ordinal < cluster.replicas; ordinal++) {
            const log = cluster.logs(ordinal).split("\n").slice(-30).join("\n");
            console.error(`----- last lines of ${cluster.podName(ordinal)}'s log -----\n${log}`);
        }
        throw error;
    } finally {
        await cluster.destroy();
    }
}

/** Whether the standby's WAL receiver streams (queried on the standby itself); false while it cannot answer. */
export async function receiverStreams(cluster: PodCluster, ordinal: number): Promise<boolean> {
    try {
        return (await cluster.psql(ordinal, "SELECT status FROM pg_stat_wal_receiver")) === "streaming";
    } catch {
        return false;
    }
}

/** Polls `condition` every `POLL_MS` until it holds; returns the time (from `now`) it was first seen to hold. */
export async function firstTrue(
    description: string,
    condition: () => Promise<boolean>,
    timeoutMs: number,
): Promise<number> {
    const deadline = now() + timeoutMs;
    for (;;) {
        if (await condition()) {
            return now();
        }
        if (now() >= deadline) {
            throw new Error(`timed out after ${timeoutMs / 1000}s waiting until ${description}`);
        }
        await sleep(POLL_MS);
    }
}

/** Runs `argv` in the pod and fails with its output unless it succeeds. */
export async function execOrFail(
    cluster: PodCluster,
    ordinal: number,
    argv: string[],
    timeoutMs: number,
): Promise<string> {
    const result = await cluster.exec(ordinal, argv, { timeoutMs });
    if (result.code !== 0) {
        throw new Error(
            `in ${cluster.podName(ordinal)}, ${argv.join(" ")} exited with ${result.code}:\n${result.stdout}\n${result.stderr}`,
        );
    }
    return result.stdout;
}
