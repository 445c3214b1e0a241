/**
 * npm stop: stops the built-in cluster that `npm start` deployed the `local` stack onto, removing with it every
 * object of the stack, and removes the stack from the backend, leaving nothing running (no process, mount,
 * network or iptables chain of it).
 */
import { LocalWorkspace } from "@pulumi/pulumi/automation";

import { binaryDirs } from "../build/buildAll";
import { down, status } from "../cluster/lifecycle";
import { e2ePaths } from "../support/paths";
import { formatDuration, step } from "../support/run";
import { quickstartPaths, readRecord, useQuickstartEnvironment } from "./quickstart";

async function main(): Promise<number> {
    if (process.getuid?.() !== 0) throw new Error("the built-in cluster needs root to stop it");
    const started = Date.now();
    const paths = e2ePaths();
    const bin = binaryDirs(paths);
    const env = useQuickstartEnvironment(paths, bin);
    const record = readRecord(quickstartPaths(paths));
    try {
        if (record) {
            // The cluster and every object of the stack go with it: the stack's state only has to go too.
            await step(`remove the ${record.stack} stack from the backend`, async () => {
                const stack = await LocalWorkspace.selectStack(
                    { stackName: record.stack, workDir: record.workDir },
                    { workDir: record.workDir, envVars: env },
                );
                await stack.workspace.removeStack(record.stack, { force: true });
            });
        }
    } finally {
        // Whatever happened to the stack, the cluster must not be left running.
        await step("stop the built-in cluster and remove it", () => down(paths, bin));
    }
    const left = (await status(paths, bin)).daemons.filter((daemon) => daemon.pid !== undefined);
    if (left.length > 0) {
        process.stderr.write(
            `still running: ${left.map((daemon) => `${daemon.name} (pid ${daemon.pid})`).join(", ")}\n`,
        );
        return 1;
    }
    process.stdout.write(`Stopped in ${formatDuration(Date.now() - started)}: nothing of it is left running.\n`);
    return 0;
}

main().then(
    (code) => process.exit(code),
    (error: unknown) => {
        process.stderr.write(`npm stop: ${error instanceof Error ? error.message : String(error)}\n`);
        process.exit(1);
    },
);
