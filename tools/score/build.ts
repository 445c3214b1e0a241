import * as path from "path";
import { goBuild } from "../../e2e/build/goBuild";
import { GoBuild, goMod, ldflags } from "../../e2e/build/goModules";
import { E2EPaths, e2ePaths } from "../../e2e/support/paths";
import { run } from "../../e2e/support/run";
import { VERSIONS } from "../../e2e/versions";

const KUBE_SCORE_PACKAGE = "github.com/zegl/kube-score/cmd/kube-score";

/** kube-score, built as the end-to-end tooling builds its Go programs: from the module proxy, cached by version. */
export function kubeScoreBuild(): GoBuild {
    return {
        key: `kube-score-${VERSIONS.kubeScore}`,
        goMod: goMod("pg-ha-score/kube-score"),
        files: {},
        copies: [],
        get: [`${KUBE_SCORE_PACKAGE}@${VERSIONS.kubeScore}`],
        binaries: [{ name: "kube-score", pkg: KUBE_SCORE_PACKAGE }],
        // Its releases set the version at link time; `kube-score version` then names the pin.
        ldflags: ldflags({ "main.version": VERSIONS.kubeScore }),
    };
}

/** The path of the pinned kube-score, built first if the cache lacks it. */
export async function buildKubeScore(paths: E2EPaths = e2ePaths()): Promise<string> {
    const go = await run("go", ["version"], { allowFailure: true }).catch(() => undefined);
    if (go === undefined || go.code !== 0) {
        throw new Error("kube-score is built from source with Go 1.24 or later, and there is no go on the PATH");
    }
    return path.join(await goBuild(paths, kubeScoreBuild()), "kube-score");
}
