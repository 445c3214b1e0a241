import * as assert from "assert";
import {
    CONFIG_MAP,
    NS,
    SECRET,
    STATEFUL_SET,
    assertReported,
    changed,
    check,
    container,
    object,
    outsideCluster,
    template,
    workload,
} from "../support/policyFixtures";
import { CheckedResource, UNKNOWN_STRING, checkedResource, describeReported, urnOf } from "../support/policyHarness";
import { mockPasswordFor } from "../support/mockEngine";
import { runStack } from "../support/stacks";

describe("no-secret-values-outside-secrets: no value of a Secret of the cluster appears in another object", () => {
    // Under a name that says nothing, so that only the comparison with the Secret can find it.
    const VALUE = "correct-horse-battery-staple";
    const credentials = (values: Record<string, unknown>) => object(SECRET, "credentials", values);
    const noted = (note: string) =>
        object(CONFIG_MAP, "notes", { metadata: { name: "notes", namespace: NS }, data: { note } });
    const copies = (resources: readonly CheckedResource[]) => check("no-secret-values-outside-secrets", resources);
    const assertNoValueIn = (violations: readonly { message: string }[]) => {
        for (const violation of violations) {
            assert.ok(!violation.message.includes(VALUE), violation.message);
        }
    };

    it("reports a stringData value copied into a ConfigMap, naming the Secret and the key, not the value", async () => {
        const notes = noted(`connect with ${VALUE} as the user`);
        const violations = await copies([credentials({ stringData: { "user-credential": VALUE } }), notes]);
        assertReported(
            violations,
            /^data\.note holds the value of Secret credentials, key user-credential: refer to the Secret instead$/,
            urnOf(notes),
        );
        assertNoValueIn(violations);
    });

    it("reports a data value (base64), decoded, copied into a container's arguments", async () => {
        const secret = credentials({ data: { credential: Buffer.from(VALUE).toString("base64") } });
        const pods = workload(STATEFUL_SET, template([container({ args: ["--auth", VALUE] })]));
        const violations = await copies([secret, pods]);
        assertReported(violations, /^spec\.template\.spec\.containers\[0\]\.args\[1\] holds the value of Secret/);
        assertNoValueIn(violations);
    });

    it("leaves alone short values, certificates, the Secret's own data, and values a preview cannot know", async () => {
        const certificate = "-----BEGIN CERTIFICATE-----\nMIIBfake-ca\n-----END CERTIFICATE-----\n";
        const resources = [
            credentials({
                stringData: { user: "app", "ca.crt": certificate, unknown: UNKNOWN_STRING },
                data: { port: Buffer.from("5432").toString("base64") },
            }),
            object(SECRET, "copy", { stringData: { same: certificate } }),
            noted(`user app, port 5432, trust ${certificate}`),
        ];
        const violations = await copies(resources);
        assert.deepStrictEqual(violations, [], describeReported(violations));
    });

    it("compares with the cluster's Secrets only, and checks the cluster's objects only", async () => {
        const userSecret = outsideCluster(credentials({ stringData: { username: VALUE } }));
        assert.deepStrictEqual(await copies([userSecret, noted(VALUE)]), [], "a user's Secret is not the cluster's");
        const userNotes = outsideCluster(noted(VALUE));
        assert.deepStrictEqual(await copies([credentials({ stringData: { v: VALUE } }), userNotes]), []);
    });

    it("finds a generated password copied into a pod annotation of the dev stack", async () => {
        const stack = (await runStack("dev")).resources;
        const password = mockPasswordFor(stack.find((resource) => resource.name.endsWith("-superuser-password"))!.name);
        const resources = changed(stack.map(checkedResource), (resource) => {
            if (resource.type !== STATEFUL_SET) {
                return undefined;
            }
            const spec = resource.props.spec as { template: { metadata: { annotations?: Record<string, string> } } };
            spec.template.metadata.annotations = { "example.com/note": `uses ${password}` };
            return resource;
        });
        const violations = await copies(resources);
        assertReported(
            violations,
            /^spec\.template\.metadata\.annotations\.example\.com\/note holds the value of Secret postgresql-credentials, key superuser-password/,
            resources.find((resource) => resource.type === STATEFUL_SET)!.urn,
        );
        assert.ok(
            violations.every((violation) => !violation.message.includes(password)),
            describeReported(violations),
        );
    });
});
