import { VERSIONS } from "../versions";
import { languageHostsDigest } from "./languageHostSources";

/**
 * The Go builds of the end-to-end cluster. Most of these programs cannot be `go install`ed as published:
 * their go.mod replaces modules with paths inside their own repository, which Go ignores in a dependency.
 * Each gets a small wrapper module instead, written here, whose requirements and replaces make it build
 * from the Go module proxy alone.
 */
export interface GoBuild {
    /** Cache key: a directory name that changes with every version that goes into the build. */
    key: string;
    /** The wrapper module's go.mod, before `go get` completes its requirements. */
    goMod: string;
    /** Source files of the wrapper module (a main package of our own), by file name. */
    files: Record<string, string>;
    /** Files copied into the wrapper module from a module of the cache: `{ module, version, from, to }`. */
    copies: { module: string; version: string; from: string; to: string }[];
    /** What `go get` resolves before the build (`path@version`); empty when `go mod tidy` suffices. */
    get: string[];
    /** One binary per entry: its file name and the package it is built from. */
    binaries: { name: string; pkg: string }[];
    ldflags: string;
}

const GO_DIRECTIVE = "go 1.24.0";

/** The cache key of each build: the binaries' directory under the cache's bin/. */
export const BUILD_KEYS = {
    etcd: `etcd-${VERSIONS.etcd}`,
    kubernetes: `kubernetes-${VERSIONS.kubernetes}`,
    coredns: `coredns-${VERSIONS.coredns}`,
    localPathProvisioner: `local-path-provisioner-${VERSIONS.localPathProvisioner}`,
    crictl: `cri-tools-${VERSIONS.criTools}`,
    kubeRouter: `kube-router-${VERSIONS.kubeRouter}`,
    pulumi: `pulumi-${VERSIONS.pulumi}`,
    pulumiLanguageNodejs: `pulumi-language-nodejs-${VERSIONS.pulumiLanguageNodejs}`,
    pulumiLanguagePython: `pulumi-language-python-${VERSIONS.pulumiLanguagePython}`,
    pulumiLanguageYaml: `pulumi-language-yaml-${VERSIONS.pulumiLanguageYaml}-pulumi${VERSIONS.pulumiLanguageYamlPulumiSdk}`,
    languageHosts: `pulumi-language-hosts-${languageHostsDigest()}`,
    // Every pin of the provider's build: its code, the module's commit and the two SDKs it is built with.
    pulumiKubernetes: [
        "pulumi-kubernetes",
        VERSIONS.pulumiKubernetesCode,
        VERSIONS.pulumiKubernetesModule.slice(-12),
        `pulumi${VERSIONS.pulumiKubernetesPulumiSdk}`,
        `sdk${VERSIONS.pulumiKubernetesSdk}`,
    ].join("-"),
} as const;

export function goMod(module: string, require: string[] = [], replace: string[] = []): string {
    const block = (word: string, lines: string[]): string =>
        lines.length === 0 ? "" : `\n${word} (\n${lines.map((line) => `\t${line}`).join("\n")}\n)\n`;
    return `module ${module}\n\n${GO_DIRECTIVE}\n${block("require", require)}${block("replace", replace)}`;
}

/** `-X` flags that set string variables at link time; `-s -w` leave out the symbol tables (smaller, faster links). */
export function ldflags(vars: Record<string, string>): string {
    return ["-s", "-w", ...Object.entries(vars).map(([name, value]) => `-X ${name}=${value}`)].join(" ");
}

/**
 * The modules that k8s.io/kubernetes replaces with its `./staging` directories, read from its go.mod.
 * The wrapper replaces each with the published module of the matching v0 version instead.
 */
export function stagingModules(kubernetesGoMod: string): string[] {
    const staging = /^\s*(k8s\.io\/[\w.-]+)\s+=>\s+\.\/staging\//gm;
    return [...kubernetesGoMod.matchAll(staging)].map((match) => match[1]).sort();
}

/** `v1.34.4` → `v0.34.4`: the staging modules are published as v0 with the same minor and patch. */
export function stagingVersion(kubernetesVersion: string): string {
    const match = /^v1\.(\d+)\.(\d+)$/.exec(kubernetesVersion);
    if (!match) {
        throw new Error(`Kubernetes version ${kubernetesVersion} is not of the form v1.MINOR.PATCH`);
    }
    return `v0.${match[1]}.${match[2]}`;
}

