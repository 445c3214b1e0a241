import * as assert from "assert";
import * as pulumi from "@pulumi/pulumi";
import { ConfigError } from "../components/settings";
import { mockPasswordFor, RegisteredResource } from "./support/mockEngine";
import { validateKubernetesObject } from "./support/kubernetesSchema";
import {
    ProgramRun,
    engineConfig,
    ofType,
    runProgram,
    runStack,
    stackConfig,
    stackNames,
    valueOf,
} from "./support/stacks";

const T = {
    component: "pg-ha:index:PostgresCluster",
    password: "random:index/randomPassword:RandomPassword",
    namespace: "kubernetes:core/v1:Namespace",
    secret: "kubernetes:core/v1:Secret",
    configMap: "kubernetes:core/v1:ConfigMap",
    pv: "kubernetes:core/v1:PersistentVolume",
    pvc: "kubernetes:core/v1:PersistentVolumeClaim",
    service: "kubernetes:core/v1:Service",
    sts: "kubernetes:apps/v1:StatefulSet",
    pdb: "kubernetes:policy/v1:PodDisruptionBudget",
    networkPolicy: "kubernetes:networking.k8s.io/v1:NetworkPolicy",
    job: "kubernetes:batch/v1:Job",
};

interface ObjectInputs {
    metadata: { name: string; namespace?: string; labels?: Record<string, string> };
    spec: Record<string, unknown>;
    [key: string]: unknown;
}

const inputsOf = (resource: RegisteredResource) => resource.inputs as ObjectInputs;
/** The data volumes (and their claims), one per pod, which carry their ordinal; not the backup volume. */
const hasOrdinal = (resource: RegisteredResource) =>
    inputsOf(resource).metadata.labels?.["pg-ha/ordinal"] !== undefined;
const dataVolumesOf = (run: ProgramRun) => ofType(run, T.pv).filter(hasOrdinal);
const dataClaimsOf = (run: ProgramRun) => ofType(run, T.pvc).filter(hasOrdinal);
const only = (run: ProgramRun, type: string) => {
    const found = ofType(run, type);
    assert.strictEqual(found.length, 1, `expected one ${type}, got ${found.length}`);
    return found[0];
};
/** The credentials Secret (`-credentials`) or the generated certificate's (`-tls`). */
const ofSecret = (run: ProgramRun, kind: "credentials" | "tls") => {
    const found = ofType(run, T.secret).filter((resource) => resource.name.endsWith(`-${kind}`));
    assert.strictEqual(found.length, 1, `expected one ${kind} Secret, got ${found.length}`);
    return found[0];
};
const ofConfigMap = (run: ProgramRun, kind: "bootstrap" | "initialised") => {
    const found = ofType(run, T.configMap).filter((resource) => resource.name.endsWith(`-${kind}`));
    assert.strictEqual(found.length, 1, `expected one ${kind} ConfigMap, got ${found.length}`);
    return found[0];
};
const namespacedResources = (run: ProgramRun) =>
    [T.secret, T.configMap, T.service, T.sts, T.pdb, T.networkPolicy].flatMap((type) => ofType(run, type));
const statefulSetOf = (run: ProgramRun) => inputsOf(only(run, T.sts)) as unknown as StatefulSetInputs;

interface StatefulSetInputs extends ObjectInputs {
    spec: {
        replicas: number;
        serviceName: string;
        selector: { matchLabels: Record<string, string> };
        volumeClaimTemplates: { metadata: { name: string }; spec: { storageClassName: string } }[];
        template: {
            metadata: { labels: Record<string, string> };
            spec: {
                containers: { env: { name: string; value?: string; valueFrom?: unknown }[] }[];
                affinity: { podAntiAffinity: PodAntiAffinity };
                topologySpreadConstraints?: {
                    topologyKey: string;
                    maxSkew: number;
                    whenUnsatisfiable: string;
                    labelSelector: { matchLabels: Record<string, string> };
                }[];
            };
        };
    };
}

interface AffinityTerm {
    labelSelector: { matchLabels: Record<string, string> };
    topologyKey: string;
}

interface PodAntiAffinity {
    requiredDuringSchedulingIgnoredDuringExecution?: AffinityTerm[];
    preferredDuringSchedulingIgnoredDuringExecution?: { weight: number; podAffinityTerm: AffinityTerm }[];
}

