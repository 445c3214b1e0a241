import { ReportViolation } from "@pulumi/policy";
import { StackObject, clusterObjects, metadataOf } from "./kubernetesObjects";
import { texts } from "./texts";
import { checkEach, isUnknownValueError } from "./unknownValues";

const SECRET = "kubernetes:core/v1:Secret";
/** Where a Secret keeps its values; the rest of it (its metadata) is as readable as any object. */
const SECRET_VALUES = ["stringData", "data"] as const;
/** Shorter values (`true`, a port, a user name like `app`) occur in any object by chance. */
const MIN_COPIED_LENGTH = 8;
/** A certificate is public: clients get the CA from a ConfigMap, and a `kubernetes.io/tls` Secret holds one. */
const ONLY_CERTIFICATES = /^\s*(?:-----BEGIN CERTIFICATE-----[\s\S]*?-----END CERTIFICATE-----\s*)+$/;

/** The object's fields outside the places a Secret keeps values, read only when needed. */
export function scannedFields(type: string, props: Record<string, unknown>): Record<string, unknown> {
    if (type !== SECRET) {
        return props;
    }
    const fields = Object.keys(props).filter((key) => !(SECRET_VALUES as readonly string[]).includes(key));
    return Object.fromEntries(fields.map((key) => [key, props[key]]));
}

/** `read()`, or undefined for a value a preview cannot know: there is nothing to compare with yet. */
function known(read: () => unknown): unknown {
    try {
        return read();
    } catch (error) {
        if (isUnknownValueError(error)) {
            return undefined;
        }
        throw error;
    }
}

interface SecretValue {
    /** `Secret <name>, key <key>`: where the value belongs, never the value. */
    where: string;
    value: string;
}

/** The values of a Secret, `data` decoded, long enough to tell a copy from a coincidence. */
function valuesOf(secret: StackObject): SecretValue[] {
    const name = known(() => metadataOf(secret.props).name);
    const values: SecretValue[] = [];
    for (const field of SECRET_VALUES) {
        const entries = known(() => secret.props[field]);
        if (typeof entries !== "object" || entries === null) {
            continue;
        }
        // Object.keys reads no value through the framework's proxy: each value is read, or skipped, alone.
        for (const key of Object.keys(entries)) {
            const raw = known(() => (entries as Record<string, unknown>)[key]);
            if (typeof raw !== "string") {
                continue;
            }
            const value = field === "data" ? Buffer.from(raw, "base64").toString("utf8") : raw;
            if (value.length >= MIN_COPIED_LENGTH && !ONLY_CERTIFICATES.test(value)) {
                values.push({ where: `Secret ${typeof name === "string" ? name : secret.urn}, key ${key}`, value });
            }
        }
    }
    return values;
}

/**
 * No value of a Secret of the cluster appears verbatim in another field of the cluster's objects: what the
 * patterns of `secretIn` cannot recognise (a password under a name that says nothing, a token in a
 * command) is still a copy of what the Secret holds. Only the cluster's Secrets: a user's own (a client's
 * credentials, with its user name) holds values the cluster's objects may rightly contain.
 */
export function checkSecretCopies(resources: readonly StackObject[], report: ReportViolation): void {
    // Kubernetes objects only: the `@pulumi/tls` resources that sign with a key hold it as their input.
    const objects = clusterObjects(resources).filter((resource) => resource.type.startsWith("kubernetes:"));
    const values = objects.filter((resource) => resource.type === SECRET).flatMap(valuesOf);
    if (values.length === 0) {
        return;
    }
    checkEach(objects, (resource) => {
        for (const { path, text } of texts(scannedFields(resource.type, resource.props), "")) {
            for (const { where, value } of values) {
                if (text.includes(value)) {
                    report(
                        `${path || "(root)"} holds the value of ${where}: refer to the Secret instead`,
                        resource.urn,
                    );
                }
            }
        }
    });
}
