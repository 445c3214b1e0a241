import { join } from "path";
import { stackNames, REPO_ROOT } from "../tests/support/stacks";
import { measureProcess } from "./measureProcess";
import { Row } from "./report";
import { summarize } from "./stats";

const node = process.execPath;
const evaluateStack = join(REPO_ROOT, "bench", "evaluateStack.ts");
const mocha = join(REPO_ROOT, "node_modules", ".bin", "mocha");

function repeat<T>(runs: number, measure: () => T): T[] {
    return Array.from({ length: runs }, measure);
}

/**
 * What the program costs: evaluating it under mocks per stack, with ts-node type-checking (what
 * `pulumi up` does by default) against transpile-only (`PULUMI_NODEJS_TRANSPILE_ONLY=true`, or
 * `"noCheck": true` in tsconfig.json), measured alternately in the same run; and the whole `npm test`.
 */
export function programCost(runs: number, includeTestSuite: boolean): Row[] {
    const rows: Row[] = [];
    for (const stack of stackNames()) {
        const checked: number[] = [];
        const transpiled: number[] = [];
        const checkedRss: number[] = [];
        const transpiledRss: number[] = [];
        for (let run = 0; run < runs; run++) {
            const typeChecked = measureProcess(node, ["-r", "ts-node/register", evaluateStack, stack]);
            const transpileOnly = measureProcess(node, ["-r", "ts-node/register/transpile-only", evaluateStack, stack]);
            checked.push(typeChecked.wallMs);
            checkedRss.push(typeChecked.peakRssMiB);
            transpiled.push(transpileOnly.wallMs);
            transpiledRss.push(transpileOnly.peakRssMiB);
        }
        rows.push({
            figure: `program under mocks, stack ${stack}, type-checked: wall time`,
            unit: "ms",
            value: summarize(checked),
            reference: { label: "transpile-only", value: summarize(transpiled) },
        });
        rows.push({
            figure: `program under mocks, stack ${stack}, type-checked: peak memory`,
            unit: "MiB",
            value: summarize(checkedRss),
            reference: { label: "transpile-only", value: summarize(transpiledRss) },
        });
    }
    if (includeTestSuite) {
        const suite = repeat(runs, () => measureProcess(mocha, []));
        rows.push({
            figure: "npm test (mocha): wall time",
            unit: "ms",
            value: summarize(suite.map((cost) => cost.wallMs)),
        });
        rows.push({
            figure: "npm test (mocha): peak memory of its largest process",
            unit: "MiB",
            value: summarize(suite.map((cost) => cost.peakRssMiB)),
        });
    }
    return rows;
}
