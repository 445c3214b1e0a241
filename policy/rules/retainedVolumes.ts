import type { ReportViolation, ResourceValidationPolicy } from "@pulumi/policy";
import type { IPersistentVolumeSpec } from "kubernetes-models/v1/PersistentVolumeSpec";

const PERSISTENT_VOLUME = "kubernetes:core/v1:PersistentVolume";

/**
 * A PersistentVolume of the stack says `persistentVolumeReclaimPolicy: Retain`: deleting its claim (a
 * destroy, a namespace deleted by hand) must not delete the database's files. Written out, rather than left
 * to the API's default for static volumes, so that the promise does not rest on a default.
 */
export function checkReclaimPolicy(type: string, props: Record<string, unknown>, report: ReportViolation): void {
    if (type !== PERSISTENT_VOLUME) {
        return;
    }
    const policy = (props.spec as IPersistentVolumeSpec | undefined)?.persistentVolumeReclaimPolicy;
    if (policy !== "Retain") {
        report(
            `spec.persistentVolumeReclaimPolicy is ${policy ?? "unset"}, not Retain: the data would not outlive its claim`,
        );
    }
}

export const retainedVolumesPolicy: ResourceValidationPolicy = {
    name: "persistent-volumes-retain",
    description:
        "Every PersistentVolume has persistentVolumeReclaimPolicy: Retain, so that the data outlives its claim.",
    enforcementLevel: "mandatory",
    validateResource: (args, report) => checkReclaimPolicy(args.type, args.props, report),
};
