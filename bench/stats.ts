/** Summary of repeated measurements: machines here are noisy, so medians with their range. */
export interface Summary {
    runs: number;
    median: number;
    min: number;
    max: number;
    p99: number;
}

export function percentile(sorted: readonly number[], fraction: number): number {
    if (sorted.length === 0) {
        return Number.NaN;
    }
    const index = Math.min(sorted.length - 1, Math.max(0, Math.ceil(fraction * sorted.length) - 1));
    return sorted[index];
}

export function summarize(values: readonly number[]): Summary {
    const sorted = [...values].sort((a, b) => a - b);
    const middle = Math.floor(sorted.length / 2);
    const median = sorted.length % 2 === 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
    return {
        runs: sorted.length,
        median,
        min: sorted[0],
        max: sorted[sorted.length - 1],
        p99: percentile(sorted, 0.99),
    };
}
