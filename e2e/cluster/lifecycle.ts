import { randomBytes } from "crypto";
import * as fs from "fs";
import * as path from "path";

import { BuiltBinaries } from "../build/buildAll";
import { imageArchive, splitReference } from "../build/images";
import { httpStatus } from "../support/http";
import { E2EPaths } from "../support/paths";
import { run, sleep, step, StopWaiting, waitFor } from "../support/run";
import { IMAGES } from "../versions";
import { addonManifests, ADDON_USERS, corefile } from "./addons";
import { clusterDaemons, clusterFiles, DAEMON_NAMES, DaemonName } from "./components";
import { leftoverTaskPids, markState, stateOwnership } from "./leftovers";
import {
    clusterChainsOnHost,
    createBridge,
    deleteBridge,
    mountsUnder,
    removeClusterChains,
    removeClusterIpsets,
    removeEmptyContainerdRunDirs,
    removeKubepodsCgroups,
    restoreSysctls,
    saveSysctls,
    unmountUnder,
} from "./host";
import { kubeconfig, tokenFile } from "./kubeconfig";
import { cniConfig, containerdConfig, kubeletConfig, kubeProxyConfig } from "./nodeConfig";
import { createPki, pkiFiles } from "./pki";
import { daemonFiles, runningPid, startDaemon, stopDaemon, stopPid } from "./processes";
import { apiServerUrl, TOPOLOGY } from "./topology";

function token(): string {
    return randomBytes(24).toString("hex");
}

/**
 * Writes every configuration file and kubeconfig of a new cluster, with a new token per identity; returns
 * the admin's, for the readiness checks that call the API server directly.
 */
function writeConfiguration(paths: E2EPaths, caFile: string): string {
    const files = clusterFiles(paths);
    fs.mkdirSync(paths.config, { recursive: true, mode: 0o700 });
    fs.mkdirSync(paths.cniConfig, { recursive: true });
    const identities = {
        admin: { user: "pg-ha-e2e:admin", groups: ["system:masters"], kubeconfig: paths.kubeconfig },
        controllerManager: {
            user: "system:kube-controller-manager",
            groups: [],
            kubeconfig: files.kubeconfigs.controllerManager,
        },
        scheduler: { user: "system:kube-scheduler", groups: [], kubeconfig: files.kubeconfigs.scheduler },
        kubelet: {
            user: `system:node:${TOPOLOGY.nodeName}`,
            groups: ["system:nodes"],
            kubeconfig: files.kubeconfigs.kubelet,
        },
        kubeProxy: { user: "system:kube-proxy", groups: [], kubeconfig: files.kubeconfigs.kubeProxy },
        coredns: { user: ADDON_USERS.coredns, groups: [], kubeconfig: files.kubeconfigs.coredns },
        localPath: { user: ADDON_USERS.localPath, groups: [], kubeconfig: files.kubeconfigs.localPath },
        kubeRouter: { user: ADDON_USERS.kubeRouter, groups: [], kubeconfig: files.kubeconfigs.kubeRouter },
    };
    const entries = Object.values(identities).map((identity) => ({ ...identity, token: token() }));
    fs.writeFileSync(files.tokens, tokenFile(entries), { mode: 0o600 });
    for (const entry of entries) {
        fs.writeFileSync(entry.kubeconfig, kubeconfig(entry.user, entry.token, caFile), { mode: 0o600 });
    }
    fs.writeFileSync(files.containerdConfig, containerdConfig(paths));
    fs.writeFileSync(path.join(paths.cniConfig, "10-pg-ha-e2e.conflist"), cniConfig(paths));
    fs.writeFileSync(files.kubeletConfig, kubeletConfig(paths, caFile));
    fs.writeFileSync(files.kubeProxyConfig, kubeProxyConfig(files.kubeconfigs.kubeProxy));
    fs.writeFileSync(files.corefile, corefile(files.kubeconfigs.coredns));
    return entries[0].token;
}

function kubectl(
    paths: E2EPaths,
    bin: BuiltBinaries,
    args: string[],
    options: { input?: string; allowFailure?: boolean } = {},
): ReturnType<typeof run> {
    return run(path.join(bin.kubernetes, "kubectl"), [`--kubeconfig=${paths.kubeconfig}`, ...args], options);
}

/** Whether the node reports Ready; false when the API server does not answer within 3 s. */
async function nodeReady(paths: E2EPaths, bin: BuiltBinaries): Promise<boolean> {
    const jsonpath = 'jsonpath={.status.conditions[?(@.type=="Ready")].status}';
    const args = ["get", "node", TOPOLOGY.nodeName, "-o", jsonpath, "--request-timeout=3s"];
    return (await kubectl(paths, bin, args, { allowFailure: true })).stdout === "True";
}

