import * as assert from "assert";
import * as fs from "fs";
import * as path from "path";
import { SETTING_KEYS } from "../components/settings";
import { CONFIG_NAMESPACE } from "../components/stackConfig";
import { REPO_ROOT } from "./support/stacks";

/**
 * The keys of README.md's configuration table: the first cell of each row that starts with "| `", in the
 * section titled "Configuration" (up to the next heading of the same or a higher level). A row for a
 * nested key (`storage.size`) counts for its top-level setting.
 */
function readmeSettingKeys(): string[] {
    const file = path.join(REPO_ROOT, "README.md");
    assert.ok(fs.existsSync(file), `${file} does not exist: the README must document every setting`);
    const lines = fs.readFileSync(file, "utf8").split("\n");
    const start = lines.findIndex((line) => /^#{1,6}\s+Configuration\s*$/.test(line));
    assert.ok(start >= 0, 'README.md has no section titled "Configuration"');
    const level = /^#+/.exec(lines[start])![0].length;
    const end = lines.findIndex(
        (line, index) => index > start && /^#+\s/.test(line) && /^#+/.exec(line)![0].length <= level,
    );
    const keys = lines
        .slice(start + 1, end < 0 ? undefined : end)
        .filter((line) => line.startsWith("| `"))
        .map((line) => /^\| `([^`]+)`/.exec(line)![1].replace(`${CONFIG_NAMESPACE}:`, "").split(".")[0]);
    assert.ok(keys.length > 0, "README.md's Configuration section has no table rows starting with | `key`");
    return [...new Set(keys)];
}

describe("README: the configuration table lists exactly the settings the validator accepts", () => {
    it("has a row for every setting and for nothing else", () => {
        const documented = readmeSettingKeys();
        const missing = SETTING_KEYS.filter((key) => !documented.includes(key));
        const unknown = documented.filter((key) => !SETTING_KEYS.includes(key));
        assert.deepStrictEqual(
            { missing, unknown },
            { missing: [], unknown: [] },
            "README.md's Configuration table and the validator (and so Pulumi.yaml) disagree",
        );
    });
});
