import { Verdict, checksRun } from "./score";
import { WAIVERS, Waiver } from "./waivers";

/**
 * The tables of the README's "Checked by kube-score" section, made from a run over every stack and from the
 * waivers, so that a test can hold the README to them (`npm run score -- --readme` prints them).
 */

const code = (text: string) => `\`${text}\``;

/** Every check kube-score ran on the stacks, and whether it passes or which of its findings are waived. */
export function checksTable(verdict: Verdict): string {
    const rows = checksRun(verdict).map((check) => {
        const waived = [
            ...new Set(
                verdict.waived
                    .filter(({ finding }) => finding.check === check.id)
                    .map(({ finding }) => finding.summary),
            ),
        ].sort();
        const result =
            waived.length === 0
                ? "passes"
                : `passes, but for: ${waived.map((summary) => `"${summary}"`).join(", ")} (waived)`;
        return `| ${code(check.id)} | ${check.name} | ${result} |`;
    });
    return ["| check | kube-score's title | on every stack |", "| --- | --- | --- |", ...rows].join("\n");
}

/** The waivers, each with the objects and findings it covers and its reason. */
export function waiversTable(waivers: readonly Waiver[] = WAIVERS): string {
    const rows = waivers.map(
        (waiver) =>
            `| ${code(waiver.check)} | ${waiver.objects.map(code).join(", ")} | ${waiver.findings.map((summary) => `"${summary}"`).join(", ")} | ${waiver.reason} |`,
    );
    return ["| check | objects | finding | why it is waived |", "| --- | --- | --- | --- |", ...rows].join("\n");
}
