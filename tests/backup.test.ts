import * as assert from "assert";

import { ClusterSettingsInput, resolveSettings } from "../components/settings";
import { postgresqlConf } from "../components/specs/configuration";
import { statefulSet } from "../components/specs/statefulSet";
import { backupCronJob, firstBackupJob } from "../components/specs/backupJobs";
import { MAX_CLUSTER_NAME } from "../components/naming";
import { problems } from "./support/configProblems";
import { validateKubernetesObject } from "./support/kubernetesSchema";
import { RegisteredResource } from "./support/mockEngine";
import { engineConfig, runProgram, stackConfig } from "./support/stacks";

const storage = { className: "standard" };
const volume = { className: "shared-nfs" };
const settingsWith = (extra: Partial<ClusterSettingsInput>) => resolveSettings({ storage, ...extra });

const ofType = (resources: readonly RegisteredResource[], type: string) =>
    resources.filter((resource) => resource.type === type);
/** The parts of a PersistentVolume's or claim's inputs these tests read. */
interface VolumeInputs {
    metadata: { name: string };
    spec: {
        accessModes: string[];
        persistentVolumeReclaimPolicy?: string;
        nfs?: unknown;
        claimRef?: { name: string };
        volumeName?: string;
        storageClassName?: string;
        resources?: unknown;
    };
}
const inputsOf = (resource: RegisteredResource) => resource.inputs as unknown as VolumeInputs;

describe("backup settings", () => {
    it("are off unless given, and then take their documented defaults", () => {
        assert.strictEqual(settingsWith({}).backup, undefined);
        assert.deepStrictEqual(settingsWith({ backup: { volume } }).backup, {
            volume: { className: "shared-nfs", size: "20Gi" },
            schedule: "0 3 * * *",
            keepBaseBackups: 7,
            archiveTimeoutSeconds: 300,
        });
    });

    it("take exactly one kind of volume: nfs, className or claimName", () => {
        for (const bad of [
            {},
            { className: "a", claimName: "b" },
            { nfs: { server: "nfs", path: "/b" }, claimName: "b" },
        ]) {
            const found = problems({ backup: { volume: bad } });
            assert.deepStrictEqual(found.length, 1, JSON.stringify(found));
            assert.match(found[0], /^backup\.volume: must set exactly one of nfs .*className .*claimName/);
        }
    });

    it("read size only with className", () => {
        assert.deepStrictEqual(problems({ backup: { volume: { claimName: "mine", size: "5Gi" } } }), [
            "backup.volume.size: is only read with className: an NFS export's or your claim's size is its own",
        ]);
    });

    it("refuse a soft NFS mount of the backups", () => {
        const found = problems({ backup: { volume: { nfs: { server: "nfs", path: "/b", mountOptions: ["soft"] } } } });
        assert.match(found.join("\n"), /^backup\.volume\.nfs\.mountOptions: must not contain "soft"/);
    });

    it("refuse a schedule that is not cron, naming an example", () => {
        for (const schedule of ["daily", "0 3 * *", "0 3 * * * *", "@sometimes"]) {
            assert.match(
                problems({ backup: { volume, schedule } }).join("\n"),
                /^backup\.schedule: must be a cron schedule of five fields such as "0 3 \* \* \*"/,
            );
        }
        for (const schedule of ["*/30 * * * *", "@daily", "15 2 * * 1-5"]) {
            assert.strictEqual(settingsWith({ backup: { volume, schedule } }).backup?.schedule, schedule);
        }
    });

    it("bound keepBaseBackups and archiveTimeoutSeconds", () => {
        assert.match(
            problems({ backup: { volume, keepBaseBackups: 0 } }).join(),
            /backup\.keepBaseBackups: must be at least 1/,
        );
        assert.match(
            problems({ backup: { volume, archiveTimeoutSeconds: 5 } }).join(),
            /backup\.archiveTimeoutSeconds: must be at least 10/,
        );
        assert.match(problems({ backup: { volume, archiveTimeoutSeconds: 7200 } }).join(), /must be at most 3600/);
    });

    it("fit the backup Jobs' names in 63 characters with the longest name a cluster may have", () => {
        const longest = settingsWith({ name: "n".repeat(MAX_CLUSTER_NAME), backup: { volume } });
        assert.ok((firstBackupJob(longest, "config")?.metadata.name.length ?? 99) <= 63);
        assert.ok((backupCronJob(longest, "config")?.metadata.name.length ?? 99) + "-29411520".length <= 63);
    });

    it("refuse archive and recovery parameters in postgresqlParameters: the backup setting manages them", () => {
        for (const parameter of [
            "archive_mode",
            "archive_command",
            "archive_timeout",
            "restore_command",
            "recovery_target_time",
        ]) {
            assert.match(
                problems({ postgresqlParameters: { [parameter]: "x" } }).join(),
                /postgresqlParameters: must not set a parameter the cluster manages itself/,
            );
        }
    });
});

