import * as assert from "assert";
import type { IContainer } from "kubernetes-models/v1/Container";
import type { IPodTemplateSpec } from "kubernetes-models/v1/PodTemplateSpec";
import {
    CheckedResource,
    ReportedViolation,
    checkedResource,
    describeReported,
    policyNamed,
    topLevelUrnOf,
    violationsOf,
} from "./policyHarness";
import { engineConfig, runProgram } from "./stacks";

/** Objects built to meet or break the policy pack's rules, and the assertions on what the rules report. */

const NAMESPACE = "kubernetes:core/v1:Namespace";
export const STATEFUL_SET = "kubernetes:apps/v1:StatefulSet";
export const NETWORK_POLICY = "kubernetes:networking.k8s.io/v1:NetworkPolicy";
export const DISRUPTION_BUDGET = "kubernetes:policy/v1:PodDisruptionBudget";
export const CONFIG_MAP = "kubernetes:core/v1:ConfigMap";
export const SECRET = "kubernetes:core/v1:Secret";
export const PERSISTENT_VOLUME = "kubernetes:core/v1:PersistentVolume";

export const NS = "pg-ha-test";
export const LABELS = { "app.kubernetes.io/name": "postgresql", "app.kubernetes.io/instance": "postgresql" };

export const check = (name: string, resources: readonly CheckedResource[]) =>
    violationsOf(policyNamed(name), resources);

/** A container the restricted profile admits. */
export function container(overrides: Partial<IContainer> = {}): IContainer {
    return {
        name: "postgres",
        image: "postgres:17",
        securityContext: { allowPrivilegeEscalation: false, capabilities: { drop: ["ALL"] } },
        ...overrides,
    };
}

export function template(containers: IContainer[] = [container()], initContainers?: IContainer[]): IPodTemplateSpec {
    return {
        metadata: { labels: { ...LABELS } },
        spec: {
            securityContext: { runAsNonRoot: true, runAsUser: 999, seccompProfile: { type: "RuntimeDefault" } },
            containers,
            ...(initContainers ? { initContainers } : {}),
        },
    };
}

/** An object of `type` that runs `pods`, where that type keeps its pod template. */
export function workload(type: string, pods: IPodTemplateSpec, namespace = NS, replicas = 3): CheckedResource {
    const metadata = { name: "postgresql", namespace };
    const selector = { matchLabels: { ...LABELS } };
    const props: Record<string, Record<string, unknown>> = {
        "kubernetes:core/v1:Pod": { metadata: { ...metadata, ...pods.metadata }, spec: pods.spec },
        [STATEFUL_SET]: { metadata, spec: { replicas, selector, serviceName: "postgresql-hl", template: pods } },
        "kubernetes:apps/v1:Deployment": { metadata, spec: { replicas, selector, template: pods } },
        "kubernetes:apps/v1:DaemonSet": { metadata, spec: { selector, template: pods } },
        "kubernetes:batch/v1:Job": { metadata, spec: { template: pods } },
        "kubernetes:batch/v1:CronJob": {
            metadata,
            spec: { schedule: "0 2 * * *", jobTemplate: { spec: { template: pods } } },
        },
    };
    return { type, name: `${type.split(":")[2].toLowerCase()}-postgresql`, props: props[type] };
}

/** Where each workload type keeps its pod spec, as the rules name the fields. */
export const POD_TEMPLATE_PREFIXES: Record<string, string> = {
    "kubernetes:core/v1:Pod": "spec",
    [STATEFUL_SET]: "spec.template.spec",
    "kubernetes:apps/v1:Deployment": "spec.template.spec",
    "kubernetes:apps/v1:DaemonSet": "spec.template.spec",
    "kubernetes:batch/v1:Job": "spec.template.spec",
    "kubernetes:batch/v1:CronJob": "spec.jobTemplate.spec.template.spec",
};

export function namespace(name: string, enforce: string): CheckedResource {
    const labels = { "pod-security.kubernetes.io/enforce": enforce };
    return { type: NAMESPACE, name: `namespace-${name}`, props: { metadata: { name, labels } } };
}

export function object(type: string, name: string, props: Record<string, unknown>): CheckedResource {
    return { type, name, props: { metadata: { name, namespace: NS }, ...props } };
}

/** The same resource as an object of the user's own, outside every PostgresCluster. */
export function outsideCluster(resource: CheckedResource): CheckedResource {
    return { ...resource, urn: topLevelUrnOf(resource) };
}

export async function programResources(config: Record<string, unknown>): Promise<CheckedResource[]> {
    return (await runProgram(engineConfig(config))).resources.map(checkedResource);
}

/** The resources with each one `change` returns replaced; `change` gets a copy to alter. */
export function changed(
    resources: readonly CheckedResource[],
    change: (resource: CheckedResource) => CheckedResource | undefined,
): CheckedResource[] {
    return resources.map((resource) => change(structuredClone(resource)) ?? resource);
}

/** `text` as a regular expression that matches it literally. */
export const literally = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");

export function assertReported(violations: readonly ReportedViolation[], pattern: RegExp, urn?: string): void {
    assert.ok(
        violations.some((violation) => pattern.test(violation.message) && (urn === undefined || violation.urn === urn)),
        `no violation matches ${pattern}${urn ? ` on ${urn}` : ""}; reported:\n${describeReported(violations) || "(none)"}`,
    );
}