export const KUBERNETES_BINARIES = [
    "kube-apiserver",
    "kube-controller-manager",
    "kube-scheduler",
    "kubelet",
    "kube-proxy",
    "kubectl",
] as const;

export function kubernetesBuild(kubernetesGoMod: string): GoBuild {
    const version = VERSIONS.kubernetes;
    const v0 = stagingVersion(version);
    const [, minor] = /^v1\.(\d+)/.exec(version) ?? [];
    const versionVars = (pkg: string): Record<string, string> => ({
        [`${pkg}.gitVersion`]: version,
        [`${pkg}.gitMajor`]: "1",
        [`${pkg}.gitMinor`]: minor,
    });
    return {
        key: BUILD_KEYS.kubernetes,
        goMod: goMod(
            "pg-ha-e2e/kubernetes",
            [`k8s.io/kubernetes ${version}`],
            stagingModules(kubernetesGoMod).map((module) => `${module} => ${module} ${v0}`),
        ),
        files: {},
        copies: [],
        get: KUBERNETES_BINARIES.map((name) => `k8s.io/kubernetes/cmd/${name}@${version}`),
        binaries: KUBERNETES_BINARIES.map((name) => ({ name, pkg: `k8s.io/kubernetes/cmd/${name}` })),
        ldflags: ldflags({
            ...versionVars("k8s.io/component-base/version"),
            ...versionVars("k8s.io/client-go/pkg/version"),
        }),
    };
}

export function etcdBuild(): GoBuild {
    const version = VERSIONS.etcd;
    const modules = ["api/v3", "client/pkg/v3", "client/v3", "pkg/v3", "server/v3"];
    return {
        key: BUILD_KEYS.etcd,
        goMod: goMod("pg-ha-e2e/etcd"),
        files: {},
        copies: [],
        // etcd's modules must all be at one version: the server alone resolves its siblings to others.
        get: modules.map((module) => `go.etcd.io/etcd/${module}@${version}`),
        binaries: [{ name: "etcd", pkg: "go.etcd.io/etcd/server/v3" }],
        ldflags: ldflags({}),
    };
}

/** CoreDNS with only the plugins the cluster DNS uses; `Directives` orders them as upstream does. */
export function corednsBuild(): GoBuild {
    const plugins = ["bind", "ready", "health", "errors", "log", "cache", "kubernetes", "forward"];
    const imports = [...plugins]
        .sort()
        .map((plugin) => `\t_ "github.com/coredns/coredns/plugin/${plugin}"`)
        .join("\n");
    const main = `package main

import (
\t"github.com/coredns/coredns/core/dnsserver"
\t"github.com/coredns/coredns/coremain"
${imports}
)

func init() {
\tdnsserver.Directives = []string{${plugins.map((plugin) => `"${plugin}"`).join(", ")}}
}

func main() {
\tcoremain.Run()
}
`;
    return {
        key: BUILD_KEYS.coredns,
        goMod: goMod("pg-ha-e2e/coredns", [`github.com/coredns/coredns ${VERSIONS.coredns}`]),
        files: { "main.go": main },
        copies: [],
        get: [],
        binaries: [{ name: "coredns", pkg: "." }],
        ldflags: ldflags({}),
    };
}

export function localPathProvisionerBuild(): GoBuild {
    const version = VERSIONS.localPathProvisioner;
    return {
        key: BUILD_KEYS.localPathProvisioner,
        goMod: goMod("pg-ha-e2e/local-path-provisioner"),
        files: {},
        copies: [],
        get: [`github.com/rancher/local-path-provisioner@${version}`],
        binaries: [{ name: "local-path-provisioner", pkg: "github.com/rancher/local-path-provisioner" }],
        ldflags: ldflags({}),
    };
}

export function kubeRouterBuild(): GoBuild {
    const cmd = "github.com/cloudnativelabs/kube-router/v2/cmd/kube-router";
    return {
        key: BUILD_KEYS.kubeRouter,
        goMod: goMod("pg-ha-e2e/kube-router"),
        files: {},
        copies: [],
        get: [`${cmd}@${VERSIONS.kubeRouter}`],
        binaries: [{ name: "kube-router", pkg: cmd }],
        ldflags: ldflags({}),
    };
}