describe("restore settings", () => {
    it("need a backup target to read from", () => {
        assert.deepStrictEqual(
            problems({ restore: { from: { name: "old" } } }).map((line) => line.split(":")[0]),
            ["restore"],
        );
        assert.match(
            problems({ restore: { from: { name: "old" } } })[0],
            /set backup \(volume or objectStore\) to the target that holds the backups of restore\.from/,
        );
    });

    it("read the cluster's own namespace when from.namespace is left out", () => {
        const settings = settingsWith({ namespace: "apps", backup: { volume }, restore: { from: { name: "old" } } });
        assert.deepStrictEqual(settings.restore?.from, { name: "old", namespace: "apps" });
    });

    it("take a target time only with its offset", () => {
        for (const targetTime of ["2026-11-29T21:30:00", "yesterday", "2026-13-29T21:30:00Z", "1764451800"]) {
            const found = problems({ backup: { volume }, restore: { from: { name: "old" }, targetTime } });
            assert.match(
                found.join(),
                /^restore\.targetTime: must be an instant with its offset, such as "2026-11-29T21:30:00Z"/,
            );
        }
        for (const targetTime of ["2026-11-29T21:30:00Z", "2026-11-29 22:30:00.123+01:00"]) {
            assert.doesNotThrow(() =>
                settingsWith({ backup: { volume }, restore: { from: { name: "old" }, targetTime } }),
            );
        }
    });
});

describe("restore settings from a stack file", () => {
    it("take an unquoted time, which the Pulumi CLI hands over in Go's format, as the instant it is", () => {
        const restore = (targetTime: string) =>
            settingsWith({ backup: { volume }, restore: { from: { name: "old" }, targetTime } }).restore?.targetTime;
        assert.strictEqual(restore("2026-11-29 22:23:09 +0000 UTC"), "2026-11-29T22:23:09+00:00");
        assert.strictEqual(restore("2026-11-29 23:23:09.123456789 +0100 CET"), "2026-11-29T23:23:09.123456+01:00");
    });
});

describe("the WAL archive in the pods' configuration", () => {
    it("has no archive lines without a backup setting, so that clusters without one keep their pods", () => {
        assert.doesNotMatch(postgresqlConf(settingsWith({})), /archive/);
    });

    it("archives from pod 0 into the cluster's own directory, switching segments after archiveTimeoutSeconds", () => {
        const conf = postgresqlConf(
            settingsWith({ namespace: "apps", name: "db", backup: { volume, archiveTimeoutSeconds: 60 } }),
        );
        assert.match(conf, /^archive_mode = 'on'$/m);
        assert.match(
            conf,
            /^archive_command = '\/bin\/sh \/etc\/pg-ha\/config\/archive-wal\.sh \/var\/lib\/postgresql\/backup\/apps\/db %p %f'$/m,
        );
        assert.match(conf, /^archive_timeout = 60$/m);
    });

    it("mounts the backup claim in every pod, and tells pod 0 where to restore from and to when", () => {
        const settings = settingsWith({
            backup: { volume: { claimName: "team-backups" } },
            restore: { from: { name: "old", namespace: "legacy" }, targetTime: "2026-11-29T21:30:00Z" },
        });
        const pod = statefulSet(settings, "config").spec.template.spec;
        assert.deepStrictEqual(
            pod.volumes.find((v) => v.name === "backup"),
            { name: "backup", persistentVolumeClaim: { claimName: "team-backups" } },
        );
        const plainEnv = JSON.parse(JSON.stringify(pod.containers[0].env)) as { name: string; value?: string }[];
        const env = Object.fromEntries(plainEnv.map((e) => [e.name, e.value]));
        assert.strictEqual(env.PG_HA_RESTORE_DIR, "/var/lib/postgresql/backup/legacy/old");
        // PostgreSQL refuses the zone abbreviation Z in recovery_target_time.
        assert.strictEqual(env.PG_HA_RESTORE_TARGET_TIME, "2026-11-29T21:30:00+00:00");
        assert.strictEqual(env.PG_HA_RESTORE_TARGET_EPOCH, String(Date.parse("2026-11-29T21:30:00Z") / 1000));
    });
});

