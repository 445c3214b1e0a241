import * as assert from "assert";
import * as pulumi from "@pulumi/pulumi";

import { ConfigError, ClusterSettingsInput, resolveSettings } from "../components/settings";
import { certificateDnsNames } from "../components/naming";
import { pgHbaConf, postgresqlConf } from "../components/specs/configuration";
import { statefulSet } from "../components/specs/statefulSet";
import { maintenanceJob } from "../components/specs/maintenanceJob";
import { mockCertificateFor } from "./support/mockEngine";
import { ProgramRun, engineConfig, ofType, runProgram, stackConfig, valueOf } from "./support/stacks";

const storage = { className: "standard" };
const settingsWith = (tls?: ClusterSettingsInput["tls"], extra: Partial<ClusterSettingsInput> = {}) =>
    resolveSettings({ storage, ...(tls === undefined ? {} : { tls }), ...extra });

/** The ConfigError's single problem for `tls`, as key and message. */
function tlsProblem(tls: unknown): { key: string; allowed: string } {
    try {
        resolveSettings({ storage, tls });
    } catch (error) {
        assert.ok(error instanceof ConfigError, String(error));
        assert.strictEqual(error.problems.length, 1, error.message);
        return { key: error.problems[0].key, allowed: error.problems[0].allowed };
    }
    assert.fail(`tls ${JSON.stringify(tls)} was accepted`);
}

describe("TLS settings", () => {
    it("defaults to a generated certificate that lives 365 days", () => {
        assert.deepStrictEqual(settingsWith().tls, { mode: "generated", validityDays: 365 });
    });

    it("takes a Secret of the user's by name with mode secret", () => {
        assert.deepStrictEqual(settingsWith({ mode: "secret", secretName: "pg-tls" }).tls, {
            mode: "secret",
            secretName: "pg-tls",
        });
    });

    it("refuses mode secret without secretName, naming the setting and what the Secret must hold", () => {
        const problem = tlsProblem({ mode: "secret" });
        assert.strictEqual(problem.key, "tls.secretName");
        assert.match(problem.allowed, /required with mode "secret".*kubernetes\.io\/tls.*ca\.crt/);
    });

    it("refuses secretName with any other mode, and validityDays with any mode but generated", () => {
        assert.strictEqual(tlsProblem({ mode: "generated", secretName: "x" }).key, "tls.secretName");
        assert.strictEqual(tlsProblem({ mode: "disabled", secretName: "x" }).key, "tls.secretName");
        assert.strictEqual(tlsProblem({ mode: "secret", secretName: "x", validityDays: 90 }).key, "tls.validityDays");
        assert.strictEqual(tlsProblem({ mode: "disabled", validityDays: 90 }).key, "tls.validityDays");
    });

    it("refuses an unknown mode, a validity shorter than twice the renewal window or longer than the CA's, and unknown keys", () => {
        assert.match(tlsProblem({ mode: "on" }).allowed, /"generated".*"secret".*"disabled"/);
        assert.match(tlsProblem({ validityDays: 59 }).allowed, /at least 60/);
        assert.match(tlsProblem({ validityDays: 3651 }).allowed, /at most 3650/);
        assert.strictEqual(tlsProblem({ mode: "generated", ca: "x" }).key, "tls.ca");
        assert.strictEqual(tlsProblem({ secretName: "Not_A_Name", mode: "secret" }).key, "tls.secretName");
        assert.match(tlsProblem({ mode: "secret", secretName: "postgresql-tls" }).allowed, /manages itself/);
        assert.match(tlsProblem({ mode: "secret", secretName: "postgresql-credentials" }).allowed, /manages itself/);
    });

    it("refuses ssl settings in postgresqlParameters: the tls setting owns them", () => {
        for (const parameter of ["ssl", "ssl_cert_file", "ssl_key_file"]) {
            assert.throws(() => settingsWith(undefined, { postgresqlParameters: { [parameter]: "x" } }), ConfigError);
        }
    });
});

