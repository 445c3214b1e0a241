import * as assert from "assert";
import { resolveSettings } from "../components/settings";
import { statefulSet } from "../components/specs/statefulSet";

const annotationsFor = (updateStrategy: unknown) =>
    statefulSet(resolveSettings({ replicas: 3, storage: { className: "standard" }, updateStrategy }), "checksum")
        .metadata?.annotations ?? {};

describe("StatefulSet: what pulumi up waits for", () => {
    it("keeps Pulumi's own await (every pod on the newest revision) for a full rolling update", () => {
        assert.deepStrictEqual(annotationsFor({ type: "RollingUpdate", partition: 0 }), {});
    });

    it("waits for the staged pods (ordinals at or above the partition) on the new revision and every pod ready", () => {
        assert.deepStrictEqual(annotationsFor({ type: "RollingUpdate", partition: 2 }), {
            "pulumi.com/waitFor": "jsonpath={$[?@.readyReplicas==3 && @.updatedReplicas>0]}",
        });
    });

    it("waits for readiness alone when the partition stages no pod (partition = replicas)", () => {
        assert.deepStrictEqual(annotationsFor({ type: "RollingUpdate", partition: 3 }), {
            "pulumi.com/waitFor": "jsonpath={$[?@.readyReplicas==3]}",
        });
    });

    it("waits for every pod to be ready when the operator rolls pods with OnDelete", () => {
        assert.deepStrictEqual(annotationsFor({ type: "OnDelete" }), {
            "pulumi.com/waitFor": "jsonpath={$[?@.readyReplicas==3]}",
        });
    });
});

describe("StatefulSet: the pods' rights and their stop", () => {
    const specOf = (input: Record<string, unknown>) => {
        const sts = statefulSet(resolveSettings({ storage: { className: "standard" }, ...input }), "checksum");
        return sts.spec.template.spec;
    };

    it("mounts no service account token: the pods never call the API, and a superuser could read it", () => {
        assert.strictEqual(specOf({}).automountServiceAccountToken, false);
    });

    it("gives a stopping pod the grace period of its settings, and the preStop hook's fast shutdown 10 s less", () => {
        for (const [input, grace] of [
            [{}, 60],
            [{ postgresqlParameters: { shared_buffers: "8GB" } }, 286],
            [{ terminationGracePeriodSeconds: 900 }, 900],
        ] as const) {
            const spec = specOf(input);
            assert.strictEqual(spec.terminationGracePeriodSeconds, grace);
            const preStop = spec.containers[0].lifecycle?.preStop?.exec?.command;
            assert.deepStrictEqual(preStop?.slice(-1), [String(grace - 10)]);
        }
    });
});

describe("StatefulSet: the pods' start and their lookups", () => {
    const sts = statefulSet(resolveSettings({ storage: { className: "standard" } }), "checksum");
    const spec = sts.spec.template.spec;
    const container = spec.containers[0];

    it("gives the startup probe time to wait for the pod to be ready, so that a normal start fails no probe", () => {
        const wait = Number(container.env?.find((entry) => entry.name === "PG_HA_STARTUP_WAIT_SECONDS")?.value);
        assert.ok(wait >= 20, `a wait of ${wait} s`);
        const probe = container.startupProbe;
        assert.ok(Number(probe?.timeoutSeconds) > wait, "the kubelet must not time the waiting probe out");
        // Crash recovery still gets an hour before liveness takes over.
        assert.ok(Number(probe?.failureThreshold) * Math.max(Number(probe?.periodSeconds), wait) >= 3600);
    });

    it("asks the cluster DNS for a Service's full name at once, and gives up on a lost answer after a second", () => {
        const options = Object.fromEntries(
            (spec.dnsConfig?.options ?? []).map((option) => [option.name, option.value]),
        );
        assert.deepStrictEqual(options, { ndots: "2", timeout: "1", attempts: "3" });
    });
});
