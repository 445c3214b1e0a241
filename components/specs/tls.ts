import { ClusterSettings } from "../settings";
import { TLS_SECRET_KEYS, clusterNames } from "../naming";
import { secretObject } from "./credentials";
import { POD_PATHS } from "./podPaths";

/**
 * A server certificate, its private key and the CA certificate that signed it, as PEM text. Generic like
 * `Passwords`: the component passes Pulumi secrets, a manifest renderer placeholders, the tests files of
 * their own CA.
 */
export interface TlsMaterial<T> {
    certificate: T;
    privateKey: T;
    caCertificate: T;
}

type TlsSettings = Pick<ClusterSettings, "tls" | "namespace" | "name" | "clusterDomain">;

export function tlsEnabled(settings: Pick<ClusterSettings, "tls">): boolean {
    return settings.tls.mode !== "disabled";
}

/** The Secret the pods mount their certificate from: the generated one or the user's; none when disabled. */
export function tlsSecretName(settings: TlsSettings): string | undefined {
    switch (settings.tls.mode) {
        case "generated":
            return clusterNames(settings).tlsSecret;
        case "secret":
            return settings.tls.secretName;
        case "disabled":
            return undefined;
    }
}

/** Where a pod finds each file of the TLS Secret. */
export const TLS_FILES = {
    certificate: `${POD_PATHS.tls}/${TLS_SECRET_KEYS.certificate}`,
    privateKey: `${POD_PATHS.tls}/${TLS_SECRET_KEYS.privateKey}`,
    ca: `${POD_PATHS.tls}/${TLS_SECRET_KEYS.ca}`,
} as const;

/** The data of a `kubernetes.io/tls` Secret that holds `material`, by key. */
export function tlsSecretData<T>(material: TlsMaterial<T>): Record<string, T> {
    return {
        [TLS_SECRET_KEYS.certificate]: material.certificate,
        [TLS_SECRET_KEYS.privateKey]: material.privateKey,
        [TLS_SECRET_KEYS.ca]: material.caCertificate,
    };
}

/**
 * The `kubernetes.io/tls` Secret of the generated certificate (mode "generated"), the only object that
 * carries its private key; undefined in the other modes.
 */
export function generatedTlsSecret<T>(settings: ClusterSettings, material: TlsMaterial<T>) {
    if (settings.tls.mode !== "generated") {
        return undefined;
    }
    return secretObject(settings, clusterNames(settings).tlsSecret, "kubernetes.io/tls", tlsSecretData(material));
}
