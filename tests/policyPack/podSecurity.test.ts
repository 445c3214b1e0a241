import * as assert from "assert";
import {
    NS,
    POD_TEMPLATE_PREFIXES,
    STATEFUL_SET,
    assertReported,
    check,
    container,
    literally,
    namespace,
    programResources,
    template,
    workload,
} from "../support/policyFixtures";
import { CheckedResource, UNKNOWN_OBJECT, describeReported, urnOf } from "../support/policyHarness";

describe("pod-security-restricted: every pod template meets restricted; baseline only in a namespace the stack creates to enforce it", () => {
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
