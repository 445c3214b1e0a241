import * as assert from "assert";
import { ConfigError, DEFAULTS, resolveSettings } from "../components/settings";

const nfs = (paths: string[]) => ({ size: "10Gi", nfs: { server: "nfs.example.internal", paths } });
const threePaths = ["/exports/a", "/exports/b", "/exports/c"];

function problemsOf(input: unknown): { key: string; message: string }[] {
    try {
        resolveSettings(input, "pg-ha:");
    } catch (error) {
        assert.ok(error instanceof ConfigError, `expected a ConfigError, got ${String(error)}`);
        return error.problems.map((problem) => ({ key: problem.key, message: error.message }));
    }
    assert.fail("expected the settings to be rejected");
}

describe("settings: defaults", () => {
    it("applies every documented default when only storage is given", () => {
        const settings = resolveSettings({ storage: { className: "standard" } });
        assert.strictEqual(settings.namespace, DEFAULTS.namespace);
        assert.strictEqual(settings.createNamespace, true);
        assert.strictEqual(settings.name, "postgresql");
        assert.strictEqual(settings.replicas, 3);
        assert.strictEqual(settings.image, "postgres:17");
        assert.strictEqual(settings.storage.size, "10Gi");
        assert.strictEqual(settings.podManagementPolicy, "OrderedReady");
        assert.deepStrictEqual(settings.updateStrategy, { type: "RollingUpdate", partition: 0 });
        assert.deepStrictEqual(settings.resources, DEFAULTS.resources);
        assert.strictEqual(settings.primaryWaitTimeoutSeconds, 300);
        assert.deepStrictEqual(settings.postgresqlParameters, {});
        assert.strictEqual(settings.postgresUid, 999);
        assert.strictEqual(settings.postgresGid, 999);
        assert.deepStrictEqual(settings.volumePermissions, DEFAULTS.volumePermissions);
        assert.strictEqual(settings.antiAffinity, "preferred");
        assert.strictEqual(settings.schedulableNodes, 0);
        assert.strictEqual(settings.topologySpread.enabled, false);
        assert.deepStrictEqual(settings.networkPolicy, { enabled: true, allowedClients: [] });
        assert.deepStrictEqual(settings.allowedCidrs, ["0.0.0.0/0", "::/0"]);
    });

    it("accepts IPv4 and IPv6 networks of any valid prefix length", () => {
        const allowedCidrs = ["10.0.0.0/8", "192.168.1.7/32", "0.0.0.0/0", "fd00::/8", "::/0", "2001:db8::1/128"];
        assert.deepStrictEqual(resolveSettings({ storage: { className: "standard" }, allowedCidrs }).allowedCidrs, [
            ...allowedCidrs,
        ]);
    });

    it("compares requests with limits across units", () => {
        const withResources = (requests: { cpu: string; memory: string }, limits: { cpu?: string; memory: string }) =>
            resolveSettings({ storage: { className: "standard" }, resources: { requests, limits } });
        assert.doesNotThrow(() => withResources({ cpu: "1.5", memory: "1000Mi" }, { cpu: "1500m", memory: "1Gi" }));
        assert.throws(() => withResources({ cpu: "1", memory: "1100M" }, { memory: "1Gi" }), /limits\.memory/);
        assert.throws(() => withResources({ cpu: "2", memory: "1Gi" }, { cpu: "1500m", memory: "1Gi" }), /limits\.cpu/);
    });

    it("sizes ephemeral storage like memory: a quantity, and a request no more than its limit", () => {
        const withEphemeral = (request: string, limit: string) =>
            resolveSettings({
                storage: { className: "standard" },
                resources: { requests: { "ephemeral-storage": request }, limits: { "ephemeral-storage": limit } },
            }).resources;
        assert.deepStrictEqual(withEphemeral("512Mi", "2Gi"), {
            requests: { ...DEFAULTS.resources.requests, "ephemeral-storage": "512Mi" },
            limits: { ...DEFAULTS.resources.limits, "ephemeral-storage": "2Gi" },
        });
        assert.throws(
            () => withEphemeral("2Gi", "1Gi"),
            /requests\.ephemeral-storage.*limits\.ephemeral-storage \(1Gi\)/,
        );
        assert.throws(() => withEphemeral("lots", "1Gi"), /requests\.ephemeral-storage = "lots"/);
    });

    it("checks replicas against schedulableNodes only with required anti-affinity", () => {
        const settings = resolveSettings({
            storage: { className: "standard" },
            replicas: 5,
            schedulableNodes: 3,
            antiAffinity: "preferred",
        });
        assert.strictEqual(settings.replicas, 5);
        assert.doesNotThrow(() =>
            resolveSettings({
                storage: { className: "standard" },
                replicas: 3,
                schedulableNodes: 3,
                antiAffinity: "required",
            }),
        );
    });

    it("fills in the topology spread and volume-permissions defaults of a partial object", () => {
        const settings = resolveSettings({
            storage: { className: "standard" },
            topologySpread: { topologyKey: "kubernetes.io/hostname" },
            volumePermissions: { enabled: true },
        });
        assert.deepStrictEqual(settings.topologySpread, {
            enabled: true,
            topologyKey: "kubernetes.io/hostname",
            maxSkew: 1,
            whenUnsatisfiable: "ScheduleAnyway",
        });
        assert.deepStrictEqual(settings.volumePermissions.resources, DEFAULTS.volumePermissions.resources);
    });

    it("mounts NFS volumes hard by default", () => {
        const settings = resolveSettings({ storage: nfs(threePaths) });
        assert.deepStrictEqual(settings.storage.nfs?.mountOptions, ["hard", "nfsvers=4.1"]);
    });

    it("accepts OnDelete without a partition", () => {
        const settings = resolveSettings({ storage: nfs(threePaths), updateStrategy: { type: "OnDelete" } });
        assert.deepStrictEqual(settings.updateStrategy, { type: "OnDelete" });
    });
});

