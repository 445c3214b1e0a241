import type { ReportViolation, StackValidationPolicy } from "@pulumi/policy";
import { StackObject, clusterObjects } from "../kubernetesObjects";
import { containersOf, pathIn, podTemplateOf } from "../podTemplates";
import { checkSecretCopies, scannedFields } from "../secretCopies";
import { isLiteral, namesSecret, secretIn } from "../secretTexts";
import { texts } from "../texts";
import { checkEach } from "../unknownValues";

/**
 * No object holds a private key or a password outside a Secret's data: not in a ConfigMap, an annotation, a
 * label, an environment value or a command line. An environment variable named for a secret takes its value
 * from a Secret (`valueFrom.secretKeyRef`), never a literal.
 */
function checkObject(resource: StackObject, report: ReportViolation): void {
    const { type, props, urn } = resource;
    if (!type.startsWith("kubernetes:")) {
        return;
    }
    for (const { path, text, key } of texts(scannedFields(type, props), "")) {
        const found = secretIn(text, key);
        if (found !== undefined) {
            report(`${path || "(root)"} holds ${found}: keep it in a Secret`, urn);
        }
    }
    const located = podTemplateOf(type, props);
    const spec = located?.template.spec;
    if (located === undefined || spec === undefined) {
        return;
    }
    for (const { path, container } of containersOf(spec)) {
        for (const [index, variable] of (container.env ?? []).entries()) {
            const literal = variable.value !== undefined && isLiteral(variable.value);
            const notFromSecret = variable.valueFrom !== undefined && variable.valueFrom.secretKeyRef === undefined;
            if (namesSecret(variable.name) && (literal || notFromSecret)) {
                report(
                    `${pathIn(located, `${path}.env[${index}]`)} (${variable.name}) is not taken from a Secret: ` +
                        "set it with valueFrom.secretKeyRef",
                    urn,
                );
            }
        }
    }
}

/**
 * Each object of the cluster on its own (what its fields hold, by pattern), then the objects against the
 * cluster's Secrets (what they copy). A stack rule for the second: it compares objects with one another.
 * Each part checks all it can read before it says that a value was unknown.
 */
export function checkSecretValues(resources: readonly StackObject[], report: ReportViolation): void {
    const parts = [
        () => checkEach(clusterObjects(resources), (resource) => checkObject(resource, report)),
        () => checkSecretCopies(resources, report),
    ];
    checkEach(parts, (part) => part());
}

export const secretValuesPolicy: StackValidationPolicy = {
    name: "no-secret-values-outside-secrets",
    description:
        "No password or private key outside a Secret's data: not in a ConfigMap, annotation, label, environment " +
        "value or command line, and no copy of a value of the cluster's Secrets; environment variables named " +
        "for a secret come from valueFrom.secretKeyRef.",
    enforcementLevel: "mandatory",
    validateStack: (args, report) => checkSecretValues(args.resources, report),
};
