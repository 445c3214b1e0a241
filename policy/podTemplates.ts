import type { IContainer } from "kubernetes-models/v1/Container";
import type { IEphemeralContainer } from "kubernetes-models/v1/EphemeralContainer";
import type { IPodTemplateSpec } from "kubernetes-models/v1/PodTemplateSpec";
import type { IPodSpec } from "kubernetes-models/v1/PodSpec";

/**
 * Where the pods of a Kubernetes object are described, as `@pulumi/kubernetes` types name the objects. The
 * rules read resource inputs as the engine hands them over: plain JSON, typed here by the Kubernetes API's
 * own models.
 */

/** The path to the pod template of each object that runs pods; a Pod is its own template. */
const POD_TEMPLATE_PATHS: Readonly<Record<string, readonly string[]>> = {
    "kubernetes:core/v1:Pod": [],
    "kubernetes:core/v1:PodTemplate": ["template"],
    "kubernetes:core/v1:ReplicationController": ["spec", "template"],
    "kubernetes:apps/v1:Deployment": ["spec", "template"],
    "kubernetes:apps/v1:StatefulSet": ["spec", "template"],
    "kubernetes:apps/v1:DaemonSet": ["spec", "template"],
    "kubernetes:apps/v1:ReplicaSet": ["spec", "template"],
    "kubernetes:batch/v1:Job": ["spec", "template"],
    "kubernetes:batch/v1:CronJob": ["spec", "jobTemplate", "spec", "template"],
};

export interface LocatedPodTemplate {
    /** Dotted path of the template in the object, "" for a Pod. */
    path: string;
    template: IPodTemplateSpec;
}

/** The pod template of an object of `type`, or undefined for an object that runs no pods. */
export function podTemplateOf(type: string, props: Record<string, unknown>): LocatedPodTemplate | undefined {
    const path = POD_TEMPLATE_PATHS[type];
    if (path === undefined) {
        return undefined;
    }
    let value: unknown = props;
    for (const key of path) {
        value = typeof value === "object" && value !== null ? (value as Record<string, unknown>)[key] : undefined;
    }
    return typeof value === "object" && value !== null ? { path: path.join("."), template: value } : undefined;
}

/** `field` under a template's path: "spec.template.spec" for a StatefulSet, "spec" for a Pod. */
export function pathIn(template: LocatedPodTemplate, field: string): string {
    return template.path === "" ? field : `${template.path}.${field}`;
}

export type AnyContainer = IContainer | IEphemeralContainer;

export interface NamedContainer {
    /** Path in the pod spec, e.g. `spec.initContainers[0]`. */
    path: string;
    container: AnyContainer;
}

/** Every container of a pod spec: the main ones, the init containers and the ephemeral ones. */
export function containersOf(spec: IPodSpec): NamedContainer[] {
    const list = (field: "containers" | "initContainers" | "ephemeralContainers") =>
        ((spec[field] ?? []) as AnyContainer[]).map((container, index) => ({
            path: `spec.${field}[${index}]`,
            container,
        }));
    return [...list("containers"), ...list("initContainers"), ...list("ephemeralContainers")];
}
