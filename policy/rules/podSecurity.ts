import type { ReportViolation, StackValidationPolicy } from "@pulumi/policy";
import type { IPodSpec } from "kubernetes-models/v1/PodSpec";
import { StackObject, clusterObjects, metadataOf, namespaceOf } from "../kubernetesObjects";
import { podSecurityViolations } from "../podSecurityStandards";
import { LocatedPodTemplate, pathIn, podTemplateOf } from "../podTemplates";
import { checkEach } from "../unknownValues";

const NAMESPACE = "kubernetes:core/v1:Namespace";
const STATEFUL_SET = "kubernetes:apps/v1:StatefulSet";
const ENFORCE = "pod-security.kubernetes.io/enforce";

/**
 * The namespaces this stack creates that enforce baseline, whoever creates them. The component labels its
 * namespace so when `volumePermissions` runs a root init container: the cluster then admits what the init
 * container needs, and this rule holds every other container to restricted still.
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

/**
 * The name the component gives its volume-permissions init container (`VOLUME_PERMISSIONS_CONTAINER_NAME`
 * in components/specs/statefulSet.ts; a test holds the two together). Not imported: the pack would load
 * the component's modules with it.
 */
export const VOLUME_PERMISSIONS_CONTAINER = "volume-permissions";

/** The path of a StatefulSet's volume-permissions init container in its pod spec, if it has one. */
function volumePermissionsPath(type: string, spec: IPodSpec): string | undefined {
    const index = (spec.initContainers ?? []).findIndex((init) => init.name === VOLUME_PERMISSIONS_CONTAINER);
    return type === STATEFUL_SET && index >= 0 ? `spec.initContainers[${index}]` : undefined;
}

/**
 * Every control a pod template breaks, with the field, as violation messages. All are held to restricted,
 * but in a baseline namespace the volume-permissions init container, the one container baseline is for, is
 * held to baseline only: the namespace's label admits more than that container needs, not every pod in it.
 */
function podSecurityMessages(type: string, located: LocatedPodTemplate, inBaselineNamespace: boolean): string[] {
    const { spec, metadata } = located.template;
    if (spec === undefined) {
        return [];
    }
    const exempt = inBaselineNamespace ? volumePermissionsPath(type, spec) : undefined;
    return podSecurityViolations(spec, "restricted", metadata?.annotations)
        .filter(
            (violation) =>
                violation.level === "baseline" || exempt === undefined || !violation.path.startsWith(`${exempt}.`),
        )
        .map(
            (violation) =>
                `${pathIn(located, violation.path)} = ${JSON.stringify(violation.value) ?? "(unset)"}: breaks the ` +
                `${violation.level} Pod Security Standard's control "${violation.control}"`,
        );
}

/**
 * Every pod template of the cluster meets the restricted profile; only the StatefulSet's volume-permissions
 * init container may meet baseline instead, and only in a namespace the stack itself creates with
 * `pod-security.kubernetes.io/enforce: baseline` (the component's, or the user's own). A namespace the stack
 * does not create is held to restricted throughout: its labels are not in the stack, and restricted is what
 * the component promises there.
 */
export function checkPodSecurity(resources: readonly StackObject[], report: ReportViolation): void {
    const baseline = baselineNamespaces(resources);
    checkEach(clusterObjects(resources), (resource) => {
        const located = podTemplateOf(resource.type, resource.props);
        if (located === undefined) {
            return;
        }
        const namespace = namespaceOf(resource.props);
        const inBaselineNamespace = namespace !== undefined && baseline.has(namespace);
        for (const message of podSecurityMessages(resource.type, located, inBaselineNamespace)) {
            report(message, resource.urn);
        }
    });
}

export const podSecurityPolicy: StackValidationPolicy = {
    name: "pod-security-restricted",
    description:
        "Every pod template of the cluster meets the restricted Pod Security Standard; only the volume-permissions " +
        "init container may meet baseline instead, in a namespace the stack creates with " +
        "pod-security.kubernetes.io/enforce: baseline (the component's volumePermissions).",
    enforcementLevel: "mandatory",
    validateStack: (args, report) => checkPodSecurity(args.resources, report),
};
