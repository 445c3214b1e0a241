import type { IPodTemplateSpec } from "kubernetes-models/v1/PodTemplateSpec";
import type { IStatefulSetSpec } from "kubernetes-models/apps/v1/StatefulSetSpec";

/** What the stack rules need of a resource: `PolicyResource` of `@pulumi/policy`, narrowed. */
export interface StackObject {
    type: string;
    urn: string;
    props: Record<string, unknown>;
}

/** The component's type token, as it stands in the type chain of its children's URNs. */
export const COMPONENT_TYPE = "pg-ha:index:PostgresCluster";

/**
 * Whether a resource belongs to a PostgresCluster: the component is among its parents. A URN is
 * `urn:pulumi:<stack>::<project>::<parent types joined by $>$<type>::<name>`, so the parents are the type
 * chain but its last part. The rules are what the component promises of its own objects: an unrelated
 * workload of a user's stack (a Redis StatefulSet without a budget) is not theirs to judge.
 */
export function inCluster(urn: string): boolean {
    const chain = urn.split("::")[2] ?? "";
    return chain.split("$").slice(0, -1).includes(COMPONENT_TYPE);
}

/** The resources of the stack that belong to a PostgresCluster, those the rules check. */
export function clusterObjects<T extends StackObject>(resources: readonly T[]): T[] {
    return resources.filter((resource) => inCluster(resource.urn));
}

export type ObjectMeta = NonNullable<IPodTemplateSpec["metadata"]>;
export type LabelSelector = IStatefulSetSpec["selector"];

export function metadataOf(props: Record<string, unknown>): ObjectMeta {
    return props.metadata ?? {};
}

/** The namespace a namespaced object names; undefined means the provider's default namespace. */
export function namespaceOf(props: Record<string, unknown>): string | undefined {
    return metadataOf(props).namespace;
}

/** Whether `selector` selects an object with `labels`, as the API server evaluates it; `{}` selects all. */
export function selects(selector: LabelSelector, labels: Record<string, string>): boolean {
    const has = (key: string) => Object.prototype.hasOwnProperty.call(labels, key);
    const byLabels = Object.entries(selector.matchLabels ?? {}).every(([key, value]) => labels[key] === value);
    return (
        byLabels &&
        (selector.matchExpressions ?? []).every(({ key, operator, values = [] }) => {
            switch (operator) {
                case "In":
                    return has(key) && values.includes(labels[key]);
                case "NotIn":
                    return !has(key) || !values.includes(labels[key]);
                case "Exists":
                    return has(key);
                case "DoesNotExist":
                    return !has(key);
                default:
                    return false;
            }
        })
    );
}

const STATEFUL_SET = "kubernetes:apps/v1:StatefulSet";

/** The pods of a StatefulSet of the stack: where they run and how they are labelled. */
export interface StatefulSetPods {
    urn: string;
    name: string;
    namespace: string | undefined;
    labels: Record<string, string>;
    replicas: number;
}

/** The StatefulSets of the clusters of the stack; the objects that serve them may be anyone's (`selecting`). */
export function statefulSetsOf(resources: readonly StackObject[]): StackObject[] {
    return clusterObjects(resources).filter((resource) => resource.type === STATEFUL_SET);
}

export function podsOf(statefulSet: StackObject): StatefulSetPods {
    const spec = statefulSet.props.spec as Partial<IStatefulSetSpec> | undefined;
    return {
        urn: statefulSet.urn,
        name: metadataOf(statefulSet.props).name ?? statefulSet.urn,
        namespace: namespaceOf(statefulSet.props),
        labels: spec?.template?.metadata?.labels ?? {},
        // The API's default.
        replicas: spec?.replicas ?? 1,
    };
}

/**
 * The objects of `type` in the pods' namespace whose selector, as `selectorOf` reads it, selects them: from
 * any resource of the stack, since a user may write the cluster's NetworkPolicy or budget themselves.
 */
export function selecting(
    resources: readonly StackObject[],
    type: string,
    selectorOf: (props: Record<string, unknown>) => LabelSelector | undefined,
    pods: StatefulSetPods,
): StackObject[] {
    return resources.filter((resource) => {
        if (resource.type !== type || namespaceOf(resource.props) !== pods.namespace) {
            return false;
        }
        const selector = selectorOf(resource.props);
        return selector !== undefined && selects(selector, pods.labels);
    });
}
