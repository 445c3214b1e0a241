import { ClusterSettings } from "../settings";
import { clusterNamespace } from "./namespace";
import { Passwords, credentialsSecret } from "./credentials";
import { bootstrapConfigMap, initialisedMarker } from "./configuration";
import { persistentVolumeClaims, persistentVolumes } from "./storage";
import { clusterServices } from "./services";
import { statefulSet } from "./statefulSet";
import { networkPolicy, podDisruptionBudget } from "./policies";
import { maintenanceJob } from "./maintenanceJob";
import { TlsMaterial, generatedTlsSecret } from "./tls";
import { backupPersistentVolume, backupPersistentVolumeClaim } from "./backupVolume";
import { backupCronJob, firstBackupJob } from "./backupJobs";

/**
 * Every Kubernetes object of one cluster, built from its settings. The component registers these, and
 * anything that renders manifests uses the same function, so there is one description of the cluster.
 * `tls` is the generated certificate (mode "generated"); without it there is no `tlsSecret` to register.
 */
export function clusterObjects<T>(settings: ClusterSettings, passwords: Passwords<T>, tls?: TlsMaterial<T>) {
    const configMap = bootstrapConfigMap(settings);
    return {
        namespace: settings.createNamespace ? clusterNamespace(settings) : undefined,
        secret: credentialsSecret(settings, passwords),
        tlsSecret: tls ? generatedTlsSecret(settings, tls) : undefined,
        configMap,
        initialisedMarker: initialisedMarker(settings),
        persistentVolumes: persistentVolumes(settings),
        persistentVolumeClaims: persistentVolumeClaims(settings),
        backupPersistentVolume: backupPersistentVolume(settings),
        backupPersistentVolumeClaim: backupPersistentVolumeClaim(settings),
        services: clusterServices(settings),
        statefulSet: statefulSet(settings, configMap.metadata.name),
        maintenanceJob: maintenanceJob(settings, configMap.metadata.name),
        backupCronJob: backupCronJob(settings, configMap.metadata.name),
        firstBackupJob: firstBackupJob(settings, configMap.metadata.name),
        podDisruptionBudget: podDisruptionBudget(settings),
        networkPolicy: networkPolicy(settings),
    };
}

export type ClusterObjects<T> = ReturnType<typeof clusterObjects<T>>;

/**
 * Every object of the cluster in the order it can be applied: the namespace, what the pods mount, the
 * volumes and Services, then the workload and its policies. Lists each field of `clusterObjects` but the
 * initialised marker, which is recorded once the cluster is ready, not applied with it.
 */
export function inApplyOrder<T>(objects: ClusterObjects<T>) {
    return [
        ...(objects.namespace ? [objects.namespace] : []),
        objects.secret,
        ...(objects.tlsSecret ? [objects.tlsSecret] : []),
        objects.configMap,
        ...objects.persistentVolumeClaims,
        ...(objects.backupPersistentVolumeClaim ? [objects.backupPersistentVolumeClaim] : []),
        ...objects.persistentVolumes,
        ...(objects.backupPersistentVolume ? [objects.backupPersistentVolume] : []),
        objects.services.headless,
        objects.services.rw,
        objects.services.r,
        ...(objects.networkPolicy ? [objects.networkPolicy] : []),
        objects.statefulSet,
        ...(objects.podDisruptionBudget ? [objects.podDisruptionBudget] : []),
        // Applied with the rest it fails until pod 0 answers, and retries (backoffLimit) until then.
        objects.maintenanceJob,
        ...(objects.firstBackupJob ? [objects.firstBackupJob] : []),
        ...(objects.backupCronJob ? [objects.backupCronJob] : []),
    ];
}
