import type { types } from "@pulumi/kubernetes";
import { ClusterSettings } from "../settings";
import {
    DATA_VOLUME,
    INITIALISED_MARKER_KEY,
    POSTGRES_PORT,
    REPLICATION_USER,
    SECRET_KEYS,
    clusterNames,
    commonLabels,
    namespacedMetadata,
    selectorLabels,
} from "../naming";
import { MIN_POSTGRES_MAJOR } from "../derivedSettings";
import { POD_PATHS } from "./podPaths";
import { volumeClaimTemplate } from "./storage";
import { podSecurityContext, restrictedContainerSecurity } from "./securityContexts";
import { TLS_FILES, tlsEnabled, tlsSecretName } from "./tls";
import { restoreEnv } from "./backup";
import { objectStoreEnv } from "./objectStore";
import { backupVolumeMount } from "./backupVolume";

export const CONTAINER_NAME = "postgresql";
export const VOLUME_PERMISSIONS_CONTAINER_NAME = "volume-permissions";

/** Nodes, as the kubelet labels them: pod anti-affinity keeps the pods apart across these. */
const NODE_TOPOLOGY_KEY = "kubernetes.io/hostname";

// Crash recovery of a large database may take long; liveness only starts after this window. (The bootstrap,
// cloning or waiting for the primary, passes the probes by itself: see probe.sh.)
const STARTUP_WINDOW_SECONDS = 3600;
const STARTUP_PERIOD_SECONDS = 10;
// Each startup probe waits this long for the pod to be ready before it passes or fails (probe.sh): a normal
// start (initialising pod 0, a restart, a small clone) ends within it, so no readiness probe fails on the way.
// A run that fails took this long, so the window counts in these.
const STARTUP_WAIT_SECONDS = 30;

// The preStop hook's fast shutdown ends this much before the kubelet's grace period, leaving room for the
// stop signal and the container's exit.
const STOP_SIGNAL_SECONDS = 10;

const probe = (
    kind: "startup" | "liveness" | "readiness",
    timing: Omit<types.input.core.v1.Probe, "exec">,
): types.input.core.v1.Probe => ({
    exec: { command: ["/bin/sh", `${POD_PATHS.config}/probe.sh`, kind] },
    ...timing,
});

/**
 * The environment the bootstrap and probe scripts read; no value here is a secret (an object store's
 * credentials are references to the user's Secret).
 */
export function containerEnv(settings: ClusterSettings): types.input.core.v1.EnvVar[] {
    const names = clusterNames(settings);
    const env: Record<string, string> = {
        PGDATA: POD_PATHS.pgdata,
        PGHOST: POD_PATHS.runtime,
        PG_HA_CONFIG_DIR: POD_PATHS.config,
        PG_HA_RUNTIME_DIR: POD_PATHS.runtime,
        PG_HA_PRIMARY_HOST: names.primaryHost,
        PG_HA_RW_HOST: names.serviceHost(names.rwService),
        PG_HA_NAMESPACE: settings.namespace,
        PG_HA_PORT: String(POSTGRES_PORT),
        PG_HA_REPLICATION_USER: REPLICATION_USER,
        PG_HA_SUPERUSER_PASSWORD_FILE: `${POD_PATHS.secrets}/${SECRET_KEYS.superuserPassword}`,
        PG_HA_REPLICATION_PASSWORD_FILE: `${POD_PATHS.secrets}/${SECRET_KEYS.replicationPassword}`,
        PG_HA_PRIMARY_WAIT_SECONDS: String(settings.primaryWaitTimeoutSeconds),
        PG_HA_STANDBY_MAX_LAG_SECONDS: String(settings.maxStandbyLagSeconds),
        PG_HA_STARTUP_WAIT_SECONDS: String(STARTUP_WAIT_SECONDS),
        PG_HA_MIN_POSTGRES_MAJOR: String(MIN_POSTGRES_MAJOR),
        ...(tlsEnabled(settings)
            ? {
                  PG_HA_TLS_CA_FILE: TLS_FILES.ca,
                  PG_HA_TLS_CERT_FILE: TLS_FILES.certificate,
                  PG_HA_TLS_KEY_FILE: TLS_FILES.privateKey,
              }
            : {}),
        ...restoreEnv(settings),
    };
    return [
        ...Object.entries(env).map(([name, value]) => ({ name, value })),
        // Optional: absent until the cluster is first ready. The kubelet reads it at each container start.
        {
            name: "PG_HA_CLUSTER_INITIALISED",
            valueFrom: {
                configMapKeyRef: { name: names.initialisedMarker, key: INITIALISED_MARKER_KEY, optional: true },
            },
        },
        ...objectStoreEnv(settings),
    ];
}