interface NetworkPolicyPeer {
    podSelector?: { matchLabels: Record<string, string> };
    namespaceSelector?: { matchLabels: Record<string, string> };
}

interface NetworkPolicyInputs extends ObjectInputs {
    spec: {
        podSelector: { matchLabels: Record<string, string> };
        policyTypes: string[];
        ingress: { from: NetworkPolicyPeer[]; ports: { protocol: string; port: number }[] }[];
        egress?: unknown;
    };
}

interface PersistentVolumeInputs extends ObjectInputs {
    spec: {
        storageClassName: string;
        persistentVolumeReclaimPolicy: string;
        mountOptions: string[];
        nfs: { server: string; path: string };
        claimRef: { namespace: string; name: string; uid?: string };
    };
}

const matches = (selector: Record<string, string>, labels: Record<string, string>) =>
    Object.entries(selector).every(([key, value]) => labels[key] === value);

for (const stack of stackNames()) {
    describe(`stack ${stack}`, () => {
        let run: ProgramRun;
        const values = stackConfig(stack);
        const usesNfs = JSON.stringify(values["pg-ha:storage"] ?? {}).includes('"nfs"');

        before(async () => {
            run = await runStack(stack);
        });

        describe("resource graph", () => {
            it("registers one component that parents every other resource", () => {
                const component = only(run, T.component);
                for (const resource of run.resources.filter((candidate) => candidate !== component)) {
                    assert.strictEqual(resource.parentUrn, component.urn, `${resource.name} is not a child`);
                }
            });

            it("creates the namespace, two passwords, two Secrets (credentials, generated certificate), two ConfigMaps (the configuration, the initialised marker), three Services, one StatefulSet, a PodDisruptionBudget and a NetworkPolicy", () => {
                assert.strictEqual(ofType(run, T.namespace).length, 1);
                assert.strictEqual(ofType(run, T.password).length, 2);
                assert.strictEqual(ofType(run, T.secret).length, 2);
                assert.strictEqual(ofType(run, T.configMap).length, 2);
                assert.strictEqual(ofType(run, T.service).length, 3);
                assert.strictEqual(ofType(run, T.sts).length, 1);
                assert.strictEqual(ofType(run, T.pdb).length, 1, "every stack runs more than one pod");
                assert.strictEqual(ofType(run, T.networkPolicy).length, 1);
            });

            it(
                usesNfs ? "creates one PersistentVolume per pod" : "creates no PersistentVolume (dynamic provisioning)",
                () => {
                    const replicas = statefulSetOf(run).spec.replicas;
                    assert.strictEqual(dataVolumesOf(run).length, usesNfs ? replicas : 0);
                },
            );

            it("puts every namespaced object in the configured namespace", () => {
                const namespace = inputsOf(only(run, T.namespace)).metadata.name;
                for (const resource of namespacedResources(run)) {
                    assert.strictEqual(inputsOf(resource).metadata.namespace, namespace, resource.name);
                }
            });
        });

        describe("ordering", () => {
            it("makes the StatefulSet depend on the PersistentVolumes, the headless Service, the Secret, the ConfigMap and the NetworkPolicy", () => {
                const dependencies = new Set(only(run, T.sts).explicitDependencies);
                const headless = ofType(run, T.service).find((service) => inputsOf(service).spec.clusterIP === "None");
                assert.ok(headless, "no headless Service");
                for (const required of [
                    ...dataVolumesOf(run),
                    headless,
                    ofSecret(run, "credentials"),
                    ofSecret(run, "tls"),
                    ofConfigMap(run, "bootstrap"),
                    only(run, T.networkPolicy),
                ]) {
                    assert.ok(dependencies.has(required.urn), `StatefulSet does not depend on ${required.name}`);
                }
            });

            it("records the cluster as initialised only once its StatefulSet is ready, and keeps the record on destroy", () => {
                const marker = ofConfigMap(run, "initialised");
                assert.ok(marker.explicitDependencies.includes(only(run, T.sts).urn));
                assert.strictEqual(marker.retainOnDelete, true);
                const env = statefulSetOf(run).spec.template.spec.containers[0].env;
                const markerName = inputsOf(marker).metadata.name;
                assert.deepStrictEqual(
                    env.find((entry) => entry.name === "PG_HA_CLUSTER_INITIALISED")?.valueFrom,
                    { configMapKeyRef: { name: markerName, key: "initialised", optional: true } },
                    "pod 0 reads the record, and starts without it while the cluster is new",
                );
            });

            it("replaces the StatefulSet delete-first, so old and new pods never share a volume", () => {
                assert.strictEqual(only(run, T.sts).deleteBeforeReplace, true);
            });

            it("waits up to two hours for the StatefulSet's pods, long enough for a large clone", () => {
                const { create, update } = only(run, T.sts).customTimeouts;
                assert.deepStrictEqual({ create, update }, { create: "2h", update: "2h" });
            });

            it("keeps what holds data on destroy: the namespace and the PersistentVolumes", () => {
                for (const resource of [...ofType(run, T.namespace), ...ofType(run, T.pv)]) {
                    assert.strictEqual(resource.retainOnDelete, true, resource.name);
                }
                for (const resource of [...ofType(run, T.secret), ...ofType(run, T.sts)]) {
                    assert.strictEqual(resource.retainOnDelete, false, resource.name);
                }
            });

            it("makes every namespaced object depend on the namespace", () => {
                const namespace = only(run, T.namespace);
                for (const resource of namespacedResources(run)) {
                    assert.ok(
                        resource.explicitDependencies.includes(namespace.urn),
                        `${resource.name} does not depend on the namespace`,
                    );
                }
            });
        });

        describe("storage", () => {
            it("binds each PersistentVolume to the claim of exactly one pod", () => {
                const sts = statefulSetOf(run);
                const template = sts.spec.volumeClaimTemplates[0].metadata.name;
                const expectedClaims = Array.from(
                    { length: sts.spec.replicas },
                    (_, ordinal) => `${template}-${sts.metadata.name}-${ordinal}`,
                );
                const claims = dataVolumesOf(run).map((pv) => (inputsOf(pv) as PersistentVolumeInputs).spec.claimRef);
                if (!usesNfs) {
                    assert.deepStrictEqual(claims, []);
                    return;
                }
                assert.deepStrictEqual(claims.map((claim) => claim.name).sort(), expectedClaims.sort());
                const madeClaims = dataClaimsOf(run).map(inputsOf);
                for (const claim of claims) {
                    assert.strictEqual(claim.namespace, sts.metadata.namespace);
                    const made = madeClaims.find((candidate) => candidate.metadata.name === claim.name);
                    assert.ok(made, `the program makes claim ${claim.name} itself`);
                    // From both sides: the claim names the volume, the volume the claim's uid (the mocks' stand-in).
                    const volume = dataVolumesOf(run).find((pv) => inputsOf(pv).spec.claimRef === claim);
                    assert.strictEqual(made.spec.volumeName, volume && inputsOf(volume).metadata.name);
                    const ordinal = claim.name.split("-").pop();
                    assert.strictEqual(claim.uid, `uid-of-${sts.metadata.name}-data-claim-${ordinal}`);
                }
            });

            it("gives each pod its own NFS path, in ordinal order, mounted hard and retained", () => {
                const storage = values["pg-ha:storage"] as { nfs?: { paths: string[] } };
                const volumes = dataVolumesOf(run).map((pv) => inputsOf(pv) as PersistentVolumeInputs);
                assert.deepStrictEqual(
                    volumes.map((pv) => pv.spec.nfs.path),
                    storage.nfs?.paths ?? [],
                );
                for (const pv of volumes) {
                    assert.strictEqual(pv.spec.persistentVolumeReclaimPolicy, "Retain");
                    assert.ok(pv.spec.mountOptions.includes("hard"));
                }
            });

            it("keeps default StorageClasses out of static binding: an empty class on both the volumes and the template", () => {
                const templateClass = statefulSetOf(run).spec.volumeClaimTemplates[0].spec.storageClassName;
                if (usesNfs) {
                    assert.strictEqual(templateClass, "");
                    for (const pv of dataVolumesOf(run)) {
                        assert.strictEqual((inputsOf(pv) as PersistentVolumeInputs).spec.storageClassName, "");
                    }
                } else {
                    assert.strictEqual(templateClass, (values["pg-ha:storage"] as { className: string }).className);
                }
            });
        });

        describe("services", () => {
            it("selects the StatefulSet's pods, and only pod 0 through the -rw Service", () => {
                const sts = statefulSetOf(run);
                const podLabels = sts.spec.template.metadata.labels;
                assert.ok(
                    matches(sts.spec.selector.matchLabels, podLabels),
                    "StatefulSet selector does not match its pods",
                );
                for (const service of ofType(run, T.service)) {
                    const selector = inputsOf(service).spec.selector as Record<string, string>;
                    const withoutPodName = Object.fromEntries(
                        Object.entries(selector).filter(([key]) => key !== "statefulset.kubernetes.io/pod-name"),
                    );
                    assert.ok(matches(withoutPodName, podLabels), `${service.name} does not select the pods`);
                }
                const rw = ofType(run, T.service).find((service) => inputsOf(service).metadata.name.endsWith("-rw"));
                assert.strictEqual(
                    (inputsOf(rw!).spec.selector as Record<string, string>)["statefulset.kubernetes.io/pod-name"],
                    `${sts.metadata.name}-0`,
                );
            });

            it("names the headless Service as the StatefulSet's serviceName and publishes not-ready pods", () => {
                const sts = statefulSetOf(run);
                const headless = ofType(run, T.service)
                    .map(inputsOf)
                    .find((service) => service.metadata.name === sts.spec.serviceName);
                assert.ok(headless);
                assert.strictEqual(headless.spec.clusterIP, "None");
                assert.strictEqual(headless.spec.publishNotReadyAddresses, true);
            });

            it("streams the standbys through the -rw Service (one stable address), and names pod 0 by its own host", () => {
                const sts = statefulSetOf(run);
                const env = sts.spec.template.spec.containers[0].env;
                const value = (name: string) => env.find((variable) => variable.name === name)?.value;
                assert.strictEqual(value("PG_HA_PRIMARY_HOST"), `${sts.metadata.name}-0.${sts.spec.serviceName}`);
                const rw = ofType(run, T.service).find(
                    (service) => inputsOf(service).metadata.name === `${sts.metadata.name}-rw`,
                );
                assert.ok(rw, "the -rw Service");
                const domain = (values["pg-ha:clusterDomain"] as string | undefined) ?? "cluster.local";
                assert.strictEqual(
                    value("PG_HA_RW_HOST"),
                    `${inputsOf(rw).metadata.name}.${sts.metadata.namespace}.svc.${domain}`,
                );
            });
        });

        describe("placement", () => {
            const antiAffinity = (values["pg-ha:antiAffinity"] as string | undefined) ?? "preferred";

            it(`keeps the pods on different nodes (${antiAffinity} anti-affinity on kubernetes.io/hostname)`, () => {
                const sts = statefulSetOf(run);
                const rules = sts.spec.template.spec.affinity.podAntiAffinity;
                const terms =
                    antiAffinity === "required"
                        ? (rules.requiredDuringSchedulingIgnoredDuringExecution ?? [])
                        : (rules.preferredDuringSchedulingIgnoredDuringExecution ?? []).map((preferred) => {
                              assert.strictEqual(preferred.weight, 100);
                              return preferred.podAffinityTerm;
                          });
                assert.strictEqual(terms.length, 1, JSON.stringify(rules));
                assert.strictEqual(terms[0].topologyKey, "kubernetes.io/hostname");
                assert.deepStrictEqual(terms[0].labelSelector.matchLabels, sts.spec.selector.matchLabels);
            });

            it("spreads the pods as the stack asks, selecting them by the StatefulSet's selector", () => {
                const sts = statefulSetOf(run);
                const configured = values["pg-ha:topologySpread"] as Record<string, unknown> | undefined;
                const constraints = sts.spec.template.spec.topologySpreadConstraints;
                if (!configured) {
                    assert.strictEqual(constraints, undefined);
                    return;
                }
                assert.strictEqual(constraints?.length, 1);
                const { labelSelector, ...rest } = constraints[0];
                assert.deepStrictEqual(rest, configured);
                assert.deepStrictEqual(labelSelector.matchLabels, sts.spec.selector.matchLabels);
            });

            it("lets at most one pod be evicted at a time", () => {
                const pdb = inputsOf(only(run, T.pdb));
                assert.strictEqual(pdb.spec.maxUnavailable, 1);
                assert.strictEqual(pdb.spec.minAvailable, undefined);
                assert.deepStrictEqual(pdb.spec.selector, statefulSetOf(run).spec.selector);
            });
        });

        describe("network", () => {
            it("admits TCP 5432 only, from the cluster's own pods, its maintenance Job and the configured clients", () => {
                const sts = statefulSetOf(run);
                const policy = inputsOf(only(run, T.networkPolicy)) as NetworkPolicyInputs;
                assert.deepStrictEqual(policy.spec.podSelector, sts.spec.selector);
                assert.deepStrictEqual(policy.spec.policyTypes, ["Ingress"]);
                assert.strictEqual(policy.spec.egress, undefined);
                assert.strictEqual(policy.spec.ingress.length, 1);
                const [rule] = policy.spec.ingress;
                assert.deepStrictEqual(rule.ports, [{ protocol: "TCP", port: 5432 }]);
                const configured = (values["pg-ha:networkPolicy"] as { allowedClients?: NetworkPolicyPeer[] })
                    ?.allowedClients;
                const maintenance = ofType(run, T.job).filter((job) =>
                    inputsOf(job).metadata.name.includes("-maintenance-"),
                );
                assert.strictEqual(maintenance.length, 1);
                const job = inputsOf(maintenance[0]) as unknown as { spec: { template: ObjectInputs } };
                const jobLabels = job.spec.template.metadata.labels ?? {};
                const [, jobPeer] = rule.from;
                assert.ok(jobPeer.podSelector?.matchLabels, "the second peer selects pods by label");
                assert.ok(
                    Object.entries(jobPeer.podSelector?.matchLabels ?? {}).every(
                        ([key, value]) => jobLabels[key] === value,
                    ),
                    "the Job's pods are admitted",
                );
                assert.ok(
                    !Object.entries(sts.spec.selector.matchLabels).every(([key, value]) => jobLabels[key] === value),
                    "no Service or budget of the database pods selects the Job's pods",
                );
                assert.deepStrictEqual(rule.from, [{ podSelector: sts.spec.selector }, jobPeer, ...(configured ?? [])]);
            });

            it("admits TCP connections in pg_hba.conf only with TLS (hostssl) and scram-sha-256, from the configured networks only", () => {
                const hba = (inputsOf(ofConfigMap(run, "bootstrap")).data as Record<string, string>)["pg_hba.conf"];
                const rules = hba
                    .split("\n")
                    .map((line) => line.trim())
                    .filter((line) => line !== "" && !line.startsWith("#"))
                    .map((line) => line.split(/\s+/));
                assert.ok(!/\btrust\b/.test(hba), hba);
                const network = rules.filter(([type]) => type !== "local");
                for (const rule of network) {
                    assert.strictEqual(rule[0], "hostssl", `only "hostssl" lines over TCP: ${rule.join(" ")}`);
                    assert.strictEqual(rule[rule.length - 1], "scram-sha-256", rule.join(" "));
                }
                const cidrs = (values["pg-ha:allowedCidrs"] as string[] | undefined) ?? ["0.0.0.0/0", "::/0"];
                assert.deepStrictEqual(
                    network.filter(([, database]) => database === "replication").map((rule) => [rule[2], rule[3]]),
                    cidrs.map((cidr) => ["replicator", cidr]),
                );
                assert.deepStrictEqual(
                    network.filter(([, database]) => database !== "replication").map((rule) => rule[3]),
                    cidrs,
                );
                assert.deepStrictEqual(
                    rules.filter(([type]) => type === "local"),
                    [["local", "all", "all", "peer"]],
                );
            });
        });

        describe("passwords", () => {
            const passwords = () => ofType(run, T.password).map((resource) => mockPasswordFor(resource.name));

            it("hands the passwords to Kubernetes only through the Secret, as secret inputs", () => {
                const secret = ofSecret(run, "credentials");
                assert.deepStrictEqual(
                    Object.values(inputsOf(secret).stringData as Record<string, string>).sort(),
                    passwords().sort(),
                );
                assert.ok(
                    secret.secretInputPaths.some((path) => path === "stringData" || path.startsWith("stringData.")),
                );
            });

            it("writes no password into any other object", () => {
                for (const resource of run.resources.filter(
                    (candidate) => candidate.type !== T.secret && candidate.type !== T.password,
                )) {
                    const text = JSON.stringify(resource.inputs);
                    for (const password of passwords()) {
                        assert.ok(!text.includes(password), `${resource.name} contains a password`);
                    }
                }
            });

            it("makes the connection URI a secret and every other output plain and password-free", async () => {
                assert.strictEqual(await pulumi.isSecret(run.outputs.connectionUri), true);
                assert.match(
                    await valueOf(run.outputs.connectionUri),
                    /^postgresql:\/\/postgres:[^@]+@[a-z0-9-]+-rw\.[a-z0-9-]+\.svc\.cluster\.local:5432\/postgres\?sslmode=verify-full$/,
                );
                const secretOutputs = ["connectionUri", "appConnectionUri"];
                for (const [name, output] of Object.entries(run.outputs).filter(
                    ([key]) => !secretOutputs.includes(key),
                )) {
                    const value = JSON.stringify(await valueOf(output as pulumi.Output<unknown>)) ?? "";
                    for (const password of passwords()) {
                        assert.ok(!value.includes(password), `output ${name} contains a password`);
                    }
                }
            });
        });

        describe("outputs", () => {
            it("names each pod's stable DNS name through the headless Service", async () => {
                const sts = statefulSetOf(run);
                const namespace = sts.metadata.namespace;
                const hosts = await valueOf(run.outputs.podHosts);
                assert.deepStrictEqual(
                    hosts,
                    Array.from(
                        { length: sts.spec.replicas },
                        (_, ordinal) =>
                            `${sts.metadata.name}-${ordinal}.${sts.spec.serviceName}.${namespace}.svc.cluster.local`,
                    ),
                );
                assert.strictEqual(
                    await valueOf(run.outputs.rwServiceHost),
                    `${sts.metadata.name}-rw.${namespace}.svc.cluster.local`,
                );
                assert.strictEqual(
                    await valueOf(run.outputs.rServiceHost),
                    `${sts.metadata.name}-r.${namespace}.svc.cluster.local`,
                );
                assert.deepStrictEqual(
                    await valueOf(run.outputs.persistentVolumeNames),
                    dataVolumesOf(run).map((pv) => inputsOf(pv).metadata.name),
                );
            });
        });

        describe("Kubernetes schema", () => {
            it("produces only objects that validate against the Kubernetes OpenAPI schemas", () => {
                const objects = run.resources.filter((resource) => resource.type.startsWith("kubernetes:"));
                assert.ok(objects.length >= 7);
                for (const resource of objects) {
                    assert.doesNotThrow(
                        () => validateKubernetesObject(resource.inputs),
                        `${resource.type} ${resource.name}`,
                    );
                }
            });
        });
    });
}

