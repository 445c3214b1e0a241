import { stringify } from "yaml";

import { certificateDnsNames } from "../../../components/naming";
import { ClusterSettings } from "../../../components/settings";
import { TlsMaterial, tlsSecretData } from "../../../components/specs/tls";
import { CertificateAuthority, issueServerCertificate } from "../../../tests/support/certificates";
import { kubectl } from "./kubectl";

/** The Secret the e2e stacks name in `tls.secretName`, as a cert-manager Certificate would write it. */
export const E2E_TLS_SECRET = "pg-ha-e2e-tls";

/**
 * Issues a certificate for every name of the cluster, signed by `ca`, and writes it to the `kubernetes.io/tls`
 * Secret `E2E_TLS_SECRET` in the cluster's namespace (created if missing), the way cert-manager would for TLS
 * mode "secret". Written again, it is a renewal: the running pods get the new files from the kubelet.
 * The e2e machines cannot run the `@pulumi/tls` provider (the Go module proxy refuses it), so the e2e stacks
 * use this mode; the generated mode's objects are the same but for who writes the Secret.
 */
export async function writeTlsSecret(
    settings: ClusterSettings,
    ca: CertificateAuthority,
): Promise<TlsMaterial<string>> {
    const material = issueServerCertificate(ca, certificateDnsNames(settings));
    const namespace = { apiVersion: "v1", kind: "Namespace", metadata: { name: settings.namespace } };
    // Without the program's labels: this Secret is the user's, not the program's.
    const secret = {
        apiVersion: "v1",
        kind: "Secret",
        type: "kubernetes.io/tls",
        metadata: { name: E2E_TLS_SECRET, namespace: settings.namespace },
        stringData: tlsSecretData(material),
    };
    await kubectl(["apply", "-f", "-"], `${stringify(namespace)}---\n${stringify(secret)}`);
    return material;
}