/**
 * Pulumi waits for a StatefulSet until every pod runs the newest revision. A staged update (a partition
 * above 0, or OnDelete) holds pods back on purpose, so there `pulumi up` waits for all pods to be ready
 * instead of timing out.
 */
function awaitAnnotations(settings: ClusterSettings): Record<string, string> {
    const strategy = settings.updateStrategy;
    if (strategy.type === "RollingUpdate" && strategy.partition === 0) {
        return {};
    }
    const ready = `@.readyReplicas==${settings.replicas}`;
    const staged = strategy.type === "RollingUpdate" ? settings.replicas - strategy.partition : 0;
    // Every pod ready and, when the partition stages pods, at least that many on the newest revision: more
    // when the pods below the partition already run it (a first create, a change that touches no pod).
    // The filter selects `.status` only when it holds, and Pulumi evaluates it only against a status the
    // controller wrote for the current spec (observedGeneration), so readiness left from before the change
    // does not end the wait. No ">=": the annotation's parser splits at a single "=".
    const condition = staged > 0 ? `${ready} && @.updatedReplicas>${staged - 1}` : ready;
    return { "pulumi.com/waitFor": `jsonpath={$[?${condition}]}` };
}

/**
 * Runs as root before PostgreSQL, for volumes that ignore `fsGroup` (NFS): hands the volume's root to the
 * postgres uid, so that the bootstrap can build `$PGDATA.partial` there and rename it into place, and
 * creates PGDATA empty and owned by that uid when it does not exist yet. Never recursive: an existing
 * PGDATA is left exactly as it is, so a data directory of another uid makes PostgreSQL refuse to start
 * instead of being half re-owned. Needs an export with `no_root_squash` (with root squashed, chown fails
 * and so does the pod, loudly). The root gets 2770, the mode the kubelet's `OnRootMismatch` check expects
 * on a volume that does honour `fsGroup`: with less, the kubelet would re-own the whole volume at the next
 * mount and give PGDATA group rights PostgreSQL refuses.
 */
export function volumePermissionsContainer(settings: ClusterSettings): types.input.core.v1.Container {
    const owner = `${settings.postgresUid}:${settings.postgresGid}`;
    const script = [
        "set -eu",
        `chown ${owner} "$1"`,
        'chmod 2770 "$1"',
        'if [ ! -e "$2" ]; then',
        '  mkdir "$2"',
        `  chown ${owner} "$2"`,
        // Made in the setgid root, it would inherit the bit; PGDATA is plain 0700.
        '  chmod u=rwx,go=,g-s "$2"',
        "fi",
    ].join("\n");
    return {
        name: VOLUME_PERMISSIONS_CONTAINER_NAME,
        image: settings.image,
        imagePullPolicy: "IfNotPresent",
        command: ["/bin/sh", "-c", script, "volume-permissions", POD_PATHS.data, POD_PATHS.pgdata],
        resources: settings.volumePermissions.resources,
        securityContext: {
            runAsUser: 0,
            runAsGroup: 0,
            runAsNonRoot: false,
            allowPrivilegeEscalation: false,
            readOnlyRootFilesystem: true,
            // Root without these cannot re-own, chmod or write into a directory it does not own.
            capabilities: { drop: ["ALL"], add: ["CHOWN", "FOWNER", "DAC_OVERRIDE"] },
        },
        volumeMounts: [{ name: DATA_VOLUME, mountPath: POD_PATHS.data }],
    };
}

/** Anti-affinity across nodes, and the optional topology spread constraint. */
export function placement(
    settings: ClusterSettings,
): Pick<types.input.core.v1.PodSpec, "affinity" | "topologySpreadConstraints"> {
    const labelSelector = { matchLabels: selectorLabels(settings) };
    const term = { labelSelector, topologyKey: NODE_TOPOLOGY_KEY };
    const spread = settings.topologySpread;
    return {
        affinity: {
            podAntiAffinity:
                settings.antiAffinity === "required"
                    ? { requiredDuringSchedulingIgnoredDuringExecution: [term] }
                    : { preferredDuringSchedulingIgnoredDuringExecution: [{ weight: 100, podAffinityTerm: term }] },
        },
        ...(spread.enabled
            ? {
                  topologySpreadConstraints: [
                      {
                          topologyKey: spread.topologyKey,
                          maxSkew: spread.maxSkew,
                          whenUnsatisfiable: spread.whenUnsatisfiable,
                          labelSelector,
                      },
                  ],
              }
            : {}),
    };
}

