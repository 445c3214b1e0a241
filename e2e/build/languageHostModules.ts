import { VERSIONS } from "../versions";
import { BUILD_KEYS, GoBuild, goMod, ldflags, PKG_V3_CLIPBOARD_REPLACE, sdkLanguageHostBuild } from "./goModules";
import { WRAPPED_RUNTIMES, WrappedRuntime, languageHostSources } from "./languageHostSources";

/**
 * The language hosts of the end-to-end toolchain. The proxy serves the Node.js and Python hosts only as they
 * were in sdk/v3 v3.68.0, and the YAML host at v1.25.0; each lacks calls the CLI makes to run a plugin package
 * or a policy pack, or to `pulumi package add`. `languageHosts/` is a Go program that stands in front of each
 * (under the host's own name, first on PATH) and answers those calls: see its main.go.
 */

export function pulumiLanguagePythonBuild(): GoBuild {
    return sdkLanguageHostBuild("python", BUILD_KEYS.pulumiLanguagePython, VERSIONS.pulumiLanguagePython);
}

/** The Python host runs programs through this script, which it looks for beside itself. */
export const PYTHON_EXEC = {
    module: "github.com/pulumi/pulumi/sdk/v3",
    version: VERSIONS.pulumiLanguagePython,
    from: "python/cmd/pulumi-language-python-exec",
    name: "pulumi-language-python-exec",
} as const;

export function pulumiLanguageYamlBuild(): GoBuild {
    const version = VERSIONS.pulumiLanguageYaml;
    const sdk = VERSIONS.pulumiLanguageYamlPulumiSdk;
    const pkg = "github.com/pulumi/pulumi-yaml/cmd/pulumi-language-yaml";
    return {
        key: BUILD_KEYS.pulumiLanguageYaml,
        goMod: goMod("pg-ha-e2e/pulumi-language-yaml", [
            `github.com/pulumi/pulumi-yaml ${version}`,
            `github.com/pulumi/pulumi/pkg/v3 ${sdk}`,
            `github.com/pulumi/pulumi/sdk/v3 ${sdk}`,
        ]),
        files: {},
        copies: [],
        get: [`${pkg}@${version}`],
        binaries: [{ name: "pulumi-language-yaml", pkg }],
        ldflags: ldflags({ "github.com/pulumi/pulumi-yaml/pkg/version.Version": version }),
    };
}

/**
 * The program of `SOURCES`, once per runtime under the wrapped host's name. `wrapped` gives the directory of
 * each wrapped host, which the binaries know from their link flags.
 */
export function languageHostsBuild(wrapped: Record<WrappedRuntime, string>): GoBuild {
    return {
        key: BUILD_KEYS.languageHosts,
        // The CLI's own version, for the Python code generator.
        goMod: goMod("pg-ha-e2e/pulumi-language-hosts", [], [PKG_V3_CLIPBOARD_REPLACE]),
        files: languageHostSources(),
        copies: [],
        get: [
            `github.com/pulumi/pulumi/pkg/v3@${VERSIONS.pulumi}`,
            `github.com/pulumi/pulumi/sdk/v3@${VERSIONS.pulumi}`,
        ],
        binaries: WRAPPED_RUNTIMES.map((runtime) => ({ name: `pulumi-language-${runtime}`, pkg: "." })),
        ldflags: ldflags(
            Object.fromEntries(
                WRAPPED_RUNTIMES.map((runtime) => [`main.wrapped${capitalised(runtime)}`, wrapped[runtime]]),
            ),
        ),
    };
}

function capitalised(word: string): string {
    return word.charAt(0).toUpperCase() + word.slice(1);
}
