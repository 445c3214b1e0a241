import { run } from "../../e2e/support/run";
import { VERSIONS } from "../../e2e/versions";

/** One object kube-score scored, as `Kind/name` (its namespace is the stack's). */
export type ObjectName = string;

/** One thing a check found wrong with one object (or one of its containers). */
export interface Finding {
    object: ObjectName;
    check: string;
    /** The container the finding is about; empty when it is about the whole object. */
    container: string;
    /** kube-score's one-line summary, such as "CPU limit is not set". */
    summary: string;
    severity: "CRITICAL" | "WARNING";
}

/** One check kube-score ran. */
export interface Check {
    id: string;
    /** Its title, such as "Container Resources". */
    name: string;
}

export interface Score {
    /** The checks that ran on at least one object, by id. */
    checks: Check[];
    /** How many times a check ran on an object and found nothing. */
    passed: number;
    findings: Finding[];
}

/** kube-score's JSON output (`--output-format json`, version 2), the fields read here. */
interface ScoredObject {
    type_meta: { kind: string };
    object_meta: { name: string };
    checks: {
        check: { id: string; name: string };
        grade: number;
        skipped: boolean;
        comments: { path: string; summary: string }[] | null;
    }[];
}

// kube-score's grades: 1 critical, 5 warning, 7 almost OK, 10 all OK.
const GRADE_ALL_OK = 10;
const GRADE_WARNING = 5;

/** `v1.34.4` → `v1.34`: the deprecated API versions kube-score flags are those of the cluster the project runs on. */
const KUBERNETES_VERSION = VERSIONS.kubernetes.split(".").slice(0, 2).join(".");

/**
 * Scores a stream of manifests with kube-score's default checks. `kube-score/ignore` annotations are
 * disabled: every waiver lives in tools/score/waivers.ts, where it states its reason.
 */
export async function kubeScore(binary: string, manifests: string): Promise<Score> {
    const result = await run(
        binary,
        [
            "score",
            "--output-format",
            "json",
            "--disable-ignore-checks-annotations",
            "--kubernetes-version",
            KUBERNETES_VERSION,
            "-",
        ],
        // It exits 1 when it finds something: the findings are judged against the waivers instead.
        { input: manifests, allowFailure: true },
    );
    let objects: ScoredObject[];
    try {
        objects = JSON.parse(result.stdout) as ScoredObject[];
    } catch {
        throw new Error(`kube-score failed (exit ${result.code}): ${result.stderr.trim() || result.stdout.trim()}`);
    }
    return scoreOf(objects);
}

function scoreOf(objects: ScoredObject[]): Score {
    const checks = new Map<string, Check>();
    const score: Score = { checks: [], passed: 0, findings: [] };
    for (const object of objects) {
        const name = `${object.type_meta.kind}/${object.object_meta.name}`;
        for (const { check, grade, skipped, comments } of object.checks) {
            if (skipped) {
                continue;
            }
            checks.set(check.id, { id: check.id, name: check.name });
            if (grade >= GRADE_ALL_OK) {
                score.passed += 1;
                continue;
            }
            const severity = grade < GRADE_WARNING ? "CRITICAL" : "WARNING";
            // A failed check without a comment still fails: its name stands for the summary.
            for (const comment of comments?.length ? comments : [{ path: "", summary: check.name }]) {
                score.findings.push({
                    object: name,
                    check: check.id,
                    container: comment.path,
                    summary: comment.summary,
                    severity,
                });
            }
        }
    }
    score.checks = [...checks.values()].sort((a, b) => a.id.localeCompare(b.id));
    // kube-score's order of objects and checks varies from run to run.
    const key = (finding: Finding) => [finding.object, finding.check, finding.container, finding.summary].join("\0");
    score.findings.sort((a, b) => key(a).localeCompare(key(b)));
    return score;
}
