import type { ReportViolation, StackValidationPolicy } from "@pulumi/policy";
import type { INetworkPolicySpec } from "kubernetes-models/networking.k8s.io/v1/NetworkPolicySpec";
import { LabelSelector, StackObject, metadataOf, podsOf, selecting, statefulSetsOf } from "../kubernetesObjects";
import { checkEach } from "../unknownValues";

const NETWORK_POLICY = "kubernetes:networking.k8s.io/v1:NetworkPolicy";

const specOf = (props: Record<string, unknown>) => props.spec as INetworkPolicySpec | undefined;

/** A podSelector left out is the empty one, as in the API: every pod of the namespace. */
function podSelectorOf(props: Record<string, unknown>): LabelSelector | undefined {
    const spec = specOf(props);
    return spec === undefined ? undefined : (spec.podSelector ?? {});
}

/** Without policyTypes, a NetworkPolicy applies to ingress always (and to egress only with egress rules). */
function coversIngress(props: Record<string, unknown>): boolean {
    const types = specOf(props)?.policyTypes;
    return types === undefined || types.includes("Ingress");
}

/**
 * The indexes of the ingress rules that admit every source: a rule without `from`, or with an empty one,
 * matches all of them (the API's reading). NetworkPolicies add up, so one such rule opens the pods to every
 * pod of the cluster, and beyond, whatever the other policies admit.
 */
function openIngressRules(props: Record<string, unknown>): number[] {
    return (specOf(props)?.ingress ?? []).flatMap((rule, index) => ((rule.from ?? []).length === 0 ? [index] : []));
}

/**
 * For each StatefulSet of the cluster, a NetworkPolicy of the stack (the component's or the user's own), in
 * its namespace, selects its pods and restricts their ingress: the database is reachable from the clients
 * the stack admits, not from every pod of the cluster. The component's `networkPolicy.enabled: false` fails
 * this rule; that is a choice to make in the policy's configuration (disable the rule for that stack), not
 * silently.
 */
export function checkNetworkPolicies(resources: readonly StackObject[], report: ReportViolation): void {
    checkEach(statefulSetsOf(resources), (statefulSet) => {
        const pods = podsOf(statefulSet);
        const policies = selecting(resources, NETWORK_POLICY, podSelectorOf, pods).filter((policy) =>
            coversIngress(policy.props),
        );
        if (policies.length === 0) {
            report(
                `no NetworkPolicy in namespace ${pods.namespace ?? "(default)"} selects the pods of StatefulSet ` +
                    `${pods.name} (labels ${JSON.stringify(pods.labels)}) for ingress: any pod of the cluster ` +
                    "can reach them",
                pods.urn,
            );
        }
        for (const policy of policies) {
            for (const index of openIngressRules(policy.props)) {
                report(
                    `NetworkPolicy ${metadataOf(policy.props).name ?? policy.urn} selects the pods of StatefulSet ` +
                        `${pods.name}, but its spec.ingress[${index}] has no "from": it admits every source, so ` +
                        "it does not restrict their ingress",
                    pods.urn,
                );
            }
        }
    });
}

export const networkPolicyPolicy: StackValidationPolicy = {
    name: "network-policy-selects-database-pods",
    description:
        "A NetworkPolicy in the StatefulSet's namespace selects its pods (podSelector) and restricts their " +
        "ingress; no ingress rule of a policy that selects them lacks `from` (which admits every source).",
    enforcementLevel: "mandatory",
    validateStack: (args, report) => checkNetworkPolicies(args.resources, report),
};
