/**
 * npm run score [-- --stack <name> ...] [-- --readme]
 *
 * Builds the pinned kube-score (cached by version), scores the manifests of every stack with it, and fails on
 * any finding that is neither fixed nor waived in tools/score/waivers.ts, and, when every stack is scored, on
 * a waiver that no longer covers any finding.
 */
import { parseArgs } from "util";
import { ConfigError } from "../../components/settings";
import { UnknownStackError } from "../../components/stackFiles";
import { VERSIONS } from "../../e2e/versions";
import { buildKubeScore } from "./build";
import { checksTable, waiversTable } from "./readmeTables";
import { ScoreOptions, Verdict, passes, scoreStacks } from "./score";
import { WAIVERS } from "./waivers";

const USAGE = `usage: npm run score [-- --stack <name> ...] [-- --readme]

Scores the manifests of every stack (or of the stacks named) with kube-score ${VERSIONS.kubeScore}, and fails on
any finding that is neither fixed nor waived in tools/score/waivers.ts. --readme prints the tables of the
README's "Checked by kube-score" section instead.`;

export interface ScoreContext extends ScoreOptions {
    write: (text: string) => void;
}

function report(verdict: Verdict, context: ScoreContext): void {
    const waivers = context.waivers ?? WAIVERS;
    context.write(`kube-score ${VERSIONS.kubeScore}: each check on each object of each stack\n`);
    for (const { stack, score } of verdict.stacks) {
        const waived = verdict.waived.filter(({ finding }) => finding.stack === stack).length;
        const unwaived = verdict.unwaived.filter((finding) => finding.stack === stack).length;
        context.write(`${stack}: ${score.passed} passed, ${waived} findings waived, ${unwaived} not waived\n`);
    }
    for (const waiver of waivers) {
        const covered = verdict.waived.filter((entry) => entry.waiver === waiver).length;
        context.write(
            `  waived ${waiver.check} on ${waiver.objects.join(", ")} (${covered} findings): ${waiver.reason}\n`,
        );
    }
    for (const finding of verdict.unwaived) {
        const container = finding.container ? ` (container ${finding.container})` : "";
        context.write(
            `  NOT WAIVED [${finding.severity}] ${finding.stack} ${finding.object}${container}: ${finding.check}: ${finding.summary}\n`,
        );
    }
    if (verdict.stale === undefined) {
        context.write("  (not every stack was scored, so no waiver is judged stale)\n");
    }
    for (const stale of verdict.stale ?? []) {
        context.write(
            `  STALE WAIVER ${stale}: no stack has this finding any more; remove it from tools/score/waivers.ts\n`,
        );
    }
    context.write(
        passes(verdict)
            ? "score: passed\n"
            : `score: FAILED: findings not waived: ${verdict.unwaived.length}, stale waivers: ${(verdict.stale ?? []).length}\n`,
    );
}

export async function main(
    argv: string[],
    context: ScoreContext = { write: (text) => process.stdout.write(text) },
): Promise<number> {
    let options: { stack?: string[]; readme?: boolean; help?: boolean };
    try {
        options = parseArgs({
            args: argv,
            options: {
                stack: { type: "string", short: "s", multiple: true },
                readme: { type: "boolean" },
                help: { type: "boolean", short: "h" },
            },
            strict: true,
            allowPositionals: false,
        }).values;
    } catch (error) {
        process.stderr.write(`${(error as Error).message}\n\n${USAGE}\n`);
        return 2;
    }
    if (options.help) {
        context.write(`${USAGE}\n`);
        return 0;
    }
    const binary = await buildKubeScore();
    let verdict: Verdict;
    try {
        verdict = await scoreStacks(binary, { ...context, stacks: options.stack ?? context.stacks });
    } catch (error) {
        if (error instanceof UnknownStackError || error instanceof ConfigError) {
            process.stderr.write(`score: ${error.message}\n`);
            return 1;
        }
        throw error;
    }
    if (options.readme) {
        context.write(`${checksTable(verdict)}\n\n${waiversTable(context.waivers)}\n`);
        return passes(verdict) ? 0 : 1;
    }
    report(verdict, context);
    return passes(verdict) ? 0 : 1;
}

if (require.main === module) {
    main(process.argv.slice(2)).then(
        (code) => (process.exitCode = code),
        (error: unknown) => {
            process.stderr.write(`score: ${error instanceof Error ? error.message : String(error)}\n`);
            process.exitCode = 1;
        },
    );
}
