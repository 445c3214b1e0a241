import { execFileSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";

import { TlsMaterial } from "../../components/specs/tls";

/** A CA of the tests' own: its certificate and key, as PEM. */
export interface CertificateAuthority {
    certificate: string;
    privateKey: string;
}

/** Runs openssl in a scratch directory that holds `files`; returns the files it wrote, by name. */
function openssl(steps: string[][], files: Record<string, string>, outputs: string[]): Record<string, string> {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "pg-ha-certs-"));
    try {
        for (const [name, text] of Object.entries(files)) {
            fs.writeFileSync(path.join(dir, name), text);
        }
        for (const args of steps) {
            execFileSync("openssl", args, { cwd: dir, stdio: ["ignore", "ignore", "pipe"] });
        }
        return Object.fromEntries(outputs.map((name) => [name, fs.readFileSync(path.join(dir, name), "utf8")]));
    } finally {
        fs.rmSync(dir, { recursive: true, force: true });
    }
}

/** A new self-signed CA (P-256), as the component's "generated" mode makes one. */
export function makeCertificateAuthority(commonName = "pg-ha test CA"): CertificateAuthority {
    const out = openssl(
        [
            ["ecparam", "-name", "prime256v1", "-genkey", "-noout", "-out", "ca.key"],
            [
                "req",
                "-x509",
                "-new",
                "-key",
                "ca.key",
                "-subj",
                `/CN=${commonName}`,
                "-days",
                "30",
                "-out",
                "ca.crt",
                "-addext",
                "basicConstraints=critical,CA:TRUE",
                "-addext",
                "keyUsage=critical,keyCertSign,cRLSign",
            ],
        ],
        {},
        ["ca.key", "ca.crt"],
    );
    return { certificate: out["ca.crt"], privateKey: out["ca.key"] };
}

/** A server certificate for `dnsNames`, signed by `ca`, with a fresh key: the Secret's three files. */
export function issueServerCertificate(ca: CertificateAuthority, dnsNames: string[]): TlsMaterial<string> {
    const extensions = [
        `subjectAltName=${dnsNames.map((name) => `DNS:${name}`).join(",")}`,
        "keyUsage=critical,digitalSignature,keyEncipherment",
        "extendedKeyUsage=serverAuth",
        "basicConstraints=critical,CA:FALSE",
    ].join("\n");
    const out = openssl(
        [
            ["ecparam", "-name", "prime256v1", "-genkey", "-noout", "-out", "tls.key"],
            ["req", "-new", "-key", "tls.key", "-subj", `/CN=${dnsNames[0]}`, "-out", "tls.csr"],
            [
                "x509",
                "-req",
                "-in",
                "tls.csr",
                "-CA",
                "ca.crt",
                "-CAkey",
                "ca.key",
                "-CAcreateserial",
                "-days",
                "30",
                "-extfile",
                "extensions.cnf",
                "-out",
                "tls.crt",
            ],
        ],
        { "ca.crt": ca.certificate, "ca.key": ca.privateKey, "extensions.cnf": `${extensions}\n` },
        ["tls.key", "tls.crt"],
    );
    return { certificate: out["tls.crt"], privateKey: out["tls.key"], caCertificate: ca.certificate };
}

/** The SHA-256 fingerprint of the first certificate in `text` (a PEM file, or what `openssl s_client` prints), as openssl prints it. */
export function fingerprint(text: string): string {
    return execFileSync("openssl", ["x509", "-noout", "-fingerprint", "-sha256"], {
        input: text,
        encoding: "utf8",
    })
        .trim()
        .replace(/^.*=/, "");
}
