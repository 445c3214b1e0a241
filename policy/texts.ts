/** Every text in a value, keys included, with where it is; numbers and booleans cannot hold a password. */
export function* texts(value: unknown, path: string): Generator<{ path: string; text: string }> {
    if (typeof value === "string") {
        yield { path, text: value };
    } else if (Array.isArray(value)) {
        for (const [index, item] of value.entries()) {
            yield* texts(item, `${path}[${index}]`);
        }
    } else if (typeof value === "object" && value !== null) {
        for (const [key, item] of Object.entries(value)) {
            yield { path: `${path}{key}`, text: key };
            yield* texts(item, path ? `${path}.${key}` : key);
        }
    }
}
