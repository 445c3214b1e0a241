import * as assert from "assert";
import {
    DISRUPTION_BUDGET,
    NS,
    STATEFUL_SET,
    assertReported,
    changed,
    check,
    outsideCluster,
    template,
    workload,
} from "../support/policyFixtures";
import { CheckedResource, checkedResource } from "../support/policyHarness";
import { runStack } from "../support/stacks";

describe("disruption-budget-for-several-pods: a PodDisruptionBudget selects the pods of a StatefulSet of more than one", () => {
    let stack: CheckedResource[];
    before(async () => {
        stack = (await runStack("dev")).resources.map(checkedResource);
    });
    const withoutBudget = () => stack.filter((resource) => resource.type !== DISRUPTION_BUDGET);

    it("the stack's own PodDisruptionBudget satisfies it", async () => {
        assert.ok(stack.some((resource) => resource.type === DISRUPTION_BUDGET));
        assert.deepStrictEqual(await check("disruption-budget-for-several-pods", stack), []);
    });

    it("reports three pods without one", async () => {
        assertReported(
            await check("disruption-budget-for-several-pods", withoutBudget()),
            /^StatefulSet postgresql runs 3 pods and no PodDisruptionBudget in namespace pg-ha-dev selects them/,
        );
    });

    it("accepts a budget of the user's own (not a child of the component) in the component's place", async () => {
        const own = stack
            .filter((resource) => resource.type === DISRUPTION_BUDGET)
            .map((resource) => outsideCluster({ ...resource, name: "own-budget" }));
        assert.strictEqual(own.length, 1);
        assert.deepStrictEqual(await check("disruption-budget-for-several-pods", [...withoutBudget(), ...own]), []);
    });

    it("reports a budget that selects other pods, or none (no selector)", async () => {
        for (const selector of [{ matchLabels: { app: "something-else" } }, undefined]) {
            const resources = changed(stack, (resource) =>
                resource.type === DISRUPTION_BUDGET
                    ? { ...resource, props: { ...resource.props, spec: { maxUnavailable: 1, selector } } }
                    : undefined,
            );
            assertReported(await check("disruption-budget-for-several-pods", resources), /runs 3 pods/);
        }
    });

    it("asks none of a single pod: a budget for one pod would block every drain", async () => {
        const single = workload(STATEFUL_SET, template(), NS, 1);
        assert.deepStrictEqual(await check("disruption-budget-for-several-pods", [single]), []);
        const unset = workload(STATEFUL_SET, template());
        delete (unset.props.spec as { replicas?: number }).replicas;
        assert.deepStrictEqual(
            await check("disruption-budget-for-several-pods", [unset]),
            [],
            "replicas defaults to 1",
        );
        assertReported(
            await check("disruption-budget-for-several-pods", [workload(STATEFUL_SET, template(), NS, 2)]),
            /runs 2 pods/,
        );
    });
});
