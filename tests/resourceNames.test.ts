import * as assert from "assert";
import { PostgresCluster, PostgresClusterArgs } from "../components/postgresCluster";
import { readStackConfig } from "../components/stackConfig";
import { MAX_CLUSTER_NAME } from "../components/naming";
import { problems } from "./support/configProblems";
import { RegisteredResource } from "./support/mockEngine";
import { engineConfig, runComponents, runProgram, stackConfig } from "./support/stacks";

const NAMESPACE = "kubernetes:core/v1:Namespace";
const STATEFULSET = "kubernetes:apps/v1:StatefulSet";

/** The dev stack (NFS, so volumes and claims too) with some settings changed. */
const devWith = (settings: Record<string, unknown>) => engineConfig({ ...stackConfig("dev"), ...settings });

/** What `index.ts` did before the component's name was fixed: it named the component after `pg-ha:name`. */
function earlierProgram(config: Record<string, string>): PostgresCluster {
    const { settings, args } = readStackConfig(config, []);
    return new PostgresCluster(settings.name, args);
}

const urnsOf = (resources: readonly RegisteredResource[]) => resources.map((resource) => resource.urn).sort();
const repeated = (keys: string[]) => keys.filter((key, index) => keys.indexOf(key) !== index);

/** What the API server keeps unique: kind, namespace and name. */
function objectKey(resource: RegisteredResource): string {
    const metadata = resource.inputs.metadata as { name: string; namespace?: string };
    return `${resource.type} ${metadata.namespace ?? "(cluster-scoped)"}/${metadata.name}`;
}

/** Aliases to a former name; the Kubernetes SDK adds its own, to the same name under former API versions. */
const formerNameUrns = (resource: RegisteredResource) =>
    resource.aliasUrns.filter((urn) => !urn.endsWith(`::${resource.name}`));

const kubernetesObjects = (resources: readonly RegisteredResource[]) =>
    resources.filter((resource) => resource.type.startsWith("kubernetes:"));

describe("URNs follow no setting: a new name or namespace changes the objects under the same resources", () => {
    it("keeps every URN when name and namespace change", async () => {
        const before = await runProgram(devWith({ "pg-ha:name": "orders", "pg-ha:namespace": "shop" }));
        const after = await runProgram(devWith({ "pg-ha:name": "billing", "pg-ha:namespace": "accounts" }));
        assert.deepStrictEqual(urnsOf(after.resources), urnsOf(before.resources));
        const statefulSetOf = (resources: readonly RegisteredResource[]) =>
            objectKey(resources.filter((resource) => resource.type === STATEFULSET)[0]);
        assert.notStrictEqual(statefulSetOf(after.resources), statefulSetOf(before.resources), "objects changed");
    });

    it("keeps the URNs of a stack with the default name as they were, with no alias", async () => {
        const config = devWith({});
        const earlier = await runComponents(config, () => [earlierProgram(config)]);
        const { resources } = await runProgram(config);
        assert.deepStrictEqual(urnsOf(resources), urnsOf(earlier));
        assert.deepStrictEqual(
            resources.filter((resource) => formerNameUrns(resource).length > 0).map((resource) => resource.name),
            [],
        );
    });
});

describe("a stack an earlier version made under another name: its resources are adopted, none replaced", () => {
    it("aliases every resource the earlier version registered, once, from the resource of its type that takes its place", async () => {
        const config = devWith({ "pg-ha:name": "orders" });
        const earlier = await runComponents(config, () => [earlierProgram(config)]);
        const { resources } = await runProgram(config);

        const aliases = resources.flatMap(formerNameUrns).sort();
        assert.deepStrictEqual(aliases, urnsOf(earlier));
        for (const former of earlier) {
            const adopting = resources.find((resource) => formerNameUrns(resource).includes(former.urn));
            assert.strictEqual(adopting?.type, former.type, former.urn);
        }
    });
});

describe("two clusters in one program: no resource and no Kubernetes object twice", () => {
    const nfs = (directory: string) => ({
        nfs: { server: "nfs.example.internal", paths: [0, 1, 2].map((ordinal) => `/exports/${directory}/${ordinal}`) },
    });
    const twoClusters = (orders: PostgresClusterArgs, billing: PostgresClusterArgs) =>
        runComponents(devWith({}), () => [
            new PostgresCluster("orders-db", orders),
            new PostgresCluster("billing-db", billing),
        ]);

    it("in two namespaces: every URN and every object once", async () => {
        const resources = await twoClusters(
            { namespace: "orders", storage: nfs("orders") },
            { namespace: "billing", storage: nfs("billing") },
        );
        assert.deepStrictEqual(repeated(urnsOf(resources)), []);
        assert.deepStrictEqual(repeated(kubernetesObjects(resources).map(objectKey)), []);
        assert.strictEqual(resources.filter((resource) => resource.type === NAMESPACE).length, 2);
    });

    it("with two names in one namespace: every URN and every object once, but the namespace, which both declare alike", async () => {
        const resources = await twoClusters(
            { namespace: "shop", name: "orders", storage: nfs("orders") },
            { namespace: "shop", name: "billing", storage: nfs("billing") },
        );
        assert.deepStrictEqual(repeated(urnsOf(resources)), []);
        const objects = kubernetesObjects(resources);
        const namespaces = objects.filter((resource) => resource.type === NAMESPACE);
        assert.deepStrictEqual(
            repeated(objects.filter((resource) => !namespaces.includes(resource)).map(objectKey)),
            [],
        );
        // Each cluster's kept-objects provider adopts the namespace the other created (upsert): both apply it,
        // so a label that differed would flip with whichever applied last.
        assert.strictEqual(namespaces.length, 2);
        assert.deepStrictEqual(namespaces[0].inputs, namespaces[1].inputs);
    });
});

describe("the cluster's name: every object's name fits its kind's limit", () => {
    it("refuses a name longer than the maintenance Job's name allows, saying why", () => {
        assert.deepStrictEqual(problems({ name: "n".repeat(MAX_CLUSTER_NAME + 1) }), [
            `name: must be at most ${MAX_CLUSTER_NAME} characters: the maintenance Job is named <name>-maintenance-<digest>, and a Job's name at most 63`,
        ]);
    });

    it("with the longest name allowed, every object the program registers has a name of at most 63 characters", async () => {
        const longest = "n".repeat(MAX_CLUSTER_NAME);
        const { resources } = await runProgram(engineConfig({ ...stackConfig("prod"), "pg-ha:name": longest }));
        const names = kubernetesObjects(resources).map(
            (resource) => (resource.inputs.metadata as { name: string }).name,
        );
        assert.ok(
            names.some((name) => name.includes("-maintenance-")),
            "the maintenance Job is among them",
        );
        assert.deepStrictEqual(
            names.filter((name) => name.length > 63),
            [],
        );
    });
});
