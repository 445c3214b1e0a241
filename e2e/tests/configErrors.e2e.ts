import { strict as assert } from "assert";

import { useE2EStack } from "./support/useE2EStack";
import { kubectl } from "./support/kubectl";

/** A Node.js stack frame, as an unhandled exception prints it. */
const STACK_FRAME = /^\s+at .+:\d+:\d+\)?$/m;

/** The text of a failed Automation API command (its message carries the CLI's stdout and stderr). */
async function failure(operation: Promise<unknown>): Promise<string> {
    try {
        await operation;
    } catch (error) {
        return error instanceof Error ? error.message : String(error);
    }
    assert.fail("the operation succeeded with an invalid setting");
}

describe("an invalid setting on a real cluster: a clean Pulumi error, nothing changed", function () {
    const suite = useE2EStack("local", { replicas: 0, podManagementPolicy: "Sometimes" });

    for (const operation of ["preview", "up"] as const) {
        it(`fails \`${operation}\` with every problem, key, value and what is allowed, and no stack trace`, async function () {
            const output = await failure(
                operation === "preview"
                    ? suite.e2e.stack.preview({ color: "never" })
                    : suite.e2e.stack.up({ color: "never" }),
            );
            assert.match(output, /pg-ha:replicas = 0: must be at least 1/);
            assert.match(output, /pg-ha:podManagementPolicy = "Sometimes": must be "OrderedReady" or "Parallel"/);
            assert.doesNotMatch(output, STACK_FRAME);
            assert.doesNotMatch(output, /unhandled exception/);
        });
    }

    it("creates nothing on the cluster", async function () {
        const namespace = await kubectl(["get", "namespace", suite.e2e.namespace, "--ignore-not-found", "-o", "name"]);
        assert.equal(namespace.stdout.trim(), "");
    });
});
