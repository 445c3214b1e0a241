import * as assert from "assert";
import * as pulumi from "@pulumi/pulumi";
import { ConfigError, DEFAULTS, SETTING_KEYS, resolveSettings } from "../components/settings";
import {
    CONFIG_NAMESPACE,
    UNSET_WHEN_DECLARED_DEFAULT,
    SECRET_SETTINGS,
    TEXT_SETTINGS,
    readStackConfig,
} from "../components/stackConfig";
import { MissingConfigError } from "../components/stackFiles";
import { engineConfig, projectFile, runProgram } from "./support/stacks";
import { registeredResources } from "./support/mockEngine";

const declared = () =>
    Object.fromEntries(
        Object.entries(projectFile().config).map(([key, declaration]) => [
            key.replace(`${CONFIG_NAMESPACE}:`, ""),
            declaration,
        ]),
    );

describe("stack config: Pulumi.yaml declares exactly what the validator accepts", () => {
    it("uses the project name as the config namespace", () => {
        assert.strictEqual(projectFile().name, CONFIG_NAMESPACE);
    });

    it("declares every setting and nothing else", () => {
        assert.deepStrictEqual(Object.keys(declared()).sort(), [...SETTING_KEYS].sort());
    });

    it("describes every setting", () => {
        for (const [key, declaration] of Object.entries(declared())) {
            assert.ok((declaration.description ?? "").length > 10, `${key} has no description`);
        }
    });

    it("declares defaults that mean the same as leaving the setting out", () => {
        const base = { "pg-ha:storage": { className: "standard" } };
        const { settings: leftOut } = readStackConfig({ "pg-ha:storage": JSON.stringify(base["pg-ha:storage"]) }, []);
        const { settings: declaredDefaults } = readStackConfig(engineConfig(base), []);
        assert.deepStrictEqual(declaredDefaults, leftOut);
        const applied = resolveSettings({ storage: { className: "standard" } }) as Record<string, unknown>;
        for (const [key, declaration] of Object.entries(declared())) {
            if (
                declaration.default !== undefined &&
                !SECRET_SETTINGS.has(key) &&
                !(key in UNSET_WHEN_DECLARED_DEFAULT)
            ) {
                const resolved = resolveSettings({ storage: { className: "standard" }, [key]: declaration.default });
                assert.deepStrictEqual((resolved as Record<string, unknown>)[key], applied[key], `default of ${key}`);
            }
        }
    });

    // The CLI hands a stack that leaves an object setting out the declared object as it is, so it must list
    // every field the validator would otherwise fill in, or Pulumi.yaml would not show the defaults that apply.
    it("declares the containers' resources in full, as the validator's defaults", () => {
        assert.deepStrictEqual(declared().resources.default, DEFAULTS.resources);
        assert.deepStrictEqual(declared().volumePermissions.default, DEFAULTS.volumePermissions);
    });

    it("gives every optional setting a default, since the Pulumi CLI demands a value for any declared key without one", () => {
        const withoutDefault = Object.entries(declared())
            .filter(([, declaration]) => declaration.default === undefined)
            .map(([key]) => key);
        assert.deepStrictEqual(withoutDefault, ["storage"]);
        assert.throws(() => resolveSettings({}), /storage/, "storage is the one required setting");
        assert.throws(
            () => engineConfig({}),
            (error: Error) => error instanceof MissingConfigError,
        );
    });

    it("types as string exactly the settings read as text", () => {
        const stringTyped = Object.entries(declared())
            .filter(([, declaration]) => declaration.type === "string")
            .map(([key]) => key);
        assert.deepStrictEqual(stringTyped.sort(), [...TEXT_SETTINGS].sort());
    });

    it("tells, in each password's description, to set it encrypted (the program refuses plain text)", () => {
        // `secret: true` cannot be declared: the CLI would then refuse the empty default as unencrypted.
        for (const key of SECRET_SETTINGS) {
            assert.match(declared()[key].description ?? "", /pulumi config set --secret/);
        }
    });
});

