import * as assert from "assert";
import * as pulumi from "@pulumi/pulumi";
import * as k8s from "@pulumi/kubernetes";

import { keptObjectsProviderArgs } from "../components/keptObjectsProvider";
import { RETAINED_OBJECT_ANNOTATIONS } from "../components/naming";
import { PostgresCluster } from "../components/postgresCluster";
import { resolveSettings } from "../components/settings";
import { clusterObjects } from "../components/specs/cluster";
import { RegisteredResource, registeredResources, resetRegistrations } from "./support/mockEngine";
import { engineConfig, runProgram, stackConfig, valueOf } from "./support/stacks";

const NFS_STORAGE = { nfs: { server: "nfs.example.internal", paths: ["/exports/a", "/exports/b", "/exports/c"] } };
const nfsSettings = resolveSettings({ storage: NFS_STORAGE });

const PROVIDER = "pulumi:providers:kubernetes";
const KEPT_TYPES = [
    "kubernetes:core/v1:Namespace",
    "kubernetes:core/v1:PersistentVolume",
    "kubernetes:core/v1:PersistentVolumeClaim",
    "kubernetes:core/v1:ConfigMap",
];

describe("objects a destroy keeps: the next up takes them over", () => {
    const objects = clusterObjects(nfsSettings, { superuser: "x".repeat(16), replication: "y".repeat(16) });

    it("force their server-side apply, so that a changed field is no conflict with the previous owner", () => {
        assert.deepStrictEqual(RETAINED_OBJECT_ANNOTATIONS, { "pulumi.com/patchForce": "true" });
        const retained = [
            objects.namespace,
            objects.configMap,
            ...objects.persistentVolumes,
            ...objects.persistentVolumeClaims,
        ];
        assert.strictEqual(retained.length, 8);
        for (const object of retained) {
            const annotations = (object?.metadata as { annotations?: Record<string, string> }).annotations;
            assert.strictEqual(annotations?.["pulumi.com/patchForce"], "true", JSON.stringify(object?.kind));
        }
    });

    it("leave the objects a destroy removes without force", () => {
        for (const object of [objects.secret, objects.services.headless, objects.statefulSet]) {
            const annotations = (object.metadata as { annotations?: Record<string, string> }).annotations ?? {};
            assert.strictEqual(annotations["pulumi.com/patchForce"], undefined, JSON.stringify(object.kind));
        }
    });
});

describe("the provider of the kept objects: the stack's cluster settings, with upsert on", () => {
    it("copies every kubernetes: setting of the stack, strings as they are and the rest parsed", () => {
        const args = keptObjectsProviderArgs({
            "kubernetes:context": "prod-admin",
            "kubernetes:cluster": "prod",
            "kubernetes:namespace": "default",
            "kubernetes:enableServerSideApply": "true",
            "kubernetes:deleteUnreachable": "false",
            "kubernetes:kubeClientSettings": '{"qps": 50, "burst": 100}',
            "pg-ha:replicas": "3",
        });
        assert.deepStrictEqual(args, {
            context: "prod-admin",
            cluster: "prod",
            namespace: "default",
            enableServerSideApply: true,
            deleteUnreachable: false,
            kubeClientSettings: { qps: 50, burst: 100 },
            upsertExistingObjects: true,
        });
    });

    it("turns upsert on even where the stack turned it off: the kept objects exist after a destroy", () => {
        const args = keptObjectsProviderArgs({ "kubernetes:upsertExistingObjects": "false" });
        assert.strictEqual(args.upsertExistingObjects, true);
    });

    it("keeps a kubeconfig given as text a secret, and a kubeconfig that is JSON a string", async () => {
        const kubeconfig = '{"apiVersion": "v1", "kind": "Config"}';
        const args = keptObjectsProviderArgs({ "kubernetes:kubeconfig": kubeconfig });
        const output = pulumi.output(args.kubeconfig);
        assert.strictEqual(await pulumi.isSecret(output), true);
        assert.strictEqual(await valueOf(output), kubeconfig);
    });
});

