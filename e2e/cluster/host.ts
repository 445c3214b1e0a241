import * as fs from "fs";
import * as path from "path";

import { run } from "../support/run";
import { CHANGED_SYSCTLS, TOPOLOGY } from "./topology";

/**
 * What the cluster changes on the host besides its processes, and how each is put back: the bridge, kernel
 * settings, iptables chains, mounts and cgroups. Every function here is safe to run when there is nothing
 * to undo, so that `down` also cleans up after a run that crashed half-way.
 */

function sysctlFile(name: string): string {
    return path.join("/proc/sys", ...name.split("."));
}

/** Records the current values, unless a record exists already: after a crash it holds the originals. */
export function saveSysctls(file: string): void {
    if (fs.existsSync(file)) return;
    const values: Record<string, string> = {};
    for (const name of CHANGED_SYSCTLS) {
        try {
            values[name] = fs.readFileSync(sysctlFile(name), "utf8").trim();
        } catch {
            // Not in this kernel (or its module is not loaded yet): nothing to restore.
        }
    }
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.writeFileSync(file, JSON.stringify(values, null, 2));
}

export function restoreSysctls(file: string): string[] {
    if (!fs.existsSync(file)) return [];
    const values = JSON.parse(fs.readFileSync(file, "utf8")) as Record<string, string>;
    const restored: string[] = [];
    for (const [name, value] of Object.entries(values)) {
        try {
            if (fs.readFileSync(sysctlFile(name), "utf8").trim() !== value) {
                fs.writeFileSync(sysctlFile(name), value);
                restored.push(`${name}=${value}`);
            }
        } catch {
            // Gone with its module, or not writable here: nothing this stop can do.
        }
    }
    fs.rmSync(file);
    return restored;
}

async function linkExists(name: string): Promise<boolean> {
    return (await run("ip", ["link", "show", name], { allowFailure: true })).code === 0;
}

/** The node's bridge with the node IP, created before the kubelet so that the node IP exists. */
export async function createBridge(): Promise<void> {
    if (!(await linkExists(TOPOLOGY.bridge))) {
        await run("ip", ["link", "add", TOPOLOGY.bridge, "type", "bridge"]);
    }
    const prefix = TOPOLOGY.podSubnet.split("/")[1];
    await run("ip", ["addr", "replace", `${TOPOLOGY.nodeIP}/${prefix}`, "dev", TOPOLOGY.bridge]);
    await run("ip", ["link", "set", TOPOLOGY.bridge, "up"]);
}

export async function deleteBridge(): Promise<boolean> {
    if (!(await linkExists(TOPOLOGY.bridge))) return false;
    await run("ip", ["link", "del", TOPOLOGY.bridge]);
    return true;
}

/** Chains of kube-proxy, the kubelet and the CNI plugins: KUBE-* and CNI-*. */
export const CLUSTER_CHAIN = /^(KUBE-|CNI-)/;

export interface ChainCleanup {
    /** Rules in chains we keep that jump to a chain we remove: `-D` each. */
    deleteRules: string[][];
    flushChains: string[];
}

/**
 * From one table of `iptables-save`, what removes the cluster's chains: first the rules that jump to them
 * from the built-in chains, then the chains themselves (flushed, then deleted, since they refer to each other).
 */
export function chainCleanup(save: string): ChainCleanup {
    const chains = [...save.matchAll(/^:(\S+) /gm)]
        .map((match) => match[1])
        .filter((chain) => CLUSTER_CHAIN.test(chain));
    const deleteRules: string[][] = [];
    for (const line of save.split("\n")) {
        const rule = /^-A (\S+) (.*)$/.exec(line);
        if (!rule || CLUSTER_CHAIN.test(rule[1])) continue;
        const target = /(?:^| )-[jg] (\S+)/.exec(rule[2]);
        if (target && CLUSTER_CHAIN.test(target[1])) deleteRules.push(["-D", rule[1], ...splitRule(rule[2])]);
    }
    return { deleteRules, flushChains: chains };
}

/** Splits the argument part of an iptables-save rule, keeping quoted strings (comments) whole. */
export function splitRule(rule: string): string[] {
    return [...rule.matchAll(/"((?:[^"\\]|\\.)*)"|(\S+)/g)].map((match) =>
        match[1] !== undefined ? match[1].replace(/\\(.)/g, "$1") : match[2],
    );
}

