import type { ReportViolation, StackValidationPolicy } from "@pulumi/policy";
import type { IPodDisruptionBudgetSpec } from "kubernetes-models/policy/v1/PodDisruptionBudgetSpec";
import { StackObject, podsOf, selecting, statefulSetsOf } from "../kubernetesObjects";
import { checkEach } from "../unknownValues";

const DISRUPTION_BUDGET = "kubernetes:policy/v1:PodDisruptionBudget";

/**
 * A StatefulSet of the cluster with more than one pod has a PodDisruptionBudget of the stack (the component's
 * or the user's own), in its namespace, that selects its pods: without one, a node drain may evict the primary and its standbys at once. A single pod needs
 * none (the component makes none: a budget for one pod would block every drain).
 */
export function checkDisruptionBudgets(resources: readonly StackObject[], report: ReportViolation): void {
    checkEach(statefulSetsOf(resources), (statefulSet) => {
        const pods = podsOf(statefulSet);
        if (pods.replicas <= 1) {
            return;
        }
        const selectorOf = (props: Record<string, unknown>) =>
            (props.spec as IPodDisruptionBudgetSpec | undefined)?.selector;
        if (selecting(resources, DISRUPTION_BUDGET, selectorOf, pods).length === 0) {
            report(
                `StatefulSet ${pods.name} runs ${pods.replicas} pods and no PodDisruptionBudget in namespace ` +
                    `${pods.namespace ?? "(default)"} selects them (labels ${JSON.stringify(pods.labels)}): a ` +
                    "drain may evict them all at once",
                pods.urn,
            );
        }
    });
}

export const disruptionBudgetPolicy: StackValidationPolicy = {
    name: "disruption-budget-for-several-pods",
    description:
        "A StatefulSet of the cluster with more than one pod has a PodDisruptionBudget in its namespace that " +
        "selects its pods.",
    enforcementLevel: "mandatory",
    validateStack: (args, report) => checkDisruptionBudgets(args.resources, report),
};
