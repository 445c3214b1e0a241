import * as assert from "assert";

import {
    BUILD_KEYS,
    corednsBuild,
    crictlBuild,
    etcdBuild,
    kubeRouterBuild,
    kubernetesBuild,
    localPathProvisionerBuild,
    pulumiBuild,
    pulumiKubernetesBuild,
    pulumiLanguageNodejsBuild,
    stagingModules,
    stagingVersion,
} from "../../e2e/build/goModules";
import {
    languageHostsBuild,
    pulumiLanguagePythonBuild,
    pulumiLanguageYamlBuild,
} from "../../e2e/build/languageHostModules";
import { WRAPPED_RUNTIMES, languageHostSources } from "../../e2e/build/languageHostSources";
import { VERSIONS } from "../../e2e/versions";

// An excerpt of k8s.io/kubernetes v1.34's go.mod: a require block and the staging replaces.
const KUBERNETES_GO_MOD = `module k8s.io/kubernetes

go 1.24.0

require (
\tk8s.io/api v0.0.0
\tk8s.io/utils v0.0.0-20250604170112-4c0f3b243397
)

replace (
\tk8s.io/api => ./staging/src/k8s.io/api
\tk8s.io/client-go => ./staging/src/k8s.io/client-go
\tk8s.io/cri-api => ./staging/src/k8s.io/cri-api
)
`;

