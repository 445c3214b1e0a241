/** The `tls` setting: its schema, defaults and the rules between its fields (see settings.ts). */
import { z } from "zod";
import { DNS_SUBDOMAIN, wholeNumber } from "./settingRules";

export const TLS_DEFAULTS = { mode: "generated", validityDays: 365 } as const;

/** The generated certificate is renewed by the first `up` in its last days: it must live longer than that. */
export const TLS_RENEWAL_DAYS = 30;
const TLS_MODES = ["generated", "secret", "disabled"] as const;

export const tlsSettings = z
    .strictObject(
        {
            mode: z
                .enum(TLS_MODES, {
                    error: 'must be "generated" (a CA and a certificate made by the program), "secret" (a kubernetes.io/tls Secret you provide) or "disabled"',
                })
                .default(TLS_DEFAULTS.mode),
            secretName: z
                .string({ error: "must be a string" })
                .regex(DNS_SUBDOMAIN, { error: "must be the name of a Secret (a DNS subdomain)" })
                .optional(),
            // Derived for mode "generated" when not given (see withDerivedDefaults).
            validityDays: wholeNumber(" of days")
                .min(2 * TLS_RENEWAL_DAYS, {
                    error: `must be at least ${2 * TLS_RENEWAL_DAYS}: the certificate is renewed in its last ${TLS_RENEWAL_DAYS} days`,
                })
                .max(3650, { error: "must be at most 3650 (ten years, the CA's own validity)" })
                .optional(),
        },
        { error: 'must be an object {mode: "generated" | "secret" | "disabled", secretName?, validityDays?}' },
    )
    .prefault({});

/** secretName belongs to mode "secret" alone, validityDays to "generated" alone. */
export function tlsProblems(tls: z.output<typeof tlsSettings>, name: string) {
    const problems: { path: string[]; input: unknown; message: string }[] = [];
    // The program's own Secrets: a later switch of mode would have Pulumi delete the user's Secret.
    const programSecrets = [`${name}-tls`, `${name}-credentials`];
    if (tls.secretName !== undefined && programSecrets.includes(tls.secretName)) {
        problems.push({
            path: ["tls", "secretName"],
            input: tls.secretName,
            message: `must not be a Secret the program manages itself (${programSecrets.join(", ")}): name your own Secret otherwise`,
        });
    }
    if (tls.mode === "secret" && tls.secretName === undefined) {
        problems.push({
            path: ["tls", "secretName"],
            input: undefined,
            message:
                'is required with mode "secret": the name of a kubernetes.io/tls Secret in the cluster\'s namespace, with tls.crt, tls.key and the CA in ca.crt',
        });
    }
    if (tls.mode !== "secret" && tls.secretName !== undefined) {
        problems.push({
            path: ["tls", "secretName"],
            input: tls.secretName,
            message: `is only read with mode "secret" (mode is "${tls.mode}"): leave it out, or set mode to "secret"`,
        });
    }
    if (tls.mode !== "generated" && tls.validityDays !== undefined) {
        problems.push({
            path: ["tls", "validityDays"],
            input: tls.validityDays,
            message: `is only read with mode "generated" (mode is "${tls.mode}"): the validity of a certificate you provide is its issuer's`,
        });
    }
    return problems;
}
