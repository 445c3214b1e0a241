import { strict as assert } from "assert";
import { EngineEvent } from "@pulumi/pulumi/automation";

import { CLIENT_LABELS, deleteClientPod, psqlAsApplication, psqlFromClient, startClientPod } from "./support/clientPod";
import { useE2EStack } from "./support/useE2EStack";
import { expectedCreates, objectsOf, stackSettings } from "./support/expectedObjects";
import { kubectl, kubectlJson, waitUntil } from "./support/kubectl";
import { clusterNames } from "../../components/naming";
import { E2E_TLS_SECRET } from "./support/tlsSecret";
import { podNames, streamingStandbys, waitForCluster } from "./support/clusterState";

const APP_DATABASE = { name: "e2e_app", owner: "e2e_app_owner" };

/** Pulumi types of the resources an operation plans to create, from its engine events. */
function plannedCreates(events: EngineEvent[]): string[] {
    return events
        .flatMap((event) => (event.resourcePreEvent ? [event.resourcePreEvent.metadata] : []))
        .filter((step) => step.op === "create")
        .map((step) => step.type)
        .sort();
}

describe("the local stack on a real cluster: deploy, replicate, no drift, destroy", function () {
    const suite = useE2EStack("local", {
        networkPolicy: { enabled: true, allowedClients: [{ podSelector: { matchLabels: CLIENT_LABELS } }] },
        database: APP_DATABASE,
    });
    const settings = (): ReturnType<typeof stackSettings> => stackSettings(suite.e2e.config);

    it("previews, against the empty cluster, a create of every object the program builds", async function () {
        const events: EngineEvent[] = [];
        await suite.e2e.stack.preview({ color: "never", onEvent: (event) => events.push(event) });
        assert.deepEqual(plannedCreates(events), expectedCreates(settings()));
    });

    it("deploys with `up`: every pod Ready, every standby streaming, a row written through -rw on every pod", async function () {
        const result = await suite.e2e.stack.up({ color: "never" });
        assert.equal(result.summary.result, "succeeded");
        await waitForCluster(suite.e2e.namespace, settings(), { streamingTimeoutMs: 120_000 });
        assert.deepEqual(await streamingStandbys(suite.e2e.namespace, settings()), podNames(settings()).slice(1));

        const client = await startClientPod(
            suite.e2e.namespace,
            suite.environment.image,
            String(result.outputs.secretName.value),
        );
        try {
            const rw = String(result.outputs.rwServiceHost.value);
            await psqlFromClient(
                suite.e2e.namespace,
                client,
                rw,
                "CREATE TABLE e2e_rows (id int PRIMARY KEY, note text)",
            );
            await psqlFromClient(
                suite.e2e.namespace,
                client,
                rw,
                "INSERT INTO e2e_rows VALUES (1, 'written through the rw Service')",
            );
            const podHosts = result.outputs.podHosts.value as string[];
            for (const host of podHosts) {
                const note = await waitUntil(`the row on ${host}`, 30_000, async () => {
                    const row = await psqlFromClient(
                        suite.e2e.namespace,
                        client,
                        host,
                        "SELECT note FROM e2e_rows WHERE id = 1",
                    ).catch(() => "");
                    return row === "" ? undefined : row;
                });
                assert.equal(note, "written through the rw Service", host);
            }
            const owner = await psqlAsApplication(
                suite.e2e.namespace,
                client,
                rw,
                APP_DATABASE,
                "SELECT current_user || ' owns ' || pg_get_userbyid(datdba) FROM pg_database WHERE datname = current_database()",
            );
            assert.equal(owner, "e2e_app_owner owns e2e_app_owner", "the Job made the application's role and database");
            assert.match(
                String(result.outputs.appConnectionUri.value),
                /^postgresql:\/\/e2e_app_owner:[^@]+@postgresql-rw\.[a-z0-9-]+\.svc\.cluster\.local:5432\/e2e_app\?sslmode=verify-full$/,
            );
            assert.equal(result.outputs.appConnectionUri.secret, true);
            const recovery = await Promise.all(
                podHosts.map((host) => psqlFromClient(suite.e2e.namespace, client, host, "SELECT pg_is_in_recovery()")),
            );
            assert.deepEqual(
                recovery,
                podHosts.map((_, ordinal) => (ordinal === 0 ? "f" : "t")),
            );
        } finally {
            await deleteClientPod(suite.e2e.namespace, client);
        }
    });

    it("raises no failed-probe event while the pods start: each is ready at its first readiness probe", async function () {
        interface PodEvent {
            involvedObject: { kind: string; name: string };
            reason: string;
            message: string;
        }
        const events = await kubectlJson<{ items: PodEvent[] }>(["get", "events", "-n", suite.e2e.namespace]);
        const pods = new Set(podNames(settings()));
        const failedProbes = events.items
            .filter((event) => event.involvedObject.kind === "Pod" && pods.has(event.involvedObject.name))
            .filter((event) => event.reason === "Unhealthy")
            .map((event) => `${event.involvedObject.name}: ${event.message}`);
        assert.deepEqual(failedProbes, []);
    });

    it("records the cluster as initialised, runs the maintenance Job to completion, and gives the pods no API token", async function () {
        const objects = objectsOf(settings());
        const ns = suite.e2e.namespace;
        const marker = await kubectl([
            "get",
            "configmap",
            "-n",
            ns,
            objects.initialisedMarker.metadata.name,
            "-o",
            "jsonpath={.data.initialised}",
        ]);
        assert.equal(marker.stdout, `ConfigMap ${ns}/${objects.initialisedMarker.metadata.name}`);
        // One Job per version of its spec, which carries the credentials Secret's revision as the API server
        // gave it: found by the name's prefix.
        const jobs = await kubectlJson<{ items: { metadata: { name: string }; status: { succeeded?: number } }[] }>([
            "get",
            "jobs",
            "-n",
            ns,
        ]);
        const maintenance = jobs.items.filter((job) =>
            job.metadata.name.startsWith(clusterNames(settings()).maintenanceJob("")),
        );
        assert.deepEqual(
            maintenance.map((job) => job.status.succeeded),
            [1],
            "one maintenance Job, run to completion",
        );
        const budget = await kubectl([
            "get",
            "poddisruptionbudget",
            "-n",
            ns,
            clusterNames(settings()).podDisruptionBudget,
            "-o",
            "jsonpath={.spec.unhealthyPodEvictionPolicy}",
        ]);
        assert.equal(budget.stdout, "AlwaysAllow");
        const token = await kubectl([
            "exec",
            "-n",
            ns,
            clusterNames(settings()).pod(0),
            "--",
            "sh",
            "-c",
            "ls /var/run/secrets/kubernetes.io/serviceaccount 2>&1 || echo no token",
        ]);
        assert.match(token.stdout, /no token/);
    });

    it("enforces the NetworkPolicy: the allowed client connects, any other pod is refused, the standbys stream", async function () {
        const secret = clusterNames(settings()).secret;
        const rw = clusterNames(settings()).serviceHost(clusterNames(settings()).rwService);
        const allowed = await startClientPod(suite.e2e.namespace, suite.environment.image, secret);
        const other = await startClientPod(suite.e2e.namespace, suite.environment.image, secret, {
            name: "pg-ha-e2e-other",
            labels: { "app.kubernetes.io/name": "not-a-client-of-the-cluster" },
        });
        try {
            assert.equal(await psqlFromClient(suite.e2e.namespace, allowed, rw, "SELECT 1"), "1");
            // Stopped in the network (kube-router rejects; a policy engine that drops ends in the 5 s
            // PGCONNECT_TIMEOUT), not by the server: pg_hba.conf would answer with a FATAL naming the role.
            const refused = await psqlFromClient(suite.e2e.namespace, other, rw, "SELECT 1").then(
                () => undefined,
                (error: unknown) => String(error),
            );
            assert.ok(refused !== undefined, "a pod the policy does not admit connected");
            assert.match(refused, /Connection refused|timeout expired/);
            assert.doesNotMatch(refused, /FATAL/);
            assert.deepEqual(await streamingStandbys(suite.e2e.namespace, settings()), podNames(settings()).slice(1));
        } finally {
            await deleteClientPod(suite.e2e.namespace, other);
            await deleteClientPod(suite.e2e.namespace, allowed);
        }
    });

    it("shows no change on a second preview", async function () {
        await suite.e2e.stack.preview({ color: "never", expectNoChanges: true, diff: true });
    });

    it("shows no change on a preview after a refresh", async function () {
        await suite.e2e.stack.preview({ color: "never", expectNoChanges: true, refresh: true, diff: true });
    });

    it("removes with `destroy` what the program does not keep on purpose, and keeps the namespace, the configuration and the initialised marker", async function () {
        const settings = stackSettings(suite.e2e.config);
        const objects = objectsOf(settings);
        const kept = [objects.configMap, objects.initialisedMarker].map((map) => `configmap/${map.metadata.name}`);
        await suite.e2e.stack.destroy({ color: "never" });
        const left = await kubectl([
            "get",
            "statefulsets,services,configmaps,secrets,networkpolicies,poddisruptionbudgets,jobs",
            "-n",
            suite.e2e.namespace,
            "-o",
            "name",
        ]);
        // The TLS Secret is the tests' own (mode "secret"), like one cert-manager writes: never the program's.
        const ours = left.stdout
            .split("\n")
            .filter((line) => line && !line.endsWith("/kube-root-ca.crt") && line !== `secret/${E2E_TLS_SECRET}`);
        // The configuration's ConfigMap is kept like the claims: the next `up` adopts it. The marker is kept so
        // that an `up` on lost volumes does not start an empty cluster.
        assert.deepEqual(ours.sort(), kept.sort());
        const namespace = await kubectl(["get", "namespace", suite.e2e.namespace, "-o", "name"]);
        assert.equal(namespace.stdout.trim(), `namespace/${suite.e2e.namespace}`);
    });
});