describe("stacks together", () => {
    it("gives every stack's PersistentVolumes distinct cluster-wide names", async () => {
        const names: string[] = [];
        for (const stack of stackNames()) {
            const run = await runStack(stack);
            names.push(...ofType(run, T.pv).map((pv) => inputsOf(pv).metadata.name));
        }
        assert.ok(names.length > 0);
        assert.strictEqual(new Set(names).size, names.length);
    });
});

describe("configured passwords", () => {
    const base = { "pg-ha:storage": { className: "standard" } };

    it("uses secret config passwords instead of generating them, and keeps them secret", async () => {
        const superuser = "configured-superuser-password-'$\\";
        const replication = "configured-replication-password";
        const run = await runProgram(
            engineConfig({ ...base, "pg-ha:superuserPassword": superuser, "pg-ha:replicationPassword": replication }),
            ["pg-ha:superuserPassword", "pg-ha:replicationPassword"],
        );
        assert.strictEqual(ofType(run, T.password).length, 0);
        const secret = ofSecret(run, "credentials");
        assert.deepStrictEqual(
            Object.values(inputsOf(secret).stringData as Record<string, string>).sort(),
            [replication, superuser].sort(),
        );
        assert.ok(secret.secretInputPaths.length > 0);
        for (const resource of run.resources.filter((candidate) => candidate.type !== T.secret)) {
            assert.ok(!JSON.stringify(resource.inputs).includes("configured-"), `${resource.name} contains a password`);
        }
        assert.ok((await valueOf(run.outputs.connectionUri)).includes(encodeURIComponent(superuser)));
    });

    it("refuses a password stored in plain text in the stack, before registering anything", async () => {
        await assert.rejects(
            runProgram(engineConfig({ ...base, "pg-ha:superuserPassword": "plain-text-password-123" })),
            (error: Error) =>
                error instanceof ConfigError &&
                error.message.includes("pulumi config set --secret pg-ha:superuserPassword"),
        );
    });
});

