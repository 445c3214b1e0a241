// Evaluates the Pulumi program for one stack under the mock engine, in a process of its own, as the
// program-cost benchmark measures it. Usage: node -r ts-node/register[/transpile-only] bench/evaluateStack.ts <stack>
import { installMockEngine } from "../tests/support/mockEngine";
import { runStack } from "../tests/support/stacks";

async function main(): Promise<void> {
    const stack = process.argv[2];
    if (!stack) {
        throw new Error("usage: evaluateStack.ts <stack>");
    }
    installMockEngine();
    const run = await runStack(stack);
    process.stdout.write(`${JSON.stringify({ stack, resources: run.resources.length })}\n`);
}

main().catch((error: unknown) => {
    process.stderr.write(`${String(error)}\n`);
    process.exit(1);
});
