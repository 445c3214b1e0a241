import { CONTAINER_NAME } from "../../../components/specs/statefulSet";
import { run, RunResult } from "../../support/run";

export { waitFor as waitUntil } from "../../support/run";

/** kubectl from PATH against the cluster of KUBECONFIG. */
export function kubectl(args: string[], input?: string): Promise<RunResult> {
    return run("kubectl", args, { input, timeoutMs: 120_000 });
}

export async function kubectlJson<T>(args: string[]): Promise<T> {
    return JSON.parse((await kubectl([...args, "-o", "json"])).stdout) as T;
}

interface PodList {
    items: {
        metadata: { name: string; labels?: Record<string, string> };
        status: { phase?: string; conditions?: { type: string; status: string }[] };
    }[];
}

export async function readyPods(namespace: string, selector: string): Promise<string[]> {
    const pods = await kubectlJson<PodList>(["get", "pods", "-n", namespace, "-l", selector]);
    return pods.items
        .filter((pod) =>
            pod.status.conditions?.some((condition) => condition.type === "Ready" && condition.status === "True"),
        )
        .map((pod) => pod.metadata.name)
        .sort();
}

/**
 * Runs one SQL statement with psql inside a pod (`container` of it, or its only one) and returns psql's
 * unaligned, tuples-only output. `connection` says how psql connects: a user over the local socket, or a host.
 */
export async function psqlExec(
    target: { namespace: string; pod: string; container?: string },
    connection: string[],
    sql: string,
): Promise<string> {
    const container = target.container ? ["-c", target.container] : [];
    const psql = ["psql", "-X", "-qAt", "-v", "ON_ERROR_STOP=1", ...connection, "-c", sql];
    const result = await kubectl(["exec", "-n", target.namespace, target.pod, ...container, "--", ...psql]);
    return result.stdout.trim();
}

/** `psql` as the postgres OS user inside a pod of the cluster, over the local socket (peer authentication). */
export function psqlInPod(namespace: string, pod: string, sql: string): Promise<string> {
    return psqlExec({ namespace, pod, container: CONTAINER_NAME }, ["-U", "postgres", "-d", "postgres"], sql);
}