describe("placement and network settings", () => {
    const base = { "pg-ha:storage": { className: "standard" } };

    it("creates no PodDisruptionBudget for a single pod", async () => {
        const run = await runProgram(engineConfig({ ...base, "pg-ha:replicas": 1 }));
        assert.strictEqual(ofType(run, T.pdb).length, 0);
        assert.strictEqual(ofType(run, T.sts).length, 1);
    });

    it("requires anti-affinity when asked to", async () => {
        const run = await runProgram(engineConfig({ ...base, "pg-ha:antiAffinity": "required" }));
        const rules = statefulSetOf(run).spec.template.spec.affinity.podAntiAffinity;
        assert.strictEqual(rules.preferredDuringSchedulingIgnoredDuringExecution, undefined);
        assert.strictEqual(
            rules.requiredDuringSchedulingIgnoredDuringExecution?.[0].topologyKey,
            "kubernetes.io/hostname",
        );
    });

    it("applies the topology spread defaults", async () => {
        const run = await runProgram(engineConfig({ ...base, "pg-ha:topologySpread": {} }));
        const [constraint] = statefulSetOf(run).spec.template.spec.topologySpreadConstraints ?? [];
        assert.deepStrictEqual(
            [constraint?.topologyKey, constraint?.maxSkew, constraint?.whenUnsatisfiable],
            ["topology.kubernetes.io/zone", 1, "ScheduleAnyway"],
        );
    });

    it("creates no NetworkPolicy when disabled, and no dependency on one", async () => {
        const run = await runProgram(engineConfig({ ...base, "pg-ha:networkPolicy": { enabled: false } }));
        assert.strictEqual(ofType(run, T.networkPolicy).length, 0);
        assert.strictEqual(ofType(run, T.sts).length, 1);
    });

    it("passes pod, namespace and combined client selectors through as NetworkPolicy peers", async () => {
        const clients: NetworkPolicyPeer[] = [
            { podSelector: { matchLabels: { app: "api" } } },
            { namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": "reports" } } },
            {
                namespaceSelector: { matchLabels: { team: "data" } },
                podSelector: { matchLabels: { "example.com/role": "etl" } },
            },
        ];
        const run = await runProgram(
            engineConfig({ ...base, "pg-ha:networkPolicy": { enabled: true, allowedClients: clients } }),
        );
        const policy = inputsOf(only(run, T.networkPolicy)) as NetworkPolicyInputs;
        assert.deepStrictEqual(policy.spec.ingress[0].from.slice(2), clients);
    });
});

describe("an existing namespace", () => {
    it("creates no namespace and no dependency on one when createNamespace is false", async () => {
        const run = await runProgram(
            engineConfig({
                "pg-ha:storage": { className: "standard" },
                "pg-ha:createNamespace": false,
                "pg-ha:namespace": "databases",
            }),
        );
        assert.strictEqual(ofType(run, T.namespace).length, 0);
        assert.strictEqual(await valueOf(run.outputs.namespace), "databases");
        assert.strictEqual(inputsOf(only(run, T.sts)).metadata.namespace, "databases");
    });
});

describe("a cluster DNS domain other than cluster.local", () => {
    it("names the Services and pods in the outputs, and the connection URI, under the configured domain", async () => {
        const run = await runProgram(
            engineConfig({ "pg-ha:storage": { className: "standard" }, "pg-ha:clusterDomain": "corp.example" }),
        );
        assert.strictEqual(await valueOf(run.outputs.rwServiceHost), "postgresql-rw.postgresql.svc.corp.example");
        assert.ok((await valueOf(run.outputs.podHosts)).every((host) => host.endsWith(".svc.corp.example")));
        assert.match(await valueOf(run.outputs.connectionUri), /@postgresql-rw\.postgresql\.svc\.corp\.example:5432\//);
    });
});
