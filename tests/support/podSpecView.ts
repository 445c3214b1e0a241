import * as pulumi from "@pulumi/pulumi";
import type { types } from "@pulumi/kubernetes";

import { ClusterSettings } from "../../components/settings";
import { clusterObjects } from "../../components/specs/cluster";
import { Passwords } from "../../components/specs/credentials";

/** The pod harness's view of the program's pod spec: what a kubelet would read from it, as plain data. */

export type ProbeKind = "startup" | "liveness" | "readiness";

/** An `Input<T>` the spec builders filled with a plain value; anything else is a bug in the test setup. */
export function plain<T>(value: pulumi.Input<T> | undefined, what: string): NonNullable<T> {
    if (value === undefined || value === null || pulumi.Output.isInstance(value) || value instanceof Promise) {
        throw new Error(`the pod spec's ${what} is not a plain value`);
    }
    return value;
}

export interface VolumeSource {
    /** claim: the pod's own, from the claim template; sharedClaim: one claim every pod mounts. */
    kind: "claim" | "sharedClaim" | "configMap" | "secret" | "emptyDir";
    /** The claim a sharedClaim volume mounts. */
    claimName?: string;
    defaultMode?: number;
    /** The Secret a secret volume projects. */
    secretName?: string;
}

/** An env var the kubelet reads from a key of a ConfigMap when the container starts. */
interface ConfigMapEnv {
    configMap: string;
    key: string;
    optional: boolean;
}

/** An env var the kubelet reads from a key of a Secret when the container starts. */
export interface SecretEnv {
    secret: string;
    key: string;
    optional: boolean;
}

export interface PodSpecView {
    command: string[];
    env: Record<string, string>;
    configMapEnv: Record<string, ConfigMapEnv>;
    secretEnv: Record<string, SecretEnv>;
    mounts: { volume: string; mountPath: string; readOnly: boolean }[];
    volumes: Record<string, VolumeSource>;
    probes: Record<ProbeKind, { command: string[]; timeoutSeconds: number }>;
    /** The container's preStop exec hook, if it has one. */
    preStop: string[] | undefined;
    runAsUser: number;
    runAsGroup: number;
    fsGroup: number;
    terminationGracePeriodSeconds: number;
}

function preStopCommand(
    value: pulumi.Input<types.input.core.v1.Lifecycle | undefined> | undefined,
): string[] | undefined {
    if (value === undefined) {
        return undefined;
    }
    const preStop = plain(value, "lifecycle").preStop;
    if (preStop === undefined) {
        return undefined;
    }
    const exec = plain(plain(preStop, "preStop").exec, "preStop exec");
    return plain(exec.command, "preStop command").map((arg) => plain(arg, "preStop argument"));
}

