import * as assert from "assert";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { resolveSettings } from "../components/settings";
import {
    clusterStatus,
    Kubectl,
    PodObject,
    podStatuses,
    REPLICATION_SQL,
    slotStatuses,
} from "../tools/status/clusterStatus";
import { kubectlIn } from "../tools/status/kubectlIn";
import { formatBytes, formatLag, formatStatus, PodStatus } from "../tools/status/statusTable";

const settings = resolveSettings({ namespace: "pg-ha-local", replicas: 3, storage: { className: "standard" } });

function pod(name: string, phase: string, ready: boolean, restarts = 0): PodObject {
    return {
        metadata: { name },
        status: {
            phase,
            conditions: [{ type: "Ready", status: ready ? "True" : "False" }],
            containerStatuses: [{ restartCount: restarts }],
        },
    };
}

describe("npm run status: the table a person reads at a glance", () => {
    const pods: PodStatus[] = [
        { pod: "postgresql-0", role: "primary", phase: "Running", ready: true, restarts: 0 },
        {
            pod: "postgresql-1",
            role: "standby",
            phase: "Running",
            ready: true,
            restarts: 1,
            replication: "streaming",
            replayLagSeconds: 0.25,
        },
        {
            pod: "postgresql-2",
            role: "standby",
            phase: "Pending",
            ready: false,
            restarts: 0,
            replication: "not connected",
        },
    ];
    const slots = [
        { name: "postgresql_1", active: true, walStatus: "reserved", retainedBytes: 1536 },
        { name: "postgresql_2", active: false, walStatus: "extended", retainedBytes: 64 * 1024 * 1024 },
    ];

    it("lines the columns up under their headers, one row per pod, then pod 0's slots", () => {
        assert.strictEqual(
            formatStatus(pods, slots),
            [
                "POD           ROLE     STATE    READY  RESTARTS  REPLICATION    REPLAY LAG",
                "postgresql-0  primary  Running  yes    0         -              -",
                "postgresql-1  standby  Running  yes    1         streaming      250 ms",
                "postgresql-2  standby  Pending  no     0         not connected  -",
                "",
                "Replication slots on postgresql-0:",
                "SLOT          ACTIVE  WAL STATUS  RETAINED",
                "postgresql_1  yes     reserved    1.5 KiB",
                "postgresql_2  no      extended    64.0 MiB",
                "",
            ].join("\n"),
        );
    });

    it("says when pod 0 does not answer, rather than showing no slots", () => {
        assert.match(
            formatStatus(pods, undefined),
            /Replication slots on postgresql-0: not known \(postgresql-0 does not answer\)/,
        );
        assert.match(formatStatus(pods, []), /Replication slots on postgresql-0: none/);
    });

    it("writes lags and sizes as a person reads them", () => {
        assert.deepStrictEqual([null, 0, 0.0004, 0.25, 3.21].map(formatLag), ["0 s", "0 s", "0 s", "250 ms", "3.2 s"]);
        assert.strictEqual(formatLag(undefined), "-");
        assert.deepStrictEqual([0, 1023, 1024, 5 * 1024 ** 3].map(formatBytes), [
            "0 B",
            "1023 B",
            "1.0 KiB",
            "5.0 GiB",
        ]);
    });
});

describe("npm run status: what it reads from the cluster", () => {
    it("lists every pod the settings describe, in ordinal order, made or not, with pod 0's word on each standby", () => {
        const statuses = podStatuses(
            settings,
            [pod("postgresql-1", "Running", true, 2), pod("postgresql-0", "Running", true)],
            "postgresql-1|streaming|0.004\n",
        );
        assert.deepStrictEqual(statuses, [
            { pod: "postgresql-0", role: "primary", phase: "Running", ready: true, restarts: 0 },
            {
                pod: "postgresql-1",
                role: "standby",
                phase: "Running",
                ready: true,
                restarts: 2,
                replication: "streaming",
                replayLagSeconds: 0.004,
            },
            {
                pod: "postgresql-2",
                role: "standby",
                phase: "missing",
                ready: false,
                restarts: 0,
                replication: "not connected",
            },
        ]);
    });

    it("takes an empty replay lag (nothing replayed yet) as none, and knows no replication when pod 0 is silent", () => {
        const [, standby] = podStatuses(settings, [], "postgresql-1|streaming|\n");
        assert.strictEqual(standby.replayLagSeconds, null);
        const silent = podStatuses(settings, [], undefined);
        assert.ok(silent.every((status) => status.replication === undefined));
    });

    it("reads pod 0's slots with the WAL each holds back", () => {
        assert.deepStrictEqual(slotStatuses("postgresql_1|t|reserved|16777216\npostgresql_2|f||0\n"), [
            { name: "postgresql_1", active: true, walStatus: "reserved", retainedBytes: 16777216 },
            { name: "postgresql_2", active: false, walStatus: "unknown", retainedBytes: 0 },
        ]);
    });

    it("asks the pods by the StatefulSet's selector in the stack's namespace, and pod 0's container for the rest", async () => {
        const calls: string[][] = [];
        const kubectl: Kubectl = (args) => {
            calls.push(args);
            if (args[0] === "get")
                return Promise.resolve(JSON.stringify({ items: [pod("postgresql-0", "Running", true)] }));
            return args.includes(REPLICATION_SQL) ? Promise.resolve("") : Promise.reject(new Error("no slots"));
        };
        const { pods, slots } = await clusterStatus(settings, kubectl);
        assert.deepStrictEqual(calls[0].slice(0, 4), ["get", "pods", "-n", "pg-ha-local"]);
        assert.ok(
            calls[0].includes("app.kubernetes.io/name=postgresql,app.kubernetes.io/instance=postgresql"),
            calls[0].join(" "),
        );
        for (const exec of calls.slice(1)) {
            assert.deepStrictEqual(exec.slice(0, 6), ["exec", "-n", "pg-ha-local", "postgresql-0", "-c", "postgresql"]);
        }
        assert.strictEqual(pods.length, 3);
        assert.strictEqual(slots, undefined, "a failed query is not taken for no slots");
    });
});

describe("npm run status: the kube context", () => {
    /** Runs kubectlIn with a kubectl that prints its arguments. */
    async function argumentsSeen(context: string | undefined): Promise<string> {
        const bin = fs.mkdtempSync(path.join(os.tmpdir(), "pg-ha-kubectl-"));
        const previous = process.env.PATH;
        try {
            fs.writeFileSync(path.join(bin, "kubectl"), '#!/bin/sh\necho "$@"\n', { mode: 0o755 });
            process.env.PATH = `${bin}:${previous ?? ""}`;
            return (await kubectlIn(context)(["get", "pods"])).trim();
        } finally {
            process.env.PATH = previous;
            fs.rmSync(bin, { recursive: true, force: true });
        }
    }

    it("uses the context given, and kubectl's current one otherwise, never waiting on a silent server", async () => {
        assert.strictEqual(await argumentsSeen("staging"), "--request-timeout=20s --context staging get pods");
        assert.strictEqual(await argumentsSeen(undefined), "--request-timeout=20s get pods");
    });
});
