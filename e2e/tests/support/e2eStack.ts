import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { randomBytes } from "crypto";
import { ConfigMap, LocalWorkspace, Stack } from "@pulumi/pulumi/automation";
import { parse, stringify } from "yaml";

import { DEFAULTS } from "../../../components/settings";
import { CONFIG_NAMESPACE } from "../../../components/stackConfig";
import { PROJECT_ROOT } from "../../../components/stackFiles";
import { E2EEnvironment } from "./e2eEnvironment";
import { stackSettings } from "./expectedObjects";
import { E2E_TLS_SECRET, writeTlsSecret } from "./tlsSecret";
import { CertificateAuthority, makeCertificateAuthority } from "../../../tests/support/certificates";

/**
 * A stack of the real program for the end-to-end tests, in a project directory of its own: its Pulumi.yaml
 * is the project's, its program and node_modules are links to the repository's, and its stack file starts as
 * a copy of one of the project's stacks (`local`, `dev`, …) with the e2e settings on top. So the tests deploy
 * exactly what users deploy, and never write a stack file into the repository.
 */
export interface E2EStack {
    stack: Stack;
    /** The stack's `pg-ha:` settings as its stack file holds them (passwords aside). */
    config: Record<string, unknown>;
    /** The stack's namespace, from its settings. */
    namespace: string;
    /** The CA of the stack's TLS Secret (see `writeTlsSecret`), unless the settings chose TLS themselves. */
    tlsAuthority: CertificateAuthority | undefined;
    /** The project directory; removed by `remove()`. */
    workDir: string;
    /** Sets `pg-ha:` settings in the stack file, as a person editing it would (objects stay structured). */
    changeSettings: (settings: Record<string, unknown>) => void;
    remove: () => Promise<void>;
}

/** The program's files a stack's project directory links to. */
const LINKED = ["index.ts", "components", "node_modules", "package.json", "tsconfig.json"];

/** Links a stack's project directory to this checkout's program, replacing links to another one. */
export function linkProgram(workDir: string): void {
    for (const entry of LINKED) {
        fs.rmSync(path.join(workDir, entry), { force: true });
        fs.symlinkSync(path.join(PROJECT_ROOT, entry), path.join(workDir, entry));
    }
}

/** A setting's key in the stack's config: `pg-ha:<setting>`. */
function configKey(setting: string): string {
    return `${CONFIG_NAMESPACE}:${setting}`;
}

/** A password that meets the program's rules; a new one per stack, stored as a Pulumi secret. */
function password(): string {
    return randomBytes(24).toString("base64url");
}

/**
 * TLS mode "secret" with a Secret of the tests' own CA, as cert-manager would provide it, unless the settings
 * choose TLS themselves or are invalid (the suites about configuration errors create nothing).
 */
async function provideTls(
    config: Record<string, unknown>,
    settings: Record<string, unknown>,
): Promise<CertificateAuthority | undefined> {
    if (settings.tls !== undefined) return undefined;
    config[configKey("tls")] = { mode: "secret", secretName: E2E_TLS_SECRET };
    let resolved: ReturnType<typeof stackSettings>;
    try {
        resolved = stackSettings(config);
    } catch {
        return undefined;
    }
    const ca = makeCertificateAuthority("pg-ha e2e CA");
    await writeTlsSecret(resolved, ca);
    return ca;
}

/**
 * `stackName` tells two stacks of one base apart (default `e2e-<base>`). `workDir` is the project directory
 * to make (default: a new temporary one).
 */
export async function createE2EStack(
    environment: E2EEnvironment,
    base: string,
    settings: Record<string, unknown> = {},
    stackName = `e2e-${base}`,
    workDir = fs.mkdtempSync(path.join(os.tmpdir(), `pg-ha-e2e-${base}-`)),
): Promise<E2EStack> {
    fs.mkdirSync(workDir, { recursive: true });
    fs.copyFileSync(path.join(PROJECT_ROOT, "Pulumi.yaml"), path.join(workDir, "Pulumi.yaml"));
    linkProgram(workDir);
    const baseFile = parse(fs.readFileSync(path.join(PROJECT_ROOT, `Pulumi.${base}.yaml`), "utf8")) as {
        config?: Record<string, unknown>;
    };
    const config: Record<string, unknown> = { ...baseFile.config, [configKey("image")]: environment.image };
    for (const [key, value] of Object.entries(settings)) config[configKey(key)] = value;
    const tlsAuthority = await provideTls(config, settings);
    const stackFile = path.join(workDir, `Pulumi.${stackName}.yaml`);
    fs.writeFileSync(stackFile, stringify({ config }));

    const stack = await LocalWorkspace.createOrSelectStack(
        { stackName, workDir },
        { workDir, envVars: environment.env },
    );
    // The random provider is not available on every machine that runs these tests (the Go module proxy
    // refuses it): the passwords are given, as secrets, as a production stack would.
    const secrets: ConfigMap = {
        [configKey("superuserPassword")]: { value: password(), secret: true },
        [configKey("replicationPassword")]: { value: password(), secret: true },
        ...(settings.database === undefined
            ? {}
            : { [configKey("applicationPassword")]: { value: password(), secret: true } }),
    };
    await stack.setAllConfig(secrets);
    const given = config[configKey("namespace")];
    const namespace = typeof given === "string" ? given : DEFAULTS.namespace;
    return {
        stack,
        config,
        namespace,
        tlsAuthority,
        workDir,
        changeSettings: (changes) => {
            const file = parse(fs.readFileSync(stackFile, "utf8")) as { config: Record<string, unknown> };
            for (const [key, value] of Object.entries(changes)) {
                file.config[configKey(key)] = value;
                config[configKey(key)] = value;
            }
            fs.writeFileSync(stackFile, stringify(file));
        },
        remove: async () => {
            await stack.workspace.removeStack(stackName, { force: true });
            fs.rmSync(workDir, { recursive: true, force: true });
        },
    };
}
