import * as assert from "assert";

import { RETAINED_OBJECT_ANNOTATIONS } from "../components/naming";
import { resolveSettings } from "../components/settings";
import { clusterObjects } from "../components/specs/cluster";

const nfsSettings = resolveSettings({
    storage: { nfs: { server: "nfs.example.internal", paths: ["/exports/a", "/exports/b", "/exports/c"] } },
});

describe("objects a destroy keeps: the next up takes them over", () => {
    const objects = clusterObjects(nfsSettings, { superuser: "x".repeat(16), replication: "y".repeat(16) });

    it("force their server-side apply, so that a changed field is no conflict with the previous owner", () => {
        assert.deepStrictEqual(RETAINED_OBJECT_ANNOTATIONS, { "pulumi.com/patchForce": "true" });
        const retained = [objects.namespace, ...objects.persistentVolumes];
        assert.strictEqual(retained.length, 4);
        for (const object of retained) {
            const metadata = object?.metadata as { annotations?: Record<string, string> } | undefined;
            assert.deepStrictEqual(metadata?.annotations, RETAINED_OBJECT_ANNOTATIONS, JSON.stringify(object?.kind));
        }
    });

    it("leave the objects a destroy removes without force", () => {
        for (const object of [objects.secret, objects.configMap, objects.services.headless, objects.statefulSet]) {
            const annotations = (object.metadata as { annotations?: Record<string, string> }).annotations ?? {};
            assert.strictEqual(annotations["pulumi.com/patchForce"], undefined, JSON.stringify(object.kind));
        }
    });
});
