import { strict as assert } from "assert";
import { ConfigMap, Stack } from "@pulumi/pulumi/automation";

import { useE2EStack } from "./support/useE2EStack";
import { liveObjects } from "./support/liveObjects";
import { stackSettings } from "./support/expectedObjects";
import { kubectl, kubectlJson, waitUntil } from "./support/kubectl";
import { podNames, streamingStandbys, waitForCluster } from "./support/clusterState";
import {
    createProgramStack,
    POLICY_PACK,
    ExampleLanguage,
    PlannedObject,
    previewObjects,
    ProgramStack,
} from "./support/programStack";

// TLS "generated" needs the tls provider, which this machine cannot have: all three programs run without TLS.
const SETTINGS = { tls: { mode: "disabled" } };

/** What the component deploys that a destroy removes (the namespace and the ConfigMaps of the configuration stay). */
const REMOVED_KINDS = "statefulsets,services,secrets,networkpolicies,poddisruptionbudgets,jobs,pods";

describe("the component from Python and YAML: the same objects as from TypeScript, deployed and destroyed", function () {
    const suite = useE2EStack("local", SETTINGS);
    const settings = (): ReturnType<typeof stackSettings> => stackSettings(suite.e2e.config);
    const programs: Partial<Record<ExampleLanguage, ProgramStack>> = {};
    let typescriptObjects: PlannedObject[] = [];

    /** The example's settings: those of the TypeScript stack, with its passwords. */
    async function exampleConfig(): Promise<ConfigMap> {
        const secret = async (key: string) => ({
            value: (await suite.e2e.stack.getConfig(`pg-ha:${key}`)).value,
            secret: true,
        });
        return {
            namespace: { value: settings().namespace },
            image: { value: suite.environment.image },
            storageClass: { value: String(settings().storage.className) },
            tlsMode: { value: "disabled" },
            superuserPassword: await secret("superuserPassword"),
            replicationPassword: await secret("replicationPassword"),
        };
    }

    async function program(language: ExampleLanguage): Promise<ProgramStack> {
        programs[language] ??= await createProgramStack(suite.environment, language, await exampleConfig());
        return programs[language];
    }

    after(async function () {
        for (const created of Object.values(programs)) {
            await created.stack.destroy({ color: "never" }).catch(() => undefined);
            await created.remove().catch(() => undefined);
        }
    });

    it("previews, from the TypeScript stack, the objects the comparisons below are held to", async function () {
        typescriptObjects = await previewObjects(suite.e2e.stack);
        // The comparisons hold the inputs too: the preview carries them.
        const statefulSet = typescriptObjects.find((object) => object.type === "kubernetes:apps/v1:StatefulSet");
        const inputs = statefulSet?.inputs as { spec?: { replicas?: number } } | undefined;
        assert.equal(inputs?.spec?.replicas, settings().replicas);
    });

    /** Deploys a stack, checks the cluster is whole, returns its objects, then destroys it and empties the namespace. */
    async function deployed(stack: Stack, what: string): Promise<Awaited<ReturnType<typeof liveObjects>>> {
        const result = await stack.up({ color: "never" });
        assert.equal(result.summary.result, "succeeded");
        const namespace = settings().namespace;
        await waitForCluster(namespace, settings(), { streamingTimeoutMs: 120_000 });
        assert.deepEqual(await streamingStandbys(namespace, settings()), podNames(settings()).slice(1));
        const objects = await liveObjects(namespace);

        await stack.destroy({ color: "never" });
        await waitUntil(`nothing of the ${what} stack left but what a destroy keeps`, 120_000, async () => {
            const left = await kubectlJson<{ items: { metadata: { name: string } }[] }>([
                "get",
                REMOVED_KINDS,
                "-n",
                namespace,
                "-o",
                "json",
            ]);
            return left.items.length === 0 ? true : undefined;
        });
        // The next program starts from an empty namespace.
        await kubectl(["delete", "namespace", namespace, "--wait=true"]);
        return objects;
    }

    let typescriptLive: Awaited<ReturnType<typeof liveObjects>> = [];

    it("deploys the TypeScript stack with `up`, whose objects the deploys below are held to; `destroy` removes it", async function () {
        typescriptLive = await deployed(suite.e2e.stack, "TypeScript");
        assert.ok(typescriptLive.some((object) => object.kind === "StatefulSet"));
    });

    for (const language of ["python", "yaml"] as const) {
        it(`generates the ${language} SDK with \`pulumi package add\`, and previews the same objects with the same inputs, passing the policy pack`, async function () {
            const objects = await previewObjects((await program(language)).stack, [POLICY_PACK]);
            assert.deepEqual(objects, typescriptObjects);
        });

        it(`deploys with \`up\` from ${language} the same objects as TypeScript, every standby streaming; \`destroy\` removes them`, async function () {
            const objects = await deployed((await program(language)).stack, language);
            assert.deepEqual(objects, typescriptLive);
        });
    }
});
