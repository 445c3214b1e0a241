import {
    PolicyResource,
    PolicyResourceOptions,
    ReportViolation,
    ResourceValidationArgs,
    ResourceValidationPolicy,
    StackValidationArgs,
    StackValidationPolicy,
    unknownCheckingProxy,
} from "@pulumi/policy";
import { COMPONENT_TYPE } from "../../policy/kubernetesObjects";
import { policies } from "../../policy/policies";
import { isUnknownValueError } from "../../policy/unknownValues";
import { RegisteredResource } from "./mockEngine";

/**
 * Runs the policy pack's rules as the policy framework does (`@pulumi/policy`'s analyzer server), on objects
 * the tests build or the program registered under the mock engine: resource rules get each resource's
 * inputs, stack rules all of them, every props object behind the framework's unknown-checking proxy.
 */

// Exported by @pulumi/policy, but its declarations leave it out (its type is any): typed here.
const proxied = unknownCheckingProxy as <T>(value: T) => T;

/** A resource as a rule sees it. */
export interface CheckedResource {
    type: string;
    name: string;
    props: Record<string, unknown>;
    urn?: string;
}

export interface ReportedViolation {
    policy: string;
    message: string;
    /** The resource the violation names: always the checked one for a resource rule. */
    urn: string | undefined;
    /** advisory: the rule met a value a preview cannot know, and says it could not check everything. */
    enforcementLevel: "mandatory" | "advisory";
}

// Internal to @pulumi/policy, not in its typings: what the engine sends for an object, or a string, a preview
// cannot know.
const { unknownObjectValue, unknownStringValue } =
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    require("@pulumi/policy/proxy") as { unknownObjectValue: string; unknownStringValue: string };
export const UNKNOWN_OBJECT = unknownObjectValue;
export const UNKNOWN_STRING = unknownStringValue;

/**
 * The resource's URN; without one, the URN the engine gives a child of the component, as the mock engine
 * does (tests/support/mockEngine.ts): the rules check only the objects of a PostgresCluster.
 */
export function urnOf(resource: CheckedResource): string {
    return resource.urn ?? `urn:pulumi:test::pg-ha::${COMPONENT_TYPE}$${resource.type}::${resource.name}`;
}

/** The URN of a resource of the stack that is no child of the component: a user's own object. */
export function topLevelUrnOf(resource: CheckedResource): string {
    return `urn:pulumi:test::pg-ha::${resource.type}::${resource.name}`;
}

/** What the registration says of a resource, as the rules see it (inputs with secrets unwrapped). */
export function checkedResource(resource: RegisteredResource): CheckedResource {
    return { type: resource.type, name: resource.name, props: resource.inputs, urn: resource.urn };
}

export function policyNamed(name: string): ResourceValidationPolicy | StackValidationPolicy {
    const policy = policies.find((candidate) => candidate.name === name);
    if (policy === undefined) {
        throw new Error(`the pack has no policy ${name}`);
    }
    return policy;
}

// The rules read neither resource options nor configuration; these are the framework's shapes, empty.
const OPTIONS: PolicyResourceOptions = {
    protect: false,
    ignoreChanges: [],
    aliases: [],
    customTimeouts: { createSeconds: 0, updateSeconds: 0, deleteSeconds: 0 },
    additionalSecretOutputs: [],
};

/**
 * What a rule sees of one resource, whether a resource rule gets it alone or a stack rule with the others: the
 * props behind the unknown-checking proxy, and the type tests by the class's `__pulumiType`, which every
 * `@pulumi/kubernetes` class has.
 */
function seenResource(resource: CheckedResource) {
    const props = proxied(structuredClone(resource.props));
    const isType = (resourceClass: object) =>
        (resourceClass as { __pulumiType?: unknown }).__pulumiType === resource.type;
    return {
        type: resource.type,
        props,
        urn: urnOf(resource),
        name: resource.name,
        opts: OPTIONS,
        isType,
        // As the framework: the props themselves, typed by the caller's class.
        asType: (resourceClass: object) => (isType(resourceClass) ? (props as never) : undefined),
    };
}

const common = {
    stackTags: new Map<string, string>(),
    getConfig: <T extends object>() => ({}) as T,
    notApplicable: (reason?: string): never => {
        throw new Error(`the rule called itself not applicable: ${reason}`);
    },
};

function resourceArgs(resource: CheckedResource): ResourceValidationArgs {
    return { ...common, ...seenResource(resource) };
}

function stackArgs(resources: readonly CheckedResource[]): StackValidationArgs {
    const seen = resources.map((resource): PolicyResource => ({
        ...seenResource(resource),
        dependencies: [],
        propertyDependencies: {},
    }));
    return { ...common, resources: seen };
}

/**
 * Every violation `policy` reports on the resources. As in the framework, a rule that meets a value a preview
 * cannot know ends with an advisory note, and what it reported before stands.
 */
export async function violationsOf(
    policy: ResourceValidationPolicy | StackValidationPolicy,
    resources: readonly CheckedResource[],
): Promise<ReportedViolation[]> {
    const found: ReportedViolation[] = [];
    const run = async (validation: () => Promise<void> | void, resourceUrn?: string) => {
        try {
            await validation();
        } catch (error) {
            if (!isUnknownValueError(error)) {
                throw error;
            }
            const message = `can't run policy '${policy.name}' during preview: ${error.message}`;
            found.push({ policy: policy.name, message, urn: resourceUrn, enforcementLevel: "advisory" });
        }
    };
    const collector =
        (resourceUrn?: string): ReportViolation =>
        (message, urn) =>
            found.push({ policy: policy.name, message, urn: resourceUrn ?? urn, enforcementLevel: "mandatory" });
    if ("validateStack" in policy) {
        await run(() => policy.validateStack(stackArgs(resources), collector()));
    } else if (policy.validateResource !== undefined) {
        const validations = Array.isArray(policy.validateResource)
            ? policy.validateResource
            : [policy.validateResource];
        for (const resource of resources) {
            for (const validate of validations) {
                await run(() => validate(resourceArgs(resource), collector(urnOf(resource))), urnOf(resource));
            }
        }
    }
    return found;
}

/** Every violation of every rule of the pack. */
export async function packViolations(resources: readonly CheckedResource[]): Promise<ReportedViolation[]> {
    const found: ReportedViolation[] = [];
    for (const policy of policies) {
        found.push(...(await violationsOf(policy, resources)));
    }
    return found;
}

/** One line per violation, for assertion messages. */
export function describeReported(violations: readonly ReportedViolation[]): string {
    return violations
        .map(
            (violation) => `${violation.policy} ${violation.enforcementLevel} (${violation.urn}): ${violation.message}`,
        )
        .join("\n");
}
