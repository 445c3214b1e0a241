import { cpus, totalmem } from "os";
import { parseArgs } from "util";
import { backupBenchmark } from "./backup";
import { objectStoreBackupBenchmark } from "./objectStoreBackup";
import { cloneBenchmark } from "./clone";
import { coldStartBenchmark } from "./coldstart";
import { e2eBenchmark } from "./e2e";
import { lagBenchmark } from "./lag";
import { programCost } from "./programCost";
import { Row, renderTable } from "./report";

const SECTIONS = ["clone", "lag", "coldstart", "backup", "backup-s3", "program", "e2e"] as const;
type Section = (typeof SECTIONS)[number];

const { values } = parseArgs({
    options: {
        runs: { type: "string", default: "5" },
        only: { type: "string", multiple: true },
        "skip-test-suite": { type: "boolean", default: false },
    },
});

const runs = Number(values.runs);
if (!Number.isInteger(runs) || runs < 5) {
    throw new Error(
        `--runs must be a whole number of at least 5 (medians of fewer runs are noise here), got ${values.runs}`,
    );
}
// The real cluster's section needs its builds (45-70 min cold) and takes minutes a run: asked for by name only.
const only: string[] = values.only ?? SECTIONS.filter((section) => section !== "e2e");
for (const section of only) {
    if (!(SECTIONS as readonly string[]).includes(section)) {
        throw new Error(`--only ${section}: unknown section; known: ${SECTIONS.join(", ")}`);
    }
}
const wanted = (section: Section) => only.includes(section);

async function main(): Promise<void> {
    const started = Date.now();
    const rows: Row[] = [];
    if (wanted("clone")) {
        rows.push(...(await cloneBenchmark(runs)));
    }
    if (wanted("lag")) {
        rows.push(...(await lagBenchmark(runs)));
    }
    if (wanted("coldstart")) {
        rows.push(...(await coldStartBenchmark(runs)));
    }
    if (wanted("backup")) {
        rows.push(...(await backupBenchmark(runs)));
    }
    if (wanted("backup-s3")) {
        rows.push(...(await objectStoreBackupBenchmark(runs)));
    }
    if (wanted("e2e")) {
        rows.push(...(await e2eBenchmark(runs)));
    }
    if (wanted("program")) {
        rows.push(...programCost(runs, !values["skip-test-suite"]));
    }
    console.log(
        `machine: ${cpus().length} × ${cpus()[0]?.model ?? "unknown CPU"}, ${(totalmem() / 2 ** 30).toFixed(0)} GiB, Node.js ${process.version}`,
    );
    console.log(
        `sections: ${only.join(", ")}; ${runs} runs each; took ${((Date.now() - started) / 1000).toFixed(0)} s`,
    );
    console.log(renderTable(rows));
}

main().catch((error: unknown) => {
    console.error(error);
    process.exit(1);
});
