import { strict as assert } from "assert";

import { clusterNames } from "../../../components/naming";
import { podNames, waitForCluster } from "./clusterState";
import { stackSettings } from "./expectedObjects";
import { kubectl, kubectlJson, psqlInPod, waitUntil } from "./kubectl";
import { E2EStack } from "./e2eStack";

/** The steps both backup suites take, whatever the target: Jobs, a restore to a noted time, logs. */

/** Waits until the Job ends; whether it succeeded, and its pod's log. */
export async function jobResult(namespace: string, job: string): Promise<{ succeeded: boolean; log: string }> {
    const outcome = await waitUntil(`Job ${job} ends`, 300_000, async () => {
        const { status } = await kubectlJson<{ status: { succeeded?: number; failed?: number } }>([
            "get",
            "job",
            "-n",
            namespace,
            job,
        ]);
        return status.succeeded ? "succeeded" : status.failed ? "failed" : undefined;
    });
    const log = (await kubectl(["logs", "-n", namespace, `job/${job}`])).stdout;
    return { succeeded: outcome === "succeeded", log };
}

/** The name of the first backup's Job the stack made for the cluster `name`. */
export async function firstBackupJobName(namespace: string, name: string): Promise<string> {
    const jobs = await kubectlJson<{ items: { metadata: { name: string } }[] }>(["get", "jobs", "-n", namespace]);
    const first = jobs.items.map((job) => job.metadata.name).find((job) => job.startsWith(`${name}-first-backup-`));
    assert.ok(first, "the stack made the first backup's Job");
    return first;
}

/** For afterEach: after a failed test, the last lines of every pod's log in `namespaces`. */
export async function printPodLogs(namespaces: string[]): Promise<void> {
    for (const namespace of namespaces) {
        const pods = await kubectl(["get", "pods", "-n", namespace, "-o", "name"]).catch(() => undefined);
        for (const pod of pods?.stdout.split("\n").filter(Boolean) ?? []) {
            const log = await kubectl(["logs", "-n", namespace, pod, "--tail=40"]).catch(() => undefined);
            console.log(`----- last lines of ${namespace}/${pod} -----\n${log?.stdout ?? "(no log)"}`);
        }
    }
}

/**
 * `restored` (a stack in another namespace) brings up a new cluster from `source`'s backups at `noted`: every
 * pod has the `precious` table's `rows` rows, and pod 0's log shows the restore.
 */
export async function restoreToNotedTime(restored: E2EStack, source: E2EStack, noted: string, rows: string) {
    restored.changeSettings({
        restore: { from: { name: stackSettings(source.config).name, namespace: source.namespace }, targetTime: noted },
    });
    const result = await restored.stack.up({ color: "never" });
    assert.equal(result.summary.result, "succeeded");
    const settings = stackSettings(restored.config);
    await waitForCluster(restored.namespace, settings);
    for (const pod of podNames(settings)) {
        assert.equal(await psqlInPod(restored.namespace, pod, "SELECT count(*) FROM precious"), rows, pod);
    }
    const log = (await kubectl(["logs", "-n", restored.namespace, clusterNames(settings).pod(0)])).stdout;
    assert.match(log, /restoring base backup \d{8}T\d{6}/);
}
