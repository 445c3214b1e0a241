import type { Finding, ObjectName } from "./kubeScore";

/**
 * A kube-score finding the project keeps on purpose. A waiver covers the findings of one check, with the
 * summaries it lists, on the objects it names; nothing else. The objects are `Kind/name`, where `*` stands for
 * the digest in a Job's name; the stacks all name their cluster `postgresql`.
 */
export interface Waiver {
    check: string;
    objects: string[];
    findings: string[];
    /** Why the rule is not right here, in one sentence. */
    reason: string;
}

const STATEFUL_SET = "StatefulSet/postgresql";
/** Every object with a pod template: the StatefulSet, the maintenance Job and the backup Jobs. */
const POD_OWNERS = [
    STATEFUL_SET,
    "Job/postgresql-maintenance-*",
    "Job/postgresql-first-backup-*",
    "CronJob/postgresql-backup",
];
const JOBS = POD_OWNERS.filter((object) => object !== STATEFUL_SET);

/** Every waiver, in one place; the README's table of them is checked against this list. */
export const WAIVERS: readonly Waiver[] = [
    {
        check: "container-security-context-user-group-id",
        objects: POD_OWNERS,
        findings: ["The container is running with a low user ID", "The container running with a low group ID"],
        reason: "The pods run as the image's own postgres user and group (999 in the official images, settable as postgresUid and postgresGid), which owns the data on existing volumes and which initdb and the probes need a passwd entry for, so a high uid that the image does not know would break them.",
    },
    {
        check: "container-resources",
        objects: POD_OWNERS,
        findings: ["CPU limit is not set"],
        reason: "CPU limits are left unset on purpose: throttling a database stretches every lock it holds and every query waiting behind it, which hurts more than the limit protects, while the CPU request still reserves its share (set resources.limits.cpu where a cluster demands one).",
    },
    {
        check: "container-image-pull-policy",
        objects: POD_OWNERS,
        findings: ["ImagePullPolicy is not set to Always"],
        reason: "IfNotPresent on purpose: with Always no pod starts while the registry is unreachable, so a registry outage would keep a restarted primary down, and an image given by digest (as the README recommends for production) is the same bytes on every node without pulling again.",
    },
    {
        check: "pod-networkpolicy",
        objects: [STATEFUL_SET],
        findings: ["The pod does not have a matching egress NetworkPolicy"],
        reason: "Egress is left open because backups go to an object store at whatever address the user gives, which no fixed egress rule can name, and a rule that misses a destination (pod 0 through the -rw Service, the cluster DNS, the store) breaks replication or backups only at run time; a cluster that needs egress control adds its own policy.",
    },
    {
        check: "pod-networkpolicy",
        objects: JOBS,
        findings: ["The pod does not have a matching NetworkPolicy"],
        reason: "The Jobs' pods listen on no port, so an ingress policy would guard nothing; the cluster's NetworkPolicy admits them to PostgreSQL by their labels.",
    },
    {
        check: "service-targets-pod",
        objects: ["Service/postgresql-rw"],
        findings: ["The services selector does not match any pods"],
        reason: "The -rw Service selects pod 0 by the statefulset.kubernetes.io/pod-name label, which the StatefulSet controller adds to each pod and a check of the manifests alone cannot see.",
    },
];

/** Whether `object` is one that `pattern` names (`*` matching any run of characters but `/`). */
export function namesObject(pattern: string, object: ObjectName): boolean {
    const regex = pattern
        .split("*")
        .map((part) => part.replace(/[.+?^${}()|[\]\\]/g, "\\$&"))
        .join("[^/]*");
    return new RegExp(`^${regex}$`).test(object);
}

/** The waiver, if any, that covers a finding. */
export function waiverOf(finding: Finding, waivers: readonly Waiver[]): Waiver | undefined {
    return waivers.find(
        (waiver) =>
            waiver.check === finding.check &&
            waiver.findings.includes(finding.summary) &&
            waiver.objects.some((pattern) => namesObject(pattern, finding.object)),
    );
}

/**
 * What the waivers name that none of the findings is: a fixed finding, or a renamed object, whose waiver
 * must go, or it would waive a future finding that no one has looked at.
 */
export function staleWaivers(findings: readonly Finding[], waivers: readonly Waiver[]): string[] {
    return waivers.flatMap((waiver) =>
        waiver.objects.flatMap((pattern) =>
            waiver.findings
                .filter(
                    (summary) =>
                        !findings.some(
                            (finding) =>
                                finding.check === waiver.check &&
                                finding.summary === summary &&
                                namesObject(pattern, finding.object),
                        ),
                )
                .map((summary) => `${waiver.check} on ${pattern}: "${summary}"`),
        ),
    );
}
