import { strict as assert } from "assert";

import { randomBytes } from "crypto";
import * as path from "path";

import { SECRET_KEYS, clusterNames } from "../../components/naming";
import { POD_PATHS } from "../../components/specs/podPaths";
import { CONFIG_NAMESPACE } from "../../components/stackConfig";
import {
    podIdentities,
    podNames,
    podSelector,
    rowsOnEveryPod,
    statefulSetStatus,
    waitForCluster,
    waitForPodReady,
} from "./support/clusterState";
import { useE2EStack } from "./support/useE2EStack";
import { stackSettings } from "./support/expectedObjects";
import { kubectl, kubectlJson, psqlInPod, readyPods, waitUntil } from "./support/kubectl";
import { run } from "../support/run";
import { PROJECT_ROOT } from "../../components/stackFiles";

interface PodVolumes {
    items: { metadata: { name: string }; spec: { volumes: { name: string; configMap?: { name: string } }[] } }[];
}

/**
 * The README's staged updates: a partition, and OnDelete. Each test checks, right when `up` returns, which pods
 * run which revision and with which configuration, and that every pod holds the rows.
 */
describe("staged updates on a real cluster: a partition, then OnDelete", function () {
    const suite = useE2EStack("local");
    const settings = (): ReturnType<typeof stackSettings> => stackSettings(suite.e2e.config);
    const pod = (ordinal: number): string => clusterNames(settings()).pod(ordinal);

    async function up(): Promise<void> {
        const result = await suite.e2e.stack.up({ color: "never" });
        assert.equal(result.summary.result, "succeeded");
    }

    /** The ConfigMap each pod mounts: the version of the configuration it started with. */
    async function mountedConfig(): Promise<Record<string, string>> {
        const pods = await kubectlJson<PodVolumes>([
            "get",
            "pods",
            "-n",
            suite.e2e.namespace,
            "-l",
            podSelector(settings()),
        ]);
        return Object.fromEntries(
            pods.items.map((item) => [
                item.metadata.name,
                item.spec.volumes.find((volume) => volume.configMap)?.configMap?.name ?? "",
            ]),
        );
    }

    async function writeAndCheckRows(note: string): Promise<void> {
        await psqlInPod(
            suite.e2e.namespace,
            pod(0),
            `INSERT INTO e2e_rows (note) SELECT '${note}' FROM generate_series(1, 10)`,
        );
        const counts = await rowsOnEveryPod(suite.e2e.namespace, settings(), "e2e_rows");
        assert.equal(new Set(Object.values(counts)).size, 1, JSON.stringify(counts));
    }

    before(async function () {
        await up();
        await waitForCluster(suite.e2e.namespace, settings());
        await psqlInPod(suite.e2e.namespace, pod(0), "CREATE TABLE e2e_rows (id serial PRIMARY KEY, note text)");
        await writeAndCheckRows("before");
    });

    it("with partition 2 updates pod 2 alone, and up returns once it is ready on the new revision", async function () {
        const before = await podIdentities(suite.e2e.namespace, settings());
        const configBefore = await mountedConfig();
        suite.e2e.changeSettings({
            updateStrategy: { type: "RollingUpdate", partition: 2 },
            postgresqlParameters: { work_mem: "6MB" },
        });
        await up();

        // Checked as `up` returns, before any wait of the test's own.
        const { status } = await statefulSetStatus(suite.e2e.namespace, settings());
        const after = await podIdentities(suite.e2e.namespace, settings());
        assert.notEqual(status.updateRevision, status.currentRevision, "a staged update is pending");
        assert.notEqual(after[pod(2)].uid, before[pod(2)].uid, "pod 2 was replaced");
        assert.equal(after[pod(2)].revision, status.updateRevision, "pod 2 runs the new revision");
        assert.ok((await readyPods(suite.e2e.namespace, podSelector(settings()))).includes(pod(2)), "pod 2 is ready");
        for (const ordinal of [0, 1]) {
            assert.equal(after[pod(ordinal)].uid, before[pod(ordinal)].uid, `pod ${ordinal} was not restarted`);
            assert.equal(after[pod(ordinal)].revision, before[pod(ordinal)].revision);
        }
        assert.equal(await psqlInPod(suite.e2e.namespace, pod(2), "SHOW work_mem"), "6MB");
        assert.equal(await psqlInPod(suite.e2e.namespace, pod(0), "SHOW work_mem"), "4MB");

        // Pods 0 and 1 still mount the configuration they started with, and it still exists.
        const configAfter = await mountedConfig();
        assert.notEqual(configAfter[pod(2)], configBefore[pod(2)]);
        for (const ordinal of [0, 1]) {
            assert.equal(configAfter[pod(ordinal)], configBefore[pod(ordinal)]);
            await kubectl(["get", "configmap", "-n", suite.e2e.namespace, configAfter[pod(ordinal)]]);
        }
        await waitForCluster(suite.e2e.namespace, settings());
        await writeAndCheckRows("staged");
    });

    it("a pod held back by the partition and deleted comes back on its own revision and configuration", async function () {
        const before = await mountedConfig();
        const { status } = await statefulSetStatus(suite.e2e.namespace, settings());
        await kubectl(["delete", "pod", "-n", suite.e2e.namespace, pod(1), "--wait=true"]);
        await waitForPodReady(suite.e2e.namespace, settings(), pod(1));
        const after = await podIdentities(suite.e2e.namespace, settings());
        assert.equal(after[pod(1)].revision, status.currentRevision, "pod 1 is still on the old revision");
        assert.equal((await mountedConfig())[pod(1)], before[pod(1)], "with the configuration it had");
        assert.equal(await psqlInPod(suite.e2e.namespace, pod(1), "SHOW work_mem"), "4MB");
        await waitForCluster(suite.e2e.namespace, settings());
    });

    it("lowering the partition to 0 completes the roll: pods 1 and 0 follow, pod 2 is left alone", async function () {
        const before = await podIdentities(suite.e2e.namespace, settings());
        suite.e2e.changeSettings({ updateStrategy: { type: "RollingUpdate", partition: 0 } });
        await up();
        await waitForCluster(suite.e2e.namespace, settings());
        const after = await podIdentities(suite.e2e.namespace, settings());
        const { status } = await statefulSetStatus(suite.e2e.namespace, settings());
        assert.equal(status.currentRevision, status.updateRevision);
        assert.equal(after[pod(2)].uid, before[pod(2)].uid, "pod 2 already ran the new revision");
        for (const ordinal of [0, 1]) {
            assert.notEqual(after[pod(ordinal)].uid, before[pod(ordinal)].uid, `pod ${ordinal} was replaced`);
            assert.equal(after[pod(ordinal)].revision, status.updateRevision);
        }
        assert.ok(after[pod(0)].created > after[pod(1)].created, "the primary last");
        assert.equal(await psqlInPod(suite.e2e.namespace, pod(0), "SHOW work_mem"), "6MB");
        await writeAndCheckRows("completed");
    });

    it("with OnDelete, up restarts no pod; a deleted pod comes back on the new revision, the others stay", async function () {
        const before = await podIdentities(suite.e2e.namespace, settings());
        suite.e2e.changeSettings({ updateStrategy: { type: "OnDelete" }, postgresqlParameters: { work_mem: "7MB" } });
        await up();
        const untouched = await podIdentities(suite.e2e.namespace, settings());
        for (const name of podNames(settings())) assert.equal(untouched[name].uid, before[name].uid, `${name} kept`);

        await kubectl(["delete", "pod", "-n", suite.e2e.namespace, pod(1), "--wait=true"]);
        await waitForPodReady(suite.e2e.namespace, settings(), pod(1), 180_000);
        await waitForCluster(suite.e2e.namespace, settings());
        const after = await podIdentities(suite.e2e.namespace, settings());
        const { status } = await statefulSetStatus(suite.e2e.namespace, settings());
        assert.equal(after[pod(1)].revision, status.updateRevision, "the deleted pod came back on the new revision");
        for (const ordinal of [0, 2]) {
            assert.equal(after[pod(ordinal)].uid, before[pod(ordinal)].uid, `pod ${ordinal} kept`);
            assert.notEqual(after[pod(ordinal)].revision, status.updateRevision);
        }
        assert.equal(await psqlInPod(suite.e2e.namespace, pod(1), "SHOW work_mem"), "7MB");
        assert.equal(await psqlInPod(suite.e2e.namespace, pod(0), "SHOW work_mem"), "6MB");
        await writeAndCheckRows("on delete");
    });

    it("the README's prune deletes only the configuration versions that no pod and no kept revision uses", async function () {
        const names = clusterNames(settings());
        const stale = `${names.statefulSet}-bootstrap-000000000000`;
        const labels = Object.entries({
            "app.kubernetes.io/name": "postgresql",
            "app.kubernetes.io/instance": names.statefulSet,
        }).map(([key, value]) => `${key}=${value}`);
        await kubectl(["create", "configmap", "-n", suite.e2e.namespace, stale, "--from-literal=stale=yes"]);
        await kubectl(["label", "configmap", "-n", suite.e2e.namespace, stale, ...labels]);
        const inUse = new Set(Object.values(await mountedConfig()));

        const prune = await run(path.join(PROJECT_ROOT, "tools", "prune-config.sh"), [
            suite.e2e.namespace,
            names.statefulSet,
        ]);
        assert.match(prune.stdout, new RegExp(`configmap "${stale}" deleted`));
        const left = await kubectl(["get", "configmaps", "-n", suite.e2e.namespace, "-o", "name"]);
        assert.ok(!left.stdout.includes(stale), "the stale version is gone");
        for (const version of inUse) assert.ok(left.stdout.includes(`configmap/${version}`), `${version} kept`);
        await writeAndCheckRows("after the prune");
    });

    it("keeps the Secret's files in every running pod while a password change replaces the Secret", async function () {
        const file = `${POD_PATHS.secrets}/${SECRET_KEYS.superuserPassword}`;
        const newPassword = randomBytes(24).toString("base64url");
        await suite.e2e.stack.setConfig(`${CONFIG_NAMESPACE}:superuserPassword`, { value: newPassword, secret: true });
        const missing: string[] = [];
        let updating = true;
        const watcher = (async () => {
            while (updating) {
                for (const name of podNames(settings())) {
                    const found = await kubectl(["exec", "-n", suite.e2e.namespace, name, "--", "test", "-s", file])
                        .then(() => true)
                        .catch(() => false);
                    if (!found) missing.push(name);
                }
            }
        })();
        try {
            await up();
        } finally {
            updating = false;
            await watcher;
        }
        assert.deepEqual(missing, [], "a running pod lost its password file during the up");
        await waitUntil("the new password in every pod's file", 300_000, async () => {
            const contents = await Promise.all(
                podNames(settings()).map((name) =>
                    kubectl(["exec", "-n", suite.e2e.namespace, name, "--", "cat", file]).then(
                        (result) => result.stdout,
                    ),
                ),
            );
            return contents.every((content) => content === newPassword) ? true : undefined;
        });
        await writeAndCheckRows("after a password change");
    });
});
