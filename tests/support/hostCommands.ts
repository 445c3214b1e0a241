import { execFile, execFileSync } from "child_process";
import * as fs from "fs";
import * as path from "path";

/** Commands the pod harness runs on the host: processes, network namespaces, and the runs' directories. */

export const HARNESS_ROOT = process.env.PG_HA_HARNESS_DIR ?? "/var/tmp/pg-ha-pod-harness";

export interface CommandResult {
    code: number;
    stdout: string;
    stderr: string;
}

export function run(command: string, args: string[]): string {
    return execFileSync(command, args, { encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] });
}

export function runAsync(command: string, args: string[], timeoutMs?: number): Promise<CommandResult> {
    return new Promise((resolve) => {
        execFile(
            command,
            args,
            { encoding: "utf8", maxBuffer: 64 * 1024 * 1024, timeout: timeoutMs, killSignal: "SIGKILL" },
            (error, stdout, stderr) => {
                const code = error ? (typeof error.code === "number" ? error.code : 124) : 0;
                resolve({ code, stdout, stderr });
            },
        );
    });
}

/** Single-quotes a word for sh. */
export function sq(word: string): string {
    return `'${word.replace(/'/g, `'\\''`)}'`;
}

export function netnsList(): string[] {
    return run("ip", ["netns", "list"])
        .split("\n")
        .map((line) => line.split(" ")[0])
        .filter((name) => name.length > 0);
}

export function netnsPids(netns: string): number[] {
    try {
        return run("ip", ["netns", "pids", netns])
            .split("\n")
            .filter((line) => /^\d+$/.test(line))
            .map(Number);
    } catch {
        return [];
    }
}

export function killNetnsProcesses(netns: string): void {
    for (const pid of netnsPids(netns)) {
        try {
            process.kill(pid, "SIGKILL");
        } catch {
            // already gone
        }
    }
}

export function removeNetns(netns: string): void {
    killNetnsProcesses(netns);
    try {
        run("ip", ["netns", "delete", netns]);
    } catch {
        // already gone
    }
}

export function processAlive(pid: number): boolean {
    try {
        process.kill(pid, 0);
        return true;
    } catch {
        return false;
    }
}

/** A run is `<pid>-<n>`: stale once that process is gone. */
export function runIsStale(runId: string): boolean {
    const pid = Number(runId.split("-")[0]);
    return !Number.isInteger(pid) || (pid !== process.pid && !processAlive(pid));
}

/** Removes the namespaces, processes and directories of runs whose test process is gone. */
export function removeStaleRuns(): void {
    const stale = new Set<string>();
    for (const netns of netnsList()) {
        const match = /^pgha-(\d+-\d+)-/.exec(netns);
        if (match && runIsStale(match[1])) {
            stale.add(match[1]);
            removeNetns(netns);
        }
    }
    if (fs.existsSync(HARNESS_ROOT)) {
        for (const runId of fs.readdirSync(HARNESS_ROOT)) {
            if (runIsStale(runId)) {
                fs.rmSync(path.join(HARNESS_ROOT, runId), { recursive: true, force: true });
            }
        }
    }
}
