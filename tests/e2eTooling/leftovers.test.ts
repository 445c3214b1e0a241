import * as assert from "assert";
import { spawn } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";

import { isOurShim, markState, stateFromThisBoot, stateOwnership } from "../../e2e/cluster/leftovers";
import { e2ePaths } from "../../e2e/support/paths";

describe("e2e cluster stop: only what this tool made", function () {
    const root = fs.mkdtempSync(path.join(os.tmpdir(), "pg-ha-e2e-state-test-"));
    after(() => fs.rmSync(root, { recursive: true, force: true }));

    it("touches a state directory only if `up` marked it, in this boot", function () {
        const paths = e2ePaths({
            PG_HA_E2E_STATE: path.join(root, "state"),
            PG_HA_E2E_CACHE: path.join(root, "cache"),
        });
        assert.strictEqual(stateOwnership(paths), "absent");
        fs.mkdirSync(paths.state);
        assert.strictEqual(stateOwnership(paths), "foreign", "a directory someone pointed PG_HA_E2E_STATE at");
        assert.strictEqual(stateFromThisBoot(paths), false);
        markState(paths);
        assert.strictEqual(stateOwnership(paths), "ours");
        assert.strictEqual(stateFromThisBoot(paths), true);
        fs.writeFileSync(path.join(paths.state, ".pg-ha-e2e-state"), "another-boot\n");
        assert.strictEqual(stateFromThisBoot(paths), false, "PIDs recorded before a reboot are someone else's");
    });

    it("takes a process for one of its shims only if it is a containerd shim of its own containerd's socket", async function () {
        const start = (argv0: string, args: string[]) =>
            spawn(process.execPath, ["-e", "setTimeout(() => {}, 20000)", "--", ...args], { argv0, stdio: "ignore" });
        const ours = start("containerd-shim-runc-v2", [
            "-namespace",
            "k8s.io",
            "-address",
            "/srv/state/containerd.sock",
        ]);
        const other = start("containerd-shim-runc-v2", [
            "-namespace",
            "moby",
            "-address",
            "/run/containerd/containerd.sock",
        ]);
        const notShim = start("postgres", ["-address", "/srv/state/containerd.sock"]);
        try {
            await new Promise((resolve) => setTimeout(resolve, 200));
            assert.strictEqual(isOurShim(ours.pid ?? -1, "/srv/state/containerd.sock"), true);
            assert.strictEqual(
                isOurShim(other.pid ?? -1, "/srv/state/containerd.sock"),
                false,
                "another containerd's shim",
            );
            assert.strictEqual(isOurShim(notShim.pid ?? -1, "/srv/state/containerd.sock"), false, "not a shim");
        } finally {
            for (const child of [ours, other, notShim]) child.kill();
        }
    });
});
