import * as fs from "fs";
import * as path from "path";

import { run } from "../support/run";
import { TOPOLOGY } from "./topology";

export interface ClusterPki {
    caCert: string;
    caKey: string;
    apiServerCert: string;
    apiServerKey: string;
    /** The API server's client certificate towards the kubelet (logs, exec). */
    kubeletClientCert: string;
    kubeletClientKey: string;
    serviceAccountKey: string;
    serviceAccountPub: string;
}

export function pkiFiles(dir: string): ClusterPki {
    const file = (name: string): string => path.join(dir, name);
    return {
        caCert: file("ca.crt"),
        caKey: file("ca.key"),
        apiServerCert: file("apiserver.crt"),
        apiServerKey: file("apiserver.key"),
        kubeletClientCert: file("apiserver-kubelet-client.crt"),
        kubeletClientKey: file("apiserver-kubelet-client.key"),
        serviceAccountKey: file("sa.key"),
        serviceAccountPub: file("sa.pub"),
    };
}

/** Every name and address the API server answers on, for its serving certificate. */
export function apiServerSubjectAltNames(): string {
    const names = [
        "localhost",
        "kubernetes",
        "kubernetes.default",
        "kubernetes.default.svc",
        `kubernetes.default.svc.${TOPOLOGY.clusterDomain}`,
    ];
    const addresses = [TOPOLOGY.apiServerHost, TOPOLOGY.kubernetesServiceIP, TOPOLOGY.nodeIP];
    return [...names.map((name) => `DNS:${name}`), ...addresses.map((address) => `IP:${address}`)].join(",");
}

async function signedCertificate(
    pki: ClusterPki,
    key: string,
    cert: string,
    subject: string,
    extensions: string[],
): Promise<void> {
    const csr = `${cert}.csr`;
    await run("openssl", [
        "req",
        "-new",
        "-newkey",
        "rsa:2048",
        "-nodes",
        "-keyout",
        key,
        "-subj",
        subject,
        "-out",
        csr,
    ]);
    const extFile = `${cert}.ext`;
    fs.writeFileSync(extFile, extensions.join("\n") + "\n");
    await run("openssl", [
        "x509",
        "-req",
        "-in",
        csr,
        "-CA",
        pki.caCert,
        "-CAkey",
        pki.caKey,
        "-CAcreateserial",
        "-days",
        "30",
        "-sha256",
        "-extfile",
        extFile,
        "-out",
        cert,
    ]);
    fs.rmSync(csr);
    fs.rmSync(extFile);
}

/** A CA of its own for each cluster, valid for 30 days: `down` removes it with the rest of the state. */
export async function createPki(dir: string): Promise<ClusterPki> {
    fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
    const pki = pkiFiles(dir);
    await run("openssl", [
        "req",
        "-x509",
        "-newkey",
        "rsa:2048",
        "-nodes",
        "-days",
        "30",
        "-keyout",
        pki.caKey,
        "-subj",
        "/CN=pg-ha-e2e-ca",
        "-addext",
        "basicConstraints=critical,CA:TRUE",
        "-addext",
        "keyUsage=critical,keyCertSign,cRLSign,digitalSignature",
        "-out",
        pki.caCert,
    ]);
    await signedCertificate(pki, pki.apiServerKey, pki.apiServerCert, "/CN=kube-apiserver", [
        "basicConstraints=CA:FALSE",
        "keyUsage=critical,digitalSignature,keyEncipherment",
        "extendedKeyUsage=serverAuth",
        `subjectAltName=${apiServerSubjectAltNames()}`,
    ]);
    await signedCertificate(
        pki,
        pki.kubeletClientKey,
        pki.kubeletClientCert,
        "/O=system:masters/CN=kube-apiserver-kubelet-client",
        [
            "basicConstraints=CA:FALSE",
            "keyUsage=critical,digitalSignature,keyEncipherment",
            "extendedKeyUsage=clientAuth",
        ],
    );
    await run("openssl", ["genrsa", "-out", pki.serviceAccountKey, "2048"]);
    await run("openssl", ["rsa", "-in", pki.serviceAccountKey, "-pubout", "-out", pki.serviceAccountPub]);
    return pki;
}
