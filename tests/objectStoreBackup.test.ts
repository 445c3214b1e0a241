import * as assert from "assert";
import type { IPodSpec } from "kubernetes-models/v1/PodSpec";

import { ClusterSettingsInput, resolveSettings } from "../components/settings";
import { postgresqlConf } from "../components/specs/configuration";
import { statefulSet } from "../components/specs/statefulSet";
import { backupCronJob, firstBackupJob } from "../components/specs/backupJobs";
import { clusterObjects } from "../components/specs/cluster";
import { problems } from "./support/configProblems";
import { validateKubernetesObject } from "./support/kubernetesSchema";
import { podSecurityViolations } from "../policy/podSecurityStandards";

const storage = { className: "standard" };
const objectStore = {
    destinationPath: "s3://backups/postgres",
    endpointURL: "https://minio.storage.svc:9000",
    credentials: { secretName: "backup-s3" },
};
const settingsWith = (extra: Partial<ClusterSettingsInput>) => resolveSettings({ storage, ...extra });
const PASSWORDS = { superuser: "s", replication: "r" };

interface EnvVar {
    name: string;
    value?: string;
    valueFrom?: { secretKeyRef?: { name: string; key: string } };
}
/** The database container's env as the API server receives it (plain JSON). */
const envOf = (settings: ReturnType<typeof settingsWith>): EnvVar[] =>
    JSON.parse(JSON.stringify(statefulSet(settings, "config-v1").spec.template.spec.containers[0].env)) as EnvVar[];
const podEnv = (input: Partial<ClusterSettingsInput>) => envOf(settingsWith(input));

describe("object store settings", () => {
    it("take the credentials' keys from a Secret, with documented default key names", () => {
        assert.deepStrictEqual(settingsWith({ backup: { objectStore } }).backup?.objectStore, {
            ...objectStore,
            credentials: {
                secretName: "backup-s3",
                accessKeyIdKey: "ACCESS_KEY_ID",
                secretAccessKeyKey: "ACCESS_SECRET_KEY",
            },
        });
    });

    it("take exactly one backup target: a volume or an object store", () => {
        for (const backup of [{}, { objectStore, volume: { className: "shared-nfs" } }]) {
            assert.deepStrictEqual(problems({ backup }), [
                "backup: must set exactly one target: volume (an NFS export or a ReadWriteMany claim, with the postgres image alone) or objectStore (S3-compatible, with Barman Cloud in the image)",
            ]);
        }
    });

    it("refuse a destination that is not an s3:// URL of a bucket, naming the form", () => {
        for (const destinationPath of [
            "backups",
            "s3://",
            "s3://Backups",
            "s3://backups/",
            "s3://backups/a b",
            "gs://backups",
        ]) {
            const found = problems({ backup: { objectStore: { ...objectStore, destinationPath } } });
            assert.deepStrictEqual(
                found.map((line) => line.split(":")[0]),
                ["backup.objectStore.destinationPath"],
            );
            assert.match(found[0], /must be an S3 URL such as "s3:\/\/my-bucket"/);
        }
    });

    it("refuse an endpoint that is not an http(s) URL", () => {
        const found = problems({ backup: { objectStore: { ...objectStore, endpointURL: "minio:9000" } } });
        assert.match(found[0], /^backup\.objectStore\.endpointURL: must be the http:\/\/ or https:\/\/ URL/);
    });

    it("refuse credentials written into the stack's configuration: only a Secret's keys are read", () => {
        const found = problems({
            backup: {
                objectStore: {
                    ...objectStore,
                    credentials: { secretName: "backup-s3", accessKeyId: "AKIA", secretAccessKey: "plain" },
                } as never,
            },
        });
        assert.deepStrictEqual(found, [
            "backup.objectStore.credentials.accessKeyId: must not be in the stack's configuration: put the key in a Secret and name it in credentials.secretName (with accessKeyIdKey and secretAccessKeyKey)",
            "backup.objectStore.credentials.secretAccessKey: must not be in the stack's configuration: put the key in a Secret and name it in credentials.secretName (with accessKeyIdKey and secretAccessKeyKey)",
        ]);
    });

    it("never print a credential in the error, however deep in the value shown", () => {
        const backup = {
            objectStore: { ...objectStore, credentials: { secretName: "s", secretAccessKey: "plain-secret-value" } },
            volume: { className: "shared-nfs" },
        };
        assert.throws(
            () => resolveSettings({ storage, backup: backup as never }),
            (error: Error) => !error.message.includes("plain-secret-value") && /\[secret\]/.test(error.message),
        );
    });

    it("never print the user and password of an endpoint URL written with them", () => {
        const backup = { objectStore: { ...objectStore, endpointURL: "https://KEYID:plain-secret-value@minio:9000" } };
        assert.throws(
            () => resolveSettings({ storage, backup }),
            (error: Error) =>
                !error.message.includes("plain-secret-value") &&
                error.message.includes('"https://[secret]@minio:9000"') &&
                /backup\.objectStore\.endpointURL/.test(error.message),
        );
    });

    it("restore from another cluster's backups in the same store", () => {
        assert.doesNotThrow(() => settingsWith({ backup: { objectStore }, restore: { from: { name: "old" } } }));
    });
});

