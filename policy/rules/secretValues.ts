import type { ReportViolation, ResourceValidationPolicy } from "@pulumi/policy";
import { containersOf, pathIn, podTemplateOf } from "../podTemplates";
import { texts } from "../texts";

const SECRET = "kubernetes:core/v1:Secret";
/** Where a Secret keeps its values; the rest of it (its metadata) is as readable as any object. */
const SECRET_VALUES = new Set(["data", "stringData"]);

const PRIVATE_KEY = /-----BEGIN (?:[A-Z0-9]+ )*PRIVATE KEY-----/;
/** `scheme://user:password@`, unless the password is a variable the shell or the app fills in. */
const URI_PASSWORD = /\b[a-z][a-z0-9+.-]*:\/\/[^\s:/@]+:(?![$%{<])[^\s@/]+@/i;
/** A name that ends in one of these words names a secret. */
const SECRET_WORD = String.raw`(?:password|passwd|passphrase|secret|token|(?:secret|private|access|api)[_-]?key)`;
/** What starts a value that is filled in later (from a file, the environment, a template), not a literal. */
const NOT_LITERAL = String.raw`(?![$%{<"'=\s]|$)`;
/**
 * A literal value given to a name that ends in a secret word. The name must end there, so that
 * `password_encryption = …` and `password_file=…` are not taken for passwords, and must not be a shell
 * variable's expansion (`${AWS_SECRET_ACCESS_KEY:-}`). A colon assigns only in a YAML key at the start of a
 * line or a quoted JSON key: elsewhere it is prose ("the password: …") or psql's `PASSWORD :'variable'`.
 */
const ASSIGNED_PASSWORDS = [
    // PGPASSWORD=…, --password=…, password = '…' (an .ini or .conf file)
    new RegExp(String.raw`(?<![\w.$\{-])([\w.-]*${SECRET_WORD})["']?[ \t]*=[ \t]*["']?${NOT_LITERAL}`, "i"),
    // password: … (YAML)
    new RegExp(String.raw`^[ \t]*(?:-[ \t]+)?([\w.-]*${SECRET_WORD}):[ \t]+["']?${NOT_LITERAL}`, "im"),
    // "password": "…" (JSON)
    new RegExp(String.raw`"([\w.-]*${SECRET_WORD})"[ \t]*:[ \t]*"${NOT_LITERAL}`, "i"),
];
/**
 * Names of environment variables that hold a secret. By the end of the name: `PG_HA_SUPERUSER_PASSWORD_FILE`
 * and `PGPASSFILE` name a file mounted from a Secret, `PG_HA_PASSWORD_CHANGE_SECONDS` a duration.
 */
const SECRET_ENV_NAME = /(?:PASSWORD|PASSWD|PASSPHRASE|SECRET|TOKEN|KEY)$/i;

/** What a text holds that belongs in a Secret, if anything; never the value itself, which would leak it. */
function secretIn(text: string): string | undefined {
    if (PRIVATE_KEY.test(text)) {
        return "a PEM private key";
    }
    if (URI_PASSWORD.test(text)) {
        return "a URI with a password (user:password@host)";
    }
    for (const pattern of ASSIGNED_PASSWORDS) {
        const assigned = pattern.exec(text);
        if (assigned) {
            return `a literal password (${assigned[1]} set to a value)`;
        }
    }
    return undefined;
}

/** The object's fields outside the places a Secret keeps values, read only when needed. */
function scannedFields(type: string, props: Record<string, unknown>): Record<string, unknown> {
    if (type !== SECRET) {
        return props;
    }
    const fields = Object.keys(props).filter((key) => !SECRET_VALUES.has(key));
    return Object.fromEntries(fields.map((key) => [key, props[key]]));
}

/**
 * No Kubernetes object holds a private key or a password outside a Secret's data: not in a ConfigMap, an
 * annotation, a label, an environment value or a command line. An environment variable named for a secret
 * takes its value from a Secret (`valueFrom.secretKeyRef`), never a literal.
 */
export function checkSecretValues(type: string, props: Record<string, unknown>, report: ReportViolation): void {
    if (!type.startsWith("kubernetes:")) {
        return;
    }
    for (const { path, text } of texts(scannedFields(type, props), "")) {
        const found = secretIn(text);
        if (found !== undefined) {
            report(`${path || "(root)"} holds ${found}: keep it in a Secret`);
        }
    }
    const located = podTemplateOf(type, props);
    const spec = located?.template.spec;
    if (located === undefined || spec === undefined) {
        return;
    }
    for (const { path, container } of containersOf(spec)) {
        for (const [index, variable] of (container.env ?? []).entries()) {
            const literal = variable.value !== undefined && variable.value !== "";
            const notFromSecret = variable.valueFrom !== undefined && variable.valueFrom.secretKeyRef === undefined;
            if (SECRET_ENV_NAME.test(variable.name) && (literal || notFromSecret)) {
                report(
                    `${pathIn(located, `${path}.env[${index}]`)} (${variable.name}) is not taken from a Secret: ` +
                        "set it with valueFrom.secretKeyRef",
                );
            }
        }
    }
}

export const secretValuesPolicy: ResourceValidationPolicy = {
    name: "no-secret-values-outside-secrets",
    description:
        "No password or private key outside a Secret's data: not in a ConfigMap, annotation, label, environment " +
        "value or command line; environment variables named for a secret come from valueFrom.secretKeyRef.",
    enforcementLevel: "mandatory",
    validateResource: (args, report) => checkSecretValues(args.type, args.props, report),
};
