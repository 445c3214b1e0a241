import { spawn, SpawnOptions } from "child_process";

/** The outcome of a command that ran to its end. */
export interface RunResult {
    code: number;
    stdout: string;
    stderr: string;
}

export class CommandFailed extends Error {
    constructor(
        readonly command: string,
        readonly result: RunResult,
    ) {
        const output = (result.stderr || result.stdout).trim().split("\n").slice(-20).join("\n");
        super(`${command} exited with ${result.code}${output ? `:\n${output}` : ""}`);
    }
}

export interface RunOptions {
    cwd?: string;
    env?: NodeJS.ProcessEnv;
    input?: string;
    /** Print the command's output as it comes (long builds), instead of only keeping it. */
    echo?: boolean;
    /** Resolve with the result whatever the exit code, instead of throwing CommandFailed. */
    allowFailure?: boolean;
    timeoutMs?: number;
}

/** Runs a program (no shell) and collects its output. */
export function run(file: string, args: readonly string[], options: RunOptions = {}): Promise<RunResult> {
    const spawnOptions: SpawnOptions = { cwd: options.cwd, env: options.env ?? process.env, stdio: "pipe" };
    return new Promise((resolve, reject) => {
        const child = spawn(file, args, spawnOptions);
        let stdout = "";
        let stderr = "";
        const timer =
            options.timeoutMs === undefined ? undefined : setTimeout(() => child.kill("SIGKILL"), options.timeoutMs);
        child.stdout?.on("data", (chunk: Buffer) => {
            stdout += chunk.toString();
            if (options.echo) process.stdout.write(chunk);
        });
        child.stderr?.on("data", (chunk: Buffer) => {
            stderr += chunk.toString();
            if (options.echo) process.stderr.write(chunk);
        });
        child.on("error", reject);
        child.on("close", (code, signal) => {
            if (timer) clearTimeout(timer);
            const result = { code: code ?? (signal ? 128 : 1), stdout, stderr };
            if (result.code !== 0 && !options.allowFailure) {
                reject(new CommandFailed([file, ...args].join(" "), result));
            } else {
                resolve(result);
            }
        });
        if (options.input !== undefined) child.stdin?.end(options.input);
        else child.stdin?.end();
    });
}

/** Prints a step, runs it, and prints how long it took: a 16-minute build must not look hung. */
export async function step<T>(what: string, work: () => Promise<T>): Promise<T> {
    const started = Date.now();
    process.stdout.write(`==> ${what}\n`);
    const result = await work();
    process.stdout.write(`    done in ${formatDuration(Date.now() - started)}: ${what}\n`);
    return result;
}

export function formatDuration(ms: number): string {
    const seconds = Math.round(ms / 1000);
    return seconds < 60 ? `${seconds}s` : `${Math.floor(seconds / 60)}m${String(seconds % 60).padStart(2, "0")}s`;
}

export function sleep(ms: number): Promise<void> {
    return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Thrown by a `waitFor` check when waiting longer cannot help (the process waited for has exited). */
export class StopWaiting extends Error {}

/**
 * Polls `check` until it returns a value other than undefined, or throws after `timeoutMs` with `what`.
 * A check that throws is tried again (the thing is not up yet), unless it throws StopWaiting.
 */
export async function waitFor<T>(what: string, timeoutMs: number, check: () => Promise<T | undefined>): Promise<T> {
    const deadline = Date.now() + timeoutMs;
    let lastError: unknown;
    for (;;) {
        try {
            const value = await check();
            if (value !== undefined) return value;
        } catch (error) {
            if (error instanceof StopWaiting) throw error;
            lastError = error;
        }
        if (Date.now() > deadline) {
            const detail = lastError instanceof Error ? `: ${lastError.message}` : "";
            throw new Error(`timed out after ${formatDuration(timeoutMs)} waiting for ${what}${detail}`);
        }
        await sleep(500);
    }
}
