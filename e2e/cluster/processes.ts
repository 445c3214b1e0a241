import { spawn } from "child_process";
import * as fs from "fs";
import * as path from "path";

import { sleep } from "../support/run";

/**
 * The cluster's programs run detached from the command that starts them, each with a PID file and a log.
 * Stopping one signals that PID only, and only while /proc says it is still the program that was started:
 * a PID reused by something else after a crash is left alone.
 */
export interface Daemon {
    name: string;
    binary: string;
    args: string[];
    env?: NodeJS.ProcessEnv;
}

export interface DaemonFiles {
    pidFile: string;
    logFile: string;
}

export function daemonFiles(pidDir: string, logDir: string, name: string): DaemonFiles {
    return { pidFile: path.join(pidDir, `${name}.pid`), logFile: path.join(logDir, `${name}.log`) };
}

export function startDaemon(daemon: Daemon, files: DaemonFiles): number {
    fs.mkdirSync(path.dirname(files.pidFile), { recursive: true });
    fs.mkdirSync(path.dirname(files.logFile), { recursive: true });
    const log = fs.openSync(files.logFile, "a");
    const child = spawn(daemon.binary, daemon.args, {
        detached: true,
        stdio: ["ignore", log, log],
        env: daemon.env ?? process.env,
    });
    fs.closeSync(log);
    if (child.pid === undefined) throw new Error(`${daemon.name} did not start (${daemon.binary})`);
    child.unref();
    fs.writeFileSync(files.pidFile, `${child.pid}\n${daemon.binary}\n`);
    return child.pid;
}

/** What a PID file records: the PID and the binary it was started from. */
function readPidFile(pidFile: string): { pid: number; binary: string } | undefined {
    let text: string;
    try {
        text = fs.readFileSync(pidFile, "utf8");
    } catch {
        return undefined;
    }
    const [pidText, binary] = text.split("\n");
    const pid = Number(pidText);
    return Number.isInteger(pid) && pid > 0 ? { pid, binary } : undefined;
}

/** The PID in a PID file, if that process is alive and still runs the binary the file names. */
export function runningPid(pidFile: string): number | undefined {
    const recorded = readPidFile(pidFile);
    return recorded && isRunning(recorded.pid, recorded.binary) ? recorded.pid : undefined;
}

/** Whether `pid` lives and (when given) runs `binary`, by /proc/<pid>/exe; a zombie counts as gone. */
export function isRunning(pid: number, binary?: string): boolean {
    try {
        const status = fs.readFileSync(`/proc/${pid}/status`, "utf8");
        if (/^State:\s+Z/m.test(status)) return false;
        if (binary === undefined || binary === "") return true;
        return fs.readlinkSync(`/proc/${pid}/exe`).replace(/ \(deleted\)$/, "") === binary;
    } catch {
        return false;
    }
}

/** SIGTERM, then SIGKILL after `graceMs`; resolves once the process is gone. */
export async function stopPid(pid: number, binary: string | undefined, graceMs: number): Promise<void> {
    if (!isRunning(pid, binary)) return;
    process.kill(pid, "SIGTERM");
    const deadline = Date.now() + graceMs;
    while (isRunning(pid, binary) && Date.now() < deadline) await sleep(100);
    if (isRunning(pid, binary)) {
        process.kill(pid, "SIGKILL");
        // A process in uninterruptible sleep (a hung mount) outlives SIGKILL: say so rather than wait forever.
        const killDeadline = Date.now() + 10_000;
        while (isRunning(pid, binary)) {
            if (Date.now() > killDeadline)
                throw new Error(`process ${pid} survived SIGKILL for 10 s (stuck in the kernel?)`);
            await sleep(50);
        }
    }
}

export async function stopDaemon(files: DaemonFiles, graceMs = 10_000): Promise<boolean> {
    const recorded = readPidFile(files.pidFile);
    const running = recorded !== undefined && isRunning(recorded.pid, recorded.binary);
    if (running) await stopPid(recorded.pid, recorded.binary, graceMs);
    fs.rmSync(files.pidFile, { force: true });
    return running;
}
