import * as assert from "assert";
import {
    NETWORK_POLICY,
    STATEFUL_SET,
    assertReported,
    changed,
    check,
    object,
    outsideCluster,
    programResources,
} from "../support/policyFixtures";
import { CheckedResource, checkedResource, describeReported } from "../support/policyHarness";
import { runStack, stackConfig } from "../support/stacks";

describe("network-policy-selects-database-pods: a NetworkPolicy selects the StatefulSet's pods and restricts their ingress", () => {
    let stack: CheckedResource[];
    before(async () => {
        stack = (await runStack("dev")).resources.map(checkedResource);
    });
    const networkPolicyOf = (resources: readonly CheckedResource[]) =>
        resources.find((resource) => resource.type === NETWORK_POLICY)!;
    const statefulSetOf = (resources: readonly CheckedResource[]) =>
        resources.find((resource) => resource.type === STATEFUL_SET)!;
    const withPolicySpec = (spec: (current: Record<string, unknown>) => Record<string, unknown>) =>
        changed(stack, (resource) =>
            resource.type === NETWORK_POLICY
                ? {
                      ...resource,
                      props: { ...resource.props, spec: spec(resource.props.spec as Record<string, unknown>) },
                  }
                : undefined,
        );

    it("the stack's own NetworkPolicy satisfies it", async () => {
        assert.ok(networkPolicyOf(stack));
        assert.deepStrictEqual(await check("network-policy-selects-database-pods", stack), []);
    });

    it("reports a stack with networkPolicy.enabled: false (the pack enforces the safe default)", async () => {
        const resources = await programResources({ ...stackConfig("dev"), "pg-ha:networkPolicy": { enabled: false } });
        assert.strictEqual(resources.filter((resource) => resource.type === NETWORK_POLICY).length, 0);
        const violations = await check("network-policy-selects-database-pods", resources);
        assertReported(
            violations,
            /^no NetworkPolicy in namespace pg-ha-dev selects the pods of StatefulSet postgresql .* for ingress/,
            statefulSetOf(resources).urn,
        );
    });

    const broken: [string, () => CheckedResource[]][] = [
        [
            "a NetworkPolicy that selects other pods",
            () => withPolicySpec((spec) => ({ ...spec, podSelector: { matchLabels: { app: "something-else" } } })),
        ],
        [
            "a NetworkPolicy that restricts egress only",
            () => withPolicySpec((spec) => ({ ...spec, policyTypes: ["Egress"] })),
        ],
        [
            "a NetworkPolicy in another namespace",
            () =>
                changed(stack, (resource) =>
                    resource.type === NETWORK_POLICY
                        ? { ...resource, props: { ...resource.props, metadata: { name: "p", namespace: "elsewhere" } } }
                        : undefined,
                ),
        ],
        [
            "a selector expression the pods do not meet",
            () =>
                withPolicySpec((spec) => ({
                    ...spec,
                    podSelector: {
                        matchExpressions: [
                            { key: "app.kubernetes.io/name", operator: "NotIn", values: ["postgresql"] },
                        ],
                    },
                })),
        ],
    ];
    for (const [what, resources] of broken) {
        it(`reports ${what}`, async () => {
            const stackResources = resources();
            assertReported(
                await check("network-policy-selects-database-pods", stackResources),
                /selects the pods of StatefulSet postgresql/,
                statefulSetOf(stackResources).urn,
            );
        });
    }

    it("accepts a NetworkPolicy for every pod of the namespace, or one that selects by expression", async () => {
        for (const podSelector of [
            {},
            { matchExpressions: [{ key: "app.kubernetes.io/name", operator: "In", values: ["postgresql", "other"] }] },
        ]) {
            const violations = await check(
                "network-policy-selects-database-pods",
                withPolicySpec((spec) => ({ ...spec, podSelector })),
            );
            assert.deepStrictEqual(violations, [], describeReported(violations));
        }
    });

    for (const [what, ingress] of [
        ["an ingress rule without from", [{}]],
        ["an ingress rule with ports but no from", [{ ports: [{ protocol: "TCP", port: 5432 }] }]],
        ["an ingress rule with an empty from", [{ from: [] }]],
    ] as const) {
        it(`reports a NetworkPolicy with ${what}: it admits every source`, async () => {
            const resources = withPolicySpec((spec) => ({ ...spec, ingress }));
            assertReported(
                await check("network-policy-selects-database-pods", resources),
                /^NetworkPolicy postgresql selects the pods of StatefulSet postgresql, but its spec\.ingress\[0\] has no "from": it admits every source/,
                statefulSetOf(resources).urn,
            );
        });
    }

    it("reports an open NetworkPolicy of the user's own next to the component's: policies add up", async () => {
        const open = outsideCluster(
            object(NETWORK_POLICY, "allow-all", {
                metadata: { name: "allow-all", namespace: "pg-ha-dev" },
                spec: { podSelector: {}, ingress: [{ from: [{ podSelector: {} }] }, {}] },
            }),
        );
        assertReported(
            await check("network-policy-selects-database-pods", [...stack, open]),
            /^NetworkPolicy allow-all selects the pods of StatefulSet postgresql, but its spec\.ingress\[1\] has no "from"/,
        );
    });

    it("accepts the user's own NetworkPolicy in place of the component's (networkPolicy.enabled: false)", async () => {
        const resources = await programResources({ ...stackConfig("dev"), "pg-ha:networkPolicy": { enabled: false } });
        const own = outsideCluster(
            object(NETWORK_POLICY, "own", {
                metadata: { name: "own", namespace: "pg-ha-dev" },
                spec: { podSelector: {}, ingress: [{ from: [{ podSelector: { matchLabels: { role: "app" } } }] }] },
            }),
        );
        const violations = await check("network-policy-selects-database-pods", [...resources, own]);
        assert.deepStrictEqual(violations, [], describeReported(violations));
    });
});
