import * as assert from "assert";

import { resolveSettings } from "../components/settings";
import { clusterObjects } from "../components/specs/cluster";
import { CONFIG_MAP_DIGEST_LENGTH } from "../components/specs/configuration";

const passwords = { superuser: "s".repeat(16), replication: "r".repeat(16) };
const objectsFor = (settings: Record<string, unknown>) =>
    clusterObjects(resolveSettings({ storage: { className: "standard" }, ...settings }), passwords);

function mountedConfigMap(objects: ReturnType<typeof objectsFor>): string | undefined {
    const volumes = objects.statefulSet.spec.template.spec.volumes as { name: string; configMap?: { name: string } }[];
    return volumes.find((volume) => volume.name === "config")?.configMap?.name;
}

describe("the pods' ConfigMap: one immutable object per version of the configuration", () => {
    it("is named after a digest of its data, and immutable", () => {
        const { configMap } = objectsFor({});
        assert.match(
            configMap.metadata.name,
            new RegExp(`^postgresql-bootstrap-[0-9a-f]{${CONFIG_MAP_DIGEST_LENGTH}}$`),
        );
        assert.strictEqual(configMap.immutable, true);
    });

    it("keeps its name while the configuration stays the same", () => {
        assert.strictEqual(objectsFor({ replicas: 3 }).configMap.metadata.name, objectsFor({}).configMap.metadata.name);
    });

    it("gets a new name when a setting in it changes, so the old one stays for the pods that mount it", () => {
        const before = objectsFor({}).configMap.metadata.name;
        const after = objectsFor({ postgresqlParameters: { work_mem: "8MB" } }).configMap.metadata.name;
        assert.notStrictEqual(after, before);
    });

    it("is the one the StatefulSet's pods mount", () => {
        for (const settings of [{}, { postgresqlParameters: { work_mem: "8MB" } }]) {
            const objects = objectsFor(settings);
            assert.strictEqual(mountedConfigMap(objects), objects.configMap.metadata.name);
        }
    });
});
