/** What `npm run status` shows of one pod. */
export interface PodStatus {
    pod: string;
    role: "primary" | "standby";
    /** The pod's phase (`Running`, `Pending`, …), or `missing` when the StatefulSet has not made it. */
    phase: string;
    ready: boolean;
    restarts: number;
    /** For a standby: its state in pod 0's `pg_stat_replication` (`streaming`, `catchup`…), or `not connected`. */
    replication?: string;
    /** For a standby that streams: how far its replay is behind pod 0, in seconds (null: nothing to replay). */
    replayLagSeconds?: number | null;
}

/** One replication slot on pod 0. */
export interface SlotStatus {
    name: string;
    active: boolean;
    /** `reserved`, `extended`, `unreserved` or `lost` (PostgreSQL's `wal_status`). */
    walStatus: string;
    /** WAL the slot holds back on pod 0, in bytes. */
    retainedBytes: number;
}

const NONE = "-";

/** `1536` → `1.5 KiB`: sizes as a person reads them. */
export function formatBytes(bytes: number): string {
    const units = ["B", "KiB", "MiB", "GiB", "TiB"];
    let value = bytes;
    let unit = 0;
    while (value >= 1024 && unit < units.length - 1) {
        value /= 1024;
        unit += 1;
    }
    return unit === 0 ? `${value} B` : `${value.toFixed(1)} ${units[unit]}`;
}

/** A replay lag: none to replay, sub-second, or seconds with one decimal. */
export function formatLag(seconds: number | null | undefined): string {
    if (seconds === undefined) return NONE;
    if (seconds === null || seconds < 0.001) return "0 s";
    return seconds < 1 ? `${Math.round(seconds * 1000)} ms` : `${seconds.toFixed(1)} s`;
}

/** Left-aligned columns separated by two spaces, a header row first. */
export function table(header: string[], rows: string[][]): string {
    const widths = header.map((title, column) => Math.max(title.length, ...rows.map((row) => row[column].length)));
    const line = (cells: string[]) =>
        cells.map((cell, column) => (column === cells.length - 1 ? cell : cell.padEnd(widths[column]))).join("  ");
    return [line(header), ...rows.map(line)].join("\n");
}

/** The pods, then pod 0's replication slots, as plain text a person reads at a glance. */
export function formatStatus(pods: PodStatus[], slots: SlotStatus[] | undefined): string {
    const podTable = table(
        ["POD", "ROLE", "STATE", "READY", "RESTARTS", "REPLICATION", "REPLAY LAG"],
        pods.map((pod) => [
            pod.pod,
            pod.role,
            pod.phase,
            pod.ready ? "yes" : "no",
            String(pod.restarts),
            pod.role === "primary" ? NONE : (pod.replication ?? "not connected"),
            pod.role === "primary" ? NONE : formatLag(pod.replayLagSeconds),
        ]),
    );
    const primary = pods.find((pod) => pod.role === "primary")?.pod ?? "pod 0";
    const slotPart =
        slots === undefined
            ? `Replication slots on ${primary}: not known (${primary} does not answer)`
            : slots.length === 0
              ? `Replication slots on ${primary}: none`
              : `Replication slots on ${primary}:\n${table(
                    ["SLOT", "ACTIVE", "WAL STATUS", "RETAINED"],
                    slots.map((slot) => [
                        slot.name,
                        slot.active ? "yes" : "no",
                        slot.walStatus,
                        formatBytes(slot.retainedBytes),
                    ]),
                )}`;
    return `${podTable}\n\n${slotPart}\n`;
}
