import * as assert from "assert";
import { resolveSettings } from "../components/settings";
import { podDisruptionBudget } from "../components/specs/policies";

describe("PodDisruptionBudget: drains take one pod at a time, and a broken one never blocks them", () => {
    // The spec builders fill the Input types with plain values.
    type PlainBudget = { spec: { unhealthyPodEvictionPolicy?: string; maxUnavailable?: number } };
    const budgetFor = (replicas: number) =>
        podDisruptionBudget(resolveSettings({ replicas, storage: { className: "standard" } })) as
            PlainBudget | undefined;

    it("lets a pod that is not ready be evicted, so a stuck standby cannot block a drain", () => {
        assert.strictEqual(budgetFor(3)?.spec?.unhealthyPodEvictionPolicy, "AlwaysAllow");
        assert.strictEqual(budgetFor(3)?.spec?.maxUnavailable, 1);
    });

    it("makes none for a single pod, where it would block every eviction", () => {
        assert.strictEqual(budgetFor(1), undefined);
    });
});
