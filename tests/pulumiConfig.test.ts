import * as assert from "assert";
import { execFileSync, spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { engineConfig, projectFile, stackConfig, stackNames, REPO_ROOT } from "./support/stacks";

// The Pulumi CLI validates the stack files before it runs the program. These tests run that validation with
// the CLI's own Go code (tools/pulumi-config-check), so a Pulumi.yaml the CLI would refuse fails here, and
// the tests' own emulation of the CLI (engineConfig) is held to what the CLI really hands the program.

interface CheckedValue {
    value: string;
    secure: boolean;
    object: boolean;
}

interface CheckResult {
    stack: string;
    error?: string;
    config?: Record<string, CheckedValue>;
}

const TOOL_DIR = path.join(REPO_ROOT, "tools", "pulumi-config-check");
const BINARY = path.join(os.tmpdir(), "pg-ha-pulumi-config-check");

function check(projectDir: string, stacks: string[]): CheckResult[] {
    const output = execFileSync(BINARY, [projectDir, ...stacks], { encoding: "utf8" });
    return output
        .trim()
        .split("\n")
        .map((line) => JSON.parse(line) as CheckResult);
}

/** A copy of the project's stack files with Pulumi.yaml changed by `edit`. */
function projectWith(edit: (pulumiYaml: string) => string): string {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "pg-ha-config-"));
    for (const file of fs.readdirSync(REPO_ROOT).filter((name) => /^Pulumi(\..+)?\.yaml$/.test(name))) {
        fs.copyFileSync(path.join(REPO_ROOT, file), path.join(dir, file));
    }
    const pulumiYaml = path.join(dir, "Pulumi.yaml");
    fs.writeFileSync(pulumiYaml, edit(fs.readFileSync(pulumiYaml, "utf8")));
    return dir;
}

describe("stack files, as the Pulumi CLI validates them", function () {
    this.timeout(15 * 60 * 1000);

    before(function () {
        if (spawnSync("go", ["version"]).status !== 0) {
            console.log("      skipping: no Go toolchain to build the Pulumi CLI's config validation");
            this.skip();
        }
        // The first build downloads the Pulumi SDK's modules; later ones come from Go's caches.
        execFileSync("go", ["build", "-o", BINARY, "."], { cwd: TOOL_DIR, stdio: "inherit" });
    });

    it("accepts every stack", () => {
        for (const result of check(REPO_ROOT, stackNames())) {
            assert.strictEqual(result.error, undefined, `${result.stack}: ${result.error}`);
        }
    });

    it("hands the program the same config the tests emulate, defaults included", () => {
        for (const result of check(REPO_ROOT, stackNames())) {
            const emulated = engineConfig(stackConfig(result.stack));
            const real = result.config ?? {};
            assert.deepStrictEqual(Object.keys(real).sort(), Object.keys(emulated).sort(), result.stack);
            for (const [key, { value, object }] of Object.entries(real)) {
                const expected = emulated[key];
                if (object) {
                    assert.deepStrictEqual(JSON.parse(value), JSON.parse(expected), `${result.stack} ${key}`);
                } else {
                    assert.strictEqual(value, expected, `${result.stack} ${key}`);
                }
            }
        }
    });

    it("refuses a declared setting without a default that a stack leaves out", () => {
        assert.strictEqual(projectFile().config["pg-ha:primaryWaitTimeoutSeconds"].default, 300);
        assert.strictEqual(stackConfig("local")["pg-ha:primaryWaitTimeoutSeconds"], undefined);
        const dir = projectWith((yaml) =>
            yaml.replace(/( {2}pg-ha:primaryWaitTimeoutSeconds:\n(?: {4}.*\n)*?) {4}default: 300\n/, "$1"),
        );
        try {
            const [result] = check(dir, ["local"]);
            assert.match(result.error ?? "", /missing configuration value.*primaryWaitTimeoutSeconds/);
        } finally {
            fs.rmSync(dir, { recursive: true, force: true });
        }
    });

    it("refuses a secret declaration whose default would be stored in plain text", () => {
        const dir = projectWith((yaml) =>
            yaml.replace("  pg-ha:superuserPassword:\n", "  pg-ha:superuserPassword:\n    secret: true\n"),
        );
        try {
            const [result] = check(dir, ["local"]);
            assert.match(result.error ?? "", /superuserPassword.*must be encrypted/);
        } finally {
            fs.rmSync(dir, { recursive: true, force: true });
        }
    });
});