describe("WAL archiving to an object store", () => {
    it("runs Barman Cloud through object-store.sh, with no credential on the command line", () => {
        const conf = postgresqlConf(settingsWith({ backup: { objectStore, archiveTimeoutSeconds: 60 } }));
        assert.match(conf, /^archive_mode = 'on'$/m);
        assert.match(conf, /^archive_command = '\/bin\/sh \/etc\/pg-ha\/config\/object-store.sh archive-wal %p %f'$/m);
        assert.match(conf, /^archive_timeout = 60$/m);
    });

    it("gives the pods their place in the store and the credentials as references to the user's Secret", () => {
        const env = podEnv({
            namespace: "shop",
            name: "orders",
            backup: { objectStore: { ...objectStore, region: "eu-west-1" } },
        });
        const plain = Object.fromEntries(env.filter((e) => e.value !== undefined).map((e) => [e.name, e.value]));
        assert.strictEqual(plain.PG_HA_OBJECT_STORE, "s3://backups/postgres/shop");
        assert.strictEqual(plain.PG_HA_OBJECT_STORE_SERVER, "orders");
        assert.strictEqual(plain.PG_HA_OBJECT_STORE_ENDPOINT, "https://minio.storage.svc:9000");
        assert.strictEqual(plain.AWS_DEFAULT_REGION, "eu-west-1");
        assert.deepStrictEqual(
            env
                .filter((e) => e.name.startsWith("AWS_ACCESS") || e.name === "AWS_SECRET_ACCESS_KEY")
                .map((e) => [e.name, e.valueFrom]),
            [
                ["AWS_ACCESS_KEY_ID", { secretKeyRef: { name: "backup-s3", key: "ACCESS_KEY_ID", optional: true } }],
                [
                    "AWS_SECRET_ACCESS_KEY",
                    { secretKeyRef: { name: "backup-s3", key: "ACCESS_SECRET_KEY", optional: true } },
                ],
            ],
        );
        assert.strictEqual(plain.PG_HA_RESTORE_OBJECT_STORE, undefined, "no restore without a restore setting");
    });

    it("tells pod 0 where the cluster restored from keeps its backups, and mounts no backup volume", () => {
        const settings = settingsWith({
            namespace: "shop",
            backup: { objectStore },
            restore: { from: { name: "old", namespace: "archive" }, targetTime: "2026-11-29T21:30:00Z" },
        });
        const env = envOf(settings);
        const plain = Object.fromEntries(env.filter((e) => e.value !== undefined).map((e) => [e.name, e.value]));
        assert.strictEqual(plain.PG_HA_RESTORE_OBJECT_STORE, "s3://backups/postgres/archive");
        assert.strictEqual(plain.PG_HA_RESTORE_OBJECT_STORE_SERVER, "old");
        assert.strictEqual(plain.PG_HA_RESTORE_TARGET_TIME, "2026-11-29T21:30:00+00:00");
        assert.strictEqual(plain.PG_HA_RESTORE_DIR, undefined);
        const objects = clusterObjects(settings, PASSWORDS);
        assert.strictEqual(objects.backupPersistentVolumeClaim, undefined);
        assert.strictEqual(objects.backupPersistentVolume, undefined);
        assert.doesNotMatch(JSON.stringify(objects.statefulSet), /"backup"/, "no backup volume in the pods");
    });
});

describe("base backups to an object store", () => {
    const settings = settingsWith({ backup: { objectStore, keepBaseBackups: 4 } });
    const cronJob = backupCronJob(settings, "config-v1");
    const template = cronJob?.spec.jobTemplate.spec.template;

    it("have pod 0 take them: the Job connects as the superuser and runs object-store-backup-job.sh", () => {
        assert.ok(template);
        const [container] = template.spec.containers;
        assert.deepStrictEqual(container.command, ["/bin/sh", "/etc/pg-ha/config/object-store-backup-job.sh"]);
        const env = Object.fromEntries(container.env.map((e) => [e.name, e.value]));
        assert.strictEqual(env.PGUSER, "postgres");
        assert.strictEqual(env.PG_HA_KEEP_BASE_BACKUPS, "4");
        assert.doesNotThrow(() => validateKubernetesObject(cronJob));
    });

    it("run under the restricted Pod Security Standard, like every pod of the cluster", () => {
        assert.ok(template);
        const spec = JSON.parse(JSON.stringify(template.spec)) as IPodSpec;
        assert.deepStrictEqual(podSecurityViolations(spec, "restricted"), []);
    });

    it("mount the superuser password and the CA alone: no store credentials, no volume of backups", () => {
        assert.ok(template);
        const volumes = JSON.parse(JSON.stringify(template.spec.volumes)) as {
            name: string;
            secret?: { items: { key: string }[] };
            persistentVolumeClaim?: unknown;
        }[];
        assert.deepStrictEqual(
            volumes.flatMap((v) => (v.secret ? [v.secret.items.map((item) => item.key)] : [])),
            [["superuser-password"], ["ca.crt"]],
        );
        assert.ok(volumes.every((v) => v.persistentVolumeClaim === undefined));
        assert.doesNotMatch(JSON.stringify(template), /AWS_|backup-s3/);
    });

    it("have a first Job that asks only while there is no base backup of pod 0's timeline", () => {
        const job = firstBackupJob(settings, "config-v1");
        assert.ok(job);
        const [container] = job.spec.template.spec.containers;
        assert.ok(container.env.some((e) => e.name === "PG_HA_ONLY_IF_NONE" && e.value === "true"));
        assert.deepStrictEqual(container.command, ["/bin/sh", "/etc/pg-ha/config/object-store-backup-job.sh"]);
    });
});
