import type { types } from "@pulumi/kubernetes";
import { ClusterSettings } from "../settings";
import {
    DATA_VOLUME,
    POSTGRES_PORT,
    REPLICATION_USER,
    SECRET_KEYS,
    clusterNames,
    commonLabels,
    selectorLabels,
} from "../naming";
import { POD_PATHS } from "./podPaths";
import { volumeClaimTemplate } from "./storage";

/** uid and gid of the `postgres` user in the official Debian-based `postgres` images. */
export const POSTGRES_UID = 999;

export const CONTAINER_NAME = "postgresql";

// A clone of a large database, or crash recovery, may take long; liveness only starts after this window.
const STARTUP_WINDOW_SECONDS = 3600;
const STARTUP_PERIOD_SECONDS = 10;

const probe = (
    kind: "startup" | "liveness" | "readiness",
    timing: Omit<types.input.core.v1.Probe, "exec">,
): types.input.core.v1.Probe => ({
    exec: { command: ["/bin/sh", `${POD_PATHS.config}/probe.sh`, kind] },
    ...timing,
});

/** The environment the bootstrap and probe scripts read; no value here is a secret. */
export function containerEnv(settings: ClusterSettings): types.input.core.v1.EnvVar[] {
    const names = clusterNames(settings);
    const env: Record<string, string> = {
        PGDATA: POD_PATHS.pgdata,
        PGHOST: POD_PATHS.runtime,
        PG_HA_CONFIG_DIR: POD_PATHS.config,
        PG_HA_RUNTIME_DIR: POD_PATHS.runtime,
        PG_HA_PRIMARY_HOST: names.primaryHost,
        PG_HA_PORT: String(POSTGRES_PORT),
        PG_HA_REPLICATION_USER: REPLICATION_USER,
        PG_HA_SUPERUSER_PASSWORD_FILE: `${POD_PATHS.secrets}/${SECRET_KEYS.superuserPassword}`,
        PG_HA_REPLICATION_PASSWORD_FILE: `${POD_PATHS.secrets}/${SECRET_KEYS.replicationPassword}`,
        PG_HA_PRIMARY_WAIT_SECONDS: String(settings.primaryWaitTimeoutSeconds),
    };
    return Object.entries(env).map(([name, value]) => ({ name, value }));
}

/**
 * Pulumi waits for a StatefulSet until every pod runs the newest revision. A staged update (a partition
 * above 0, or OnDelete) holds pods back on purpose, so there `pulumi up` waits for all pods to be ready
 * instead of timing out.
 */
function awaitAnnotations(settings: ClusterSettings): Record<string, string> {
    const strategy = settings.updateStrategy;
    const staged = strategy.type === "OnDelete" || strategy.partition > 0;
    return staged ? { "pulumi.com/waitFor": `jsonpath={.status.readyReplicas}=${settings.replicas}` } : {};
}

/**
 * The StatefulSet: pod 0 is the primary, the others stream from it. `configChecksum` goes into the pod
 * template so that a change of scripts or settings rolls the pods (standbys first, the primary last).
 */
export function statefulSet(settings: ClusterSettings, configChecksum: string) {
    const names = clusterNames(settings);
    const strategy = settings.updateStrategy;
    return {
        apiVersion: "apps/v1",
        kind: "StatefulSet",
        metadata: {
            name: names.statefulSet,
            namespace: settings.namespace,
            labels: commonLabels(settings),
            annotations: awaitAnnotations(settings),
        },
        spec: {
            serviceName: names.headlessService,
            replicas: settings.replicas,
            podManagementPolicy: settings.podManagementPolicy,
            updateStrategy:
                strategy.type === "OnDelete"
                    ? { type: "OnDelete" as const }
                    : { type: "RollingUpdate" as const, rollingUpdate: { partition: strategy.partition } },
            persistentVolumeClaimRetentionPolicy: { whenDeleted: "Retain", whenScaled: "Retain" },
            selector: { matchLabels: selectorLabels(settings) },
            volumeClaimTemplates: [volumeClaimTemplate(settings)],
            template: {
                metadata: {
                    labels: commonLabels(settings),
                    annotations: { "pg-ha/config-sha256": configChecksum },
                },
                spec: {
                    enableServiceLinks: false,
                    terminationGracePeriodSeconds: 60,
                    securityContext: {
                        runAsNonRoot: true,
                        runAsUser: POSTGRES_UID,
                        runAsGroup: POSTGRES_UID,
                        fsGroup: POSTGRES_UID,
                        fsGroupChangePolicy: "OnRootMismatch",
                        seccompProfile: { type: "RuntimeDefault" },
                    },
                    containers: [
                        {
                            name: CONTAINER_NAME,
                            image: settings.image,
                            imagePullPolicy: "IfNotPresent",
                            command: ["/bin/sh", `${POD_PATHS.config}/bootstrap.sh`],
                            env: containerEnv(settings),
                            ports: [{ name: "postgresql", containerPort: POSTGRES_PORT, protocol: "TCP" }],
                            startupProbe: probe("startup", {
                                periodSeconds: STARTUP_PERIOD_SECONDS,
                                timeoutSeconds: 5,
                                failureThreshold: STARTUP_WINDOW_SECONDS / STARTUP_PERIOD_SECONDS,
                            }),
                            livenessProbe: probe("liveness", {
                                periodSeconds: 10,
                                timeoutSeconds: 5,
                                failureThreshold: 6,
                            }),
                            readinessProbe: probe("readiness", {
                                periodSeconds: 5,
                                timeoutSeconds: 5,
                                failureThreshold: 3,
                            }),
                            resources: settings.resources,
                            securityContext: {
                                allowPrivilegeEscalation: false,
                                readOnlyRootFilesystem: true,
                                runAsNonRoot: true,
                                capabilities: { drop: ["ALL"] },
                            },
                            volumeMounts: [
                                { name: DATA_VOLUME, mountPath: POD_PATHS.data },
                                { name: "config", mountPath: POD_PATHS.config, readOnly: true },
                                { name: "secrets", mountPath: POD_PATHS.secrets, readOnly: true },
                                { name: "runtime", mountPath: POD_PATHS.runtime },
                                { name: "tmp", mountPath: POD_PATHS.tmp },
                            ],
                        },
                    ],
                    volumes: [
                        { name: "config", configMap: { name: names.configMap, defaultMode: 0o444 } },
                        { name: "secrets", secret: { secretName: names.secret, defaultMode: 0o440 } },
                        { name: "runtime", emptyDir: {} },
                        { name: "tmp", emptyDir: {} },
                    ],
                },
            },
        },
    } satisfies types.input.apps.v1.StatefulSet;
}
