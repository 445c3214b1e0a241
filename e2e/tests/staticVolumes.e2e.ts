import { strict as assert } from "assert";

import { clusterNames } from "../../components/naming";
import { useE2EStack } from "./support/useE2EStack";
import { stackSettings } from "./support/expectedObjects";
import { kubectl, kubectlJson, waitUntil } from "./support/kubectl";

interface ClaimList {
    items: { metadata: { name: string; uid: string }; spec: { volumeName?: string }; status: { phase?: string } }[];
}

interface Volume {
    spec: { nfs?: { server: string; path: string }; claimRef?: { namespace: string; name: string; uid?: string } };
    status: { phase?: string };
}

/**
 * The `dev` stack's statically provisioned NFS volumes on a real API server and controller-manager. This
 * kernel has no NFS client, so its pods cannot start: what is checked is the binding, which Kubernetes does
 * before any mount. All pods are created at once (Parallel), so that every claim exists.
 */
describe("the dev stack on a real cluster: static NFS volumes bind to their intended claims", function () {
    const suite = useE2EStack("dev", { podManagementPolicy: "Parallel" });

    /** Runs `up` until every claim is bound, checks each binding, and interrupts it: the pods never start here. */
    async function upUntilBound(): Promise<void> {
        const settings = stackSettings(suite.e2e.config);
        const names = clusterNames(settings);
        const nfs = settings.storage.nfs;
        assert.ok(nfs, "the dev stack uses static NFS volumes");
        const abort = new AbortController();
        const deploying = suite.e2e.stack.up({ color: "never", signal: abort.signal }).catch((error: unknown) => error);
        try {
            const claims = await waitUntil("every claim Bound", 180_000, async () => {
                const list = await kubectlJson<ClaimList>(["get", "persistentvolumeclaims", "-n", suite.e2e.namespace]);
                const bound = list.items.filter((claim) => claim.status.phase === "Bound");
                return bound.length === settings.replicas ? bound : undefined;
            });
            for (let ordinal = 0; ordinal < settings.replicas; ordinal++) {
                const claim = claims.find((item) => item.metadata.name === names.claim(ordinal));
                assert.ok(claim, `claim ${names.claim(ordinal)}`);
                assert.equal(claim.spec.volumeName, names.persistentVolume(ordinal));
                const volume = await kubectlJson<Volume>(["get", "persistentvolume", names.persistentVolume(ordinal)]);
                assert.equal(volume.status.phase, "Bound");
                assert.deepEqual(volume.spec.nfs, { server: nfs.server, path: nfs.paths[ordinal] });
                const claimRef = volume.spec.claimRef;
                assert.deepEqual(claimRef && [claimRef.namespace, claimRef.name, claimRef.uid], [
                    suite.e2e.namespace,
                    names.claim(ordinal),
                    claim.metadata.uid,
                ]);
            }
        } finally {
            abort.abort();
            await deploying;
        }
    }

    it("binds the claim of each pod to the PersistentVolume of its ordinal, by name and NFS path", async function () {
        await upUntilBound();
    });

    it("keeps the PersistentVolumes on destroy (the data outlives the stack)", async function () {
        await suite.e2e.stack.destroy({ color: "never" });
        const settings = stackSettings(suite.e2e.config);
        for (let ordinal = 0; ordinal < settings.replicas; ordinal++) {
            const name = clusterNames(settings).persistentVolume(ordinal);
            const volume = await kubectl(["get", "persistentvolume", name, "-o", "name"]);
            assert.equal(volume.stdout.trim(), `persistentvolume/${name}`);
        }
        const workload = await kubectl(["get", "statefulsets", "-n", suite.e2e.namespace, "-o", "name"]);
        assert.equal(workload.stdout.trim(), "");
    });

    it("binds the kept volumes to the new claims after destroy and a deleted namespace, instead of waiting on them", async function () {
        await kubectl(["delete", "namespace", suite.e2e.namespace, "--wait=true"]);
        const settings = stackSettings(suite.e2e.config);
        await waitUntil("every kept volume Released", 60_000, async () => {
            const phases = await Promise.all(
                Array.from({ length: settings.replicas }, async (_, ordinal) => {
                    const name = clusterNames(settings).persistentVolume(ordinal);
                    return (await kubectlJson<Volume>(["get", "persistentvolume", name])).status.phase;
                }),
            );
            return phases.every((phase) => phase === "Released") ? true : undefined;
        });
        await upUntilBound();
    });
});
