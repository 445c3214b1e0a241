import { resolveSettings, ClusterSettings } from "../../../components/settings";
import { CONFIG_NAMESPACE } from "../../../components/stackConfig";
import { clusterObjects, inApplyOrder } from "../../../components/specs/cluster";

/** The settings an e2e stack resolves to, from its `pg-ha:` config (the passwords play no part here). */
export function stackSettings(config: Record<string, unknown>): ClusterSettings {
    const prefix = `${CONFIG_NAMESPACE}:`;
    const raw: Record<string, unknown> = {};
    for (const [key, value] of Object.entries(config)) {
        if (key.startsWith(prefix)) raw[key.slice(prefix.length)] = value;
    }
    return resolveSettings(raw, prefix);
}

/** `v1` + `Secret` → `kubernetes:core/v1:Secret`: the Pulumi type of a Kubernetes object. */
export function pulumiType(object: { apiVersion?: unknown; kind?: unknown }): string {
    if (typeof object.apiVersion !== "string" || typeof object.kind !== "string") {
        throw new Error(`an object without a plain apiVersion and kind: ${JSON.stringify(object)}`);
    }
    const apiVersion = object.apiVersion.includes("/") ? object.apiVersion : `core/${object.apiVersion}`;
    return `kubernetes:${apiVersion}:${object.kind}`;
}

/** The objects of these settings, for their kinds and names (the passwords play no part). */
export function objectsOf(settings: ClusterSettings) {
    return clusterObjects(settings, { superuser: "", replication: "", application: "" });
}

/** The Pulumi types a first `up` of these settings creates: the stack, the component and each object. */
export function expectedCreates(settings: ClusterSettings): string[] {
    const all = objectsOf(settings);
    // The initialised marker is recorded once the StatefulSet is ready, in the same `up`.
    const objects = [...inApplyOrder(all), all.initialisedMarker];
    // Providers are resources of their own: the default one, created with the first object, and the one the
    // component makes for the objects a destroy keeps.
    const provider = "pulumi:providers:kubernetes";
    const program = ["pulumi:pulumi:Stack", provider, provider, "pg-ha:index:PostgresCluster"];
    return [...program, ...objects.map(pulumiType)].sort();
}
