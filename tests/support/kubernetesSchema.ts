import { Namespace } from "kubernetes-models/v1/Namespace";
import { Secret } from "kubernetes-models/v1/Secret";
import { ConfigMap } from "kubernetes-models/v1/ConfigMap";
import { PersistentVolume } from "kubernetes-models/v1/PersistentVolume";
import { PersistentVolumeClaim } from "kubernetes-models/v1/PersistentVolumeClaim";
import { Service } from "kubernetes-models/v1/Service";
import { StatefulSet } from "kubernetes-models/apps/v1/StatefulSet";
import { Job } from "kubernetes-models/batch/v1/Job";
import { CronJob } from "kubernetes-models/batch/v1/CronJob";
import { PodDisruptionBudget } from "kubernetes-models/policy/v1/PodDisruptionBudget";
import { NetworkPolicy } from "kubernetes-models/networking.k8s.io/v1/NetworkPolicy";
import { ServiceAccount } from "kubernetes-models/v1/ServiceAccount";
import { Pod } from "kubernetes-models/v1/Pod";
import { StorageClass } from "kubernetes-models/storage.k8s.io/v1/StorageClass";
import { ClusterRole } from "kubernetes-models/rbac.authorization.k8s.io/v1/ClusterRole";
import { ClusterRoleBinding } from "kubernetes-models/rbac.authorization.k8s.io/v1/ClusterRoleBinding";

interface Validatable {
    validate(): void;
}

// Each kind the program creates, with its model generated from the official Kubernetes OpenAPI schema.
const MODELS: Record<string, (object: Record<string, unknown>) => Validatable> = {
    "v1/Namespace": (object) => new Namespace(object),
    "v1/Secret": (object) => new Secret(object),
    "v1/ConfigMap": (object) => new ConfigMap(object),
    "v1/PersistentVolume": (object) => new PersistentVolume(object),
    "v1/PersistentVolumeClaim": (object) => new PersistentVolumeClaim(object),
    "v1/Service": (object) => new Service(object),
    "apps/v1/StatefulSet": (object) => new StatefulSet(object),
    "batch/v1/Job": (object) => new Job(object),
    "batch/v1/CronJob": (object) => new CronJob(object),
    "policy/v1/PodDisruptionBudget": (object) => new PodDisruptionBudget(object),
    "networking.k8s.io/v1/NetworkPolicy": (object) => new NetworkPolicy(object),
    // The end-to-end cluster's add-ons and client pod.
    "v1/ServiceAccount": (object) => new ServiceAccount(object),
    "v1/Pod": (object) => new Pod(object),
    // Required fields are left for validate() to report: the cast only lets a wrong object reach it.
    "storage.k8s.io/v1/StorageClass": (object) =>
        new StorageClass(object as unknown as ConstructorParameters<typeof StorageClass>[0]),
    "rbac.authorization.k8s.io/v1/ClusterRole": (object) => new ClusterRole(object),
    "rbac.authorization.k8s.io/v1/ClusterRoleBinding": (object) =>
        new ClusterRoleBinding(object as unknown as ConstructorParameters<typeof ClusterRoleBinding>[0]),
};

/** Throws unless the object validates against the Kubernetes schema of its apiVersion and kind. */
export function validateKubernetesObject(object: Record<string, unknown>): void {
    const key = `${String(object.apiVersion)}/${String(object.kind)}`;
    const model = MODELS[key];
    if (!model) {
        throw new Error(
            `no Kubernetes schema registered for ${key}: add its model to tests/support/kubernetesSchema.ts`,
        );
    }
    model(object).validate();
}
