import { PROJECT_ROOT, stackNames } from "../../components/stackFiles";
import { renderManifests, toYamlStream } from "../manifests";
import { Check, Finding, Score, kubeScore } from "./kubeScore";
import { WAIVERS, Waiver, staleWaivers, waiverOf } from "./waivers";

/** A finding of one stack's manifests. */
export interface StackFinding extends Finding {
    stack: string;
}

export interface Verdict {
    /** The stacks scored, in order, with what kube-score said of each. */
    stacks: { stack: string; score: Score }[];
    unwaived: StackFinding[];
    waived: { finding: StackFinding; waiver: Waiver }[];
    /** What the waivers name and no stack's findings are; only judged when every stack was scored. */
    stale: string[] | undefined;
}

export interface ScoreOptions {
    /** The stacks to score; every stack of `root` when left out. */
    stacks?: string[];
    /** The project whose stack files are rendered. */
    root?: string;
    waivers?: readonly Waiver[];
}

/**
 * Scores the manifests of each stack (as `npm run manifests` renders them) with kube-score, and judges every
 * finding against the waivers.
 */
export async function scoreStacks(binary: string, options: ScoreOptions = {}): Promise<Verdict> {
    const root = options.root ?? PROJECT_ROOT;
    const waivers = options.waivers ?? WAIVERS;
    const all = stackNames(root);
    const stacks = options.stacks ?? all;
    const scored: Verdict["stacks"] = [];
    for (const stack of stacks) {
        scored.push({ stack, score: await kubeScore(binary, toYamlStream(renderManifests(stack, root))) });
    }
    const findings = scored.flatMap(({ stack, score }) => score.findings.map((finding) => ({ ...finding, stack })));
    const verdict: Verdict = {
        stacks: scored,
        unwaived: [],
        waived: [],
        stale: all.every((stack) => stacks.includes(stack)) ? staleWaivers(findings, waivers) : undefined,
    };
    for (const finding of findings) {
        const waiver = waiverOf(finding, waivers);
        if (waiver) {
            verdict.waived.push({ finding, waiver });
        } else {
            verdict.unwaived.push(finding);
        }
    }
    return verdict;
}

export function passes(verdict: Verdict): boolean {
    return verdict.unwaived.length === 0 && (verdict.stale ?? []).length === 0;
}

/** Every check kube-score ran on any stack, by id. */
export function checksRun(verdict: Verdict): Check[] {
    const checks = new Map(verdict.stacks.flatMap(({ score }) => score.checks.map((check) => [check.id, check])));
    return [...checks.values()].sort((a, b) => a.id.localeCompare(b.id));
}