describe("settings: an object setting given in part takes the defaults of the fields it leaves out", () => {
    // What `pulumi config set --path pg-ha:<setting>.<field> <value>` stores on a stack that inherits the
    // object from Pulumi.yaml: that one field, without the declared default's other fields.
    const withStorage = (settings: Record<string, unknown>) =>
        resolveSettings({ storage: { className: "standard" }, ...settings });

    it("updateStrategy: a partition alone is a RollingUpdate", () => {
        assert.deepStrictEqual(withStorage({ updateStrategy: { partition: 2 } }).updateStrategy, {
            type: "RollingUpdate",
            partition: 2,
        });
        assert.deepStrictEqual(withStorage({ updateStrategy: {} }).updateStrategy, DEFAULTS.updateStrategy);
    });

    it("updateStrategy: OnDelete still takes no partition", () => {
        assert.throws(() => withStorage({ updateStrategy: { type: "OnDelete", partition: 1 } }), /updateStrategy/);
    });

    it("resources: a limit alone keeps the default requests, and a request alone the default limits", () => {
        assert.deepStrictEqual(withStorage({ resources: { limits: { memory: "2Gi" } } }).resources, {
            requests: DEFAULTS.resources.requests,
            limits: { ...DEFAULTS.resources.limits, memory: "2Gi" },
        });
        assert.deepStrictEqual(withStorage({ resources: { requests: { cpu: "1" } } }).resources, {
            requests: { ...DEFAULTS.resources.requests, cpu: "1" },
            limits: DEFAULTS.resources.limits,
        });
    });

    it("resources: the merged object is still checked (a request above the default limit is refused)", () => {
        assert.throws(() => withStorage({ resources: { requests: { memory: "2Gi" } } }), /limits\.memory \(1Gi\)/);
    });

    it("volumePermissions: one resource field alone keeps enabled and the other resources", () => {
        const settings = withStorage({ volumePermissions: { resources: { requests: { cpu: "20m" } } } });
        assert.deepStrictEqual(settings.volumePermissions, {
            enabled: DEFAULTS.volumePermissions.enabled,
            resources: {
                requests: { ...DEFAULTS.volumePermissions.resources.requests, cpu: "20m" },
                limits: DEFAULTS.volumePermissions.resources.limits,
            },
        });
    });

    it("networkPolicy: allowedClients alone keeps the policy enabled, enabled alone allows no clients", () => {
        const clients = [{ podSelector: { matchLabels: { app: "api" } } }];
        assert.deepStrictEqual(withStorage({ networkPolicy: { allowedClients: clients } }).networkPolicy, {
            enabled: true,
            allowedClients: clients,
        });
        assert.deepStrictEqual(withStorage({ networkPolicy: { enabled: false } }).networkPolicy, {
            enabled: false,
            allowedClients: [],
        });
    });

    it("storage: a class alone gets the default size", () => {
        assert.strictEqual(withStorage({}).storage.size, DEFAULTS.storageSize);
    });
});

