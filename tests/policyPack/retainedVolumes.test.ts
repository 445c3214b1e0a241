import * as assert from "assert";
import { PERSISTENT_VOLUME, assertReported, check, object } from "../support/policyFixtures";

describe("persistent-volumes-retain: every PersistentVolume has reclaim policy Retain", () => {
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
});