export function crictlBuild(): GoBuild {
    const version = VERSIONS.criTools;
    return {
        key: BUILD_KEYS.crictl,
        goMod: goMod("pg-ha-e2e/cri-tools"),
        files: {},
        copies: [],
        get: [`sigs.k8s.io/cri-tools/cmd/crictl@${version}`],
        binaries: [{ name: "crictl", pkg: "sigs.k8s.io/cri-tools/cmd/crictl" }],
        ldflags: ldflags({ "sigs.k8s.io/cri-tools/pkg/version.Version": version }),
    };
}

/** pkg/v3's own replace, kept by every build of it: the upstream clipboard module does not build. */
export const PKG_V3_CLIPBOARD_REPLACE =
    "github.com/atotto/clipboard => github.com/tgummerer/clipboard v0.0.0-20241001131231-d02d263e614e";

export function pulumiBuild(): GoBuild {
    const version = VERSIONS.pulumi;
    return {
        key: BUILD_KEYS.pulumi,
        // pkg/v3 replaces sdk/v3 with ../sdk in its own go.mod: require the published sdk/v3 of the same
        // version.
        goMod: goMod("pg-ha-e2e/pulumi", [], [PKG_V3_CLIPBOARD_REPLACE]),
        files: {},
        copies: [],
        get: [`github.com/pulumi/pulumi/pkg/v3/cmd/pulumi@${version}`, `github.com/pulumi/pulumi/sdk/v3@${version}`],
        binaries: [{ name: "pulumi", pkg: "github.com/pulumi/pulumi/pkg/v3/cmd/pulumi" }],
        ldflags: ldflags({ "github.com/pulumi/pulumi/sdk/v3/go/common/version.Version": version }),
    };
}

/**
 * A language host as a package of sdk/v3 (`nodejs` or `python`): the proxy refuses the hosts' own modules, so
 * the version is the last sdk/v3 that holds the package.
 */
export function sdkLanguageHostBuild(runtime: "nodejs" | "python", key: string, version: string): GoBuild {
    const pkg = `github.com/pulumi/pulumi/sdk/v3/${runtime}/cmd/pulumi-language-${runtime}`;
    return {
        key,
        goMod: goMod(`pg-ha-e2e/pulumi-language-${runtime}`),
        files: {},
        copies: [],
        get: [`${pkg}@${version}`],
        binaries: [{ name: `pulumi-language-${runtime}`, pkg }],
        ldflags: ldflags({ "github.com/pulumi/pulumi/sdk/v3/go/common/version.Version": version }),
    };
}

export function pulumiLanguageNodejsBuild(): GoBuild {
    return sdkLanguageHostBuild("nodejs", BUILD_KEYS.pulumiLanguageNodejs, VERSIONS.pulumiLanguageNodejs);
}

/**
 * The provider's own main embeds files that `go generate` writes and the module zip lacks: this main embeds
 * the schema and mapping the zip does hold, and serves them the same way.
 */
export function pulumiKubernetesBuild(): GoBuild {
    const module = "github.com/pulumi/pulumi-kubernetes/provider/v4";
    const version = VERSIONS.pulumiKubernetesModule;
    const main = `package main

import (
\t_ "embed"

\t"${module}/pkg/provider"
\t"${module}/pkg/version"
)

//go:embed schema.json
var schema []byte

//go:embed terraform-mapping.json
var terraformMapping []byte

func main() {
\tprovider.Serve("kubernetes", version.Version, schema, terraformMapping)
}
`;
    const sdk = VERSIONS.pulumiKubernetesPulumiSdk;
    return {
        key: BUILD_KEYS.pulumiKubernetes,
        goMod: goMod(
            "pg-ha-e2e/pulumi-kubernetes",
            [
                `${module} ${version}`,
                `github.com/pulumi/pulumi/pkg/v3 ${sdk}`,
                `github.com/pulumi/pulumi/sdk/v3 ${sdk}`,
            ],
            [
                `github.com/pulumi/pulumi-kubernetes/sdk/v4 => github.com/pulumi/pulumi-kubernetes/sdk/v4 ${VERSIONS.pulumiKubernetesSdk}`,
            ],
        ),
        files: { "main.go": main },
        copies: ["schema.json", "terraform-mapping.json"].map((file) => ({
            module,
            version,
            from: `cmd/pulumi-resource-kubernetes/${file}`,
            to: file,
        })),
        get: [],
        binaries: [{ name: "pulumi-resource-kubernetes", pkg: "." }],
        ldflags: ldflags({ [`${module}/pkg/version.Version`]: VERSIONS.pulumiKubernetesCode }),
    };
}
