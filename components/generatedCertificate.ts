import * as pulumi from "@pulumi/pulumi";
import * as tls from "@pulumi/tls";

import { ClusterSettings, DEFAULTS } from "./settings";
import { TLS_RENEWAL_DAYS } from "./tlsSettings";
import { certificateDnsNames, clusterNames } from "./naming";
import { TlsMaterial } from "./specs/tls";

/**
 * The CA lives ten years and is never renewed by itself: a new CA must reach every client that trusts the
 * old one (README: "TLS").
 */
const CA_VALIDITY_DAYS = 3650;
const HOURS_PER_DAY = 24;

/** Keys as small and fast as RSA-3072 is strong, and understood by every libpq and JDBC driver. */
const KEY = { algorithm: "ECDSA", ecdsaCurve: "P256" } as const;

/**
 * The CA and the server certificate of TLS mode "generated", made with `@pulumi/tls` (the private keys are
 * secrets in the stack's state). The certificate names every Service and pod (`certificateDnsNames`) and
 * lives `tls.validityDays`: a `pulumi up` (with `--refresh`) in its last `TLS_RENEWAL_DAYS` replaces it, as does a
 * change of its validity or of the names (a new `replicas`). The same CA signs each one, so clients keep
 * trusting the cluster.
 */
export function generatedCertificate(
    parent: pulumi.Resource,
    name: string,
    settings: ClusterSettings,
): TlsMaterial<pulumi.Output<string>> {
    const names = clusterNames(settings);
    const opts = { parent };
    const caKey = new tls.PrivateKey(`${name}-ca-key`, KEY, opts);
    const ca = new tls.SelfSignedCert(
        `${name}-ca`,
        {
            privateKeyPem: caKey.privateKeyPem,
            subject: { commonName: `${settings.namespace}/${settings.name} CA`, organization: "pg-ha" },
            isCaCertificate: true,
            validityPeriodHours: CA_VALIDITY_DAYS * HOURS_PER_DAY,
            allowedUses: ["cert_signing", "crl_signing"],
        },
        opts,
    );
    const serverKey = new tls.PrivateKey(`${name}-server-key`, KEY, opts);
    const request = new tls.CertRequest(
        `${name}-server-request`,
        {
            privateKeyPem: serverKey.privateKeyPem,
            subject: { commonName: names.serviceHost(names.rwService), organization: "pg-ha" },
            dnsNames: certificateDnsNames(settings),
        },
        opts,
    );
    const certificate = new tls.LocallySignedCert(
        `${name}-server-certificate`,
        {
            certRequestPem: request.certRequestPem,
            caPrivateKeyPem: caKey.privateKeyPem,
            caCertPem: ca.certPem,
            validityPeriodHours: (settings.tls.validityDays ?? DEFAULTS.tls.validityDays) * HOURS_PER_DAY,
            earlyRenewalHours: TLS_RENEWAL_DAYS * HOURS_PER_DAY,
            allowedUses: ["digital_signature", "key_encipherment", "server_auth"],
        },
        opts,
    );
    return {
        certificate: certificate.certPem,
        privateKey: pulumi.secret(serverKey.privateKeyPem),
        caCertificate: ca.certPem,
    };
}