describe("settings: each invalid value is rejected with its key, its value and what is allowed", () => {
    const cases: { rule: string; input: Record<string, unknown>; key: string; mentions: string[] }[] = [
        {
            rule: "replicas below 1",
            input: { replicas: 0, storage: { className: "standard" } },
            key: "pg-ha:replicas",
            mentions: ["0", "at least 1"],
        },
        {
            rule: "replicas that is not a whole number",
            input: { replicas: 2.5, storage: { className: "standard" } },
            key: "pg-ha:replicas",
            mentions: ["2.5", "whole number"],
        },
        {
            rule: "a path count that does not match replicas",
            input: { replicas: 3, storage: nfs(["/exports/a", "/exports/b"]) },
            key: "pg-ha:storage.nfs.paths",
            mentions: ["replicas is 3", "got 2"],
        },
        {
            rule: "a size like 10GB",
            input: { storage: { size: "10GB", className: "standard" } },
            key: "pg-ha:storage.size",
            mentions: ['"10GB"', "10Gi"],
        },
        {
            rule: "a negative size",
            input: { storage: { size: "-1Gi", className: "standard" } },
            key: "pg-ha:storage.size",
            mentions: ['"-1Gi"'],
        },
        {
            rule: "a name that is not a DNS label",
            input: { name: "Postgres_DB", storage: { className: "standard" } },
            key: "pg-ha:name",
            mentions: ['"Postgres_DB"', "DNS label"],
        },
        {
            rule: "a namespace that is not a DNS label",
            input: { namespace: "-db", storage: { className: "standard" } },
            key: "pg-ha:namespace",
            mentions: ['"-db"', "DNS label"],
        },
        {
            rule: "a partition above replicas",
            input: { replicas: 3, updateStrategy: { type: "RollingUpdate", partition: 4 }, storage: nfs(threePaths) },
            key: "pg-ha:updateStrategy.partition",
            mentions: ["4", "between 0 and replicas (3)"],
        },
        {
            rule: "an unknown update strategy",
            input: { updateStrategy: { type: "Recreate" }, storage: nfs(threePaths) },
            key: "pg-ha:updateStrategy.type",
            mentions: ['= "Recreate"', "OnDelete"],
        },
        {
            rule: "an unknown pod management policy",
            input: { podManagementPolicy: "Ordered", storage: nfs(threePaths) },
            key: "pg-ha:podManagementPolicy",
            mentions: ['"Ordered"', '"OrderedReady" or "Parallel"'],
        },
        {
            rule: "storage without nfs or className",
            input: { storage: { size: "1Gi" } },
            key: "pg-ha:storage",
            mentions: ["exactly one of nfs"],
        },
        {
            rule: "storage with both nfs and className",
            input: { storage: { ...nfs(threePaths), className: "standard" } },
            key: "pg-ha:storage",
            mentions: ["exactly one of nfs"],
        },
        {
            rule: "missing storage",
            input: {},
            key: "pg-ha:storage",
            mentions: ["(not set)"],
        },
        {
            rule: "an empty NFS server",
            input: { storage: { nfs: { server: "", paths: threePaths } } },
            key: "pg-ha:storage.nfs.server",
            mentions: ['""', "host name or IP address"],
        },
        {
            rule: "a soft NFS mount",
            input: { storage: { nfs: { server: "nfs", paths: threePaths, mountOptions: ["soft"] } } },
            key: "pg-ha:storage.nfs.mountOptions",
            mentions: ["soft", "hard"],
        },
        {
            rule: "the same NFS path for two pods",
            input: { storage: nfs(["/exports/a", "/exports/a", "/exports/c"]) },
            key: "pg-ha:storage.nfs.paths",
            mentions: ["must not repeat a path"],
        },
        {
            rule: "an unknown setting",
            input: { replica: 3, storage: nfs(threePaths) },
            key: "pg-ha:replica",
            mentions: ["is not a known setting", "replicas"],
        },
        {
            rule: "an image whose digest is cut short",
            input: { image: "postgres:17@sha256:0123456789abcdef", storage: nfs(threePaths) },
            key: "pg-ha:image",
            mentions: ['"postgres:17@sha256:0123456789abcdef"', '"sha256:" and 64 lower-case hexadecimal digits'],
        },
        {
            rule: "a PostgreSQL parameter the cluster manages",
            input: { postgresqlParameters: { max_wal_senders: 2 }, storage: nfs(threePaths) },
            key: "pg-ha:postgresqlParameters",
            mentions: ["max_wal_senders", "manages itself"],
        },
        {
            rule: "the slot WAL bound set through postgresqlParameters instead of its setting",
            input: { postgresqlParameters: { max_slot_wal_keep_size: "-1" }, storage: nfs(threePaths) },
            key: "pg-ha:postgresqlParameters.max_slot_wal_keep_size",
            mentions: ['"-1"', "set maxSlotWalKeepSize instead"],
        },
        {
            rule: "a wal_level the standbys cannot stream from",
            input: { postgresqlParameters: { wal_level: "minimal" }, storage: nfs(threePaths) },
            key: "pg-ha:postgresqlParameters.wal_level",
            mentions: ['"minimal"', '"replica" or "logical"'],
        },
        {
            rule: "a shared_buffers that is not a size",
            input: { postgresqlParameters: { shared_buffers: "lots" }, storage: nfs(threePaths) },
            key: "pg-ha:postgresqlParameters.shared_buffers",
            mentions: ['"lots"', '"2GB"'],
        },
        {
            rule: "an official image of a PostgreSQL major the scripts do not support",
            input: { image: "docker.io/library/postgres:14.11-bookworm", storage: nfs(threePaths) },
            key: "pg-ha:image",
            mentions: ["postgres:14.11-bookworm", "15 or later", "says 14"],
        },
        {
            rule: "a slot WAL bound of more than half the data volume",
            input: { maxSlotWalKeepSize: "6GB", storage: { ...nfs(threePaths), size: "10Gi" } },
            key: "pg-ha:maxSlotWalKeepSize",
            mentions: ['"6GB"', "1/2 of storage.size (10Gi)"],
        },
        {
            rule: "a slot WAL bound without a unit",
            input: { maxSlotWalKeepSize: "2048", storage: nfs(threePaths) },
            key: "pg-ha:maxSlotWalKeepSize",
            mentions: ['"2GB"', "MB, GB, TB"],
        },
        {
            rule: "an application database named like one of PostgreSQL's own",
            input: { database: { name: "template1", owner: "app" }, storage: nfs(threePaths) },
            key: "pg-ha:database.name",
            mentions: ['"template1"', "PostgreSQL's own databases"],
        },
        {
            rule: "an application role that is one the cluster uses",
            input: { database: { name: "app", owner: "replicator" }, storage: nfs(threePaths) },
            key: "pg-ha:database.owner",
            mentions: ['"replicator"', "a role the cluster uses"],
        },
        {
            rule: "an application password without an application database",
            input: { applicationPassword: "a".repeat(20), storage: nfs(threePaths) },
            key: "pg-ha:applicationPassword",
            mentions: ["[secret]", "set database too"],
        },
        {
            rule: "an application role name PostgreSQL reserves",
            input: { database: { name: "app", owner: "pg_app" }, storage: nfs(threePaths) },
            key: "pg-ha:database.owner",
            mentions: ['"pg_app"', 'start with "pg_"'],
        },
        {
            rule: "an application database name that needs quoting",
            input: { database: { name: "My-App", owner: "app" }, storage: nfs(threePaths) },
            key: "pg-ha:database.name",
            mentions: ['"My-App"', "lower-case letters, digits and _"],
        },
        {
            rule: "a grace period too short for any shutdown",
            input: { terminationGracePeriodSeconds: 5, storage: nfs(threePaths) },
            key: "pg-ha:terminationGracePeriodSeconds",
            mentions: ["5", "at least 60"],
        },
        {
            rule: "an NFS mount option that keeps locks on the client",
            input: { storage: { nfs: { ...nfs(threePaths).nfs, mountOptions: ["hard", "nolock"] } } },
            key: "pg-ha:storage.nfs.mountOptions",
            mentions: ["nolock", "NFS server"],
        },
        {
            rule: "a PostgreSQL parameter name that is not one",
            input: { postgresqlParameters: { "Shared-Buffers": "1GB" }, storage: nfs(threePaths) },
            key: "pg-ha:postgresqlParameters.Shared-Buffers",
            mentions: ["PostgreSQL setting name"],
        },
        {
            rule: "a client label value that is not a label value",
            input: {
                networkPolicy: { allowedClients: [{ namespaceSelector: { matchLabels: { team: "data team" } } }] },
                storage: nfs(threePaths),
            },
            key: "pg-ha:networkPolicy.allowedClients.0.namespaceSelector.matchLabels.team",
            mentions: ['"data team"', "must be a label value"],
        },
        {
            rule: "a label selector without matchLabels",
            input: { networkPolicy: { allowedClients: [{ podSelector: { app: "api" } }] }, storage: nfs(threePaths) },
            key: "pg-ha:networkPolicy.allowedClients.0.podSelector.app",
            mentions: ["is not a known setting"],
        },
        {
            rule: "a topology key that is not a label key",
            input: { topologySpread: { topologyKey: "zone/" }, storage: nfs(threePaths) },
            key: "pg-ha:topologySpread.topologyKey",
            mentions: ['"zone/"', "must be a label key"],
        },
        {
            rule: "a zero maxSkew",
            input: { topologySpread: { maxSkew: 0 }, storage: nfs(threePaths) },
            key: "pg-ha:topologySpread.maxSkew",
            mentions: ["= 0", "at least 1"],
        },
        {
            rule: "a negative number of schedulable nodes",
            input: { schedulableNodes: -1, storage: nfs(threePaths) },
            key: "pg-ha:schedulableNodes",
            mentions: ["= -1", "0 (not known) or more"],
        },
        {
            rule: "a root gid",
            input: { postgresGid: 0, storage: nfs(threePaths) },
            key: "pg-ha:postgresGid",
            mentions: ["= 0", "at least 1"],
        },
        {
            rule: "an init container request above its limit",
            input: {
                volumePermissions: {
                    enabled: true,
                    resources: { requests: { cpu: "10m", memory: "128Mi" }, limits: { memory: "64Mi" } },
                },
                storage: nfs(threePaths),
            },
            key: "pg-ha:volumePermissions.resources.requests.memory",
            mentions: ['"128Mi"', "limits.memory (64Mi)"],
        },
        {
            rule: "a CPU quantity that is not one",
            input: {
                resources: { requests: { cpu: "1 core", memory: "1Gi" }, limits: { memory: "1Gi" } },
                storage: nfs(threePaths),
            },
            key: "pg-ha:resources.requests.cpu",
            mentions: ['"1 core"', "CPU quantity"],
        },
        {
            rule: "a boolean given as a string",
            input: { createNamespace: "false", storage: nfs(threePaths) },
            key: "pg-ha:createNamespace",
            mentions: ['"false"', "true or false"],
        },
    ];

    for (const { rule, input, key, mentions } of cases) {
        it(`rejects ${rule}`, () => {
            const problems = problemsOf(input);
            const problem = problems.find((candidate) => candidate.key === key);
            assert.ok(problem, `no problem reported for ${key}; got ${JSON.stringify(problems)}`);
            for (const text of mentions) {
                assert.ok(problem.message.includes(text), `"${text}" missing from: ${problem.message}`);
            }
        });
    }

    it("reports every problem at once", () => {
        const keys = problemsOf({ replicas: 0, name: "A", storage: { size: "1GB", className: "x" } }).map(
            (problem) => problem.key,
        );
        assert.deepStrictEqual(keys.sort(), ["pg-ha:name", "pg-ha:replicas", "pg-ha:storage.size"]);
    });

    it("never prints a password it rejects", () => {
        const problems = problemsOf({ superuserPassword: "short'secret", storage: nfs(threePaths) });
        const problem = problems.find((candidate) => candidate.key === "pg-ha:superuserPassword");
        assert.ok(problem);
        assert.ok(problem.message.includes("[secret]"));
        assert.ok(!problem.message.includes("short'secret"));
    });
});