describe("the base backup CronJob", () => {
    const settings = settingsWith({ backup: { volume, schedule: "30 1 * * *", keepBaseBackups: 3 } });
    const cronJob = backupCronJob(settings, "config-v1");

    it("runs base-backup.sh on the schedule, one at a time, keeping failed Jobs for their logs", () => {
        assert.ok(cronJob);
        assert.strictEqual(cronJob.spec.schedule, "30 1 * * *");
        assert.strictEqual(cronJob.spec.concurrencyPolicy, "Forbid");
        assert.ok(cronJob.spec.failedJobsHistoryLimit > 0);
        const container = cronJob.spec.jobTemplate.spec.template.spec.containers[0];
        assert.deepStrictEqual(container.command, ["/bin/sh", "/etc/pg-ha/config/base-backup.sh"]);
        assert.ok(container.env.some((e) => e.name === "PG_HA_KEEP_BASE_BACKUPS" && e.value === "3"));
        assert.ok(container.env.some((e) => e.name === "PGUSER" && e.value === "replicator"));
        assert.doesNotThrow(() => validateKubernetesObject(cronJob));
    });

    it("mounts the replication password and the CA alone: no other password and no private key", () => {
        const volumes = cronJob?.spec.jobTemplate.spec.template.spec.volumes ?? [];
        const plainVolumes = JSON.parse(JSON.stringify(volumes)) as { secret?: { items: { key: string }[] } }[];
        const keys = plainVolumes.flatMap((v) => (v.secret ? [v.secret.items.map((item) => item.key)] : []));
        assert.deepStrictEqual(keys, [["replication-password"], ["ca.crt"]]);
    });

    it("is made only with a backup setting", () => {
        assert.strictEqual(backupCronJob(settingsWith({}), "config-v1"), undefined);
        assert.strictEqual(firstBackupJob(settingsWith({}), "config-v1"), undefined);
    });

    it("has a first Job that backs up at once, only while there is no base backup, without holding up pulumi up", () => {
        const job = firstBackupJob(settings, "config-v1");
        assert.ok(job);
        assert.strictEqual(job.metadata.annotations["pulumi.com/skipAwait"], "true");
        const [container] = job.spec.template.spec.containers;
        assert.ok(container.env.some((e) => e.name === "PG_HA_ONLY_IF_NONE" && e.value === "true"));
        assert.deepStrictEqual(container.command, ["/bin/sh", "/etc/pg-ha/config/base-backup.sh"]);
        assert.notStrictEqual(firstBackupJob(settings, "config-v2")?.metadata.name, job.metadata.name);
        assert.doesNotThrow(() => validateKubernetesObject(job));
    });
});

describe("the backup volume under the engine", () => {
    async function run(backup: unknown) {
        return (await runProgram(engineConfig({ ...stackConfig("local"), "pg-ha:backup": backup }))).resources;
    }

    it("makes a static ReadWriteMany NFS volume with Retain, bound to the program's claim, both kept on destroy", async () => {
        const resources = await run({ volume: { nfs: { server: "10.0.0.5", path: "/exports/backups" } } });
        const [pv] = ofType(resources, "kubernetes:core/v1:PersistentVolume").filter((r) => /backup/.test(r.name));
        const [claim] = ofType(resources, "kubernetes:core/v1:PersistentVolumeClaim").filter((r) =>
            /backup/.test(r.name),
        );
        assert.ok(pv && claim);
        assert.deepStrictEqual(inputsOf(pv).spec.accessModes, ["ReadWriteMany"]);
        assert.strictEqual(inputsOf(pv).spec.persistentVolumeReclaimPolicy, "Retain");
        assert.deepStrictEqual(inputsOf(pv).spec.nfs, { server: "10.0.0.5", path: "/exports/backups" });
        assert.strictEqual(inputsOf(pv).spec.claimRef?.name, inputsOf(claim).metadata.name);
        assert.strictEqual(inputsOf(claim).spec.volumeName, inputsOf(pv).metadata.name);
        assert.strictEqual(pv.retainOnDelete, true);
        assert.strictEqual(claim.retainOnDelete, true);
        for (const object of [pv, claim, ...ofType(resources, "kubernetes:batch/v1:CronJob")]) {
            assert.doesNotThrow(() => validateKubernetesObject(object.inputs), object.name);
        }
    });

    it("asks a StorageClass for a ReadWriteMany claim of the given size", async () => {
        const resources = await run({ volume: { className: "nfs-client", size: "50Gi" } });
        const [claim] = ofType(resources, "kubernetes:core/v1:PersistentVolumeClaim").filter((r) =>
            /backup/.test(r.name),
        );
        assert.strictEqual(inputsOf(claim).spec.storageClassName, "nfs-client");
        assert.deepStrictEqual(inputsOf(claim).spec.accessModes, ["ReadWriteMany"]);
        assert.deepStrictEqual(inputsOf(claim).spec.resources, { requests: { storage: "50Gi" } });
        assert.strictEqual(claim.retainOnDelete, true);
    });

    it("makes no claim of its own with claimName, and mounts that one", async () => {
        const resources = await run({ volume: { claimName: "team-backups" } });
        assert.deepStrictEqual(
            ofType(resources, "kubernetes:core/v1:PersistentVolumeClaim").filter((r) => /backup/.test(r.name)),
            [],
        );
        const [sts] = ofType(resources, "kubernetes:apps/v1:StatefulSet");
        const { volumes } = (sts.inputs as unknown as { spec: { template: { spec: { volumes: unknown[] } } } }).spec
            .template.spec;
        assert.ok(
            volumes.some(
                (v) =>
                    JSON.stringify(v) ===
                    JSON.stringify({ name: "backup", persistentVolumeClaim: { claimName: "team-backups" } }),
            ),
        );
        assert.strictEqual(ofType(resources, "kubernetes:batch/v1:CronJob").length, 1);
    });
});
