import { clusterNames, labelSelectorText, selectorLabels } from "../../components/naming";
import { ClusterSettings } from "../../components/settings";
import { CONTAINER_NAME } from "../../components/specs/statefulSet";
import { PodStatus, SlotStatus } from "./statusTable";

/** Runs kubectl with these arguments (in the chosen kube context) and returns its standard output. */
export type Kubectl = (args: string[]) => Promise<string>;

/** The parts of a pod `npm run status` reads. */
export interface PodObject {
    metadata: { name: string };
    status?: {
        phase?: string;
        conditions?: { type: string; status: string }[];
        containerStatuses?: { restartCount: number }[];
    };
}

/** Pod 0's view of its standbys: `pg_stat_replication` as name, state and replay lag in seconds (may be empty). */
export const REPLICATION_SQL =
    "SELECT application_name, state, COALESCE(EXTRACT(EPOCH FROM replay_lag)::text, '') FROM pg_stat_replication ORDER BY 1";

/** Pod 0's slots, with the WAL each holds back. */
export const SLOTS_SQL =
    "SELECT slot_name, active, COALESCE(wal_status, ''), " +
    "COALESCE(pg_wal_lsn_diff(pg_current_wal_lsn(), restart_lsn), 0)::bigint FROM pg_replication_slots ORDER BY 1";

/** psql's unaligned rows (`-qAt`, `|` between columns). */
function rows(text: string): string[][] {
    return text
        .split("\n")
        .filter((line) => line.length > 0)
        .map((line) => line.split("|"));
}

/**
 * Every pod the settings describe, in ordinal order, whether Kubernetes has made it or not, with what pod 0
 * says of each standby's replication (`replication` is psql's output of `REPLICATION_SQL`; undefined when
 * pod 0 did not answer).
 */
export function podStatuses(
    settings: ClusterSettings,
    pods: PodObject[],
    replication: string | undefined,
): PodStatus[] {
    const names = clusterNames(settings);
    const byStandby = new Map(rows(replication ?? "").map(([name, state, lag]) => [name, { state, lag }]));
    return Array.from({ length: settings.replicas }, (_, ordinal): PodStatus => {
        const name = names.pod(ordinal);
        const pod = pods.find((candidate) => candidate.metadata.name === name);
        const status: PodStatus = {
            pod: name,
            role: ordinal === 0 ? "primary" : "standby",
            phase: pod?.status?.phase ?? "missing",
            ready: pod?.status?.conditions?.some((c) => c.type === "Ready" && c.status === "True") ?? false,
            restarts: (pod?.status?.containerStatuses ?? []).reduce((sum, c) => sum + c.restartCount, 0),
        };
        if (ordinal > 0 && replication !== undefined) {
            const standby = byStandby.get(name);
            status.replication = standby?.state ?? "not connected";
            if (standby) status.replayLagSeconds = standby.lag === "" ? null : Number(standby.lag);
        }
        return status;
    });
}

/** psql's output of `SLOTS_SQL` as slots. */
export function slotStatuses(output: string): SlotStatus[] {
    return rows(output).map(([name, active, walStatus, retained]) => ({
        name,
        active: active === "t",
        walStatus: walStatus || "unknown",
        retainedBytes: Number(retained),
    }));
}

/** Reads the cluster of these settings through kubectl: its pods, and pod 0's replication and slots. */
export async function clusterStatus(
    settings: ClusterSettings,
    kubectl: Kubectl,
): Promise<{ pods: PodStatus[]; slots: SlotStatus[] | undefined }> {
    const selector = labelSelectorText(selectorLabels(settings));
    const list = JSON.parse(await kubectl(["get", "pods", "-n", settings.namespace, "-l", selector, "-o", "json"])) as {
        items: PodObject[];
    };
    const primary = clusterNames(settings).pod(0);
    const onPrimary = (sql: string) =>
        kubectl([
            "exec",
            "-n",
            settings.namespace,
            primary,
            "-c",
            CONTAINER_NAME,
            "--",
            "psql",
            "-X",
            "-qAt",
            "-U",
            "postgres",
            "-d",
            "postgres",
            "-c",
            sql,
        ]).catch(() => undefined);
    const [replication, slots] = await Promise.all([onPrimary(REPLICATION_SQL), onPrimary(SLOTS_SQL)]);
    return {
        pods: podStatuses(settings, list.items, replication),
        slots: slots === undefined ? undefined : slotStatuses(slots),
    };
}
