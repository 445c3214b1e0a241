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
