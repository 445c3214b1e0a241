import type { ReportViolation, ResourceValidationPolicy } from "@pulumi/policy";
import { inCluster } from "../kubernetesObjects";
import { containersOf, pathIn, podTemplateOf } from "../podTemplates";

const DIGEST = /@[a-z0-9]+(?:[+._-][a-z0-9]+)*:[a-f0-9]{32,}$/i;

/**
 * What is wrong with an image reference, if anything. A digest (`name@sha256:…`) pins the image; otherwise the
 * tag is what follows the last ":" after the last "/" (a ":" before it is a registry's port), and no tag
 * means `latest`.
 */
function imageProblem(image: string): string | undefined {
    if (DIGEST.test(image)) {
        return undefined;
    }
    const name = image.slice(image.lastIndexOf("/") + 1);
    const colon = name.lastIndexOf(":");
    if (colon < 0) {
        return "has no tag, which means latest";
    }
    return name.slice(colon + 1) === "latest" ? "is on the tag latest" : undefined;
}

/**
 * Every container, init container and ephemeral container of the cluster's pods runs an image with a tag
 * other than `latest`, or a digest: `latest` changes under a running StatefulSet, so that two pods of one
 * revision may run two PostgreSQL versions, and a rollback cannot name what ran before.
 */
export function checkImages(type: string, urn: string, props: Record<string, unknown>, report: ReportViolation): void {
    if (!inCluster(urn)) {
        return;
    }
    const located = podTemplateOf(type, props);
    const spec = located?.template.spec;
    if (located === undefined || spec === undefined) {
        return;
    }
    for (const { path, container } of containersOf(spec)) {
        const problem = container.image === undefined ? undefined : imageProblem(container.image);
        if (problem !== undefined) {
            report(`${pathIn(located, path)}.image "${container.image}" ${problem}: pin a version tag or a digest`);
        }
    }
}

export const pinnedImagesPolicy: ResourceValidationPolicy = {
    name: "images-not-latest",
    description:
        "Every container image in every pod template has a tag other than latest, or a digest; no tag means latest.",
    enforcementLevel: "mandatory",
    validateResource: (args, report) => checkImages(args.type, args.urn, args.props, report),
};
