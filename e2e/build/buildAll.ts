import * as fs from "fs";
import * as path from "path";

import { E2EPaths } from "../support/paths";
import { run, step } from "../support/run";
import { HOST_PACKAGES, VERSIONS } from "../versions";
import { goBuild, moduleDir } from "./goBuild";
import {
    BUILD_KEYS,
    corednsBuild,
    crictlBuild,
    etcdBuild,
    kubernetesBuild,
    kubeRouterBuild,
    localPathProvisionerBuild,
    pulumiBuild,
    pulumiKubernetesBuild,
    pulumiLanguageNodejsBuild,
} from "./goModules";
import { buildImage, IMAGE_RECIPES } from "./images";
import {
    languageHostsBuild,
    PYTHON_EXEC,
    pulumiLanguagePythonBuild,
    pulumiLanguageYamlBuild,
} from "./languageHostModules";

/** Directories of the built binaries, by program. */
export type BuiltBinaries = Record<keyof typeof BUILD_KEYS, string>;

/** Where each program's binaries are once built, whether they are yet or not. */
export function binaryDirs(paths: E2EPaths): BuiltBinaries {
    const dirs = {} as BuiltBinaries;
    for (const [program, key] of Object.entries(BUILD_KEYS))
        dirs[program as keyof BuiltBinaries] = path.join(paths.bin, key);
    return dirs;
}

/** Installs the Debian packages the node needs, when any is missing. */
export async function installHostPackages(): Promise<void> {
    const query = await run("dpkg-query", ["-W", "-f", "${Package} ${db:Status-Status}\n", ...HOST_PACKAGES], {
        allowFailure: true,
    });
    const installed = new Set(
        query.stdout
            .split("\n")
            .filter((line) => line.endsWith(" installed"))
            .map((line) => line.split(" ")[0]),
    );
    const missing = HOST_PACKAGES.filter((name) => !installed.has(name));
    if (missing.length === 0) return;
    await step(`apt-get install ${missing.join(" ")}`, async () => {
        const env = { ...process.env, DEBIAN_FRONTEND: "noninteractive" };
        await run("apt-get", ["update", "-q"], { env });
        await run("apt-get", ["install", "-y", "-q", "--no-install-recommends", ...missing], { env });
    });
}

/** What the cluster runs: its programs and images, built once per version and cached. */
export async function buildCluster(paths: E2EPaths): Promise<BuiltBinaries> {
    await installHostPackages();
    fs.mkdirSync(paths.cache, { recursive: true });
    const kubernetesGoMod = fs.readFileSync(
        `${await moduleDir("k8s.io/kubernetes", VERSIONS.kubernetes, paths.cache)}/go.mod`,
        "utf8",
    );
    await goBuild(paths, etcdBuild());
    await goBuild(paths, kubernetesBuild(kubernetesGoMod));
    await goBuild(paths, corednsBuild());
    await goBuild(paths, localPathProvisionerBuild());
    await goBuild(paths, crictlBuild());
    await goBuild(paths, kubeRouterBuild());
    for (const recipe of IMAGE_RECIPES) await buildImage(paths, recipe);
    return binaryDirs(paths);
}

/**
 * The Pulumi CLI, its language hosts (Node.js, Python, YAML) and the Kubernetes provider: the slow builds
 * (~35 min cold).
 */
export async function buildPulumi(paths: E2EPaths): Promise<BuiltBinaries> {
    const nodejs = await goBuild(paths, pulumiLanguageNodejsBuild());
    const python = await goBuild(paths, pulumiLanguagePythonBuild());
    const exec = path.join(python, PYTHON_EXEC.name);
    if (!fs.existsSync(exec)) {
        fs.copyFileSync(
            path.join(await moduleDir(PYTHON_EXEC.module, PYTHON_EXEC.version, paths.cache), PYTHON_EXEC.from),
            exec,
        );
        fs.chmodSync(exec, 0o755);
    }
    const yaml = await goBuild(paths, pulumiLanguageYamlBuild());
    await goBuild(paths, languageHostsBuild({ nodejs, python, yaml }));
    await goBuild(paths, pulumiBuild());
    await goBuild(paths, pulumiKubernetesBuild());
    const bin = binaryDirs(paths);
    await installKubernetesPlugin(paths, bin);
    return bin;
}

/**
 * Installs the built provider into the CLI's plugin cache as the version @pulumi/kubernetes asks for. A
 * program finds it on PATH, but `pulumi package add` installs what a plugin package requires and would try to
 * download that version (there is no download site here).
 */
async function installKubernetesPlugin(paths: E2EPaths, bin: BuiltBinaries): Promise<void> {
    const { version } = JSON.parse(fs.readFileSync(require.resolve("@pulumi/kubernetes/package.json"), "utf8")) as {
        version: string;
    };
    if (fs.existsSync(path.join(paths.pulumiHome, "plugins", `resource-kubernetes-v${version}`))) return;
    await step(`install the Kubernetes provider as plugin version ${version}`, () =>
        run(
            path.join(bin.pulumi, "pulumi"),
            [
                "plugin",
                "install",
                "resource",
                "kubernetes",
                version,
                "--file",
                path.join(bin.pulumiKubernetes, "pulumi-resource-kubernetes"),
            ],
            { env: { ...process.env, PULUMI_HOME: paths.pulumiHome, PULUMI_SKIP_UPDATE_CHECK: "true" } },
        ),
    );
}

/** Everything `npm run e2e` needs; a second run finds it all cached and takes seconds. */
export async function buildAll(paths: E2EPaths): Promise<BuiltBinaries> {
    await buildCluster(paths);
    return buildPulumi(paths);
}
