/**
 * npm run status -- [--stack <name>] [--context <kube context>]
 *
 * Prints, for a running cluster of one of the project's stacks, each pod with its role, state, readiness and
 * restarts, how each standby replicates and how far its replay is behind, and pod 0's replication slots. It
 * reads the stack's settings from its stack file (no Pulumi CLI) and the cluster through kubectl, in the
 * given kube context or kubectl's current one.
 */
import { parseArgs } from "util";

import { readStackConfig } from "../../components/stackConfig";
import { ConfigError } from "../../components/settings";
import { UnknownStackError, stackEngineConfig } from "../../components/stackFiles";
import { clusterStatus } from "./clusterStatus";
import { kubectlIn } from "./kubectlIn";
import { formatStatus } from "./statusTable";

async function main(argv: string[]): Promise<number> {
    const { values } = parseArgs({
        args: argv,
        options: { stack: { type: "string", default: "local" }, context: { type: "string" } },
    });
    const stack = values.stack;
    const { config, secretKeys } = stackEngineConfig(stack, (key) => `<secret ${key}>`);
    const { settings } = readStackConfig(config, secretKeys);
    const { pods, slots } = await clusterStatus(settings, kubectlIn(values.context));
    process.stdout.write(`stack ${stack}: StatefulSet ${settings.name} in namespace ${settings.namespace}\n\n`);
    process.stdout.write(formatStatus(pods, slots));
    return pods.every((pod) => pod.ready) ? 0 : 3;
}

main(process.argv.slice(2)).then(
    (code) => process.exit(code),
    (error: unknown) => {
        const known = error instanceof ConfigError || error instanceof UnknownStackError;
        process.stderr.write(`status: ${error instanceof Error && known ? error.message : String(error)}\n`);
        process.exit(1);
    },
);
