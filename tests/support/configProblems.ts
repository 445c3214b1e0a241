import * as assert from "assert";

import { ClusterSettingsInput, ConfigError, resolveSettings } from "../../components/settings";

/** The ConfigError's problems for `input` (with a StorageClass's storage), as `key: allowed` lines. */
export function problems(input: Partial<ClusterSettingsInput>): string[] {
    try {
        resolveSettings({ storage: { className: "standard" }, ...input });
    } catch (error) {
        assert.ok(error instanceof ConfigError, String(error));
        return error.problems.map((problem) => `${problem.key}: ${problem.allowed}`);
    }
    assert.fail(`${JSON.stringify(input)} was accepted`);
}