export function podSpecView(settings: ClusterSettings, passwords: Passwords<string>) {
    const objects = clusterObjects(settings, passwords);
    const sts = plain(objects.statefulSet.spec, "StatefulSet spec");
    const template = plain(sts.template, "pod template");
    const pod = plain(template.spec, "pod spec");
    const containers = plain(pod.containers, "containers").map((c) => plain(c, "container"));
    if (containers.length !== 1) {
        throw new Error(`the harness runs pods with one container; the spec has ${containers.length}`);
    }
    const container = containers[0];
    const security = plain(pod.securityContext, "securityContext");

    const volumes: Record<string, VolumeSource> = {};
    for (const claim of plain(sts.volumeClaimTemplates, "volumeClaimTemplates").map((c) => plain(c, "claim"))) {
        volumes[plain(plain(claim.metadata, "claim metadata").name, "claim name")] = { kind: "claim" };
    }
    for (const volume of plain(pod.volumes, "volumes").map((v) => plain(v, "volume"))) {
        const name = plain(volume.name, "volume name");
        if (volume.configMap !== undefined) {
            const mode = plain(volume.configMap, "configMap volume").defaultMode;
            volumes[name] = { kind: "configMap", defaultMode: mode === undefined ? 0o644 : plain(mode, "mode") };
        } else if (volume.secret !== undefined) {
            const source = plain(volume.secret, "secret volume");
            const mode = source.defaultMode;
            volumes[name] = {
                kind: "secret",
                defaultMode: mode === undefined ? 0o644 : plain(mode, "mode"),
                secretName: plain(source.secretName, "secretName"),
            };
        } else if (volume.persistentVolumeClaim !== undefined) {
            const source = plain(volume.persistentVolumeClaim, "persistentVolumeClaim volume");
            volumes[name] = { kind: "sharedClaim", claimName: plain(source.claimName, "claimName") };
        } else if (volume.emptyDir !== undefined) {
            volumes[name] = { kind: "emptyDir" };
        } else {
            throw new Error(`the harness does not know the kind of volume ${name}`);
        }
    }

    const probe = (value: pulumi.Input<types.input.core.v1.Probe | undefined> | undefined) => {
        const spec = plain(value, "probe");
        const exec = plain(spec.exec, "probe exec");
        return {
            command: plain(exec.command, "probe command").map((arg) => plain(arg, "probe argument")),
            timeoutSeconds: spec.timeoutSeconds === undefined ? 1 : plain(spec.timeoutSeconds, "probe timeout"),
        };
    };

    const view: PodSpecView = {
        command: plain(container.command, "command").map((arg) => plain(arg, "command argument")),
        env: Object.fromEntries(
            envEntries(container.env)
                .filter((entry) => entry.valueFrom === undefined)
                .map((entry) => [plain(entry.name, "env name"), plain(entry.value, "env value")]),
        ),
        configMapEnv: Object.fromEntries(
            envEntries(container.env)
                .filter(
                    (entry) =>
                        entry.valueFrom !== undefined && plain(entry.valueFrom, "valueFrom").secretKeyRef === undefined,
                )
                .map((entry) => {
                    const ref = plain(plain(entry.valueFrom, "valueFrom").configMapKeyRef, "configMapKeyRef");
                    const optional = ref.optional === undefined ? false : plain(ref.optional, "optional");
                    const source = {
                        configMap: plain(ref.name, "configMap name"),
                        key: plain(ref.key, "configMap key"),
                        optional,
                    };
                    return [plain(entry.name, "env name"), source];
                }),
        ),
        secretEnv: Object.fromEntries(
            envEntries(container.env).flatMap((entry) => {
                const ref = entry.valueFrom && plain(entry.valueFrom, "valueFrom").secretKeyRef;
                if (ref === undefined) {
                    return [];
                }
                const source = plain(ref, "secretKeyRef");
                const value = {
                    secret: plain(source.name, "secret name"),
                    key: plain(source.key, "secret key"),
                    optional: source.optional === undefined ? false : plain(source.optional, "optional"),
                };
                return [[plain(entry.name, "env name"), value]];
            }),
        ),
        mounts: plain(container.volumeMounts, "volumeMounts").map((m) => {
            const mount = plain(m, "volumeMount");
            return {
                volume: plain(mount.name, "volumeMount name"),
                mountPath: plain(mount.mountPath, "mountPath"),
                readOnly: mount.readOnly === undefined ? false : plain(mount.readOnly, "readOnly"),
            };
        }),
        volumes,
        probes: {
            startup: probe(container.startupProbe),
            liveness: probe(container.livenessProbe),
            readiness: probe(container.readinessProbe),
        },
        preStop: preStopCommand(container.lifecycle),
        runAsUser: plain(security.runAsUser, "runAsUser"),
        runAsGroup: plain(security.runAsGroup, "runAsGroup"),
        fsGroup: plain(security.fsGroup, "fsGroup"),
        terminationGracePeriodSeconds: plain(pod.terminationGracePeriodSeconds, "terminationGracePeriodSeconds"),
    };
    return {
        view,
        configMap: objects.configMap,
        secret: objects.secret,
        initialisedMarker: objects.initialisedMarker,
    };
}

function envEntries(env: pulumi.Input<pulumi.Input<types.input.core.v1.EnvVar>[]> | undefined) {
    return plain(env, "env").map((e) => plain(e, "env entry"));
}
