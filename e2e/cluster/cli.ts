import * as fs from "fs";
import { parseArgs } from "util";

import { binaryDirs, buildAll, buildCluster } from "../build/buildAll";
import { e2ePaths } from "../support/paths";
import { formatDuration } from "../support/run";
import { clusterEnvironment, preparePulumi, exportLines } from "./environment";
import { down, status, up } from "./lifecycle";

const USAGE = `usage: npm run e2e:cluster -- <command>
  build    build or install what is missing, the Pulumi CLI included (cached by version)
  up       build what the cluster is missing, then start a single-node cluster (replacing one left running)
  down     stop the cluster and remove it: processes, pods, mounts, network, iptables chains, state
  status   what runs, and whether the node is Ready
  env      shell export lines to use the cluster and the built pulumi by hand:
             eval "$(npm run -s e2e:cluster -- env)"`;

async function main(argv: string[]): Promise<number> {
    const { positionals } = parseArgs({ args: argv, allowPositionals: true, strict: true });
    const paths = e2ePaths();
    const started = Date.now();
    switch (positionals[0]) {
        case "build":
            await buildAll(paths);
            break;
        case "up": {
            requireRoot();
            const bin = await buildCluster(paths);
            await up(paths, bin);
            preparePulumi(paths);
            process.stdout.write(
                `cluster up in ${formatDuration(Date.now() - started)}; use it with:\n  eval "$(npm run -s e2e:cluster -- env)"\n`,
            );
            break;
        }
        case "down":
            requireRoot();
            await down(paths, binaryDirs(paths));
            process.stdout.write(`cluster down in ${formatDuration(Date.now() - started)}\n`);
            break;
        case "status": {
            const report = await status(paths, binaryDirs(paths));
            for (const daemon of report.daemons) {
                process.stdout.write(
                    `${daemon.name.padEnd(24)} ${daemon.pid === undefined ? "stopped" : `running (pid ${daemon.pid})`}\n`,
                );
            }
            process.stdout.write(`node ${report.nodeReady ? "Ready" : "not Ready"}\n`);
            if (report.mounts.length > 0)
                process.stdout.write(`mounts under ${paths.state}: ${report.mounts.length}\n`);
            return report.nodeReady ? 0 : 3;
        }
        case "env":
            preparePulumi(paths);
            if (!fs.existsSync(paths.kubeconfig))
                process.stderr.write("note: no cluster is running (npm run e2e:cluster -- up)\n");
            process.stdout.write(
                `${exportLines(clusterEnvironment(paths, binaryDirs(paths), process.env.PATH ?? ""))}\n`,
            );
            break;
        default:
            process.stderr.write(`${USAGE}\n`);
            return 2;
    }
    return 0;
}

function requireRoot(): void {
    if (process.getuid?.() !== 0)
        throw new Error("the cluster needs root: network namespaces, mounts, iptables, cgroups");
}

main(process.argv.slice(2)).then(
    (code) => process.exit(code),
    (error: unknown) => {
        process.stderr.write(`e2e:cluster: ${error instanceof Error ? error.message : String(error)}\n`);
        process.exit(1);
    },
);
