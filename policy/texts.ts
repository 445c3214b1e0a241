/**
 * Every text in a value, keys included, with where it is; numbers and booleans cannot hold a password. A
 * string that is the value of a map entry comes with the entry's `key`: a name and its value are one
 * assignment (`data: { password: "…" }`), which neither tells apart when read alone.
 */
export function* texts(value: unknown, path: string): Generator<{ path: string; text: string; key?: string }> {
    if (typeof value === "string") {
        yield { path, text: value };
    } else if (Array.isArray(value)) {
        for (const [index, item] of value.entries()) {
            yield* texts(item, `${path}[${index}]`);
        }
    } else if (typeof value === "object" && value !== null) {
        for (const [key, item] of Object.entries(value)) {
            yield { path: `${path}{key}`, text: key };
            const itemPath = path ? `${path}.${key}` : key;
            if (typeof item === "string") {
                yield { path: itemPath, text: item, key };
            } else {
                yield* texts(item, itemPath);
            }
        }
    }
}
