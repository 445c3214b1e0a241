import { UnknownValueError } from "@pulumi/policy";

// Exported by @pulumi/policy, but its declarations leave the class out (the type is any): typed here.
const UnknownValue = UnknownValueError as new (...args: never[]) => Error;

/** Whether an error is the policy framework's: a rule read a value a preview cannot know. */
export function isUnknownValueError(error: unknown): error is Error {
    return error instanceof UnknownValue;
}

/**
 * Runs `check` on every item, including those that hold values a preview cannot know yet (the inputs of an
 * object computed from a resource still to be created). The first such error is thrown once every item was
 * checked: the policy framework then notes that the rule could not run on everything, and the violations
 * found in the other items stand. Without it, one unknown value would stop a stack rule for every object.
 */
export function checkEach<T>(items: Iterable<T>, check: (item: T) => void): void {
    let unknown: Error | undefined;
    for (const item of items) {
        try {
            check(item);
        } catch (error) {
            if (!isUnknownValueError(error)) {
                throw error;
            }
            unknown ??= error;
        }
    }
    if (unknown !== undefined) {
        throw unknown;
    }
}
