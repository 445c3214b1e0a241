import * as fs from "fs";
import * as path from "path";

import { ClusterSettingsInput, resolveSettings } from "../../components/settings";
import { Passwords } from "../../components/specs/credentials";
import { PodCluster, PodClusterOptions, harnessSkipReason, waitUntil } from "./podHarness";

/** Bounds of the waits in the replication tests; generous for a loaded 2-core CI machine. */
export const TIMEOUTS = {
    /** A pod becoming ready: initdb or a small clone, and PostgreSQL's start. */
    ready: 60000,
    /** Rows replicating, a standby noticing its primary is gone. */
    replication: 30000,
    /** One mocha test. */
    test: 180000,
};

/** The handle a suite's tests use; `cluster` is set once the suite's `before` hook has run. */
export interface PodClusterFixture {
    readonly cluster: PodCluster;
}

/**
 * Registers hooks that build a cluster of pods from `input` (resolved like any stack's settings) before
 * the suite and destroy it after, even when a test fails. Skips the suite, saying why, where the pods
 * cannot run (not root, no namespaces). The logs of every pod are printed when a test fails.
 */
export function usePodCluster(
    input: ClusterSettingsInput,
    passwords: Passwords<string>,
    options: PodClusterOptions = {},
): PodClusterFixture {
    let cluster: PodCluster | undefined;
    before(async function () {
        const reason = harnessSkipReason();
        if (reason) {
            console.log(`      skipping the replication tests against real PostgreSQL: ${reason}`);
            this.skip();
        }
        this.timeout(TIMEOUTS.test);
        cluster = await PodCluster.create(resolveSettings(input), passwords, options);
    });
    afterEach(function () {
        if (cluster && this.currentTest?.state === "failed") {
            for (let ordinal = 0; ordinal < cluster.replicas; ordinal++) {
                const log = cluster.logs(ordinal).split("\n").slice(-40).join("\n");
                console.log(`----- last lines of ${cluster.podName(ordinal)}'s log -----\n${log}`);
            }
        }
    });
    after(async function () {
        this.timeout(TIMEOUTS.test);
        await cluster?.destroy();
    });
    return {
        get cluster(): PodCluster {
            if (!cluster) {
                throw new Error("the pod cluster is not set up");
            }
            return cluster;
        },
    };
}

/** Rows of a tuples-only, unaligned psql result. */
export function rows(output: string): string[] {
    return output.split("\n").filter((line) => line.length > 0);
}

export async function systemIdentifier(cluster: PodCluster, ordinal: number): Promise<string> {
    return cluster.psql(ordinal, "SELECT system_identifier FROM pg_control_system()");
}

/** Waits until pod 0 lists the pod as a streaming standby and the pod's readiness probe succeeds. */
export async function waitForStreaming(
    cluster: PodCluster,
    ordinal: number,
    timeoutMs = TIMEOUTS.ready,
): Promise<void> {
    const name = cluster.podName(ordinal);
    await waitUntil(
        `pod 0 lists ${name} as a streaming standby`,
        async () =>
            (await cluster.psql(0, `SELECT state FROM pg_stat_replication WHERE application_name = '${name}'`)) ===
            "streaming",
        timeoutMs,
    );
    await waitUntil(`${name} is ready`, () => cluster.probe(ordinal, "readiness"), timeoutMs);
}

/** Waits until a standby's bootstrap, started without its primary, says it waits for it. */
export function waitUntilWaitingForPrimary(
    cluster: PodCluster,
    ordinal: number,
    timeoutMs = TIMEOUTS.ready,
): Promise<void> {
    return waitUntil(
        `${cluster.podName(ordinal)} waits for the primary`,
        () => /waiting for the primary/.test(cluster.logs(ordinal, { sinceLastStart: true })),
        timeoutMs,
    );
}

/** Waits until `sql` returns `expected` on the pod. */
export async function waitForResult(
    cluster: PodCluster,
    ordinal: number,
    sql: string,
    expected: string,
    timeoutMs = TIMEOUTS.replication,
): Promise<void> {
    let last: string | undefined;
    try {
        await waitUntil(
            `${cluster.podName(ordinal)} returns ${JSON.stringify(expected)} for ${sql}`,
            async () => {
                last = await cluster.psql(ordinal, sql);
                return last === expected;
            },
            timeoutMs,
        );
    } catch (error) {
        throw new Error(`${(error as Error).message}; last result: ${JSON.stringify(last)}`, { cause: error });
    }
}

/** Every regular file under `dir`. */
export function filesUnder(dir: string): string[] {
    return fs.readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
        const full = path.join(dir, entry.name);
        if (entry.isDirectory()) {
            return filesUnder(full);
        }
        return entry.isFile() ? [full] : [];
    });
}

/** Total size in bytes of the regular files under `dir`, 0 when it does not exist. */
export function directorySize(dir: string): number {
    try {
        return filesUnder(dir).reduce((total, file) => {
            try {
                return total + fs.statSync(file).size;
            } catch {
                return total;
            }
        }, 0);
    } catch {
        return 0;
    }
}

/** Starts every pod of `cluster`; when one does not get ready, fails with the last lines of pod 0's log. */
export async function startAllExplained(cluster: PodCluster): Promise<void> {
    try {
        await cluster.startAll();
    } catch (error) {
        const log = cluster.logs(0).split("\n").slice(-30).join("\n");
        throw new Error(`${(error as Error).message}; the last lines of ${cluster.podName(0)}'s log:\n${log}`, {
            cause: error,
        });
    }
}

/**
 * Creates `table` on pod 0, then starts writing `batches` transactions of 500 rows into it, 10 ms apart, while the
 * test does something else: `finished` settles when the writes end.
 */
export async function writeInBatches(cluster: PodCluster, table: string, batches: number) {
    await cluster.psql(0, `CREATE TABLE ${table} (id bigint)`);
    const finished = cluster.exec(0, [
        "psql",
        "-X",
        "-q",
        "-U",
        "postgres",
        "-c",
        `DO $$BEGIN FOR i IN 1..${batches} LOOP INSERT INTO ${table} SELECT generate_series(1, 500); COMMIT; PERFORM pg_sleep(0.01); END LOOP; END$$`,
    ]);
    return { finished };
}

/** The server's time, as a restore.targetTime. */
export const UTC_NOW = `SELECT to_char(clock_timestamp() AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"')`;
