import { buildAll } from "../e2e/build/buildAll";
import { clusterEnvironment, preparePulumi } from "../e2e/cluster/environment";
import { down, up } from "../e2e/cluster/lifecycle";
import { e2ePaths } from "../e2e/support/paths";
import { createE2EStack } from "../e2e/tests/support/e2eStack";
import { e2eEnvironment } from "../e2e/tests/support/e2eEnvironment";
import { stackSettings } from "../e2e/tests/support/expectedObjects";
import { kubectl } from "../e2e/tests/support/kubectl";
import { waitForCluster } from "../e2e/tests/support/clusterState";
import { Row } from "./report";
import { summarize } from "./stats";

/**
 * The real cluster of `npm run e2e`: how long a warm start takes (everything built), and how long the real
 * `pulumi up` of the local stack takes until every pod is Ready and every standby streams, on the real kubelet
 * (next to the pod harness's cold start in the coldstart section). Each run starts a fresh cluster.
 */
export async function e2eBenchmark(runs: number): Promise<Row[]> {
    const paths = e2ePaths();
    const bin = await buildAll(paths);
    preparePulumi(paths);
    Object.assign(process.env, clusterEnvironment(paths, bin, process.env.PATH ?? ""));
    const starts: number[] = [];
    const deploys: number[] = [];
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
            await e2e.stack.destroy({ color: "never" });
            await kubectl(["delete", "namespace", e2e.namespace, "--wait=true"]);
            await e2e.remove();
        } finally {
            await down(paths, bin);
        }
        process.stdout.write(
            `e2e run ${run + 1}: cluster up ${starts[run]} ms, pulumi up to streaming ${deploys[run]} ms\n`,
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
    ];
}
