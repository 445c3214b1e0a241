import * as assert from "assert";
import type { IPodTemplateSpec } from "kubernetes-models/v1/PodTemplateSpec";
import { VOLUME_PERMISSIONS_CONTAINER_NAME } from "../../components/specs/statefulSet";
import { VOLUME_PERMISSIONS_CONTAINER } from "../../policy/rules/podSecurity";
import {
    NS,
    POD_TEMPLATE_PREFIXES,
    STATEFUL_SET,
    assertReported,
    changed,
    check,
    container,
    literally,
    namespace,
    programResources,
    template,
    workload,
} from "../support/policyFixtures";
import { CheckedResource, UNKNOWN_OBJECT, describeReported, urnOf } from "../support/policyHarness";

const JOB = "kubernetes:batch/v1:Job";

describe("pod-security-restricted: every pod template meets restricted; only the volume-permissions init container meets baseline, in a namespace the stack creates to enforce it", () => {
    for (const [type, prefix] of Object.entries(POD_TEMPLATE_PREFIXES)) {
        it(`checks the pods of a ${type.split(":")[2]} (${prefix})`, async () => {
            assert.deepStrictEqual(await check("pod-security-restricted", [workload(type, template())]), []);
            const broken = workload(type, template([container({ securityContext: { privileged: true } })]));
            const violations = await check("pod-security-restricted", [broken]);
            const field = literally(`${prefix}.containers[0].securityContext`);
            assertReported(
                violations,
                new RegExp(`^${field}\\.privileged = true: .*"Privileged Containers"`),
                urnOf(broken),
            );
            assertReported(violations, new RegExp(`^${field}\\.allowPrivilegeEscalation = \\(unset\\): .* restricted`));
        });
    }

    const rootInit = container({
        name: "volume-permissions",
        securityContext: { runAsUser: 0, runAsNonRoot: false, capabilities: { drop: ["ALL"], add: ["CHOWN"] } },
    });
    const withRootInit = workload(STATEFUL_SET, template([container()], [rootInit]));

    it("admits a root init container in a namespace of the stack that enforces baseline", async () => {
        assert.deepStrictEqual(await check("pod-security-restricted", [namespace(NS, "baseline"), withRootInit]), []);
    });

    for (const [where, stack] of [
        ["a namespace of the stack that enforces restricted", [namespace(NS, "restricted"), withRootInit]],
        ["a baseline namespace the pods do not run in", [namespace("elsewhere", "baseline"), withRootInit]],
        ["a namespace the stack does not create", [withRootInit]],
    ] as const) {
        it(`refuses a root init container in ${where}`, async () => {
            const violations = await check("pod-security-restricted", stack);
            assertReported(
                violations,
                /^spec\.template\.spec\.initContainers\[0\]\.securityContext\.runAsNonRoot = false: .*"Running as Non-root"/,
            );
        });
    }

    it("names the init container as the component does", () => {
        assert.strictEqual(VOLUME_PERMISSIONS_CONTAINER, VOLUME_PERMISSIONS_CONTAINER_NAME);
    });

    const asRoot = {
        runAsUser: 0,
        runAsNonRoot: false,
        allowPrivilegeEscalation: false,
        capabilities: { drop: ["ALL"] },
    };
    for (const [what, pods, field] of [
        ["a main container", template([container({ securityContext: asRoot })]), "containers[0]"],
        [
            "an init container of another name",
            template([container()], [container({ name: "setup", securityContext: asRoot })]),
            "initContainers[0]",
        ],
        [
            "a second init container",
            template([container()], [rootInit, container({ name: "setup", securityContext: asRoot })]),
            "initContainers[1]",
        ],
    ] as const) {
        it(`holds ${what} to restricted in a baseline namespace of the stack: running as root is reported`, async () => {
            const violations = await check("pod-security-restricted", [
                namespace(NS, "baseline"),
                workload(STATEFUL_SET, pods),
            ]);
            const path = literally(`spec.template.spec.${field}.securityContext.runAsNonRoot`);
            assertReported(violations, new RegExp(`^${path} = false: breaks the restricted .*"Running as Non-root"`));
            // The volume-permissions init container, where there is one, is held to baseline still.
            const exempt = (pods.spec?.initContainers ?? []).findIndex((init) => init.name === rootInit.name);
            const exemptPath = `initContainers[${exempt}]`;
            assert.ok(
                exempt < 0 || violations.every((violation) => !violation.message.includes(exemptPath)),
                describeReported(violations),
            );
        });
    }

    it("in the program's baseline namespace (volumePermissions), reports the maintenance Job as root, not the volume-permissions init container", async () => {
        const resources = await programResources({
            "pg-ha:storage": { nfs: { server: "nfs.example.internal", paths: ["/a", "/b", "/c"] } },
            "pg-ha:volumePermissions": { enabled: true },
        });
        const job = resources.find((resource) => resource.type === JOB)!;
        const statefulSet = resources.find((resource) => resource.type === STATEFUL_SET)!;
        const pods = (resource: CheckedResource) => (resource.props.spec as { template: IPodTemplateSpec }).template;
        assert.strictEqual(pods(statefulSet).spec!.initContainers![0].securityContext!.runAsUser, 0);
        assert.deepStrictEqual(await check("pod-security-restricted", resources), []);
        const rootJob = changed(resources, (resource) => {
            if (resource.type !== JOB) {
                return undefined;
            }
            const [client] = pods(resource).spec!.containers;
            client.securityContext = { ...client.securityContext, runAsUser: 0, runAsNonRoot: false };
            return resource;
        });
        const violations = await check("pod-security-restricted", rootJob);
        assertReported(
            violations,
            /^spec\.template\.spec\.containers\[0\]\.securityContext\.runAsNonRoot = false: breaks the restricted/,
            job.urn,
        );
        assert.ok(
            violations.every((violation) => violation.urn === job.urn),
            `only the Job is reported:\n${describeReported(violations)}`,
        );
    });

    it("holds baseline's controls in a baseline namespace", async () => {
        const privileged = workload(STATEFUL_SET, template([container({ securityContext: { privileged: true } })]));
        const violations = await check("pod-security-restricted", [namespace(NS, "baseline"), privileged]);
        assertReported(
            violations,
            /privileged = true: breaks the baseline Pod Security Standard's control "Privileged Containers"/,
        );
    });

    it("with volumePermissions but an existing namespace (createNamespace: false), the program's pods fail it", async () => {
        const resources = await programResources({
            "pg-ha:storage": { className: "standard" },
            "pg-ha:volumePermissions": { enabled: true },
            "pg-ha:createNamespace": false,
        });
        const violations = await check("pod-security-restricted", resources);
        assertReported(violations, /initContainers\[0\]\.securityContext\.runAsNonRoot = false/);
    });

    it("checks every other object when one holds values a preview cannot know, then says so", async () => {
        // The maintenance Job in the preview of a new stack: computed from the Secret's revision, unknown.
        const unknownJob: CheckedResource = {
            type: "kubernetes:batch/v1:Job",
            name: "maintenance",
            props: { metadata: UNKNOWN_OBJECT, spec: UNKNOWN_OBJECT },
        };
        const broken = workload(STATEFUL_SET, template([container({ securityContext: { privileged: true } })]));
        const violations = await check("pod-security-restricted", [unknownJob, broken]);
        assertReported(violations, /privileged = true/, urnOf(broken));
        const advisory = violations.filter((violation) => violation.enforcementLevel === "advisory");
        assert.strictEqual(advisory.length, 1, describeReported(violations));
        assert.match(advisory[0].message, /can't be known during preview/);
    });
});