describe("settings: defaults that follow from other settings", () => {
    const withStorage = (input: Record<string, unknown>, size = "10Gi") =>
        resolveSettings({ storage: { className: "standard", size }, ...input });

    it("bounds the WAL a slot holds at a quarter of the data volume, unless given", () => {
        assert.strictEqual(withStorage({}).maxSlotWalKeepSize, "2560MB");
        assert.strictEqual(withStorage({}, "1Gi").maxSlotWalKeepSize, "256MB");
        assert.strictEqual(withStorage({ maxSlotWalKeepSize: "4GB" }).maxSlotWalKeepSize, "4GB");
    });

    it("gives a stopping pod a minute, and more when shared_buffers takes longer to checkpoint at 32 MiB/s", () => {
        assert.strictEqual(withStorage({}).terminationGracePeriodSeconds, 60);
        assert.strictEqual(
            withStorage({ postgresqlParameters: { shared_buffers: "8GB" } }).terminationGracePeriodSeconds,
            286,
        );
        // A bare number counts 8 kB pages: 262144 pages are 2 GB.
        assert.strictEqual(
            withStorage({ postgresqlParameters: { shared_buffers: 262144 } }).terminationGracePeriodSeconds,
            94,
        );
        assert.strictEqual(withStorage({ terminationGracePeriodSeconds: 600 }).terminationGracePeriodSeconds, 600);
    });

    it("checks the major of PostgreSQL images only, where the tag says it", () => {
        for (const image of [
            "postgres:15",
            "postgres:17.2-alpine3.20",
            "bitnami/postgresql:16.4.0",
            "registry.example:5000/postgres:18",
            "postgres@sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef",
            "example/timescaledb:2.14.2-pg16",
        ]) {
            assert.strictEqual(withStorage({ image }).image, image);
        }
    });

    it("takes an image by digest, with its tag or without, and checks the major a tag beside the digest names", () => {
        const digest = "sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";
        for (const image of [`postgres:17@${digest}`, `registry.example:5000/postgres@${digest}`]) {
            assert.strictEqual(withStorage({ image }).image, image);
        }
        assert.throws(() => withStorage({ image: `postgres:14@${digest}` }), /its tag says 14/);
    });

    it("allows logical decoding: wal_level logical", () => {
        assert.strictEqual(
            withStorage({ postgresqlParameters: { wal_level: "logical" } }).postgresqlParameters.wal_level,
            "logical",
        );
    });
});
