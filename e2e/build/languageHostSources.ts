import { createHash } from "crypto";
import * as fs from "fs";
import * as path from "path";

import { VERSIONS } from "../versions";

const SOURCES = path.join(__dirname, "languageHosts");
/** The hosts the proxy serves, each wrapped by the program of `SOURCES`. */
export const WRAPPED_RUNTIMES = ["nodejs", "python", "yaml"] as const;
export type WrappedRuntime = (typeof WRAPPED_RUNTIMES)[number];

/** The Go files of the program, by name. */
export function languageHostSources(): Record<string, string> {
    const files: Record<string, string> = {};
    for (const name of fs
        .readdirSync(SOURCES)
        .filter((file) => file.endsWith(".go"))
        .sort()) {
        files[name] = fs.readFileSync(path.join(SOURCES, name), "utf8");
    }
    return files;
}

/** Changes with the program's sources and every version built into it or behind it. */
export function languageHostsDigest(): string {
    const hash = createHash("sha256");
    for (const [name, text] of Object.entries(languageHostSources())) hash.update(`${name}\0${text}\0`);
    hash.update(
        [
            VERSIONS.pulumi,
            VERSIONS.pulumiLanguageNodejs,
            VERSIONS.pulumiLanguagePython,
            VERSIONS.pulumiLanguageYaml,
            VERSIONS.pulumiLanguageYamlPulumiSdk,
        ].join("\0"),
    );
    return hash.digest("hex").slice(0, 12);
}
