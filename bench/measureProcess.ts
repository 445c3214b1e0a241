import { spawnSync } from "child_process";
import { existsSync } from "fs";

const GNU_TIME = "/usr/bin/time";

export interface ProcessCost {
    wallMs: number;
    peakRssMiB: number;
}

/**
 * Runs a command to completion and measures its wall time and the peak resident memory of its largest
 * process (GNU time's %M; Node gives no rusage for children).
 */
export function measureProcess(
    command: string,
    args: readonly string[],
    env: NodeJS.ProcessEnv = process.env,
): ProcessCost {
    if (!existsSync(GNU_TIME)) {
        throw new Error(`${GNU_TIME} is missing: install GNU time (apt-get install -y time) to measure peak memory`);
    }
    const started = process.hrtime.bigint();
    const result = spawnSync(GNU_TIME, ["-f", "pg-ha-bench-maxrss-kib=%M", command, ...args], {
        env,
        encoding: "utf8",
        maxBuffer: 64 * 1024 * 1024,
    });
    const wallMs = Number(process.hrtime.bigint() - started) / 1e6;
    if (result.status !== 0) {
        throw new Error(`${command} ${args.join(" ")} failed (${result.status}):\n${result.stdout}\n${result.stderr}`);
    }
    const match = /pg-ha-bench-maxrss-kib=(\d+)/.exec(result.stderr);
    if (!match) {
        throw new Error(`GNU time reported no peak memory for ${command}`);
    }
    return { wallMs, peakRssMiB: Number(match[1]) / 1024 };
}
