import { Summary } from "./stats";

/** One line of the report: a figure, its reference measured in the same run, and their ratio. */
export interface Row {
    figure: string;
    unit: string;
    value: Summary;
    reference?: { label: string; value: Summary };
    target?: string;
}

const format = (value: number) => (Math.abs(value) >= 100 ? value.toFixed(0) : value.toPrecision(3));
const range = (summary: Summary) => `${format(summary.median)} (${format(summary.min)}–${format(summary.max)})`;

/** A Markdown table, ready to paste into BENCHMARKS.md. */
export function renderTable(rows: readonly Row[]): string {
    const lines = [
        "| figure | median (min–max) | runs | reference: median (min–max) | ratio figure/reference | target |",
        "| --- | --- | --- | --- | --- | --- |",
    ];
    for (const row of rows) {
        const reference = row.reference ? `${row.reference.label}: ${range(row.reference.value)} ${row.unit}` : "—";
        const ratio = row.reference ? (row.value.median / row.reference.value.median).toFixed(2) : "—";
        lines.push(
            `| ${row.figure} | ${range(row.value)} ${row.unit} | ${row.value.runs} | ${reference} | ${ratio} | ${row.target ?? "—"} |`,
        );
    }
    return lines.join("\n");
}
