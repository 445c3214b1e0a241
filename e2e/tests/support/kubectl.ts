import { CONTAINER_NAME } from "../../../components/specs/statefulSet";
import { run, RunResult, waitFor } from "../../support/run";

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

/** `psql` as the postgres OS user inside a pod of the cluster, over the local socket (peer authentication). */
export async function psqlInPod(namespace: string, pod: string, sql: string): Promise<string> {
    const result = await kubectl([
        "exec",
        "-n",
        namespace,
        pod,
        "-c",
        CONTAINER_NAME,
        "--",
        "psql",
        "-X",
        "-qAt",
        "-v",
        "ON_ERROR_STOP=1",
        "-U",
        "postgres",
        "-d",
        "postgres",
        "-c",
        sql,
    ]);
    return result.stdout.trim();
}

export function waitUntil<T>(what: string, timeoutMs: number, check: () => Promise<T | undefined>): Promise<T> {
    return waitFor(what, timeoutMs, check);
}