describe("the kept objects under the engine: retained on delete, through the upsert provider", () => {
    const providerOf = (run: readonly RegisteredResource[], resource: RegisteredResource) =>
        run.find((candidate) => candidate.type === PROVIDER && resource.provider.startsWith(`${candidate.urn}::`));

    it("registers the namespace, the NFS volumes, their claims and the ConfigMaps through it, the rest not", async () => {
        const config = engineConfig({
            ...stackConfig("dev"),
            "kubernetes:context": "dev-admin",
            "pg-ha:superuserPassword": "s".repeat(20),
            "pg-ha:replicationPassword": "r".repeat(20),
        });
        const { resources } = await runProgram(config, ["pg-ha:superuserPassword", "pg-ha:replicationPassword"]);
        const providers = resources.filter((resource) => resource.type === PROVIDER);
        assert.strictEqual(providers.length, 1);
        // The SDK sends provider settings as the engine stores config: text, JSON for anything else.
        assert.deepStrictEqual(providers[0].inputs, { context: "dev-admin", upsertExistingObjects: "true" });

        const objects = resources.filter((resource) => resource.type.startsWith("kubernetes:"));
        const kept = objects.filter((resource) => KEPT_TYPES.includes(resource.type));
        assert.deepStrictEqual(kept.map((resource) => resource.type).sort(), [
            "kubernetes:core/v1:ConfigMap",
            "kubernetes:core/v1:ConfigMap",
            "kubernetes:core/v1:Namespace",
            ...Array<string>(3).fill("kubernetes:core/v1:PersistentVolume"),
            ...Array<string>(3).fill("kubernetes:core/v1:PersistentVolumeClaim"),
        ]);
        for (const resource of kept) {
            assert.strictEqual(resource.retainOnDelete, true, resource.name);
            assert.strictEqual(providerOf(resources, resource), providers[0], resource.name);
        }
        for (const resource of objects.filter((candidate) => !KEPT_TYPES.includes(candidate.type))) {
            assert.strictEqual(resource.retainOnDelete, false, resource.name);
            assert.strictEqual(resource.provider, "", `${resource.name} uses the default provider`);
        }
    });

    it("binds each NFS volume to the uid of its own claim, and never resizes a claim", async () => {
        const { resources } = await runProgram(
            engineConfig({
                ...stackConfig("dev"),
                "pg-ha:superuserPassword": "s".repeat(20),
                "pg-ha:replicationPassword": "r".repeat(20),
            }),
            ["pg-ha:superuserPassword", "pg-ha:replicationPassword"],
        );
        const volumes = resources.filter((resource) => resource.type === "kubernetes:core/v1:PersistentVolume");
        assert.strictEqual(volumes.length, 3);
        for (const claim of resources.filter(
            (resource) => resource.type === "kubernetes:core/v1:PersistentVolumeClaim",
        )) {
            // A static volume's claim cannot be resized: a new storage.size must not fail every later up.
            assert.deepStrictEqual(claim.ignoreChanges, ["spec.resources"], claim.name);
        }
        for (const volume of volumes) {
            const ordinal = volume.name.split("-").pop();
            const claimRef = (volume.inputs.spec as { claimRef: Record<string, string> }).claimRef;
            assert.strictEqual(claimRef.uid, `uid-of-postgresql-data-claim-${ordinal}`, volume.name);
            assert.strictEqual(claimRef.name, `data-postgresql-${ordinal}`);
        }
    });

    it("uses a kept-objects provider given by the caller, and a provider given for the cluster otherwise", async () => {
        resetRegistrations();
        const clusterProvider = new k8s.Provider("caller-cluster", {});
        const keptProvider = new k8s.Provider("caller-kept", { upsertExistingObjects: true });
        const storage = { className: "standard" };
        const given = new PostgresCluster("given", { storage }, { keptObjectsProvider: keptProvider });
        const inherited = new PostgresCluster(
            "inherited",
            { storage, namespace: "other" },
            { provider: clusterProvider },
        );
        // Outputs of the objects themselves: they resolve once those are registered.
        await Promise.all(
            [given, inherited].flatMap((cluster) => [cluster.namespace, cluster.statefulSetName].map(valueOf)),
        );
        const byName = (name: string) => registeredResources().find((resource) => resource.name === name);
        const providerUrn = async (provider: k8s.Provider) => `${await valueOf(provider.urn)}::`;
        assert.ok(byName("given-namespace")?.provider.startsWith(await providerUrn(keptProvider)));
        assert.ok(byName("inherited-namespace")?.provider.startsWith(await providerUrn(clusterProvider)));
        assert.ok(byName("inherited-statefulset")?.provider.startsWith(await providerUrn(clusterProvider)));
        assert.strictEqual(
            registeredResources().filter((resource) => resource.name.endsWith("-kept-objects")).length,
            0,
            "no provider of its own when one was given",
        );
    });

    it("refuses the kept-objects provider among the args, where programs of earlier versions passed it, naming the option", () => {
        resetRegistrations();
        const keptProvider = new k8s.Provider("caller-kept-in-args", { upsertExistingObjects: true });
        const args = { storage: { className: "standard" }, keptObjectsProvider: keptProvider };
        assert.throws(
            () => new PostgresCluster("old-style", args),
            /keptObjectsProvider = .*is a resource option, not an argument/,
        );
        assert.strictEqual(registeredResources().filter((resource) => resource.name.startsWith("old-style")).length, 0);
    });
});
