import type { types } from "@pulumi/kubernetes";
import { ClusterSettings } from "../settings";
import { POSTGRES_PORT, SECRET_KEYS, clusterNames, maintenanceSelectorLabels, namespacedMetadata } from "../naming";
import { dataChecksum } from "./configuration";
import { POD_PATHS } from "./podPaths";

/** How long the Job waits for a removed pod to release its slot (it may still be stopping). */
const SLOT_RELEASE_SECONDS = 300;

/**
 * A Job that drops the replication slots of the ordinals at or above `replicas` (drop-slots.sh), run by
 * `pulumi up` once the StatefulSet has its new number of pods: a scale-down must not leave slots that keep
 * WAL and an old xmin on pod 0. Its name carries a digest of its spec, so a new `replicas` (or image, or
 * configuration) runs a new Job, and an unchanged one is left alone. It connects through the -rw Service as
 * the superuser, with the password from the Secret's file; the NetworkPolicy admits its pods by their labels.
 */
export function slotCleanupJob(settings: ClusterSettings, configMapName: string) {
    const names = clusterNames(settings);
    const template = {
        metadata: { labels: { ...maintenanceSelectorLabels(settings), "app.kubernetes.io/component": "maintenance" } },
        spec: {
            restartPolicy: "OnFailure",
            automountServiceAccountToken: false,
            enableServiceLinks: false,
            securityContext: {
                runAsNonRoot: true,
                runAsUser: settings.postgresUid,
                runAsGroup: settings.postgresGid,
                fsGroup: settings.postgresGid,
                seccompProfile: { type: "RuntimeDefault" },
            },
            containers: [
                {
                    name: "drop-slots",
                    image: settings.image,
                    imagePullPolicy: "IfNotPresent",
                    command: ["/bin/sh", `${POD_PATHS.config}/drop-slots.sh`, String(settings.replicas)],
                    env: Object.entries({
                        PGHOST: names.serviceHost(names.rwService),
                        PGPORT: String(POSTGRES_PORT),
                        PGUSER: "postgres",
                        PGDATABASE: "postgres",
                        PGCONNECT_TIMEOUT: "10",
                        PGPASSFILE: `${POD_PATHS.tmp}/pgpass`,
                        PG_HA_SUPERUSER_PASSWORD_FILE: `${POD_PATHS.secrets}/${SECRET_KEYS.superuserPassword}`,
                        PG_HA_STATEFULSET: names.statefulSet,
                        PG_HA_SLOT_RELEASE_SECONDS: String(SLOT_RELEASE_SECONDS),
                    }).map(([name, value]) => ({ name, value })),
                    resources: { requests: { cpu: "10m", memory: "32Mi" }, limits: { memory: "64Mi" } },
                    securityContext: {
                        allowPrivilegeEscalation: false,
                        readOnlyRootFilesystem: true,
                        runAsNonRoot: true,
                        capabilities: { drop: ["ALL"] },
                    },
                    volumeMounts: [
                        { name: "config", mountPath: POD_PATHS.config, readOnly: true },
                        { name: "secrets", mountPath: POD_PATHS.secrets, readOnly: true },
                        { name: "tmp", mountPath: POD_PATHS.tmp },
                    ],
                },
            ],
            volumes: [
                { name: "config", configMap: { name: configMapName, defaultMode: 0o444 } },
                { name: "secrets", secret: { secretName: names.secret, defaultMode: 0o440 } },
                { name: "tmp", emptyDir: {} },
            ],
        },
    } satisfies types.input.core.v1.PodTemplateSpec;
    const name = names.slotCleanupJob(dataChecksum({ template: JSON.stringify(template) }));
    return {
        apiVersion: "batch/v1",
        kind: "Job",
        metadata: namespacedMetadata(settings, name),
        spec: {
            backoffLimit: 6,
            activeDeadlineSeconds: 2 * SLOT_RELEASE_SECONDS,
            template,
        },
    } satisfies types.input.batch.v1.Job;
}