function daemonFilesOf(paths: E2EPaths, name: string): ReturnType<typeof daemonFiles> {
    return daemonFiles(paths.pids, paths.logs, name);
}

/** Starts a single-node cluster; cleans up first what an earlier run left. */
export async function up(paths: E2EPaths, bin: BuiltBinaries): Promise<void> {
    if (stateOwnership(paths) !== "absent") {
        await step("clean up what an earlier cluster left", () => down(paths, bin));
    }
    // Chains left now are another Kubernetes's (k3s, a kubelet of the host): `down` would remove them.
    const foreign = await clusterChainsOnHost();
    if (foreign.length > 0) {
        throw new Error(
            `another Kubernetes runs on this host (iptables chains ${foreign.slice(0, 5).join(", ")}…): this cluster ` +
                "would share them and its stop would remove them; stop the other one first",
        );
    }
    const pki = pkiFiles(paths.certs);
    const files = clusterFiles(paths);
    const admin = await step(
        "prepare the host: kernel settings recorded, bridge, certificates, configuration",
        async () => {
            markState(paths);
            saveSysctls(paths.savedSysctls);
            await createBridge();
            await createPki(paths.certs);
            return writeConfiguration(paths, pki.caCert);
        },
    );
    const daemons = clusterDaemons(paths, bin, pki, files);
    const start = (name: DaemonName): number => startDaemon({ name, ...daemons[name] }, daemonFilesOf(paths, name));
    const alive = (name: DaemonName): void => {
        if (runningPid(daemonFilesOf(paths, name).pidFile) === undefined) {
            throw new StopWaiting(`${name} exited; its log: ${daemonFilesOf(paths, name).logFile}`);
        }
    };
    const ca = fs.readFileSync(pki.caCert, "utf8");
    await step("start etcd and the control plane; apply the add-ons' RBAC and StorageClass", async () => {
        start("etcd");
        await waitFor("etcd", 30_000, async () => {
            alive("etcd");
            return (await httpStatus(`http://127.0.0.1:${TOPOLOGY.etcdClientPort}/health`)) === 200 || undefined;
        });
        start("kube-apiserver");
        await waitFor("the API server", 60_000, async () => {
            alive("kube-apiserver");
            return (await httpStatus(`${apiServerUrl()}/readyz`, { ca, token: admin })) === 200 || undefined;
        });
        start("kube-controller-manager");
        start("kube-scheduler");
        // Before the add-ons start: CoreDNS stays unready until it may list what it serves.
        await kubectl(paths, bin, ["apply", "-f", "-"], { input: addonManifests(paths, IMAGES.postgres) });
    });
    await step("start containerd and import the images", async () => {
        start("containerd");
        await waitFor("containerd", 30_000, async () => {
            alive("containerd");
            return (await ctr(paths, ["version"], true)).code === 0 || undefined;
        });
        for (const reference of Object.values(IMAGES)) {
            await ctr(paths, [
                "images",
                "import",
                "--base-name",
                splitReference(reference).name,
                imageArchive(paths, reference),
            ]);
        }
    });
    await step("start the node: kubelet, kube-proxy, CoreDNS, kube-router's NetworkPolicy firewall", async () => {
        start("kubelet");
        start("kube-proxy");
        start("coredns");
        await waitFor("the node to be Ready", 120_000, async () => {
            alive("kubelet");
            return (await nodeReady(paths, bin)) || undefined;
        });
        // It finds its node by name at its start: after the kubelet registered it. No health port to ask: its
        // top chain in the filter table says its firewall is in place.
        start("kube-router");
        await waitFor("kube-router's firewall", 60_000, async () => {
            alive("kube-router");
            return (
                (await run("iptables", ["-S", "KUBE-ROUTER-FORWARD"], { allowFailure: true })).code === 0 || undefined
            );
        });
        await waitFor("CoreDNS", 30_000, async () => {
            alive("coredns");
            return (await httpStatus(`http://127.0.0.1:${TOPOLOGY.corednsReadyPort}/ready`)) === 200 || undefined;
        });
    });
    await step("start the storage provisioner", async () => {
        fs.mkdirSync(paths.localVolumes, { recursive: true });
        start("local-path-provisioner");
        // It has no health endpoint: alive after a second means its configuration was accepted.
        await sleep(1000);
        alive("local-path-provisioner");
    });
}

function ctr(paths: E2EPaths, args: string[], allowFailure = false): ReturnType<typeof run> {
    return run("ctr", ["--address", paths.containerdSocket, "--namespace", "k8s.io", ...args], { allowFailure });
}

/**
 * Stops containerd and every container it ran: the pods through the CRI first, so that each sandbox's
 * network is torn down by its CNI plugins; then, after a crash of containerd, the container processes and
 * shims it left.
 */
