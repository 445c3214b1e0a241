/**
 * npm start: the `local` stack, deployed with the real Pulumi CLI onto the project's own single-node cluster
 * (the end-to-end tooling), for someone who wants to see it run before they own a cluster. No login and no
 * `stack init`: a file backend and a generated passphrase in the tooling's cache. It waits until every pod is
 * Ready and every standby streams, then prints the cluster's status, how to connect and how to stop.
 */
import * as fs from "fs";
import * as path from "path";
import { LocalWorkspace } from "@pulumi/pulumi/automation";

import { binaryDirs, buildAll } from "../build/buildAll";
import { preparePulumi } from "../cluster/environment";
import { status, up } from "../cluster/lifecycle";
import { e2ePaths } from "../support/paths";
import { formatDuration, step } from "../support/run";
import { e2eEnvironment } from "../tests/support/e2eEnvironment";
import { createE2EStack, linkProgram } from "../tests/support/e2eStack";
import { waitForCluster } from "../tests/support/clusterState";
import { clusterNames } from "../../components/naming";
import { readStackConfig } from "../../components/stackConfig";
import { clusterStatus } from "../../tools/status/clusterStatus";
import { kubectlIn } from "../../tools/status/kubectlIn";
import { formatStatus } from "../../tools/status/statusTable";
import { passFileLine, psqlCommand } from "./connection";
import {
    QUICKSTART_STACK,
    quickstartPaths,
    quickstartStackConfig,
    readRecord,
    useQuickstartEnvironment,
} from "./quickstart";

async function main(): Promise<void> {
    if (process.getuid?.() !== 0)
        throw new Error("the built-in cluster needs root: network namespaces, mounts, iptables");
    const started = Date.now();
    const paths = e2ePaths();
    const files = quickstartPaths(paths);
    const firstRun = !toolchainCached(paths);
    if (firstRun) {
        process.stdout.write(
            "First run: building the toolchain from the Go module proxy and Debian's archive (Kubernetes, etcd,\n" +
                "CoreDNS, containerd's images, the Pulumi CLI, its language hosts and the Kubernetes provider).\n" +
                "On 2 cores this takes 45 to 70 minutes, once; later runs take one to two minutes.\n\n",
        );
    }
    const bin = await step("build what is missing (cached by version)", () => buildAll(paths));
    const running = await status(paths, bin);
    if (running.nodeReady) process.stdout.write("    the built-in cluster is already running\n");
    else await step("start the built-in cluster", () => up(paths, bin));
    preparePulumi(paths);
    // From here on every command sees the built-in cluster only.
    useQuickstartEnvironment(paths, bin);
    const environment = e2eEnvironment(process.env);

    const record = readRecord(files);
    const stack = record
        ? await inThisCheckout(record.stack, record.workDir, environment.env)
        : await step(
              `make the ${QUICKSTART_STACK} stack (file backend, generated passwords and TLS certificate)`,
              async () => {
                  // What an interrupted first run left behind.
                  fs.rmSync(files.workDir, { recursive: true, force: true });
                  const created = await createE2EStack(
                      environment,
                      QUICKSTART_STACK,
                      {},
                      QUICKSTART_STACK,
                      files.workDir,
                  );
                  await created.stack.setAllConfig(
                      Object.fromEntries(
                          Object.entries(quickstartStackConfig(paths)).map(([key, value]) => [key, { value }]),
                      ),
                  );
                  if (created.tlsAuthority) fs.writeFileSync(files.caFile, created.tlsAuthority.certificate);
                  const password = (await created.stack.getConfig("pg-ha:superuserPassword")).value;
                  fs.writeFileSync(files.passFile, passFileLine(password), { mode: 0o600 });
                  fs.writeFileSync(files.record, JSON.stringify({ workDir: files.workDir, stack: QUICKSTART_STACK }));
                  return created.stack;
              },
          );
    // The stack's settings as the program reads them, from what the CLI hands it.
    const given = await stack.getAllConfig();
    const { settings } = readStackConfig(
        Object.fromEntries(Object.entries(given).map(([key, { value }]) => [key, value])),
        Object.keys(given).filter((key) => given[key].secret),
    );
    await step("pulumi up (the local stack)", async () => {
        // With a refresh: a stack whose cluster was stopped without `npm stop` holds objects that are gone.
        await stack.up({ color: "never", refresh: true });
    });
    await step("wait until every pod is Ready and every standby streams", () =>
        waitForCluster(settings.namespace, settings),
    );

    const kubectl = kubectlIn(undefined);
    const { pods, slots } = await clusterStatus(settings, kubectl);
    const names = clusterNames(settings);
    const address = (
        await kubectl(["get", "service", names.rwService, "-n", settings.namespace, "-o", "jsonpath={.spec.clusterIP}"])
    ).trim();
    process.stdout.write(`\nUp in ${formatDuration(Date.now() - started)}.\n\n${formatStatus(pods, slots)}\n`);
    process.stdout.write(
        [
            "Connect from this machine, as root (the password is read from a file of root's, never printed):",
            `  ${psqlCommand({ host: names.serviceHost(names.rwService), address, passFile: files.passFile, caFile: files.caFile })}`,
            "",
            "Look around (kubectl, pulumi and the stack of this cluster):",
            '  eval "$(npm run -s e2e:cluster -- env)"',
            `  kubectl get pods -n ${settings.namespace}`,
            `  KUBECONFIG=${paths.kubeconfig} npm run status -- --stack ${QUICKSTART_STACK}`,
            "",
            "Stop, and leave nothing running:",
            "  npm stop",
            "",
        ].join("\n"),
    );
}

/** The recorded stack, its project linked to this checkout's program: the record may be another clone's. */
function inThisCheckout(stackName: string, workDir: string, envVars: Record<string, string>) {
    linkProgram(workDir);
    return LocalWorkspace.selectStack({ stackName, workDir }, { workDir, envVars });
}

/** Whether the slow builds are done: the programs each needs last, and the images. */
function toolchainCached(paths: ReturnType<typeof e2ePaths>): boolean {
    const bin = binaryDirs(paths);
    const programs = [
        path.join(bin.kubernetes, "kubelet"),
        path.join(bin.pulumi, "pulumi"),
        path.join(bin.pulumiKubernetes, "pulumi-resource-kubernetes"),
        path.join(bin.languageHosts, "pulumi-language-nodejs"),
    ];
    const images = fs.existsSync(paths.images)
        ? fs.readdirSync(paths.images).filter((f) => f.endsWith(".oci.tar"))
        : [];
    return programs.every((program) => fs.existsSync(program)) && images.length >= 2;
}

main().then(
    () => process.exit(0),
    (error: unknown) => {
        process.stderr.write(`npm start: ${error instanceof Error ? error.message : String(error)}\n`);
        process.exit(1);
    },
);
