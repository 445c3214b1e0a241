/**
 * What the end-to-end tests take from their environment, so that the same tests run on this machine's
 * cluster (`npm run e2e` sets it all) and on kind in GitHub Actions (the workflow sets it): the kubeconfig,
 * the PostgreSQL image the pods run, and a `pulumi` on PATH with a backend and a passphrase.
 */
export interface E2EEnvironment {
    kubeconfig: string;
    image: string;
    /** Environment for the Pulumi CLI and kubectl. */
    env: Record<string, string>;
}

export function e2eEnvironment(env: NodeJS.ProcessEnv = process.env): E2EEnvironment {
    const missing = ["KUBECONFIG", "PG_HA_E2E_IMAGE", "PULUMI_BACKEND_URL"].filter((name) => !env[name]);
    if (!env.PULUMI_CONFIG_PASSPHRASE && !env.PULUMI_CONFIG_PASSPHRASE_FILE)
        missing.push("PULUMI_CONFIG_PASSPHRASE(_FILE)");
    if (missing.length > 0) {
        throw new Error(
            `the end-to-end tests need ${missing.join(", ")}: run them with \`npm run e2e\`, or after ` +
                '`eval "$(npm run -s e2e:cluster -- env)"` with `npm run e2e:test`',
        );
    }
    const passed: Record<string, string> = {};
    for (const [name, value] of Object.entries(env)) if (value !== undefined) passed[name] = value;
    return { kubeconfig: env.KUBECONFIG as string, image: env.PG_HA_E2E_IMAGE as string, env: passed };
}
