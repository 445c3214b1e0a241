import * as assert from "assert";
import { inCluster } from "../../policy/kubernetesObjects";
import { policies } from "../../policy/policies";
import {
    CONFIG_MAP,
    PERSISTENT_VOLUME,
    STATEFUL_SET,
    container,
    object,
    outsideCluster,
    template,
    workload,
} from "../support/policyFixtures";
import { CheckedResource, describeReported, packViolations } from "../support/policyHarness";
import { runStack, stackNames } from "../support/stacks";

describe("every rule checks the objects of a PostgresCluster only, not the rest of the user's stack", () => {
    /**
     * A StatefulSet that breaks every rule it can: three pods without NetworkPolicy or budget, on `latest`, as
     * root, with a literal password; next to it, a PersistentVolume that does not retain and a ConfigMap with
     * a password.
     */
    function breakingEveryRule(): CheckedResource[] {
        const redis = container({
            name: "redis",
            image: "redis:latest",
            env: [{ name: "REDIS_PASSWORD", value: "hunter2hunter2" }],
            securityContext: { runAsUser: 0, runAsNonRoot: false },
        });
        const pods = template([redis]);
        pods.metadata = { labels: { app: "redis" } };
        const statefulSet = workload(STATEFUL_SET, pods);
        (statefulSet.props.spec as { selector: unknown }).selector = { matchLabels: { app: "redis" } };
        return [
            statefulSet,
            object(PERSISTENT_VOLUME, "redis-data", { spec: { persistentVolumeReclaimPolicy: "Delete" } }),
            object(CONFIG_MAP, "redis", { data: { "redis.conf": "requirepass x\nmasterauth_password = hunter2\n" } }),
        ];
    }

    it("reports nothing of an unrelated StatefulSet (not a child of the component) that breaks every rule", async () => {
        const violations = await packViolations(breakingEveryRule().map(outsideCluster));
        assert.deepStrictEqual(violations, [], describeReported(violations));
    });

    it("reports the same objects, as children of the component, under every rule", async () => {
        const violations = await packViolations(breakingEveryRule());
        const reported = new Set(violations.map((violation) => violation.policy));
        assert.deepStrictEqual(
            [...reported].sort(),
            policies.map((policy) => policy.name).sort(),
            describeReported(violations),
        );
    });

    it("reads the component in the parent types of a URN, nested in the user's own components too", () => {
        const urn = (types: string) => `urn:pulumi:dev::app::${types}::postgresql`;
        assert.ok(inCluster(urn("pg-ha:index:PostgresCluster$kubernetes:apps/v1:StatefulSet")));
        assert.ok(inCluster(urn("my:index:App$pg-ha:index:PostgresCluster$kubernetes:core/v1:Secret")));
        assert.ok(!inCluster(urn("kubernetes:apps/v1:StatefulSet")));
        assert.ok(!inCluster(urn("pg-ha:index:PostgresCluster")), "the component itself is no object of it");
        assert.ok(!inCluster(urn("my:index:PostgresClusterish$kubernetes:apps/v1:StatefulSet")));
    });

    for (const stack of stackNames()) {
        it(`stack ${stack}: every Kubernetes object the program registers is the cluster's, so every rule checks it`, async () => {
            const objects = (await runStack(stack)).resources.filter((resource) =>
                resource.type.startsWith("kubernetes:"),
            );
            assert.ok(objects.length > 0);
            assert.deepStrictEqual(
                objects.filter((resource) => !inCluster(resource.urn)).map((resource) => resource.urn),
                [],
            );
        });
    }
});