describe("TLS in the pods' configuration", () => {
    it("names every Service and every pod in the certificate, from the short name to the fully qualified one", () => {
        const names = certificateDnsNames(
            settingsWith(undefined, { namespace: "db", replicas: 2, clusterDomain: "corp.example" }),
        );
        for (const base of [
            "postgresql-rw",
            "postgresql-r",
            "postgresql-hl",
            "postgresql-0.postgresql-hl",
            "postgresql-1.postgresql-hl",
        ]) {
            for (const name of [base, `${base}.db`, `${base}.db.svc`, `${base}.db.svc.corp.example`]) {
                assert.ok(names.includes(name), `${name} is not in the certificate`);
            }
        }
        assert.ok(!names.some((name) => name.startsWith("postgresql-2.")), "a pod that does not exist is named");
    });

    it("with TLS on, turns ssl on with the mounted files and admits TCP only as hostssl", () => {
        const settings = settingsWith();
        const conf = postgresqlConf(settings);
        assert.match(conf, /^ssl = on$/m);
        assert.match(conf, /^ssl_cert_file = '\/etc\/pg-ha\/tls\/tls\.crt'$/m);
        assert.match(conf, /^ssl_key_file = '\/etc\/pg-ha\/tls\/tls\.key'$/m);
        const tcp = pgHbaConf(settings)
            .split("\n")
            .filter((line) => /^host/.test(line));
        assert.ok(tcp.length > 0 && tcp.every((line) => line.startsWith("hostssl ")), tcp.join("\n"));
    });

    it("with TLS disabled, turns ssl off and admits plain TCP, as before", () => {
        const settings = settingsWith({ mode: "disabled" });
        assert.match(postgresqlConf(settings), /^ssl = off$/m);
        const tcp = pgHbaConf(settings)
            .split("\n")
            .filter((line) => /^host/.test(line));
        assert.ok(tcp.length > 0 && tcp.every((line) => /^host\s/.test(line)), tcp.join("\n"));
    });

    const podSpec = (settings: ReturnType<typeof settingsWith>) => statefulSet(settings, "config").spec.template.spec;
    const tlsVolume = (settings: ReturnType<typeof settingsWith>) =>
        podSpec(settings).volumes.find((volume) => volume.name === "tls");

    it("mounts the generated Secret, or the user's, read-only with group read only (PostgreSQL refuses more on a key)", () => {
        assert.deepStrictEqual(tlsVolume(settingsWith())?.secret, { secretName: "postgresql-tls", defaultMode: 0o440 });
        assert.deepStrictEqual(tlsVolume(settingsWith({ mode: "secret", secretName: "from-cert-manager" }))?.secret, {
            secretName: "from-cert-manager",
            defaultMode: 0o440,
        });
        const mount = podSpec(settingsWith()).containers[0].volumeMounts.find((m) => m.name === "tls");
        assert.deepStrictEqual(mount, { name: "tls", mountPath: "/etc/pg-ha/tls", readOnly: true });
        assert.strictEqual(tlsVolume(settingsWith({ mode: "disabled" })), undefined);
    });

    it("gives the maintenance Job the CA alone, and makes it verify the server (verify-full)", () => {
        const spec = maintenanceJob(settingsWith(), "config").spec.template.spec;
        const volume = spec.volumes.find((candidate) => candidate.name === "tls");
        assert.deepStrictEqual((volume?.secret as { items?: unknown } | undefined)?.items, [
            { key: "ca.crt", path: "ca.crt" },
        ]);
        for (const container of [...spec.initContainers, ...spec.containers]) {
            const env = Object.fromEntries(container.env.map(({ name, value }) => [name, value]));
            assert.strictEqual(env.PGSSLMODE, "verify-full", container.name);
            assert.strictEqual(env.PGSSLROOTCERT, "/etc/pg-ha/tls/ca.crt", container.name);
        }
    });
});

