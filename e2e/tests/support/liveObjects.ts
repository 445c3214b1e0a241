import { kubectlJson } from "./kubectl";

/** What the component makes and a comparison can hold to: Jobs are left out, their selectors are generated. */
const KINDS = "statefulsets,services,secrets,configmaps,networkpolicies,poddisruptionbudgets";

interface LiveObject {
    kind: string;
    metadata: Record<string, unknown> & { name: string };
    spec?: Record<string, unknown>;
    status?: unknown;
}

/** What the API server writes of its own into an object: different for every deploy of the same objects. */
function withoutServerFields(object: LiveObject): LiveObject {
    const { uid, resourceVersion, creationTimestamp, generation, managedFields, ...metadata } = object.metadata;
    void [uid, resourceVersion, creationTimestamp, generation, managedFields];
    const { status, ...rest } = object;
    void status;
    const spec = rest.spec && object.kind === "Service" ? withoutAddresses(rest.spec) : rest.spec;
    return { ...rest, metadata, ...(spec ? { spec } : {}) };
}

function withoutAddresses(spec: Record<string, unknown>): Record<string, unknown> {
    const { clusterIP, clusterIPs, ...rest } = spec;
    void [clusterIP, clusterIPs];
    return rest;
}

/**
 * The objects of a namespace as the API server holds them, without what it assigns per deploy (uids,
 * versions, times, addresses, status) and without what Kubernetes itself puts in every namespace.
 */
export async function liveObjects(namespace: string): Promise<LiveObject[]> {
    const list = await kubectlJson<{ items: LiveObject[] }>(["get", KINDS, "-n", namespace, "-o", "json"]);
    return list.items
        .filter((object) => object.metadata.name !== "kube-root-ca.crt")
        .map(withoutServerFields)
        .sort((a, b) => `${a.kind}/${a.metadata.name}`.localeCompare(`${b.kind}/${b.metadata.name}`));
}
