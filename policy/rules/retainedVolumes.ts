import type { ReportViolation, ResourceValidationPolicy } from "@pulumi/policy";
import type { IPersistentVolumeSpec } from "kubernetes-models/v1/PersistentVolumeSpec";
import type { IStatefulSetSpec } from "kubernetes-models/apps/v1/StatefulSetSpec";
import { inCluster } from "../kubernetesObjects";

const PERSISTENT_VOLUME = "kubernetes:core/v1:PersistentVolume";
const STATEFUL_SET = "kubernetes:apps/v1:StatefulSet";

/**
 * A PersistentVolume of the cluster says `persistentVolumeReclaimPolicy: Retain`: deleting its claim (a
 * destroy, a namespace deleted by hand) must not delete the database's files. Written out, rather than left
 * to the API's default for static volumes, so that the promise does not rest on a default.
 */
function checkReclaimPolicy(props: Record<string, unknown>, report: ReportViolation): void {
    const policy = (props.spec as IPersistentVolumeSpec | undefined)?.persistentVolumeReclaimPolicy;
    if (policy !== "Retain") {
        report(
            `spec.persistentVolumeReclaimPolicy is ${policy ?? "unset"}, not Retain: the data would not outlive its claim`,
        );
    }
}

const CLAIMS_LOST = {
    whenDeleted: "deleting the StatefulSet would delete its claims",
    whenScaled: "scaling down would delete the claims of the pods removed",
} as const;

/**
 * A StatefulSet of the cluster keeps its claims when it is deleted and when it scales down. With dynamic
 * provisioning (`storage.className`) the stack holds no PersistentVolume, and the StorageClass's reclaim
 * policy is commonly Delete: the claims are then all that keeps the data. Unset (the policy or one of its
 * fields) means Retain in the API: accepted, as the component sets both to Retain anyway.
 */
function checkClaimRetention(props: Record<string, unknown>, report: ReportViolation): void {
    const retention = (props.spec as Partial<IStatefulSetSpec> | undefined)?.persistentVolumeClaimRetentionPolicy;
    for (const field of ["whenDeleted", "whenScaled"] as const) {
        const policy = retention?.[field];
        if (policy !== undefined && policy !== "Retain") {
            report(
                `spec.persistentVolumeClaimRetentionPolicy.${field} is ${policy}, not Retain: ${CLAIMS_LOST[field]}, ` +
                    "and with them the data of volumes that do not retain",
            );
        }
    }
}

export function checkRetainedVolumes(
    type: string,
    urn: string,
    props: Record<string, unknown>,
    report: ReportViolation,
): void {
    if (!inCluster(urn)) {
        return;
    }
    if (type === PERSISTENT_VOLUME) {
        checkReclaimPolicy(props, report);
    } else if (type === STATEFUL_SET) {
        checkClaimRetention(props, report);
    }
}

export const retainedVolumesPolicy: ResourceValidationPolicy = {
    name: "persistent-volumes-retain",
    description:
        "The data outlives its claims and the StatefulSet: every PersistentVolume has persistentVolumeReclaimPolicy: " +
        "Retain, and every StatefulSet's persistentVolumeClaimRetentionPolicy (whenDeleted, whenScaled) is Retain " +
        "or unset.",
    enforcementLevel: "mandatory",
    validateResource: (args, report) => checkRetainedVolumes(args.type, args.urn, args.props, report),
};
