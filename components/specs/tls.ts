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

/**
 * What a pod that only connects to the cluster (a Job's) needs to verify it: the TLS Secret's CA alone (the
 * server's private key stays in the database pods) where `TLS_FILES.ca` says, and libpq told to check the
 * server's certificate and name. Nothing with TLS disabled.
 */
export function caOnlyTls(settings: TlsSettings): {
    volumes: {
        name: string;
        secret: { secretName: string; defaultMode: number; items: { key: string; path: string }[] };
    }[];
    volumeMounts: { name: string; mountPath: string; readOnly: boolean }[];
    env: Record<string, string>;
} {
    const secretName = tlsSecretName(settings);
    if (secretName === undefined) {
        return { volumes: [], volumeMounts: [], env: {} };
    }
    return {
        volumes: [
            {
                name: "tls",
                secret: {
                    secretName,
                    defaultMode: 0o440,
                    items: [{ key: TLS_SECRET_KEYS.ca, path: TLS_SECRET_KEYS.ca }],
                },
            },
        ],
        volumeMounts: [{ name: "tls", mountPath: POD_PATHS.tls, readOnly: true }],
        env: { PGSSLMODE: "verify-full", PGSSLROOTCERT: TLS_FILES.ca },
    };
}