describe("stack config: bad values stop the program before any resource is registered", () => {
    const nfs = (paths: string[]) => ({ nfs: { server: "nfs.example.internal", paths } });
    const threePaths = ["/exports/a", "/exports/b", "/exports/c"];

    /**
     * Each case: stack config values as in `Pulumi.<stack>.yaml` (over a valid stack with a storage class),
     * the key the error must name, the value as the error prints it, and a part of what it says is allowed.
     */
    const cases: { rule: string; values: Record<string, unknown>; key: string; value: string; allowed: string }[] = [
        {
            rule: "replicas of the wrong type",
            values: { "pg-ha:replicas": "three" },
            key: "pg-ha:replicas",
            value: '"three"',
            allowed: "must be a whole number",
        },
        {
            rule: "zero replicas",
            values: { "pg-ha:replicas": 0 },
            key: "pg-ha:replicas",
            value: "0",
            allowed: "must be at least 1",
        },
        {
            rule: "negative replicas",
            values: { "pg-ha:replicas": -2 },
            key: "pg-ha:replicas",
            value: "-2",
            allowed: "must be at least 1",
        },
        {
            rule: "an NFS path count that does not match replicas",
            values: { "pg-ha:replicas": 3, "pg-ha:storage": nfs(["/exports/a", "/exports/b"]) },
            key: "pg-ha:storage.nfs.paths",
            value: '["/exports/a","/exports/b"]',
            allowed: "must list exactly one path per pod: replicas is 3, got 2",
        },
        {
            rule: "a size like 10GB",
            values: { "pg-ha:storage": { size: "10GB", className: "standard" } },
            key: "pg-ha:storage.size",
            value: '"10GB"',
            allowed: 'such as "10Gi"',
        },
        {
            rule: "a negative size",
            values: { "pg-ha:storage": { size: "-1Gi", className: "standard" } },
            key: "pg-ha:storage.size",
            value: '"-1Gi"',
            allowed: "must be a positive whole Kubernetes quantity",
        },
        {
            rule: "storage of the wrong type",
            values: { "pg-ha:storage": "nfs" },
            key: "pg-ha:storage",
            value: '"nfs"',
            allowed: "must be an object with size and either nfs",
        },
        {
            rule: "a name that is not a DNS label",
            values: { "pg-ha:name": "Postgres_DB" },
            key: "pg-ha:name",
            value: '"Postgres_DB"',
            allowed: "must be a DNS label",
        },
        {
            rule: "a namespace that is too long for a DNS label",
            values: { "pg-ha:namespace": "n".repeat(64) },
            key: "pg-ha:namespace",
            value: JSON.stringify("n".repeat(64)),
            allowed: "must be at most 63 characters",
        },
        {
            rule: "an unknown podManagementPolicy",
            values: { "pg-ha:podManagementPolicy": "Ordered" },
            key: "pg-ha:podManagementPolicy",
            value: '"Ordered"',
            allowed: 'must be "OrderedReady" or "Parallel"',
        },
        {
            rule: "an unknown updateStrategy.type",
            values: { "pg-ha:updateStrategy": { type: "Recreate" } },
            key: "pg-ha:updateStrategy.type",
            value: '"Recreate"',
            allowed: '"RollingUpdate" (with an optional partition) or "OnDelete"',
        },
        {
            rule: "a partition above replicas",
            values: { "pg-ha:replicas": 3, "pg-ha:updateStrategy": { type: "RollingUpdate", partition: 4 } },
            key: "pg-ha:updateStrategy.partition",
            value: "4",
            allowed: "must be between 0 and replicas (3)",
        },
        {
            rule: "a negative partition",
            values: { "pg-ha:updateStrategy": { type: "RollingUpdate", partition: -1 } },
            key: "pg-ha:updateStrategy.partition",
            value: "-1",
            allowed: "must be at least 0",
        },
        {
            rule: "an empty NFS server",
            values: { "pg-ha:storage": { nfs: { server: "", paths: threePaths } } },
            key: "pg-ha:storage.nfs.server",
            value: '""',
            allowed: "must be the NFS server's host name or IP address",
        },
        {
            rule: "a CIDR with a prefix out of range",
            values: { "pg-ha:allowedCidrs": ["10.0.0.0/33"] },
            key: "pg-ha:allowedCidrs.0",
            value: '"10.0.0.0/33"',
            allowed: "prefix 0-32 for IPv4, 0-128 for IPv6",
        },
        {
            rule: "a CIDR that is not an address",
            values: { "pg-ha:allowedCidrs": ["10.0.0.0/8", "intranet/16"] },
            key: "pg-ha:allowedCidrs.1",
            value: '"intranet/16"',
            allowed: "must be an IPv4 or IPv6 network in CIDR notation",
        },
        {
            rule: "an address without a prefix length",
            values: { "pg-ha:allowedCidrs": ["fd00::1"] },
            key: "pg-ha:allowedCidrs.0",
            value: '"fd00::1"',
            allowed: "must be an IPv4 or IPv6 network in CIDR notation",
        },
        {
            rule: "allowedCidrs given as one string",
            values: { "pg-ha:allowedCidrs": "10.0.0.0/8" },
            key: "pg-ha:allowedCidrs",
            value: '"10.0.0.0/8"',
            allowed: "must be a list of networks in CIDR notation",
        },
        {
            rule: "no allowed network at all",
            values: { "pg-ha:allowedCidrs": [] },
            key: "pg-ha:allowedCidrs",
            value: "[]",
            allowed: "must list at least one network",
        },
        {
            rule: "an unknown key under the project namespace",
            values: { "pg-ha:replcas": 3 },
            key: "pg-ha:replcas",
            value: "3",
            allowed: "is not a known setting; known settings: namespace, createNamespace",
        },
        {
            rule: "an unknown key inside an object",
            values: { "pg-ha:storage": { className: "standard", sise: "1Gi" } },
            key: "pg-ha:storage.sise",
            value: '"1Gi"',
            allowed: "is not a known setting",
        },
        {
            rule: "required anti-affinity with more replicas than schedulable nodes",
            values: { "pg-ha:antiAffinity": "required", "pg-ha:schedulableNodes": 3, "pg-ha:replicas": 4 },
            key: "pg-ha:replicas",
            value: "4",
            allowed: 'must be at most schedulableNodes (3) with antiAffinity "required"',
        },
        {
            rule: "an unknown anti-affinity mode",
            values: { "pg-ha:antiAffinity": "always" },
            key: "pg-ha:antiAffinity",
            value: '"always"',
            allowed: 'must be "preferred" or "required"',
        },
        {
            rule: "an unknown whenUnsatisfiable",
            values: { "pg-ha:topologySpread": { whenUnsatisfiable: "Never" } },
            key: "pg-ha:topologySpread.whenUnsatisfiable",
            value: '"Never"',
            allowed: 'must be "ScheduleAnyway" or "DoNotSchedule"',
        },
        {
            rule: "a root uid",
            values: { "pg-ha:postgresUid": 0 },
            key: "pg-ha:postgresUid",
            value: "0",
            allowed: "must be at least 1",
        },
        {
            rule: "a boolean of the wrong type",
            values: { "pg-ha:volumePermissions": { enabled: "yes" } },
            key: "pg-ha:volumePermissions.enabled",
            value: '"yes"',
            allowed: "must be true or false",
        },
        {
            rule: "a client entry without any selector",
            values: { "pg-ha:networkPolicy": { allowedClients: [{}] } },
            key: "pg-ha:networkPolicy.allowedClients.0",
            value: "{}",
            allowed: "must set podSelector, namespaceSelector or both",
        },
        {
            rule: "a client label key that is not a label key",
            values: {
                "pg-ha:networkPolicy": { allowedClients: [{ podSelector: { matchLabels: { "app name": "x" } } }] },
            },
            key: "pg-ha:networkPolicy.allowedClients.0.podSelector.matchLabels.app name",
            value: '"app name"',
            allowed: "must be a label key",
        },
        {
            rule: "a memory request above its limit",
            values: { "pg-ha:resources": { requests: { cpu: "1", memory: "2Gi" }, limits: { memory: "1Gi" } } },
            key: "pg-ha:resources.requests.memory",
            value: '"2Gi"',
            allowed: "must not be more than limits.memory (1Gi)",
        },
        {
            // Left out, the limit takes its default (a container never runs without one): a bad one is refused.
            rule: "a memory limit that is not a quantity",
            values: { "pg-ha:resources": { requests: { cpu: "1", memory: "1Gi" }, limits: { memory: "lots" } } },
            key: "pg-ha:resources.limits.memory",
            value: '"lots"',
            allowed: "must be a positive whole Kubernetes quantity",
        },
        {
            // Given as `pulumi config set --path` stores it: the request alone, the limit from the default.
            rule: "an ephemeral-storage request above its default limit",
            values: { "pg-ha:resources": { requests: { "ephemeral-storage": "2Gi" } } },
            key: "pg-ha:resources.requests.ephemeral-storage",
            value: '"2Gi"',
            allowed: "must not be more than limits.ephemeral-storage (1Gi)",
        },
        {
            rule: "an ephemeral-storage limit that is not a quantity",
            values: { "pg-ha:resources": { limits: { "ephemeral-storage": "1 GB" } } },
            key: "pg-ha:resources.limits.ephemeral-storage",
            value: '"1 GB"',
            allowed: "must be a positive whole Kubernetes quantity",
        },
    ];

    it("covers at least 15 invalid configurations", () => {
        assert.ok(cases.length >= 15, `${cases.length} cases`);
    });

    for (const { rule, values, key, value, allowed } of cases) {
        it(`refuses ${rule}: ${key}`, async () => {
            const config = engineConfig({ "pg-ha:storage": { className: "standard" }, ...values });
            await assert.rejects(runProgram(config), (error: Error) => {
                assert.ok(error instanceof ConfigError, String(error));
                const line = error.message.split("\n").find((candidate) => candidate.startsWith(`  ${key} = `));
                assert.ok(line, `no line for ${key} in:\n${error.message}`);
                assert.ok(line.startsWith(`  ${key} = ${value}: `), `value is not ${value}: ${line}`);
                assert.ok(line.includes(allowed), `"${allowed}" missing from: ${line}`);
                return true;
            });
            // Registration is asynchronous: let anything constructed before the throw reach the engine.
            await new Promise((resolve) => setTimeout(resolve, 100));
            assert.deepStrictEqual(registeredResources(), []);
        });
    }
});

describe("stack config: a configuration error reads as a Pulumi error", () => {
    it("is a RunError, which the Pulumi CLI prints as the program's error without a stack trace", () => {
        let thrown: unknown;
        try {
            readStackConfig(engineConfig({ "pg-ha:storage": { className: "standard" }, "pg-ha:replicas": 0 }));
        } catch (error) {
            thrown = error;
        }
        assert.ok(thrown instanceof ConfigError, "a ConfigError");
        assert.ok(pulumi.RunError.isInstance(thrown), "the CLI's RunError: message only, no stack");
        assert.match(thrown.message, /pg-ha:replicas = 0: must be at least 1/);
    });
});