async function stopContainerd(paths: E2EPaths, bin: BuiltBinaries): Promise<void> {
    const files = daemonFilesOf(paths, "containerd");
    if (runningPid(files.pidFile) !== undefined) {
        const endpoint = `unix://${paths.containerdSocket}`;
        await run(path.join(bin.crictl, "crictl"), ["--runtime-endpoint", endpoint, "rmp", "--all", "--force"], {
            allowFailure: true,
            timeoutMs: 120_000,
        });
    }
    if (await stopDaemon(files)) process.stdout.write("    stopped containerd\n");
    const leftover = leftoverTaskPids(paths);
    for (const pid of [...leftover.tasks, ...leftover.shims]) await stopPid(pid, undefined, 2_000);
    if (leftover.tasks.length > 0) {
        process.stdout.write(
            `    stopped ${leftover.tasks.length} containers and ${leftover.shims.length} shims left by containerd\n`,
        );
    }
    removeEmptyContainerdRunDirs();
}

/**
 * What a restart of the node does to its pods, with the control plane left running: the kubelet and containerd
 * stop, every pod's containers stop with their sandboxes (network namespaces and addresses go too), and both
 * daemons start again. The kubelet then makes each pod's sandbox anew and starts its containers: the same pods
 * on the same volumes, with new addresses.
 */
export async function restartNode(paths: E2EPaths, bin: BuiltBinaries): Promise<void> {
    const daemons = clusterDaemons(paths, bin, pkiFiles(paths.certs), clusterFiles(paths));
    const start = (name: DaemonName): number => startDaemon({ name, ...daemons[name] }, daemonFilesOf(paths, name));
    await stopDaemon(daemonFilesOf(paths, "kubelet"));
    await stopContainerd(paths, bin);
    start("containerd");
    await waitFor("containerd", 30_000, async () => (await ctr(paths, ["version"], true)).code === 0 || undefined);
    start("kubelet");
    await waitFor("the node to be Ready", 120_000, async () => (await nodeReady(paths, bin)) || undefined);
}

/**
 * Stops the cluster and removes it: every process it started (by PID), its pods' sandboxes, mounts,
 * network namespaces, iptables chains, the bridge, cgroups and state, and restores the kernel settings.
 */
export async function down(paths: E2EPaths, bin: BuiltBinaries): Promise<void> {
    const ownership = stateOwnership(paths);
    if (ownership === "absent") {
        process.stdout.write(`    no cluster: ${paths.state} does not exist\n`);
        return;
    }
    if (ownership === "foreign") {
        throw new Error(
            `${paths.state} was not made by e2e:cluster up (no marker): refusing to stop or delete anything`,
        );
    }
    const stop = async (name: DaemonName): Promise<void> => {
        if (await stopDaemon(daemonFilesOf(paths, name))) process.stdout.write(`    stopped ${name}\n`);
    };
    for (const name of [...DAEMON_NAMES].reverse()) {
        if (name === "containerd") await stopContainerd(paths, bin);
        else await stop(name);
    }
    const mountsLeft = await unmountUnder(paths.state);
    const chains = await removeClusterChains();
    if (chains > 0) process.stdout.write(`    removed ${chains} iptables chains\n`);
    const sets = await removeClusterIpsets();
    if (sets > 0) process.stdout.write(`    removed ${sets} ipsets\n`);
    if (await deleteBridge()) process.stdout.write(`    removed the bridge ${TOPOLOGY.bridge}\n`);
    const cgroups = removeKubepodsCgroups();
    if (cgroups > 0) process.stdout.write(`    removed ${cgroups} pod cgroups\n`);
    const restored = restoreSysctls(paths.savedSysctls);
    if (restored.length > 0) process.stdout.write(`    restored ${restored.join(", ")}\n`);
    if (mountsLeft.length > 0) {
        throw new Error(`still mounted, state kept at ${paths.state}: ${mountsLeft.join(", ")}`);
    }
    fs.rmSync(paths.state, { recursive: true, force: true });
}

export interface ClusterStatus {
    daemons: { name: string; pid: number | undefined }[];
    nodeReady: boolean;
    mounts: string[];
}

export async function status(paths: E2EPaths, bin: BuiltBinaries): Promise<ClusterStatus> {
    const daemons = DAEMON_NAMES.map((name) => ({ name, pid: runningPid(daemonFilesOf(paths, name).pidFile) }));
    const ready = fs.existsSync(paths.kubeconfig) && (await nodeReady(paths, bin));
    return {
        daemons,
        nodeReady: ready,
        mounts: mountsUnder(fs.readFileSync("/proc/self/mountinfo", "utf8"), paths.state),
    };
}
