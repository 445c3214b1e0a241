import { spawn } from "child_process";
import { parseArgs } from "util";

import { buildAll } from "./build/buildAll";
import { clusterEnvironment, preparePulumi } from "./cluster/environment";
import { down, up } from "./cluster/lifecycle";
import { e2ePaths } from "./support/paths";
import { formatDuration, step } from "./support/run";

/**
 * `npm run e2e`: builds what is missing, starts the cluster, runs the end-to-end tests against it with the
 * built Pulumi CLI, and stops the cluster whatever the outcome. Arguments after `--` go to mocha (for
 * example `--grep destroy`); `--keep` leaves the cluster running for a look around afterwards.
 */
async function main(argv: string[]): Promise<number> {
    const { values } = parseArgs({
        args: argv,
        options: { keep: { type: "boolean", default: false } },
        allowPositionals: true,
        strict: false,
    });
    const mochaArgs = argv.filter((arg) => arg !== "--keep");
    const paths = e2ePaths();
    const started = Date.now();
    const bin = await step("build what is missing (cached by version)", () => buildAll(paths));
    preparePulumi(paths);
    // Ctrl-C reaches mocha too, which ends; the cluster is then stopped below instead of left running.
    let interrupted = false;
    process.on("SIGINT", () => {
        interrupted = true;
        process.stdout.write("\ninterrupted: stopping the cluster once the current step ends\n");
    });
    let code: number;
    try {
        await step("start the cluster", () => up(paths, bin));
        if (interrupted) return 130;
        const env = { ...process.env, ...clusterEnvironment(paths, bin, process.env.PATH ?? "") };
        code = await step("end-to-end tests", () => mocha(mochaArgs, env));
    } finally {
        if (values.keep) {
            process.stdout.write(
                'cluster left running: eval "$(npm run -s e2e:cluster -- env)"; stop it with npm run e2e:cluster -- down\n',
            );
        } else {
            await step("stop the cluster", () => down(paths, bin));
        }
    }
    // `npm start` and `npm stop` bring up and tear down a cluster of their own: they run once the suites'
    // cluster is stopped, when no filter leaves them out.
    const filter = mochaArgs.join(" ");
    if (!values.keep && !interrupted && (mochaArgs.length === 0 || /npm start/.test(filter))) {
        const quickstart = await step("npm start and npm stop from a fresh clone", () =>
            mocha(
                ["--no-config", "-r", "ts-node/register/transpile-only", "--timeout", "5400000", QUICKSTART_SPEC],
                process.env,
            ),
        );
        code = code === 0 ? quickstart : code;
    }
    process.stdout.write(
        `npm run e2e: ${code === 0 ? "passed" : "failed"} in ${formatDuration(Date.now() - started)}\n`,
    );
    return code;
}

const QUICKSTART_SPEC = "e2e/quickstart/quickstart.e2e.ts";

function mocha(args: string[], env: NodeJS.ProcessEnv): Promise<number> {
    const config = args.includes("--no-config") ? [] : ["--config", "e2e/.mocharc.json"];
    return new Promise((resolve, reject) => {
        const child = spawn("npx", ["mocha", ...config, ...args], { stdio: "inherit", env });
        child.on("error", reject);
        child.on("close", (code) => resolve(code ?? 1));
    });
}

main(process.argv.slice(2)).then(
    (code) => process.exit(code),
    (error: unknown) => {
        process.stderr.write(`e2e: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
        process.exit(1);
    },
);
