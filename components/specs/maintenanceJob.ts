import type { types } from "@pulumi/kubernetes";
import { ClusterSettings } from "../settings";
import { REPLICATION_USER, SECRET_KEYS, clusterNames, maintenanceSelectorLabels, namespacedMetadata } from "../naming";
import { dataChecksum } from "./configuration";
import { POD_PATHS } from "./podPaths";
import { podSecurityContext, restrictedContainerSecurity } from "./securityContexts";
import { caOnlyTls } from "./tls";
import { rwClientEnv } from "./rwClient";

/** How long the Job waits for a removed pod to release its slot (it may still be stopping). */
const SLOT_RELEASE_SECONDS = 300;

/**
 * How long the Job waits for pod 0 to put new passwords into effect: the kubelet updates a mounted Secret
 * at its next sync of the pod (about a minute by default), then pod 0's readiness probe applies them.
 */
const PASSWORD_CHANGE_SECONDS = 300;

/** The annotation of the Job's pod that carries the credentials Secret's revision (see `maintenanceJob`). */
export const CREDENTIALS_REVISION_ANNOTATION = "pg-ha.io/credentials-revision";

type Container = types.input.core.v1.Container & { name: string; command: string[]; env: EnvVar[] };
type EnvVar = { name: string; value: string };

/**
 * One container of the Job: a script of the configuration, connected as the superuser through the -rw
 * Service with the password from the Secret's file (written to a passfile of its own on the shared /tmp).
 */
function scriptContainer(settings: ClusterSettings, script: string, args: string[], env: Record<string, string>) {
    const name = script.replace(/\.sh$/, "");
    const tls = caOnlyTls(settings);
    const container: Container = {
        name,
        image: settings.image,
        imagePullPolicy: "IfNotPresent",
        command: ["/bin/sh", `${POD_PATHS.config}/${script}`, ...args],
        env: Object.entries({
            ...rwClientEnv(settings, "postgres", `${POD_PATHS.tmp}/${name}.pgpass`),
            PG_HA_SUPERUSER_PASSWORD_FILE: `${POD_PATHS.secrets}/${SECRET_KEYS.superuserPassword}`,
            ...env,
        }).map(([key, value]) => ({ name: key, value })),
        // Its disk outside the volumes is its log and its passfile in /tmp.
        resources: {
            requests: { cpu: "10m", memory: "32Mi", "ephemeral-storage": "16Mi" },
            limits: { memory: "64Mi", "ephemeral-storage": "64Mi" },
        },
        securityContext: restrictedContainerSecurity(),
        volumeMounts: [
            { name: "config", mountPath: POD_PATHS.config, readOnly: true },
            { name: "secrets", mountPath: POD_PATHS.secrets, readOnly: true },
            ...tls.volumeMounts,
            { name: "tmp", mountPath: POD_PATHS.tmp },
        ],
    };
    return container;
}

/**
 * The Job `pulumi up` runs once the StatefulSet is ready. First `wait-for-passwords` waits until the
 * superuser and replication passwords in the Secret are the ones in effect (pod 0 applies a changed Secret
 * by itself: keep-in-step.sh), so that an `up` that changes a password ends once it works. Then its
 * containers each do one idempotent piece of upkeep that needs the running cluster:
 * - `drop-slots`: drops the replication slots of the ordinals at or above `replicas` (drop-slots.sh), so
 *   that a scale-down leaves no slot that keeps WAL and an old xmin on pod 0;
 * - `app-database`, with a `database` setting: creates the application's role and database, and sets the
 *   role's password to the Secret's (app-database.sh).
 * Its name carries a digest of its spec, so a change of `replicas`, `database`, the image or the configuration
 * runs a new Job, and an unchanged one is left alone. `credentialsRevision` (the credentials Secret's
 * resourceVersion) is part of the spec, so a changed password runs a new Job too, without the password itself
 * in any digest. The NetworkPolicy admits its pods by their labels.
 */
export function maintenanceJob(settings: ClusterSettings, configMapName: string, credentialsRevision = "") {
    const names = clusterNames(settings);
    const waitForPasswords = scriptContainer(settings, "wait-for-passwords.sh", [], {
        PG_HA_REPLICATION_USER: REPLICATION_USER,
        PG_HA_REPLICATION_PASSWORD_FILE: `${POD_PATHS.secrets}/${SECRET_KEYS.replicationPassword}`,
        PG_HA_PASSWORD_CHANGE_SECONDS: String(PASSWORD_CHANGE_SECONDS),
    });
    const containers = [
        scriptContainer(settings, "drop-slots.sh", [String(settings.replicas)], {
            PG_HA_STATEFULSET: names.statefulSet,
            PG_HA_SLOT_RELEASE_SECONDS: String(SLOT_RELEASE_SECONDS),
        }),
        ...(settings.database
            ? [
                  scriptContainer(settings, "app-database.sh", [], {
                      PG_HA_APP_DATABASE: settings.database.name,
                      PG_HA_APP_OWNER: settings.database.owner,
                      PG_HA_APP_PASSWORD_FILE: `${POD_PATHS.secrets}/${SECRET_KEYS.applicationPassword}`,
                  }),
              ]
            : []),
    ];
    const template = {
        metadata: {
            labels: { ...maintenanceSelectorLabels(settings), "app.kubernetes.io/component": "maintenance" },
            annotations: { [CREDENTIALS_REVISION_ANNOTATION]: credentialsRevision },
        },
        spec: {
            restartPolicy: "OnFailure",
            automountServiceAccountToken: false,
            enableServiceLinks: false,
            securityContext: podSecurityContext(settings),
            initContainers: [waitForPasswords],
            containers,
            volumes: [
                { name: "config", configMap: { name: configMapName, defaultMode: 0o444 } },
                { name: "secrets", secret: { secretName: names.secret, defaultMode: 0o440 } },
                ...caOnlyTls(settings).volumes,
                { name: "tmp", emptyDir: {} },
            ],
        },
    } satisfies types.input.core.v1.PodTemplateSpec;
    const name = names.maintenanceJob(dataChecksum({ template: JSON.stringify(template) }));
    return {
        apiVersion: "batch/v1",
        kind: "Job",
        // A Job that failed (pod 0 away for its whole run, a slot never released) is replaced by the next `up`
        // instead of failing every `up` until its spec changes.
        metadata: { ...namespacedMetadata(settings, name), annotations: { "pulumi.com/replaceUnready": "true" } },
        spec: {
            backoffLimit: 6,
            activeDeadlineSeconds: PASSWORD_CHANGE_SECONDS + 2 * SLOT_RELEASE_SECONDS,
            template,
        },
    } satisfies types.input.batch.v1.Job;
}
