import * as assert from "assert";
import type { IContainer } from "kubernetes-models/v1/Container";
import {
    CONFIG_MAP,
    NS,
    SECRET,
    assertReported,
    check,
    container,
    object,
    template,
    workload,
} from "../support/policyFixtures";
import { CheckedResource, describeReported, urnOf } from "../support/policyHarness";

describe("no-secret-values-outside-secrets: no password or private key outside a Secret's data", () => {
    const PEM = "-----BEGIN RSA PRIVATE KEY-----\nMIIEpAIBAAKCAQEA-not-a-real-key\n-----END RSA PRIVATE KEY-----\n";
    const PASSWORD = "hunter2-but-longer-0123";
    const job = (overrides: Partial<IContainer>) =>
        workload("kubernetes:batch/v1:Job", template([container({ name: "client", ...overrides })]));
    const annotatedJob = (annotations: Record<string, string>) => {
        const pods = template([container({ name: "client" })]);
        return workload("kubernetes:batch/v1:Job", { ...pods, metadata: { ...pods.metadata, annotations } });
    };

    const cases: [string, CheckedResource, RegExp][] = [
        [
            "a private key in a ConfigMap",
            object(CONFIG_MAP, "config", { data: { "server.key": PEM } }),
            /^data\.server\.key holds a PEM private key/,
        ],
        [
            "a private key in the annotations of a Secret (only its data is secret)",
            object(SECRET, "tls", { metadata: { name: "tls", namespace: NS, annotations: { key: PEM } } }),
            /^metadata\.annotations\.key holds a PEM private key/,
        ],
        [
            "a connection URI with its password in an annotation",
            object("kubernetes:core/v1:Service", "db", {
                metadata: {
                    name: "db",
                    namespace: NS,
                    annotations: { uri: `postgresql://app:${PASSWORD}@db:5432/app` },
                },
            }),
            /^metadata\.annotations\.uri holds a URI with a password/,
        ],
        [
            "a password on a command line",
            job({ command: ["sh", "-c", `PGPASSWORD=${PASSWORD} psql -h db`] }),
            /^spec\.template\.spec\.containers\[0\]\.command\[2\] holds a literal password \(PGPASSWORD set/,
        ],
        [
            "a password in an argument",
            job({ args: [`--password=${PASSWORD}`] }),
            /^spec\.template\.spec\.containers\[0\]\.args\[0\] holds a literal password \(--password set/,
        ],
        [
            "a password in a ConfigMap's YAML",
            object(CONFIG_MAP, "app", { data: { "app.yaml": `database:\n  user: app\n  password: ${PASSWORD}\n` } }),
            /^data\.app\.yaml holds a literal password \(password set/,
        ],
        [
            "a password in a ConfigMap's JSON",
            object(CONFIG_MAP, "app", { data: { "app.json": `{"user": "app", "db_password": "${PASSWORD}"}` } }),
            /^data\.app\.json holds a literal password \(db_password set/,
        ],
        [
            "an environment variable named for a password with a literal value",
            job({ env: [{ name: "POSTGRES_PASSWORD", value: PASSWORD }] }),
            /^spec\.template\.spec\.containers\[0\]\.env\[0\] \(POSTGRES_PASSWORD\) is not taken from a Secret/,
        ],
        [
            "an environment variable named for a key, taken from a ConfigMap",
            job({
                env: [{ name: "AWS_SECRET_ACCESS_KEY", valueFrom: { configMapKeyRef: { name: "s3", key: "secret" } } }],
            }),
            /\(AWS_SECRET_ACCESS_KEY\) is not taken from a Secret: set it with valueFrom\.secretKeyRef/,
        ],
        [
            "a ConfigMap entry named for a password (the name and its value are one assignment)",
            object(CONFIG_MAP, "app", { data: { password: "hunter2hunter2" } }),
            /^data\.password holds a literal password \(password set to a value\)/,
        ],
        [
            "an annotation named for a password",
            object(CONFIG_MAP, "app", {
                metadata: { name: "app", namespace: NS, annotations: { "db-password": PASSWORD } },
            }),
            /^metadata\.annotations\.db-password holds a literal password \(db-password set to a value\)/,
        ],
        [
            "a label named for a token",
            object(CONFIG_MAP, "app", { metadata: { name: "app", namespace: NS, labels: { "api.token": PASSWORD } } }),
            /^metadata\.labels\.api\.token holds a literal password \(api\.token set to a value\)/,
        ],
        [
            "a pod annotation named for a private key",
            annotatedJob({ "example.com/private-key": PASSWORD }),
            /^spec\.template\.metadata\.annotations\.example\.com\/private-key holds a literal password/,
        ],
    ];
    for (const [what, resource, pattern] of cases) {
        it(`reports ${what}, without repeating the secret`, async () => {
            const violations = await check("no-secret-values-outside-secrets", [resource]);
            assertReported(violations, pattern, urnOf(resource));
            for (const violation of violations) {
                assert.ok(
                    !violation.message.includes("hunter2") && !violation.message.includes("MIIE"),
                    violation.message,
                );
            }
        });
    }

    it("leaves alone a Secret's data, references to Secrets, and what only names a password", async () => {
        const resources = [
            object(SECRET, "tls", { stringData: { "tls.key": PEM }, data: { password: "aHVudGVyMg==" } }),
            job({
                env: [
                    { name: "POSTGRES_PASSWORD", valueFrom: { secretKeyRef: { name: "db", key: "password" } } },
                    { name: "PG_HA_SUPERUSER_PASSWORD_FILE", value: "/etc/pg-ha/secrets/superuser-password" },
                    { name: "PG_HA_PASSWORD_CHANGE_SECONDS", value: "300" },
                ],
                command: [
                    "sh",
                    "-c",
                    'password=$(cat "$PG_HA_SUPERUSER_PASSWORD_FILE") && [ -n "${AWS_SECRET_ACCESS_KEY:-}" ]',
                ],
            }),
            object(CONFIG_MAP, "config", {
                data: {
                    "postgresql.conf": "password_encryption = 'scram-sha-256'\n",
                    "role.sql": "ALTER ROLE app PASSWORD :'password';\n",
                    "notes.sh": "# the scripts that connect with a password: write_passfile <password file>\n",
                    "uri.sh": 'uri="postgresql://app:${PASSWORD}@db/app"\n',
                },
            }),
        ];
        const violations = await check("no-secret-values-outside-secrets", resources);
        assert.deepStrictEqual(violations, [], describeReported(violations));
    });

    it("takes a setting whose name only ends in KEY for a setting: PGSSLKEY, JWT_PUBLIC_KEY", async () => {
        const resources = [
            job({
                env: [
                    { name: "PGSSLKEY", value: "/tls/tls.key" },
                    { name: "JWT_PUBLIC_KEY", value: "MFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAE" },
                ],
                command: ["sh", "-c", "PGSSLKEY=/tls/tls.key psql -h db"],
            }),
            object(CONFIG_MAP, "config", {
                data: { "jwt-public-key": "MFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAE", pgsslkey: "tls.key" },
            }),
        ];
        const violations = await check("no-secret-values-outside-secrets", resources);
        assert.deepStrictEqual(violations, [], describeReported(violations));
    });

    it("takes a value under a secret's name that refers to it (a path, $VAR, ${VAR}, <placeholder>) for no secret", async () => {
        const references = [
            "/run/secrets/db-password",
            "$DB_PASSWORD",
            "${DB_PASSWORD}",
            "$(DB_PASSWORD)",
            "<password>",
        ];
        const resources = references.flatMap((value, index) => [
            object(CONFIG_MAP, `refs-${index}`, {
                metadata: { name: `refs-${index}`, namespace: NS, annotations: { "db-password": value } },
                data: { password: value, "app.conf": `password=${value}\n` },
            }),
            job({ env: [{ name: "API_TOKEN", value }] }),
        ]);
        const violations = await check("no-secret-values-outside-secrets", resources);
        assert.deepStrictEqual(violations, [], describeReported(violations));
    });
});