/** The KUBE-* and CNI-* chains on the host now, by table: empty on a host without a Kubernetes. */
export async function clusterChainsOnHost(): Promise<string[]> {
    const found: string[] = [];
    for (const save of ["iptables-save", "ip6tables-save"]) {
        const dump = await run(save, [], { allowFailure: true });
        if (dump.code === 0) found.push(...chainCleanup(dump.stdout).flushChains.map((chain) => `${save}:${chain}`));
    }
    return found;
}

export async function removeClusterChains(): Promise<number> {
    let removed = 0;
    for (const [save, tool] of [
        ["iptables-save", "iptables"],
        ["ip6tables-save", "ip6tables"],
    ]) {
        for (const table of ["filter", "nat", "mangle"]) {
            const dump = await run(save, ["-t", table], { allowFailure: true });
            if (dump.code !== 0) continue;
            const cleanup = chainCleanup(dump.stdout);
            for (const rule of cleanup.deleteRules)
                await run(tool, ["-w", "-t", table, ...rule], { allowFailure: true });
            for (const chain of cleanup.flushChains)
                await run(tool, ["-w", "-t", table, "-F", chain], { allowFailure: true });
            for (const chain of cleanup.flushChains) {
                const result = await run(tool, ["-w", "-t", table, "-X", chain], { allowFailure: true });
                if (result.code === 0) removed += 1;
            }
        }
    }
    return removed;
}

/** The ipsets kube-router's firewall makes: the addresses of each policy's pods and peers. */
export const CLUSTER_IPSET = /^KUBE-(SRC|DST)-[A-Z0-9]+$/;

/** Destroys the cluster's ipsets; an ipset an iptables rule still refers to cannot go, so chains go first. */
export async function removeClusterIpsets(): Promise<number> {
    const list = await run("ipset", ["list", "-n"], { allowFailure: true });
    if (list.code !== 0) return 0;
    let removed = 0;
    for (const name of list.stdout.split("\n").filter((line) => CLUSTER_IPSET.test(line))) {
        if ((await run("ipset", ["destroy", name], { allowFailure: true })).code === 0) removed += 1;
    }
    return removed;
}

/** Mount points at or under `root`, deepest first, from a mountinfo table (octal escapes decoded). */
export function mountsUnder(mountinfo: string, root: string): string[] {
    const prefix = root.endsWith("/") ? root : `${root}/`;
    return mountinfo
        .split("\n")
        .map((line) => line.split(" ")[4])
        .filter((point): point is string => point !== undefined)
        .map((point) => point.replace(/\\([0-7]{3})/g, (_, octal: string) => String.fromCharCode(parseInt(octal, 8))))
        .filter((point) => point === root || point.startsWith(prefix))
        .sort((a, b) => b.length - a.length);
}

/** Unmounts everything under `root` (the kubelet's volumes, the pods' network namespaces, overlays). */
export async function unmountUnder(root: string): Promise<string[]> {
    const left: string[] = [];
    for (let pass = 0; pass < 5; pass++) {
        const points = mountsUnder(fs.readFileSync("/proc/self/mountinfo", "utf8"), root);
        if (points.length === 0) return [];
        left.length = 0;
        for (const point of points) {
            const result = await run("umount", [point], { allowFailure: true });
            if (result.code !== 0) left.push(point);
        }
    }
    for (const point of left) await run("umount", ["--lazy", point], { allowFailure: true });
    return mountsUnder(fs.readFileSync("/proc/self/mountinfo", "utf8"), root);
}

/** The kubelet's pod cgroups (cgroupfs driver: `kubepods` under each hierarchy), removed bottom-up. */
export function removeKubepodsCgroups(cgroupRoot = "/sys/fs/cgroup"): number {
    let removed = 0;
    const removeTree = (dir: string): void => {
        for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
            if (entry.isDirectory()) removeTree(path.join(dir, entry.name));
        }
        fs.rmdirSync(dir);
        removed += 1;
    };
    if (!fs.existsSync(cgroupRoot)) return 0;
    for (const hierarchy of fs.readdirSync(cgroupRoot)) {
        const kubepods = path.join(cgroupRoot, hierarchy, "kubepods");
        if (!fs.existsSync(kubepods)) continue;
        try {
            removeTree(kubepods);
        } catch {
            // A cgroup with a process left in it cannot go: `status` reports it.
        }
    }
    return removed;
}

/**
 * containerd 1.6 puts its shims' sockets under /run/containerd/s whatever its state directory: once every
 * shim is gone the directories are empty, and removed unless something else (another containerd) uses them.
 */
export function removeEmptyContainerdRunDirs(): void {
    for (const dir of ["/run/containerd/s", "/run/containerd"]) {
        try {
            fs.rmdirSync(dir);
        } catch {
            // Not there, or not empty: not ours to remove.
        }
    }
}
