import { randomBytes } from "crypto";
import * as fs from "fs";
import * as path from "path";

import { BuiltBinaries } from "../build/buildAll";
import { E2EPaths } from "../support/paths";
import { IMAGES } from "../versions";

/** The passphrase of the e2e stacks' secrets: made once, kept in the cache, never printed. */
export function passphraseFile(paths: E2EPaths): string {
    return path.join(paths.cache, "pulumi-passphrase");
}

/** The file backend's directory, the CLI's home and the passphrase, made once and kept in the cache. */
export function preparePulumi(paths: E2EPaths): void {
    fs.mkdirSync(paths.pulumiBackend, { recursive: true });
    fs.mkdirSync(paths.pulumiHome, { recursive: true });
    const file = passphraseFile(paths);
    if (!fs.existsSync(file)) {
        fs.writeFileSync(file, randomBytes(24).toString("base64url"), { mode: 0o600 });
    }
}

/**
 * The environment with which a person, and the end-to-end tests, use the running cluster and the built
 * Pulumi CLI: kubectl and crictl reach this cluster, `pulumi` is the built CLI with its language host and
 * Kubernetes provider on PATH (ambient plugins, found before any download), a file backend and a passphrase
 * secrets provider (no login), and the name of the local PostgreSQL image.
 */
export function clusterEnvironment(paths: E2EPaths, bin: BuiltBinaries, basePath: string): Record<string, string> {
    const toolPath = [bin.pulumi, bin.languageHosts, bin.pulumiKubernetes, bin.kubernetes, bin.crictl];
    return {
        KUBECONFIG: paths.kubeconfig,
        PATH: [...toolPath, basePath].join(":"),
        CONTAINER_RUNTIME_ENDPOINT: `unix://${paths.containerdSocket}`,
        PULUMI_HOME: paths.pulumiHome,
        PULUMI_BACKEND_URL: `file://${paths.pulumiBackend}`,
        PULUMI_CONFIG_PASSPHRASE_FILE: passphraseFile(paths),
        PULUMI_SKIP_UPDATE_CHECK: "true",
        PG_HA_E2E_IMAGE: IMAGES.postgres,
        // Providers the Go module proxy refuses to serve: the language hosts leave them out of what a plugin
        // package requires (see e2e/build/languageHosts). The stacks give passwords and TLS, so none is started.
        PG_HA_E2E_UNAVAILABLE_PLUGINS: "random,tls",
    };
}

/** `export NAME='value'` lines for `eval "$(npm run -s e2e:cluster -- env)"`. */
export function exportLines(environment: Record<string, string>): string {
    const quote = (value: string): string => `'${value.replace(/'/g, `'\\''`)}'`;
    return Object.entries(environment)
        .map(([name, value]) => `export ${name}=${quote(value)}`)
        .join("\n");
}
