import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { ConfigMap, EngineEvent, LocalWorkspace, Stack } from "@pulumi/pulumi/automation";

import { PROJECT_ROOT } from "../../../components/stackFiles";
import { run } from "../../support/run";
import { E2EEnvironment } from "./e2eEnvironment";

/** The policy pack, as the preview workflow passes it: `pulumi preview --policy-pack policy`. */
export const POLICY_PACK = path.join(PROJECT_ROOT, "policy");

/** The example programs of `examples/`, by language. */
export type ExampleLanguage = "python" | "yaml";

/** A stack of one of the example programs, in a copy of the example's directory. */
export interface ProgramStack {
    stack: Stack;
    workDir: string;
    remove: () => Promise<void>;
}

/**
 * Copies `examples/<language>` as a user would clone it, adds the component with `pulumi package add` and the
 * repository's path (which generates and links the SDK of that language), and makes a stack with `config`.
 */
export async function createProgramStack(
    environment: E2EEnvironment,
    language: ExampleLanguage,
    config: ConfigMap,
    stackName = `e2e-${language}`,
): Promise<ProgramStack> {
    const workDir = fs.mkdtempSync(path.join(os.tmpdir(), `pg-ha-e2e-${language}-`));
    fs.cpSync(path.join(PROJECT_ROOT, "examples", language), workDir, { recursive: true });
    await run("pulumi", ["package", "add", PROJECT_ROOT], { cwd: workDir, env: environment.env });
    const stack = await LocalWorkspace.createOrSelectStack(
        { stackName, workDir },
        { workDir, envVars: environment.env },
    );
    await stack.setAllConfig(config);
    return {
        stack,
        workDir,
        remove: async () => {
            await stack.workspace.removeStack(stackName, { force: true });
            fs.rmSync(workDir, { recursive: true, force: true });
        },
    };
}

/** One Kubernetes object a preview plans: its Pulumi type, its resource name and its inputs. */
export interface PlannedObject {
    type: string;
    name: string;
    inputs: unknown;
}

/** The Kubernetes objects a preview plans, in a stable order, from its engine events. */
export function plannedObjects(events: EngineEvent[]): PlannedObject[] {
    return events
        .flatMap((event) => (event.resourcePreEvent ? [event.resourcePreEvent.metadata] : []))
        .filter((step) => step.type.startsWith("kubernetes:"))
        .map((step) => ({
            type: step.type,
            name: step.urn.slice(step.urn.lastIndexOf("::") + 2),
            inputs: step.new?.inputs,
        }))
        .sort((a, b) => `${a.type} ${a.name}`.localeCompare(`${b.type} ${b.name}`));
}

/** Previews a stack and returns what it plans. */
export async function previewObjects(stack: Stack, policyPacks: string[] = []): Promise<PlannedObject[]> {
    const events: EngineEvent[] = [];
    await stack.preview({ color: "never", policyPacks, onEvent: (event) => events.push(event) });
    return plannedObjects(events);
}
