import * as assert from "assert";

import { resolveSettings } from "../components/settings";
import { CREDENTIALS_REVISION_ANNOTATION, maintenanceJob } from "../components/specs/maintenanceJob";
import { engineConfig, ofType, runProgram, stackConfig } from "./support/stacks";

const settings = resolveSettings({ storage: { className: "standard" } });
const JOB = "kubernetes:batch/v1:Job";

describe("password changes: the maintenance Job runs again and ends once they are in effect", () => {
    it("waits for the Secret's passwords to be in effect before any other step (an init container)", () => {
        const spec = maintenanceJob(settings, "config").spec.template.spec;
        assert.deepStrictEqual(
            spec.initContainers.map((container) => container.command),
            [["/bin/sh", "/etc/pg-ha/config/wait-for-passwords.sh"]],
        );
    });

    it("is a new Job for a new revision of the credentials Secret, and the same Job for the same one", () => {
        const name = (revision: string) => maintenanceJob(settings, "config", revision).metadata.name;
        assert.notStrictEqual(name("101"), name("102"));
        assert.strictEqual(name("101"), name("101"));
        assert.strictEqual(
            maintenanceJob(settings, "config", "101").spec.template.metadata.annotations[
                CREDENTIALS_REVISION_ANNOTATION
            ],
            "101",
        );
    });

    it("the component waits for the Job longer than the Job's own deadline (Pulumi's default is 10 minutes)", async () => {
        const run = await runProgram(engineConfig(stackConfig("local")));
        const [job] = ofType(run, JOB);
        const deadline = (job.inputs.spec as { activeDeadlineSeconds: number }).activeDeadlineSeconds;
        assert.deepStrictEqual(job.customTimeouts, { create: "20m", update: "20m", delete: "" });
        assert.ok(deadline < 20 * 60, `the Job's deadline ${deadline}s exceeds the wait`);
    });

    it("the component runs a new Job when a configured password changes, without the password in its spec", async () => {
        const jobFor = async (superuser: string) => {
            const run = await runProgram(
                engineConfig({
                    ...stackConfig("local"),
                    "pg-ha:superuserPassword": superuser,
                    "pg-ha:replicationPassword": "replication-password-unchanged",
                }),
                ["pg-ha:superuserPassword", "pg-ha:replicationPassword"],
            );
            const [job] = ofType(run, JOB);
            assert.ok(!JSON.stringify(job.inputs).includes(superuser), "the Job's spec holds the password");
            return (job.inputs.metadata as { name: string }).name;
        };
        const first = await jobFor("first-superuser-password");
        assert.strictEqual(await jobFor("first-superuser-password"), first);
        assert.notStrictEqual(await jobFor("second-superuser-password"), first);
    });
});