/**
 * The StatefulSet: pod 0 is the primary, the others stream from it. `configMapName` names the version of
 * the configuration the pods mount: a change of scripts or settings is a new name, so it rolls the pods
 * (standbys first, the primary last).
 */
export function statefulSet(settings: ClusterSettings, configMapName: string) {
    const names = clusterNames(settings);
    const strategy = settings.updateStrategy;
    const tlsSecret = tlsSecretName(settings);
    const backup = backupVolumeMount(settings);
    return {
        apiVersion: "apps/v1",
        kind: "StatefulSet",
        metadata: { ...namespacedMetadata(settings, names.statefulSet), annotations: awaitAnnotations(settings) },
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
                metadata: { labels: commonLabels(settings) },
                spec: {
                    enableServiceLinks: false,
                    // The probes and the bootstrap look up the -rw Service by its full name. ndots 2: it is asked
                    // at once, not after three misses in the search list; timeout 1: a lost answer costs a
                    // second, not glibc's five, and a lookup three at most instead of ten, within a probe's
                    // five seconds.
                    dnsConfig: {
                        options: [
                            { name: "ndots", value: "2" },
                            { name: "timeout", value: "1" },
                            { name: "attempts", value: "3" },
                        ],
                    },
                    // The pods never call the Kubernetes API, and a superuser could read a mounted token with
                    // COPY … FROM PROGRAM.
                    automountServiceAccountToken: false,
                    terminationGracePeriodSeconds: settings.terminationGracePeriodSeconds,
                    securityContext: { ...podSecurityContext(settings), fsGroupChangePolicy: "OnRootMismatch" },
                    ...placement(settings),
                    ...(settings.volumePermissions.enabled
                        ? { initContainers: [volumePermissionsContainer(settings)] }
                        : {}),
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
                                timeoutSeconds: STARTUP_WAIT_SECONDS + 5,
                                failureThreshold: STARTUP_WINDOW_SECONDS / STARTUP_WAIT_SECONDS,
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
                            // A fast, clean shutdown whatever the image's stop signal (see stop.sh).
                            lifecycle: {
                                preStop: {
                                    exec: {
                                        command: [
                                            "/bin/sh",
                                            `${POD_PATHS.config}/stop.sh`,
                                            String(settings.terminationGracePeriodSeconds - STOP_SIGNAL_SECONDS),
                                        ],
                                    },
                                },
                            },
                            resources: settings.resources,
                            securityContext: restrictedContainerSecurity(),
                            volumeMounts: [
                                { name: DATA_VOLUME, mountPath: POD_PATHS.data },
                                { name: "config", mountPath: POD_PATHS.config, readOnly: true },
                                { name: "secrets", mountPath: POD_PATHS.secrets, readOnly: true },
                                ...(tlsSecret === undefined
                                    ? []
                                    : [{ name: "tls", mountPath: POD_PATHS.tls, readOnly: true }]),
                                ...backup.volumeMounts,
                                { name: "runtime", mountPath: POD_PATHS.runtime },
                                { name: "tmp", mountPath: POD_PATHS.tmp },
                                { name: "shm", mountPath: POD_PATHS.shm },
                            ],
                        },
                    ],
                    volumes: [
                        { name: "config", configMap: { name: configMapName, defaultMode: 0o444 } },
                        { name: "secrets", secret: { secretName: names.secret, defaultMode: 0o440 } },
                        // Owned by root and the fsGroup, like every Secret file: PostgreSQL accepts a key
                        // owned by root with at most group read (0640).
                        ...(tlsSecret === undefined
                            ? []
                            : [{ name: "tls", secret: { secretName: tlsSecret, defaultMode: 0o440 } }]),
                        ...backup.volumes,
                        { name: "runtime", emptyDir: {} },
                        { name: "tmp", emptyDir: {} },
                        // The runtime's 64 MiB /dev/shm is too small for parallel queries; this one counts
                        // against the container's memory limit instead.
                        { name: "shm", emptyDir: { medium: "Memory" } },
                    ],
                },
            },
        },
    } satisfies types.input.apps.v1.StatefulSet;
}
