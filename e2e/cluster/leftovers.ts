import * as fs from "fs";
import * as path from "path";

import { E2EPaths } from "../support/paths";
import { isRunning } from "./processes";

/**
 * What proves that a state directory, and the processes it names, are this tool's: `up` writes a marker
 * into the state directory first, with the boot it happened in. `down` touches nothing without it, and
 * after a reboot it kills nothing by a recorded PID (that PID belongs to someone else now).
 */
const MARKER = ".pg-ha-e2e-state";

function bootId(): string {
    return fs.readFileSync("/proc/sys/kernel/random/boot_id", "utf8").trim();
}

export function markState(paths: E2EPaths): void {
    fs.mkdirSync(paths.state, { recursive: true, mode: 0o700 });
    fs.writeFileSync(path.join(paths.state, MARKER), `${bootId()}\n`);
}

/** `absent`: no state directory; `ours`: made by `up`; `foreign`: something else, not to be touched. */
export function stateOwnership(paths: E2EPaths): "absent" | "ours" | "foreign" {
    if (!fs.existsSync(paths.state)) return "absent";
    return fs.existsSync(path.join(paths.state, MARKER)) ? "ours" : "foreign";
}

/** Whether the state directory was made in this boot: only then are its recorded PIDs still ours. */
export function stateFromThisBoot(paths: E2EPaths): boolean {
    try {
        return fs.readFileSync(path.join(paths.state, MARKER), "utf8").trim() === bootId();
    } catch {
        return false;
    }
}

function parentPid(pid: number): number | undefined {
    try {
        // The command name (field 2) is in parentheses and may hold spaces: fields count from its end.
        const stat = fs.readFileSync(`/proc/${pid}/stat`, "utf8");
        return Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]);
    } catch {
        return undefined;
    }
}

function commandLine(pid: number): string[] {
    try {
        return fs.readFileSync(`/proc/${pid}/cmdline`, "utf8").split("\0");
    } catch {
        return [];
    }
}

/** A containerd shim started by this cluster's containerd: it names our containerd's socket. */
export function isOurShim(pid: number, containerdSocket: string): boolean {
    const args = commandLine(pid);
    const address = args.indexOf("-address");
    return /containerd-shim/.test(args[0] ?? "") && address >= 0 && args[address + 1] === containerdSocket;
}

/**
 * What containerd left running when it died first: each task's process (its `init.pid`) whose parent is a
 * shim of this cluster's containerd, and those shims, so that both can be stopped by PID. Nothing from
 * another boot, and nothing whose parent is not one of our shims (a PID reused by another program).
 */
export function leftoverTaskPids(paths: E2EPaths): { tasks: number[]; shims: number[] } {
    const taskRoot = path.join(paths.containerdState, "io.containerd.runtime.v2.task");
    const tasks: number[] = [];
    const shims = new Set<number>();
    if (!fs.existsSync(taskRoot) || !stateFromThisBoot(paths)) return { tasks, shims: [] };
    for (const namespace of fs.readdirSync(taskRoot)) {
        for (const id of fs.readdirSync(path.join(taskRoot, namespace))) {
            const pidFile = path.join(taskRoot, namespace, id, "init.pid");
            if (!fs.existsSync(pidFile)) continue;
            const pid = Number(fs.readFileSync(pidFile, "utf8").trim());
            if (!Number.isInteger(pid) || pid <= 0 || !isRunning(pid)) continue;
            const parent = parentPid(pid);
            if (parent === undefined || !isOurShim(parent, paths.containerdSocket)) continue;
            tasks.push(pid);
            shims.add(parent);
        }
    }
    return { tasks, shims: [...shims] };
}
