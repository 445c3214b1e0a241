import type { ReportViolation, StackValidationPolicy } from "@pulumi/policy";
import { StackObject, metadataOf, namespaceOf } from "../kubernetesObjects";
import { CheckedLevel, podSecurityViolations } from "../podSecurityStandards";
import { LocatedPodTemplate, pathIn, podTemplateOf } from "../podTemplates";
import { checkEach } from "../unknownValues";

const NAMESPACE = "kubernetes:core/v1:Namespace";
const ENFORCE = "pod-security.kubernetes.io/enforce";

/**
 * The namespaces this stack creates that enforce baseline. The component labels its namespace so when
 * `volumePermissions` runs a root init container: the cluster then admits exactly what this rule does.
 */
function baselineNamespaces(resources: readonly StackObject[]): Set<string> {
    const names = new Set<string>();
    checkEach(
        resources.filter((resource) => resource.type === NAMESPACE),
        (namespace) => {
            const { name, labels } = metadataOf(namespace.props);
            if (name !== undefined && labels?.[ENFORCE] === "baseline") {
                names.add(name);
            }
        },
    );
    return names;
}

/** Every control of `level` a pod template breaks, with the field, as violation messages. */
function podSecurityMessages(located: LocatedPodTemplate, level: CheckedLevel): string[] {
    const { spec, metadata } = located.template;
    if (spec === undefined) {
        return [];
    }
    return podSecurityViolations(spec, level, metadata?.annotations).map(
        (violation) =>
            `${pathIn(located, violation.path)} = ${JSON.stringify(violation.value) ?? "(unset)"}: breaks the ` +
            `${level} Pod Security Standard's control "${violation.control}"`,
    );
}

/**
 * Every pod template meets the restricted profile, or baseline in a namespace the stack itself creates with
 * `pod-security.kubernetes.io/enforce: baseline`. A namespace the stack does not create is held to
 * restricted: its labels are not in the stack, and restricted is what the component promises there.
 */
export function checkPodSecurity(resources: readonly StackObject[], report: ReportViolation): void {
    const baseline = baselineNamespaces(resources);
    checkEach(resources, (resource) => {
        const located = podTemplateOf(resource.type, resource.props);
        if (located === undefined) {
            return;
        }
        const namespace = namespaceOf(resource.props);
        const level = namespace !== undefined && baseline.has(namespace) ? "baseline" : "restricted";
        for (const message of podSecurityMessages(located, level)) {
            report(message, resource.urn);
        }
    });
}

export const podSecurityPolicy: StackValidationPolicy = {
    name: "pod-security-restricted",
    description:
        "Every pod template meets the restricted Pod Security Standard; baseline only in a namespace the stack " +
        "creates with pod-security.kubernetes.io/enforce: baseline (the component's volumePermissions).",
    enforcementLevel: "mandatory",
    validateStack: (args, report) => checkPodSecurity(args.resources, report),
};
