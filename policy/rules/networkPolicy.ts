import type { ReportViolation, StackValidationPolicy } from "@pulumi/policy";
import type { INetworkPolicySpec } from "kubernetes-models/networking.k8s.io/v1/NetworkPolicySpec";
import { LabelSelector, StackObject, podsOf, selecting, statefulSetsOf } from "../kubernetesObjects";
import { checkEach } from "../unknownValues";

const NETWORK_POLICY = "kubernetes:networking.k8s.io/v1:NetworkPolicy";

const specOf = (props: Record<string, unknown>) => props.spec as INetworkPolicySpec | undefined;

/** A podSelector left out is the empty one, as in the API: every pod of the namespace. */
function podSelectorOf(props: Record<string, unknown>): LabelSelector | undefined {
    const spec = specOf(props);
    return spec === undefined ? undefined : (spec.podSelector ?? {});
}

/** Without policyTypes, a NetworkPolicy restricts ingress always (and egress only when it has egress rules). */
function restrictsIngress(props: Record<string, unknown>): boolean {
    const types = specOf(props)?.policyTypes;
    return types === undefined || types.includes("Ingress");
}

/**
 * A NetworkPolicy of the stack, in the StatefulSet's namespace, selects its pods and restricts their ingress:
 * the database is reachable from the clients the stack admits, not from every pod of the cluster. The
 * component's `networkPolicy.enabled: false` fails this rule; that is a choice to make in the policy's
 * configuration (disable the rule for that stack), not silently.
 */
export function checkNetworkPolicies(resources: readonly StackObject[], report: ReportViolation): void {
    checkEach(statefulSetsOf(resources), (statefulSet) => {
        const pods = podsOf(statefulSet);
        const policies = selecting(resources, NETWORK_POLICY, podSelectorOf, pods);
        if (!policies.some((policy) => restrictsIngress(policy.props))) {
            report(
                `no NetworkPolicy in namespace ${pods.namespace ?? "(default)"} selects the pods of StatefulSet ` +
                    `${pods.name} (labels ${JSON.stringify(pods.labels)}) for ingress: any pod of the cluster ` +
                    "can reach them",
                pods.urn,
            );
        }
    });
}

export const networkPolicyPolicy: StackValidationPolicy = {
    name: "network-policy-selects-database-pods",
    description:
        "A NetworkPolicy in the StatefulSet's namespace selects its pods (podSelector) and restricts their ingress.",
    enforcementLevel: "mandatory",
    validateStack: (args, report) => checkNetworkPolicies(args.resources, report),
};
