import { strict as assert } from "assert";

import { clusterNames, labelSelectorText } from "../../components/naming";
import { CLIENT_LABELS, deleteClientPod, psqlFromClient, startClientPod } from "./support/clientPod";
import {
    dataDirectoryMark,
    markDataDirectory,
    podIdentities,
    podNames,
    replicationSlots,
    rowsOnEveryPod,
    statefulSetStatus,
    streamingStandbys,
    waitForCluster,
    waitForPodReady,
} from "./support/clusterState";
import { useE2EStack } from "./support/useE2EStack";
import { stackSettings } from "./support/expectedObjects";
import { kubectl, kubectlJson, psqlInPod, readyPods, waitUntil } from "./support/kubectl";
import { binaryDirs } from "../build/buildAll";
import { restartNode } from "../cluster/lifecycle";
import { e2ePaths } from "../support/paths";

interface PodRestarts {
    status: { containerStatuses: { restartCount: number }[] };
}

/**
 * Day-two operations of the README's operations guide on the real cluster, one stack through all of them in
 * order, as an operator would run them. Each test states one operation and checks the data after it: the
 * rows written before (and during) it are on every pod, and every standby streams.
 */
describe("day-two operations on a real cluster", function () {
    const suite = useE2EStack("local", {
        networkPolicy: { enabled: true, allowedClients: [{ podSelector: { matchLabels: CLIENT_LABELS } }] },
    });
    let client: string;
    let secretName: string;
    const settings = (): ReturnType<typeof stackSettings> => stackSettings(suite.e2e.config);
    const rw = (): string => clusterNames(settings()).serviceHost(clusterNames(settings()).rwService);

    async function up(): Promise<void> {
        const result = await suite.e2e.stack.up({ color: "never" });
        assert.equal(result.summary.result, "succeeded");
        await waitForCluster(suite.e2e.namespace, settings());
    }

    before(async function () {
        await up();
        secretName = clusterNames(settings()).secret;
        client = await startClientPod(suite.e2e.namespace, suite.environment.image, secretName);
        await psqlFromClient(
            suite.e2e.namespace,
            client,
            rw(),
            "CREATE TABLE e2e_rows (id serial PRIMARY KEY, note text)",
        );
        await psqlFromClient(
            suite.e2e.namespace,
            client,
            rw(),
            "INSERT INTO e2e_rows (note) SELECT 'before' FROM generate_series(1, 100)",
        );
    });

    it("rolls a settings change from the highest ordinal down, the primary last, keeping every standby's data directory and the rows written during the roll", async function () {
        const pods = podNames(settings());
        for (const pod of pods) await markDataDirectory(suite.e2e.namespace, pod, `kept-${pod}`);
        const before = await podIdentities(suite.e2e.namespace, settings());

        suite.e2e.changeSettings({ postgresqlParameters: { work_mem: "8MB" } });
        let rolling = true;
        let written = 0;
        const writer = (async () => {
            while (rolling) {
                // Writes fail while pod 0 restarts: only the ones that succeed must be on every pod.
                const ok = await psqlFromClient(
                    suite.e2e.namespace,
                    client,
                    rw(),
                    "INSERT INTO e2e_rows (note) VALUES ('during')",
                )
                    .then(() => true)
                    .catch(() => false);
                if (ok) written += 1;
            }
        })();
        try {
            await up();
        } finally {
            rolling = false;
            await writer;
        }

        const after = await podIdentities(suite.e2e.namespace, settings());
        for (const pod of pods) {
            assert.notEqual(after[pod].uid, before[pod].uid, `${pod} was replaced`);
            assert.equal(
                await dataDirectoryMark(suite.e2e.namespace, pod),
                `kept-${pod}`,
                `${pod} kept its data directory`,
            );
        }
        const replacedInOrder = [...pods].sort((a, b) => after[a].created - after[b].created);
        assert.deepEqual(replacedInOrder, [...pods].reverse());
        const { status } = await statefulSetStatus(suite.e2e.namespace, settings());
        for (const pod of pods) assert.equal(after[pod].revision, status.updateRevision, `${pod} on the new revision`);
        assert.notEqual(status.updateRevision, before[pods[0]].revision);
        assert.equal(await psqlInPod(suite.e2e.namespace, pods[0], "SHOW work_mem"), "8MB");

        assert.ok(written > 0, "rows were written during the roll");
        const counts = await rowsOnEveryPod(suite.e2e.namespace, settings(), "e2e_rows");
        const during = Number(
            await psqlInPod(suite.e2e.namespace, pods[0], "SELECT count(*) FROM e2e_rows WHERE note = 'during'"),
        );
        // A write can commit and still fail on the client side when pod 0 stops right after: at least these.
        assert.ok(during >= written, `every write that succeeded is kept (${during} of ${written})`);
        for (const pod of pods) assert.equal(counts[pod], 100 + during, pod);
    });

    it("scales 3 → 5: the new standbys clone pod 0 and stream", async function () {
        suite.e2e.changeSettings({ replicas: 5 });
        await up();
        assert.deepEqual(await streamingStandbys(suite.e2e.namespace, settings()), podNames(settings()).slice(1));
        const counts = await rowsOnEveryPod(suite.e2e.namespace, settings(), "e2e_rows");
        assert.equal(Object.keys(counts).length, 5);
    });

    it("scales 5 → 3: pods 3 and 4 go, their claims stay, the Job drops their slots on pod 0", async function () {
        for (const pod of podNames(settings()).slice(3))
            await markDataDirectory(suite.e2e.namespace, pod, `kept-${pod}`);
        suite.e2e.changeSettings({ replicas: 3 });
        await up();
        const left = await kubectl(["get", "pods", "-n", suite.e2e.namespace, "-o", "name"]);
        const names = clusterNames(settings());
        assert.ok(!left.stdout.includes(`pod/${names.pod(3)}`) && !left.stdout.includes(`pod/${names.pod(4)}`));
        const claims = await kubectlJson<{ items: { metadata: { name: string } }[] }>([
            "get",
            "pvc",
            "-n",
            suite.e2e.namespace,
        ]);
        assert.deepEqual(
            claims.items.map((claim) => claim.metadata.name).sort(),
            [0, 1, 2, 3, 4].map((ordinal) => names.claim(ordinal)),
        );
        const slots = await replicationSlots(suite.e2e.namespace, settings());
        assert.deepEqual(
            slots,
            [1, 2].map((ordinal) => names.pod(ordinal).replace(/-/g, "_")),
        );
    });

    it("scales 3 → 5 again: the kept claims are reused without a clone, make their slots anew, and stream", async function () {
        suite.e2e.changeSettings({ replicas: 5 });
        await up();
        for (const pod of podNames(settings()).slice(3)) {
            assert.equal(
                await dataDirectoryMark(suite.e2e.namespace, pod),
                `kept-${pod}`,
                `${pod} reused its data directory`,
            );
        }
        await rowsOnEveryPod(suite.e2e.namespace, settings(), "e2e_rows");
        assert.deepEqual(await streamingStandbys(suite.e2e.namespace, settings()), podNames(settings()).slice(1));
        suite.e2e.changeSettings({ replicas: 3 });
        await up();
    });

    it("stops pod 0 fast and clean with a client session open, though the image's stop signal is SIGTERM, and brings it back on its volume: the standbys stream again and -rw reaches it", async function () {
        const names = clusterNames(settings());
        const ns = suite.e2e.namespace;
        const before = await podIdentities(ns, settings());
        // A session PostgreSQL's smart shutdown (SIGTERM) would wait for until the kubelet's SIGKILL.
        const session = psqlFromClient(ns, client, rw(), "SELECT pg_sleep(600)").then(
            () => "ended",
            () => "cut off",
        );
        await waitUntil("the client's session to be open on pod 0", 30_000, async () =>
            (await psqlInPod(
                ns,
                names.pod(0),
                "SELECT count(*) FROM pg_stat_activity WHERE query = 'SELECT pg_sleep(600)' AND pid <> pg_backend_pid()",
            )) === "1"
                ? true
                : undefined,
        );
        const deleting = Date.now();
        await kubectl(["delete", "pod", "-n", ns, names.pod(0), "--wait=true"]);
        const deleted = Date.now() - deleting;
        assert.equal(await session, "cut off");
        // A smart shutdown waits for the session until the kubelet's SIGKILL, at the end of the grace period.
        const grace = settings().terminationGracePeriodSeconds;
        assert.ok(deleted < (grace / 2) * 1000, `the delete took ${deleted} ms of a grace period of ${grace} s`);
        const started = Date.now();
        await waitForPodReady(suite.e2e.namespace, settings(), names.pod(0));
        const ready = Date.now();
        await waitForCluster(suite.e2e.namespace, settings());
        const after = await podIdentities(ns, settings());
        assert.notEqual(after[names.pod(0)].uid, before[names.pod(0)].uid);
        process.stdout.write(
            `      (pod 0 deleted in ${deleted} ms; every standby streaming again ${Date.now() - started} ms later, ` +
                `${Date.now() - ready} ms after pod 0 was Ready)\n`,
        );
        // The shutdown was clean: the new pod 0 starts without crash recovery.
        const log = (await kubectl(["logs", "-n", ns, names.pod(0)])).stdout;
        assert.match(log, /database system was shut down at/);
        assert.doesNotMatch(log, /not properly shut down|database system was interrupted/);
        await psqlFromClient(
            suite.e2e.namespace,
            client,
            rw(),
            "INSERT INTO e2e_rows (note) VALUES ('after pod 0 came back')",
        );
        const counts = await rowsOnEveryPod(suite.e2e.namespace, settings(), "e2e_rows");
        assert.equal(new Set(Object.values(counts)).size, 1);
        assert.equal(await psqlFromClient(suite.e2e.namespace, client, rw(), "SELECT pg_is_in_recovery()"), "f");
    });

    it("a second instance of pod 0 on its volume (a force-deleted pod back on another node) refuses to start", async function () {
        const names = clusterNames(settings());
        const ns = suite.e2e.namespace;
        // Pod 0's own spec under another name, with pod 0's hostname and claim: what the StatefulSet would start
        // elsewhere after a force delete, while the first still runs.
        const pod0 = await kubectlJson<{ spec: Record<string, unknown> }>(["get", "pod", "-n", ns, names.pod(0)]);
        const { nodeName: _node, ...spec } = pod0.spec;
        const second = {
            apiVersion: "v1",
            kind: "Pod",
            metadata: { name: "pg-ha-e2e-second-instance", namespace: ns },
            spec: { ...spec, hostname: names.pod(0), subdomain: undefined, restartPolicy: "Never" },
        };
        await kubectl(["apply", "-f", "-"], JSON.stringify(second));
        try {
            await kubectl([
                "wait",
                "-n",
                ns,
                "pod/pg-ha-e2e-second-instance",
                "--for=jsonpath={.status.phase}=Failed",
                "--timeout=120s",
            ]);
            const log = await kubectl(["logs", "-n", ns, "pg-ha-e2e-second-instance"]);
            assert.match(log.stdout, /another instance of postgresql-0 holds the lock on this data volume/);
            assert.doesNotMatch(log.stdout, /starting PostgreSQL/);
        } finally {
            await kubectl(["delete", "pod", "-n", ns, "pg-ha-e2e-second-instance", "--wait=true"]);
        }
        assert.deepEqual(await readyPods(ns, `statefulset.kubernetes.io/pod-name=${names.pod(0)}`), [names.pod(0)]);
        await rowsOnEveryPod(ns, settings(), "e2e_rows");
    });

    it("pod 0 on an empty volume of a recorded cluster refuses to initialise, and starts on its data once it is back", async function () {
        const names = clusterNames(settings());
        const ns = suite.e2e.namespace;
        const marker = await kubectl(["exec", "-n", ns, names.pod(0), "--", "printenv", "PG_HA_CLUSTER_INITIALISED"]);
        assert.equal(marker.stdout.trim(), `ConfigMap ${ns}/${names.initialisedMarker}`, "pod 0 reads the record");
        // A volume that looks empty to pod 0, as an unmounted NFS export or a wrong path would.
        await kubectl(["exec", "-n", ns, names.pod(0), "--", "sh", "-c", 'mv "$PGDATA" "$PGDATA.aside"']);
        await kubectl(["delete", "pod", "-n", ns, names.pod(0), "--wait=true"]);
        const refusal = await waitUntil("pod 0's refusal in its log", 120_000, async () => {
            const log = await kubectl(["logs", "-n", ns, names.pod(0)]).catch(() => undefined);
            return log?.stdout.includes("refusing to initialise a new, empty primary") ? log.stdout : undefined;
        });
        assert.match(refusal, /the data volume is empty, but this cluster was initialised before/);
        assert.deepEqual(await readyPods(ns, `statefulset.kubernetes.io/pod-name=${names.pod(0)}`), []);

        // Giving the volume back: a pod that mounts pod 0's claim (one node: ReadWriteOnce allows it).
        const fixer = {
            apiVersion: "v1",
            kind: "Pod",
            metadata: { name: "pg-ha-e2e-volume-fixer", namespace: ns },
            spec: {
                restartPolicy: "Never",
                securityContext: {
                    runAsNonRoot: true,
                    runAsUser: 999,
                    runAsGroup: 999,
                    seccompProfile: { type: "RuntimeDefault" },
                },
                containers: [
                    {
                        name: "fix",
                        image: suite.environment.image,
                        imagePullPolicy: "IfNotPresent",
                        command: ["sh", "-c", "mv /data/pgdata.aside /data/pgdata"],
                        securityContext: { allowPrivilegeEscalation: false, capabilities: { drop: ["ALL"] } },
                        volumeMounts: [{ name: "data", mountPath: "/data" }],
                    },
                ],
                volumes: [{ name: "data", persistentVolumeClaim: { claimName: names.claim(0) } }],
            },
        };
        await kubectl(["apply", "-f", "-"], JSON.stringify(fixer));
        await kubectl([
            "wait",
            "-n",
            ns,
            "pod/pg-ha-e2e-volume-fixer",
            "--for=jsonpath={.status.phase}=Succeeded",
            "--timeout=120s",
        ]);
        await kubectl(["delete", "pod", "-n", ns, "pg-ha-e2e-volume-fixer", "--wait=true"]);
        await kubectl(["delete", "pod", "-n", ns, names.pod(0), "--wait=true"]);
        await waitForCluster(ns, settings());
        const counts = await rowsOnEveryPod(ns, settings(), "e2e_rows");
        assert.equal(new Set(Object.values(counts)).size, 1, "pod 0 is back on its data, the standbys follow it");
    });

    it("Recovering pod 0 whose claim was deleted: the README's steps bind its retained volume to pod 0's new claim, and pod 0 starts on its data", async function () {
        const names = clusterNames(settings());
        const ns = suite.e2e.namespace;
        const claim = names.claim(0);
        const volumeOf = async (): Promise<string> =>
            (await kubectl(["get", "pvc", "-n", ns, claim, "-o", "jsonpath={.spec.volumeName}"])).stdout.trim();
        const phaseOf = async (pv: string): Promise<string> =>
            (await kubectl(["get", "pv", pv, "-o", "jsonpath={.status.phase}"])).stdout.trim();
        const volume = await volumeOf();
        // The e2e class deletes what its claims release; a volume that holds data is retained (README).
        await kubectl(["patch", "pv", volume, "-p", '{"spec":{"persistentVolumeReclaimPolicy":"Retain"}}']);
        // The loss: pod 0's claim deleted. It goes with pod 0, and the StatefulSet gives the new pod 0 a new,
        // empty volume, which it refuses.
        await kubectl(["delete", "pvc", "-n", ns, claim, "--wait=false"]);
        await kubectl(["delete", "pod", "-n", ns, names.pod(0), "--wait=true"]);
        await waitUntil(`${volume} Released`, 60_000, async () =>
            (await phaseOf(volume)) === "Released" ? true : undefined,
        );
        await waitUntil("pod 0's refusal of its new, empty volume", 120_000, async () => {
            const log = await kubectl(["logs", "-n", ns, names.pod(0)]).catch(() => undefined);
            return log?.stdout.includes("refusing to initialise a new, empty primary") ? true : undefined;
        });

        // The README's steps: name pod 0's claim in the retained volume's claimRef (no uid: any new claim of
        // that name), then delete the claim pod 0 has now and pod 0 itself, which the StatefulSet makes again.
        const claimRef = { spec: { claimRef: { namespace: ns, name: claim, uid: null, resourceVersion: null } } };
        await kubectl(["patch", "pv", volume, "--type", "merge", "-p", JSON.stringify(claimRef)]);
        await kubectl(["delete", "pvc", "-n", ns, claim, "--wait=false"]);
        await kubectl(["delete", "pod", "-n", ns, names.pod(0), "--wait=true"]);
        const bound = Date.now();
        await waitUntil(`pod 0's new claim bound to ${volume}`, 120_000, async () =>
            (await volumeOf().catch(() => "")) === volume && (await phaseOf(volume)) === "Bound" ? true : undefined,
        );
        process.stdout.write(`      (pod 0's new claim bound to its old volume ${Date.now() - bound} ms later)\n`);
        await waitForCluster(ns, settings());
        const counts = await rowsOnEveryPod(ns, settings(), "e2e_rows");
        assert.equal(new Set(Object.values(counts)).size, 1, "pod 0 is back on its data, the standbys follow it");
    });

    it("restarts a standby whose PostgreSQL was killed in place: same pod, same data, streaming again", async function () {
        const names = clusterNames(settings());
        const standby = names.pod(1);
        const restarts = async (): Promise<number> => {
            const pod = await kubectlJson<PodRestarts>(["get", "pod", "-n", suite.e2e.namespace, standby]);
            return pod.status.containerStatuses.reduce((sum, container) => sum + container.restartCount, 0);
        };
        const before = await podIdentities(suite.e2e.namespace, settings());
        const restartsBefore = await restarts();
        await markDataDirectory(suite.e2e.namespace, standby, `kept-${standby}`);
        // SIGQUIT: PostgreSQL's immediate shutdown, the nearest a process in the pod can get to a crash of its
        // PID 1 (which ignores SIGKILL sent from inside its own namespace).
        await kubectl(["exec", "-n", suite.e2e.namespace, standby, "--", "/bin/sh", "-c", "kill -QUIT 1"]);
        await waitUntil(`${standby} restarted by the kubelet`, 120_000, async () =>
            (await restarts()) > restartsBefore ? true : undefined,
        );
        await waitForCluster(suite.e2e.namespace, settings());
        const after = await podIdentities(suite.e2e.namespace, settings());
        assert.equal(after[standby].uid, before[standby].uid, "the same pod");
        assert.equal(await dataDirectoryMark(suite.e2e.namespace, standby), `kept-${standby}`);
        await psqlFromClient(suite.e2e.namespace, client, rw(), "INSERT INTO e2e_rows (note) VALUES ('after a kill')");
        const counts = await rowsOnEveryPod(suite.e2e.namespace, settings(), "e2e_rows");
        assert.equal(new Set(Object.values(counts)).size, 1);
    });

    it("brings every pod back with its data after a node restart (kubelet and containerd, every container gone)", async function () {
        const before = await podIdentities(suite.e2e.namespace, settings());
        const clientSelector = labelSelectorText(CLIENT_LABELS);
        const started = Date.now();
        const paths = e2ePaths();
        await restartNode(paths, binaryDirs(paths));
        await waitForCluster(suite.e2e.namespace, settings());
        process.stdout.write(
            `      (node restarted: every pod Ready and streaming ${Date.now() - started} ms later)\n`,
        );
        const after = await podIdentities(suite.e2e.namespace, settings());
        for (const pod of podNames(settings())) assert.equal(after[pod].uid, before[pod].uid, `${pod}: the same pod`);
        await waitUntil("the client pod back", 120_000, async () =>
            (await readyPods(suite.e2e.namespace, clientSelector)).includes(client) ? true : undefined,
        );
        // Every pod has a new address now; the NetworkPolicy engine admits the client's once it has seen it.
        await waitUntil("the client's write through -rw", 60_000, () =>
            psqlFromClient(suite.e2e.namespace, client, rw(), "INSERT INTO e2e_rows (note) VALUES ('after a restart')"),
        );
        const counts = await rowsOnEveryPod(suite.e2e.namespace, settings(), "e2e_rows");
        assert.equal(new Set(Object.values(counts)).size, 1);
        assert.equal(await psqlFromClient(suite.e2e.namespace, client, rw(), "SELECT pg_is_in_recovery()"), "f");
    });

    it("keeps the data across destroy and up with a changed setting in between", async function () {
        const names = clusterNames(settings());
        const total = Number(await psqlInPod(suite.e2e.namespace, names.pod(0), "SELECT count(*) FROM e2e_rows"));
        await deleteClientPod(suite.e2e.namespace, client);
        await suite.e2e.stack.destroy({ color: "never" });
        // The namespace's pod-security labels change with this setting: the retained namespace is taken over.
        suite.e2e.changeSettings({ volumePermissions: { enabled: true } });
        // A plain `up`: the kept objects are adopted through the component's upsert provider.
        await up();
        const namespace = await kubectlJson<{ metadata: { labels: Record<string, string> } }>([
            "get",
            "namespace",
            suite.e2e.namespace,
        ]);
        assert.equal(namespace.metadata.labels["pod-security.kubernetes.io/enforce"], "baseline");
        const counts = await rowsOnEveryPod(suite.e2e.namespace, settings(), "e2e_rows");
        for (const pod of podNames(settings())) assert.equal(counts[pod], total, pod);
        client = await waitUntil("the client pod", 120_000, () =>
            startClientPod(suite.e2e.namespace, suite.environment.image, secretName),
        );
        assert.equal(
            await psqlFromClient(suite.e2e.namespace, client, rw(), "SELECT count(*) FROM e2e_rows"),
            String(total),
        );
    });
});
