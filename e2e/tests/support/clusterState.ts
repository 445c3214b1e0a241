import { clusterNames, labelSelectorText, selectorLabels } from "../../../components/naming";
import { ClusterSettings } from "../../../components/settings";
import { POD_PATHS } from "../../../components/specs/podPaths";
import { kubectlJson, psqlInPod, readyPods, waitUntil } from "./kubectl";

/** The label selector of the cluster's pods. */
export function podSelector(settings: ClusterSettings): string {
    return labelSelectorText(selectorLabels(settings));
}

export function podNames(settings: ClusterSettings): string[] {
    const names = clusterNames(settings);
    return Array.from({ length: settings.replicas }, (_, ordinal) => names.pod(ordinal));
}

/**
 * Waits until the cluster is whole: every pod Ready and every standby streaming from pod 0. What the tests
 * check after every `up`, never its return alone: the provider the e2e runs (v4.25) can return before a
 * StatefulSet rollout ends.
 */
export async function waitForCluster(
    namespace: string,
    settings: ClusterSettings,
    { timeoutMs = 300_000, streamingTimeoutMs = timeoutMs }: { timeoutMs?: number; streamingTimeoutMs?: number } = {},
): Promise<void> {
    const pods = podNames(settings);
    await waitUntil(`the StatefulSet ${settings.name} rolled out`, timeoutMs, async () => {
        const status = await statefulSetStatus(namespace, settings);
        return rolledOut(status, settings) ? true : undefined;
    });
    await waitUntil(`every pod of ${settings.name} Ready`, timeoutMs, async () => {
        const ready = await readyPods(namespace, podSelector(settings));
        return pods.every((pod) => ready.includes(pod)) && ready.length === pods.length ? true : undefined;
    });
    await waitForStreaming(namespace, settings, streamingTimeoutMs);
}

/** Waits until one pod of the cluster is Ready. */
export async function waitForPodReady(
    namespace: string,
    settings: ClusterSettings,
    pod: string,
    timeoutMs = 300_000,
): Promise<void> {
    await waitUntil(`${pod} Ready`, timeoutMs, async () =>
        (await readyPods(namespace, podSelector(settings))).includes(pod) ? true : undefined,
    );
}

/** Waits until every standby streams from pod 0. */
export async function waitForStreaming(
    namespace: string,
    settings: ClusterSettings,
    timeoutMs = 300_000,
): Promise<void> {
    const standbys = podNames(settings).slice(1);
    await waitUntil("every standby streaming", timeoutMs, async () => {
        const streaming = await streamingStandbys(namespace, settings);
        return standbys.every((pod) => streaming.includes(pod)) ? true : undefined;
    });
}

interface StatefulSetStatus {
    metadata: { generation: number };
    status: {
        observedGeneration?: number;
        replicas?: number;
        readyReplicas?: number;
        updatedReplicas?: number;
        currentRevision?: string;
        updateRevision?: string;
    };
}

export function statefulSetStatus(namespace: string, settings: ClusterSettings): Promise<StatefulSetStatus> {
    return kubectlJson<StatefulSetStatus>(["get", "statefulset", "-n", namespace, clusterNames(settings).statefulSet]);
}

/**
 * The controller has seen the newest spec, and (for a full rolling update) every pod runs its newest revision
 * and is ready. A status the controller has not updated yet says nothing: the generation check rules it out.
 */
function rolledOut(sts: StatefulSetStatus, settings: ClusterSettings): boolean {
    const { status } = sts;
    const current = (status.observedGeneration ?? 0) >= sts.metadata.generation;
    const ready = status.readyReplicas === settings.replicas && status.replicas === settings.replicas;
    const strategy = settings.updateStrategy;
    if (strategy.type !== "RollingUpdate" || strategy.partition > 0) return current && ready;
    return (
        current &&
        ready &&
        status.updatedReplicas === settings.replicas &&
        status.currentRevision === status.updateRevision
    );
}

/** The rows of a one-column query on pod 0. */
async function rowsOnPod0(namespace: string, settings: ClusterSettings, sql: string): Promise<string[]> {
    const rows = await psqlInPod(namespace, clusterNames(settings).pod(0), sql);
    return rows.split("\n").filter(Boolean);
}

/** The standbys pod 0 streams to, by `application_name` (the pod name). */
export function streamingStandbys(namespace: string, settings: ClusterSettings): Promise<string[]> {
    return rowsOnPod0(
        namespace,
        settings,
        "SELECT application_name FROM pg_stat_replication WHERE state = 'streaming' ORDER BY 1",
    );
}

/** The replication slots on pod 0. */
export function replicationSlots(namespace: string, settings: ClusterSettings): Promise<string[]> {
    return rowsOnPod0(namespace, settings, "SELECT slot_name FROM pg_replication_slots ORDER BY 1");
}

/** How many rows of `table` each pod holds, once every standby has replayed what pod 0 has. */
export async function rowsOnEveryPod(
    namespace: string,
    settings: ClusterSettings,
    table: string,
): Promise<Record<string, number>> {
    const pods = podNames(settings);
    const count = async (pod: string): Promise<number> =>
        Number(await psqlInPod(namespace, pod, `SELECT count(*) FROM ${table}`));
    const primary = await count(pods[0]);
    return waitUntil(`${primary} rows of ${table} on every pod`, 60_000, async () => {
        const counts = Object.fromEntries(await Promise.all(pods.map(async (pod) => [pod, await count(pod)] as const)));
        return Object.values(counts).every((value) => value === primary) ? counts : undefined;
    });
}

interface PodStatus {
    metadata: { name: string; uid: string; labels: Record<string, string>; creationTimestamp: string };
    status: { containerStatuses?: { restartCount: number; state: { running?: { startedAt: string } } }[] };
}

/** Each pod's uid (a new pod has a new one), creation time and revision. */
export async function podIdentities(
    namespace: string,
    settings: ClusterSettings,
): Promise<Record<string, { uid: string; created: number; revision: string }>> {
    const list = await kubectlJson<{ items: PodStatus[] }>([
        "get",
        "pods",
        "-n",
        namespace,
        "-l",
        podSelector(settings),
    ]);
    return Object.fromEntries(
        list.items.map((pod) => [
            pod.metadata.name,
            {
                uid: pod.metadata.uid,
                created: Date.parse(pod.metadata.creationTimestamp),
                revision: pod.metadata.labels["controller-revision-hash"],
            },
        ]),
    );
}

/**
 * A file in a pod's PGDATA: a clone (pg_basebackup into a new directory, renamed over PGDATA) would not
 * keep it, so finding it again proves the data directory was kept.
 */
export async function markDataDirectory(namespace: string, pod: string, mark: string): Promise<void> {
    await psqlInPod(namespace, pod, `COPY (SELECT '${mark}') TO '${POD_PATHS.pgdata}/pg-ha-e2e-mark'`);
}

export async function dataDirectoryMark(namespace: string, pod: string): Promise<string> {
    return psqlInPod(namespace, pod, "SELECT pg_read_file('pg-ha-e2e-mark')").then((text) => text.trim());
}
