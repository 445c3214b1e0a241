import { buildAll } from "../e2e/build/buildAll";
import { clusterEnvironment, preparePulumi } from "../e2e/cluster/environment";
import { down, up } from "../e2e/cluster/lifecycle";
import { e2ePaths } from "../e2e/support/paths";
import { createE2EStack } from "../e2e/tests/support/e2eStack";
import { e2eEnvironment } from "../e2e/tests/support/e2eEnvironment";
import { stackSettings } from "../e2e/tests/support/expectedObjects";
import { kubectl } from "../e2e/tests/support/kubectl";
import { CONTAINER_NAME } from "../components/specs/statefulSet";
import { clusterNames } from "../components/naming";
import { CLONE_SCALE, PGBENCH_INIT } from "./clone";
import { waitForCluster, waitForPodReady, waitForStreaming } from "../e2e/tests/support/clusterState";
import { Row } from "./report";
import { summarize } from "./stats";

/**
 * The real cluster of `npm run e2e`: how long a warm start takes (everything built); how long the real
 * `pulumi up` of the local stack takes until every pod is Ready and every standby streams, on the real kubelet
 * (next to the pod harness's cold start in the coldstart section); a rolling update of its 3 pods (a settings
 * change); pod 0 deleted, until the standbys stream from its new pod on its new address; and a new standby's clone of the clone section's pgbench database (a scale-up from 3 to 4). Each run
 * starts a fresh cluster.
 */
export async function e2eBenchmark(runs: number): Promise<Row[]> {
    const paths = e2ePaths();
    const bin = await buildAll(paths);
    preparePulumi(paths);
    Object.assign(process.env, clusterEnvironment(paths, bin, process.env.PATH ?? ""));
    const starts: number[] = [];
    const deploys: number[] = [];
    const rolls: number[] = [];
    const clones: number[] = [];
    const restarts: { total: number; resume: number }[] = [];
    for (let run = 0; run < runs; run++) {
        const started = Date.now();
        await up(paths, bin);
        starts.push(Date.now() - started);
        try {
            const e2e = await createE2EStack(e2eEnvironment(), "local");
            const settings = stackSettings(e2e.config);
            const deploying = Date.now();
            await e2e.stack.up({ color: "never" });
            await waitForCluster(e2e.namespace, settings);
            deploys.push(Date.now() - deploying);

            e2e.changeSettings({ postgresqlParameters: { work_mem: "8MB" } });
            const rolling = Date.now();
            await e2e.stack.up({ color: "never" });
            await waitForCluster(e2e.namespace, settings);
            rolls.push(Date.now() - rolling);

            const pod0 = clusterNames(settings).pod(0);
            await kubectl(["delete", "pod", "-n", e2e.namespace, pod0, "--wait=true"]);
            const deleted = Date.now();
            await waitForPodReady(e2e.namespace, settings, pod0);
            const ready = Date.now();
            await waitForStreaming(e2e.namespace, settings);
            restarts.push({ total: Date.now() - deleted, resume: Date.now() - ready });

            await kubectl(["exec", "-n", e2e.namespace, pod0, "-c", CONTAINER_NAME, "--", ...PGBENCH_INIT]);
            e2e.changeSettings({ replicas: 4 });
            const scaled = stackSettings(e2e.config);
            const cloning = Date.now();
            await e2e.stack.up({ color: "never" });
            await waitForCluster(e2e.namespace, scaled, { timeoutMs: 900_000 });
            clones.push(Date.now() - cloning);
            await e2e.stack.destroy({ color: "never" });
            await kubectl(["delete", "namespace", e2e.namespace, "--wait=true"]);
            await e2e.remove();
        } finally {
            await down(paths, bin);
        }
        process.stdout.write(
            `e2e run ${run + 1}: cluster up ${starts[run]} ms, pulumi up to streaming ${deploys[run]} ms, ` +
                `rolling update ${rolls[run]} ms, pod 0 deleted to streaming ${restarts[run].total} ms ` +
                `(from pod 0 Ready ${restarts[run].resume} ms), scale-up clone ${clones[run]} ms\n`,
        );
    }
    return [
        {
            figure: "Real cluster: warm start (built, images imported, node Ready)",
            unit: "ms",
            value: summarize(starts),
        },
        {
            figure: "Real cluster: `pulumi up` of the local stack to the StatefulSet rolled out, every pod Ready and every standby streaming",
            unit: "ms",
            value: summarize(deploys),
        },
        {
            figure: "Real cluster: rolling update of the 3 pods (a settings change), `pulumi up` to every pod on the new revision, Ready and streaming",
            unit: "ms",
            value: summarize(rolls),
        },
        {
            figure: "Real cluster: pod 0 deleted, to every standby streaming from its new pod (new address)",
            unit: "ms",
            value: summarize(restarts.map((restart) => restart.total)),
        },
        {
            figure: "Real cluster: … of which pod 0 Ready (on its new address) to every standby streaming again",
            unit: "ms",
            value: summarize(restarts.map((restart) => restart.resume)),
        },
        {
            figure: `Real cluster: scale 3 → 4 with a pgbench scale ${CLONE_SCALE} database, \`pulumi up\` to pod 3 cloned and streaming`,
            unit: "ms",
            value: summarize(clones),
        },
    ];
}
