import * as assert from "assert";
import {
    PERSISTENT_VOLUME,
    STATEFUL_SET,
    assertReported,
    changed,
    check,
    object,
    programResources,
    template,
    workload,
} from "../support/policyFixtures";
import { describeReported } from "../support/policyHarness";

describe("persistent-volumes-retain: every PersistentVolume has reclaim policy Retain, every StatefulSet keeps its claims", () => {
    const volume = (policy?: string) =>
        object(PERSISTENT_VOLUME, "data-0", {
            metadata: { name: "data-0" },
            spec: { capacity: { storage: "10Gi" }, ...(policy ? { persistentVolumeReclaimPolicy: policy } : {}) },
        });

    it("accepts Retain", async () => {
        assert.deepStrictEqual(await check("persistent-volumes-retain", [volume("Retain")]), []);
    });

    for (const policy of ["Delete", "Recycle", undefined]) {
        it(`reports ${policy ?? "no reclaim policy (the API's default is not relied on)"}`, async () => {
            const violations = await check("persistent-volumes-retain", [volume(policy)]);
            assertReported(violations, new RegExp(`persistentVolumeReclaimPolicy is ${policy ?? "unset"}, not Retain`));
        });
    }

    const statefulSet = (retention?: Record<string, string>) => {
        const resource = workload(STATEFUL_SET, template());
        if (retention !== undefined) {
            (resource.props.spec as Record<string, unknown>).persistentVolumeClaimRetentionPolicy = retention;
        }
        return resource;
    };

    for (const field of ["whenDeleted", "whenScaled"]) {
        it(`reports a StatefulSet whose claim retention policy ${field} is Delete`, async () => {
            const violations = await check("persistent-volumes-retain", [statefulSet({ [field]: "Delete" })]);
            assertReported(
                violations,
                new RegExp(`^spec\\.persistentVolumeClaimRetentionPolicy\\.${field} is Delete, not Retain: `),
            );
            assert.strictEqual(violations.length, 1, describeReported(violations));
        });
    }

    it("accepts a StatefulSet that retains its claims, or leaves the policy (or a field of it) to the API's Retain", async () => {
        for (const retention of [
            { whenDeleted: "Retain", whenScaled: "Retain" },
            { whenDeleted: "Retain" },
            {},
            undefined,
        ] as (Record<string, string> | undefined)[]) {
            const violations = await check("persistent-volumes-retain", [statefulSet(retention)]);
            assert.deepStrictEqual(violations, [], describeReported(violations));
        }
    });

    it("with dynamic provisioning (storage.className, no PersistentVolume), checks the program's StatefulSet", async () => {
        const resources = await programResources({ "pg-ha:storage": { className: "standard" } });
        assert.ok(!resources.some((resource) => resource.type === PERSISTENT_VOLUME));
        assert.deepStrictEqual(await check("persistent-volumes-retain", resources), []);
        const deleting = changed(resources, (resource) => {
            if (resource.type !== STATEFUL_SET) {
                return undefined;
            }
            const spec = resource.props.spec as { persistentVolumeClaimRetentionPolicy: Record<string, string> };
            spec.persistentVolumeClaimRetentionPolicy.whenDeleted = "Delete";
            return resource;
        });
        assertReported(
            await check("persistent-volumes-retain", deleting),
            /^spec\.persistentVolumeClaimRetentionPolicy\.whenDeleted is Delete, not Retain: deleting the StatefulSet would delete its claims/,
        );
    });
});