describe("e2e builds: the wrapper modules", function () {
    it("reads the staging modules from k8s.io/kubernetes's go.mod, and nothing else", function () {
        assert.deepStrictEqual(stagingModules(KUBERNETES_GO_MOD), ["k8s.io/api", "k8s.io/client-go", "k8s.io/cri-api"]);
    });

    it("replaces each staging module with its published v0 release of the same minor and patch", function () {
        const goMod = kubernetesBuild(KUBERNETES_GO_MOD).goMod;
        assert.match(goMod, /^\tk8s\.io\/client-go => k8s\.io\/client-go v0\.34\.4$/m);
        assert.match(goMod, /^\tk8s\.io\/api => k8s\.io\/api v0\.34\.4$/m);
        assert.match(goMod, new RegExp(`^\\tk8s\\.io/kubernetes ${VERSIONS.kubernetes.replace(/\./g, "\\.")}$`, "m"));
        assert.doesNotMatch(goMod, /\.\/staging/);
    });

    it("refuses a Kubernetes version it cannot map to the staging modules' versions", function () {
        assert.strictEqual(stagingVersion("v1.34.4"), "v0.34.4");
        assert.throws(() => stagingVersion("1.34.4"), /v1\.MINOR\.PATCH/);
        assert.throws(() => stagingVersion("v1.34"), /v1\.MINOR\.PATCH/);
    });

    it("stamps the Kubernetes version into every binary, so /version does not say v0.0.0-master", function () {
        const { ldflags, binaries } = kubernetesBuild(KUBERNETES_GO_MOD);
        for (const variable of ["k8s.io/component-base/version", "k8s.io/client-go/pkg/version"]) {
            assert.ok(ldflags.includes(`-X ${variable}.gitVersion=${VERSIONS.kubernetes}`), variable);
            assert.ok(ldflags.includes(`-X ${variable}.gitMinor=34`), variable);
        }
        assert.deepStrictEqual(
            binaries.map((binary) => binary.name),
            ["kube-apiserver", "kube-controller-manager", "kube-scheduler", "kubelet", "kube-proxy", "kubectl"],
        );
    });

    it("resolves all of etcd's modules at the one pinned version", function () {
        const { get } = etcdBuild();
        assert.strictEqual(get.length, 5);
        for (const spec of get) assert.ok(spec.endsWith(`@${VERSIONS.etcd}`), spec);
    });

    it("requires the published Pulumi SDK of the CLI's version and keeps pkg/v3's clipboard replace", function () {
        const build = pulumiBuild();
        assert.ok(build.get.includes(`github.com/pulumi/pulumi/sdk/v3@${VERSIONS.pulumi}`));
        assert.match(
            build.goMod,
            /github\.com\/atotto\/clipboard => github\.com\/tgummerer\/clipboard v0\.0\.0-20241001131231-d02d263e614e/,
        );
        assert.ok(build.ldflags.includes(`version.Version=${VERSIONS.pulumi}`));
    });

    it("builds the Kubernetes provider from the module's schema with the SDK pins that compile together", function () {
        const build = pulumiKubernetesBuild();
        assert.match(
            build.goMod,
            new RegExp(`github\\.com/pulumi/pulumi/pkg/v3 ${VERSIONS.pulumiKubernetesPulumiSdk}`),
        );
        assert.match(
            build.goMod,
            new RegExp(
                `pulumi-kubernetes/sdk/v4 => github\\.com/pulumi/pulumi-kubernetes/sdk/v4 ${VERSIONS.pulumiKubernetesSdk}`,
            ),
        );
        assert.deepStrictEqual(build.copies.map((copy) => copy.to).sort(), ["schema.json", "terraform-mapping.json"]);
        assert.match(
            build.files["main.go"],
            /provider\.Serve\("kubernetes", version\.Version, schema, terraformMapping\)/,
        );
        // The binary reports the provider code's version, not the pseudo-version of the module.
        assert.ok(build.ldflags.endsWith(`version.Version=${VERSIONS.pulumiKubernetesCode}`));
    });

    it("registers in CoreDNS exactly the plugins its directives list", function () {
        const main = corednsBuild().files["main.go"];
        const imported = [...main.matchAll(/coredns\/plugin\/(\w+)"/g)].map((match) => match[1]).sort();
        const directives = [...(/Directives = \[\]string\{([^}]*)\}/.exec(main)?.[1] ?? "").matchAll(/"(\w+)"/g)].map(
            (m) => m[1],
        );
        assert.deepStrictEqual([...directives].sort(), imported);
        assert.ok(directives.includes("kubernetes"));
    });

    it("keys each cache entry by the versions that go into it, so that a new pin is a new build", function () {
        const builds = [
            [etcdBuild(), VERSIONS.etcd],
            [kubernetesBuild(KUBERNETES_GO_MOD), VERSIONS.kubernetes],
            [corednsBuild(), VERSIONS.coredns],
            [localPathProvisionerBuild(), VERSIONS.localPathProvisioner],
            [crictlBuild(), VERSIONS.criTools],
            [kubeRouterBuild(), VERSIONS.kubeRouter],
            [pulumiBuild(), VERSIONS.pulumi],
            [pulumiLanguageNodejsBuild(), VERSIONS.pulumiLanguageNodejs],
            [pulumiLanguagePythonBuild(), VERSIONS.pulumiLanguagePython],
            [pulumiLanguageYamlBuild(), VERSIONS.pulumiLanguageYamlPulumiSdk],
        ] as const;
        for (const [build, version] of builds) assert.ok(build.key.endsWith(version), `${build.key} lacks ${version}`);
        const provider = pulumiKubernetesBuild().key;
        for (const pin of [
            VERSIONS.pulumiKubernetesCode,
            VERSIONS.pulumiKubernetesModule.slice(-12),
            VERSIONS.pulumiKubernetesPulumiSdk,
            VERSIONS.pulumiKubernetesSdk,
        ]) {
            assert.ok(provider.includes(pin), `${provider} lacks ${pin}`);
        }
        assert.ok(pulumiLanguageYamlBuild().key.includes(VERSIONS.pulumiLanguageYaml));
        const hosts = languageHostsBuild({ nodejs: "/n", python: "/p", yaml: "/y" }).key;
        assert.deepStrictEqual(
            new Set([...builds.map(([build]) => build.key), provider, hosts]),
            new Set(Object.values(BUILD_KEYS)),
        );
    });

    it("builds the language hosts' front from its Go sources, once per wrapped runtime, each told where its host is", function () {
        const build = languageHostsBuild({ nodejs: "/cache/nodejs", python: "/cache/python", yaml: "/cache/yaml" });
        assert.deepStrictEqual(Object.keys(build.files), Object.keys(languageHostSources()));
        assert.ok(Object.keys(build.files).includes("main.go"));
        assert.deepStrictEqual(
            build.binaries.map((binary) => binary.name),
            WRAPPED_RUNTIMES.map((runtime) => `pulumi-language-${runtime}`),
        );
        for (const [runtime, dir] of [
            ["Nodejs", "/cache/nodejs"],
            ["Python", "/cache/python"],
            ["Yaml", "/cache/yaml"],
        ]) {
            assert.ok(build.ldflags.includes(`-X main.wrapped${runtime}=${dir}`), build.ldflags);
            assert.ok(build.files["main.go"].includes(`wrapped${runtime}`), `main.go reads wrapped${runtime}`);
        }
        assert.ok(build.get.includes(`github.com/pulumi/pulumi/pkg/v3@${VERSIONS.pulumi}`));
    });
});