describe("TLS in the component", () => {
    const run = (tls?: Record<string, unknown>) =>
        runProgram(engineConfig({ ...stackConfig("local"), ...(tls ? { "pg-ha:tls": tls } : {}) }));
    const tlsResources = (program: ProgramRun) =>
        program.resources.filter((resource) => resource.type.startsWith("tls:"));
    const tlsSecretOf = (program: ProgramRun) =>
        ofType(program, "kubernetes:core/v1:Secret").find((secret) => secret.name.endsWith("-tls"));

    it("generated: makes a CA and a certificate for every name with @pulumi/tls, renewed in its last 30 days", async () => {
        const program = await run();
        const byType = (type: string) => tlsResources(program).filter((resource) => resource.type === type);
        assert.strictEqual(byType("tls:index/privateKey:PrivateKey").length, 2);
        const [ca] = byType("tls:index/selfSignedCert:SelfSignedCert");
        assert.strictEqual(ca.inputs.isCaCertificate, true);
        const [request] = byType("tls:index/certRequest:CertRequest");
        const settings = resolveSettings({ ...stackConfigSettings(), storage: { className: "standard" } });
        assert.deepStrictEqual(request.inputs.dnsNames, certificateDnsNames(settings));
        const [certificate] = byType("tls:index/locallySignedCert:LocallySignedCert");
        assert.strictEqual(certificate.inputs.validityPeriodHours, 365 * 24);
        assert.strictEqual(certificate.inputs.earlyRenewalHours, 30 * 24);
        assert.deepStrictEqual(certificate.inputs.allowedUses, [
            "digital_signature",
            "key_encipherment",
            "server_auth",
        ]);
    });

    it("generated: a new validityDays is a new certificate request to the provider", async () => {
        const program = await run({ mode: "generated", validityDays: 90 });
        const certificate = tlsResources(program).find(
            (r) => r.type === "tls:index/locallySignedCert:LocallySignedCert",
        );
        assert.strictEqual(certificate?.inputs.validityPeriodHours, 90 * 24);
    });

    it("generated: a kubernetes.io/tls Secret the StatefulSet waits for, the CA as a plain output, a verify-full URI", async () => {
        const program = await run();
        const secret = tlsSecretOf(program);
        assert.ok(secret);
        assert.strictEqual(secret.inputs.type, "kubernetes.io/tls");
        const data = secret.inputs.stringData as Record<string, string>;
        assert.strictEqual(data["ca.crt"], mockCertificateFor("postgresql-ca"));
        assert.strictEqual(data["tls.crt"], mockCertificateFor("postgresql-server-certificate"));
        const [sts] = ofType(program, "kubernetes:apps/v1:StatefulSet");
        assert.ok(sts.explicitDependencies.includes(secret.urn));
        assert.strictEqual(await valueOf(program.outputs.caCertificate), mockCertificateFor("postgresql-ca"));
        assert.strictEqual(await pulumi.isSecret(program.outputs.caCertificate), false);
        assert.strictEqual(await valueOf(program.outputs.tlsSecretName), "postgresql-tls");
        assert.match(await valueOf(program.outputs.connectionUri), /\?sslmode=verify-full$/);
    });

    it("secret: makes no certificate and no TLS Secret, and mounts the user's", async () => {
        const program = await run({ mode: "secret", secretName: "pg-server-tls" });
        assert.deepStrictEqual(tlsResources(program), []);
        assert.strictEqual(tlsSecretOf(program), undefined);
        assert.strictEqual(await valueOf(program.outputs.tlsSecretName), "pg-server-tls");
        assert.strictEqual(await valueOf(program.outputs.caCertificate), undefined);
        assert.match(await valueOf(program.outputs.connectionUri), /\?sslmode=verify-full$/);
    });

    it("disabled: no certificate, no TLS Secret, a URI without sslmode", async () => {
        const program = await run({ mode: "disabled" });
        assert.deepStrictEqual(tlsResources(program), []);
        assert.strictEqual(tlsSecretOf(program), undefined);
        assert.strictEqual(await valueOf(program.outputs.tlsSecretName), undefined);
        assert.doesNotMatch(await valueOf(program.outputs.connectionUri), /sslmode/);
    });
});

/** The local stack's settings without the engine's encoding. */
function stackConfigSettings(): Record<string, unknown> {
    return Object.fromEntries(
        Object.entries(stackConfig("local")).map(([key, value]) => [key.replace(/^pg-ha:/, ""), value]),
    );
}
