import { strict as assert } from "assert";

import { useE2EStack } from "./support/useE2EStack";
import { POLICY_PACK, previewObjects } from "./support/programStack";

describe("the policy pack in `pulumi preview`: a stack that keeps the promises passes, one that breaks one is refused", function () {
    const kept = useE2EStack("local");
    const broken = useE2EStack("local", { networkPolicy: { enabled: false } }, "e2e-local-without-network-policy");

    it("passes the local stack: every mandatory rule holds for every object it plans", async function () {
        const objects = await previewObjects(kept.e2e.stack, [POLICY_PACK]);
        assert.ok(objects.some((object) => object.type === "kubernetes:apps/v1:StatefulSet"));
    });

    it("fails the preview of a stack without a NetworkPolicy, naming the rule", async function () {
        await assert.rejects(previewObjects(broken.e2e.stack, [POLICY_PACK]), (error: Error) => {
            assert.match(error.message, /network-policy-selects-database-pods/);
            assert.match(error.message, /mandatory/);
            return true;
        });
    });
});
