import type { IPodTemplateSpec } from "kubernetes-models/v1/PodTemplateSpec";
import type { IStatefulSetSpec } from "kubernetes-models/apps/v1/StatefulSetSpec";

/** What the stack rules need of a resource: `PolicyResource` of `@pulumi/policy`, narrowed. */
export interface StackObject {
    type: string;
    urn: string;
    props: Record<string, unknown>;
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

export function statefulSetsOf(resources: readonly StackObject[]): StackObject[] {
    return resources.filter((resource) => resource.type === STATEFUL_SET);
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

/** The objects of `type` in the pods' namespace whose selector, as `selectorOf` reads it, selects them. */
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
