import * as assert from "assert";
import { execFileSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import type { IPodSpec } from "kubernetes-models/v1/PodSpec";
import type { IContainer } from "kubernetes-models/v1/Container";
import { resolveSettings } from "../components/settings";
import { volumePermissionsContainer } from "../components/specs/statefulSet";
import { CheckedLevel, describeViolations, podSecurityViolations } from "../policy/podSecurityStandards";
import { ProgramRun, engineConfig, ofType, runProgram, runStack, stackNames } from "./support/stacks";

const NAMESPACE = "kubernetes:core/v1:Namespace";
const STATEFUL_SET = "kubernetes:apps/v1:StatefulSet";
const JOB = "kubernetes:batch/v1:Job";
const CRON_JOB = "kubernetes:batch/v1:CronJob";

interface PodTemplate {
    metadata: { annotations?: Record<string, string> };
    spec: IPodSpec;
}

function podTemplateOf(run: ProgramRun): PodTemplate {
    const [sts] = ofType(run, STATEFUL_SET);
    return (sts.inputs as { spec: { template: PodTemplate } }).spec.template;
}

/** The pod templates of the maintenance Job and, with backups, of the base backup CronJob. */
function jobPodTemplatesOf(run: ProgramRun): PodTemplate[] {
    return [
        ...ofType(run, JOB).map((job) => (job.inputs as { spec: { template: PodTemplate } }).spec.template),
        ...ofType(run, CRON_JOB).map(
            (cronJob) =>
                (cronJob.inputs as { spec: { jobTemplate: { spec: { template: PodTemplate } } } }).spec.jobTemplate.spec
                    .template,
        ),
    ];
}

function namespaceLabelsOf(run: ProgramRun): Record<string, string> | undefined {
    const [namespace] = ofType(run, NAMESPACE);
    return namespace
        ? (namespace.inputs as { metadata: { labels: Record<string, string> } }).metadata.labels
        : undefined;
}

const violationsOf = (template: PodTemplate, level: CheckedLevel) =>
    podSecurityViolations(template.spec, level, template.metadata.annotations);

const allContainers = (spec: IPodSpec): IContainer[] => [...spec.containers, ...(spec.initContainers ?? [])];

/** The node's disk outside the volumes is bounded too: logs and emptyDirs count against it. */
function assertEphemeralStorage(container: IContainer): void {
    assert.ok(container.resources?.requests?.["ephemeral-storage"], `${container.name}: no ephemeral-storage request`);
    assert.ok(container.resources?.limits?.["ephemeral-storage"], `${container.name}: no ephemeral-storage limit`);
}

describe("Pod Security Standards", () => {
    for (const stack of stackNames()) {
        describe(`stack ${stack}`, () => {
            let run: ProgramRun;
            before(async () => {
                run = await runStack(stack);
            });

            it("runs pods that meet the restricted profile", () => {
                const violations = violationsOf(podTemplateOf(run), "restricted");
                assert.deepStrictEqual(violations, [], describeViolations(violations));
            });

            it("runs the maintenance and backup Jobs' pods at the restricted profile too, with requests, memory and ephemeral-storage limits, and no token", () => {
                const templates = jobPodTemplatesOf(run);
                assert.ok(templates.length > 0, "the stack runs no Job");
                for (const template of templates) {
                    const violations = violationsOf(template, "restricted");
                    assert.deepStrictEqual(violations, [], describeViolations(violations));
                    assert.strictEqual(template.spec.automountServiceAccountToken, false);
                    for (const container of allContainers(template.spec)) {
                        assert.ok(container.resources?.requests?.cpu, `${container.name}: no CPU request`);
                        assert.ok(container.resources?.limits?.memory, `${container.name}: no memory limit`);
                        assertEphemeralStorage(container);
                    }
                }
            });

            it("labels the namespace it creates to enforce, audit and warn at restricted", () => {
                const labels = namespaceLabelsOf(run);
                assert.ok(labels, "the stack creates no namespace");
                for (const mode of ["enforce", "audit", "warn"]) {
                    assert.strictEqual(labels[`pod-security.kubernetes.io/${mode}`], "restricted", mode);
                }
            });

            it("gives every container, init containers included, CPU, memory and ephemeral-storage requests, and memory and ephemeral-storage limits", () => {
                for (const container of allContainers(podTemplateOf(run).spec)) {
                    const resources = container.resources ?? {};
                    assert.ok(resources.requests?.cpu, `${container.name}: no CPU request`);
                    assert.ok(resources.requests?.memory, `${container.name}: no memory request`);
                    assert.ok(resources.limits?.memory, `${container.name}: no memory limit`);
                    assertEphemeralStorage(container);
                }
            });

            it("runs as the configured non-root uid, with a read-only root filesystem and emptyDirs for what PostgreSQL writes", () => {
                const spec = podTemplateOf(run).spec;
                assert.strictEqual(spec.securityContext?.runAsNonRoot, true);
                assert.strictEqual(spec.securityContext?.runAsUser, 999);
                assert.strictEqual(spec.securityContext?.runAsGroup, 999);
                assert.strictEqual(spec.securityContext?.fsGroup, 999);
                assert.strictEqual(spec.securityContext?.fsGroupChangePolicy, "OnRootMismatch");
                const [postgres] = spec.containers;
                assert.strictEqual(postgres.securityContext?.readOnlyRootFilesystem, true);
                const emptyDirs = new Set(
                    (spec.volumes ?? []).filter((volume) => volume.emptyDir).map((volume) => volume.name),
                );
                const writable = (postgres.volumeMounts ?? [])
                    .filter((mount) => emptyDirs.has(mount.name))
                    .map((mount) => mount.mountPath)
                    .sort();
                assert.deepStrictEqual(writable, ["/dev/shm", "/tmp", "/var/run/postgresql"]);
                assert.strictEqual(spec.initContainers, undefined, "no init container unless volumePermissions is on");
            });
        });
    }

    describe("with configured ids", () => {
        it("runs the pods as postgresUid/postgresGid, with the gid as fsGroup", async () => {
            const run = await runProgram(
                engineConfig({
                    "pg-ha:storage": { className: "standard" },
                    "pg-ha:postgresUid": 70,
                    "pg-ha:postgresGid": 71,
                }),
            );
            const context = podTemplateOf(run).spec.securityContext;
            assert.deepStrictEqual(
                [context?.runAsUser, context?.runAsGroup, context?.fsGroup, context?.runAsNonRoot],
                [70, 71, 71, true],
            );
        });
    });

    describe("with the volume-permissions init container", () => {
        let run: ProgramRun;
        before(async () => {
            run = await runProgram(
                engineConfig({
                    "pg-ha:storage": { nfs: { server: "nfs.example.internal", paths: ["/a", "/b", "/c"] } },
                    "pg-ha:volumePermissions": { enabled: true },
                }),
            );
        });

        it("cannot meet restricted: only the root init container breaks it", () => {
            const violations = violationsOf(podTemplateOf(run), "restricted");
            assert.ok(violations.length > 0);
            for (const violation of violations) {
                assert.ok(violation.path.startsWith("spec.initContainers[0]."), describeViolations([violation]));
            }
            assert.deepStrictEqual([...new Set(violations.map((violation) => violation.control))].sort(), [
                "Capabilities",
                "Running as Non-root",
                "Running as Non-root user",
            ]);
        });

        it("meets baseline, and the namespace enforces baseline instead of restricted", () => {
            const violations = violationsOf(podTemplateOf(run), "baseline");
            assert.deepStrictEqual(violations, [], describeViolations(violations));
            const labels = namespaceLabelsOf(run);
            for (const mode of ["enforce", "audit", "warn"]) {
                assert.strictEqual(labels?.[`pod-security.kubernetes.io/${mode}`], "baseline", mode);
            }
        });

        it("adds only CHOWN, FOWNER and DAC_OVERRIDE, without privilege escalation, with resources", () => {
            const [init] = podTemplateOf(run).spec.initContainers ?? [];
            assert.ok(init);
            assert.deepStrictEqual(init.securityContext?.capabilities, {
                drop: ["ALL"],
                add: ["CHOWN", "FOWNER", "DAC_OVERRIDE"],
            });
            assert.strictEqual(init.securityContext?.allowPrivilegeEscalation, false);
            assert.strictEqual(init.securityContext?.readOnlyRootFilesystem, true);
            assert.deepStrictEqual(init.resources, {
                requests: { cpu: "10m", memory: "16Mi", "ephemeral-storage": "16Mi" },
                limits: { memory: "64Mi", "ephemeral-storage": "64Mi" },
            });
        });
    });

    describe("the volume-permissions script", () => {
        // As root (as in the pod), hand the directories to another uid; otherwise to the current user's own
        // ids, so that chown needs no privilege.
        const asRoot = os.userInfo().uid === 0;
        const uid = asRoot ? 4242 : os.userInfo().uid;
        const gid = asRoot ? 4343 : os.userInfo().gid;
        const settings = resolveSettings({ storage: { className: "standard" }, postgresUid: uid, postgresGid: gid });
        const [shell, flag, script, argv0] = volumePermissionsContainer(settings).command as string[];
        let root: string;
        const run = (data: string) => execFileSync(shell, [flag, script, argv0, data, path.join(data, "pgdata")]);
        const mode = (target: string) => fs.statSync(target).mode & 0o7777;

        beforeEach(() => {
            root = fs.mkdtempSync(path.join(os.tmpdir(), "pg-ha-volume-"));
            fs.chmodSync(root, 0o755);
        });
        afterEach(() => fs.rmSync(root, { recursive: true, force: true }));

        it("is never recursive", () => {
            assert.ok(!/-R\b|--recursive|find /.test(script), script);
        });

        it("hands the volume root (2770, as the kubelet's fsGroup check expects) and a new, empty PGDATA (0700) to the postgres ids", () => {
            run(root);
            const pgdata = path.join(root, "pgdata");
            for (const [target, expected] of [
                [root, 0o2770],
                [pgdata, 0o700],
            ] as const) {
                const stat = fs.statSync(target);
                assert.deepStrictEqual([stat.uid, stat.gid, mode(target)], [uid, gid, expected], target);
            }
            assert.deepStrictEqual(fs.readdirSync(pgdata), []);
        });

        it("can be run again (every pod start)", () => {
            run(root);
            run(root);
            assert.strictEqual(mode(path.join(root, "pgdata")), 0o700);
        });

        it("leaves an existing PGDATA and its contents as they are", () => {
            const pgdata = path.join(root, "pgdata");
            fs.mkdirSync(pgdata, { mode: 0o750 });
            fs.chmodSync(pgdata, 0o750);
            fs.writeFileSync(path.join(pgdata, "PG_VERSION"), "17\n", { mode: 0o640 });
            const before = fs.statSync(pgdata);
            run(root);
            const after = fs.statSync(pgdata);
            assert.deepStrictEqual([after.uid, after.gid, mode(pgdata)], [before.uid, before.gid, 0o750]);
            assert.strictEqual(mode(path.join(pgdata, "PG_VERSION")), 0o640);
        });
    });
});

describe("the Pod Security checker itself", () => {
    const good = (): IPodSpec => ({
        securityContext: { runAsNonRoot: true, runAsUser: 999, seccompProfile: { type: "RuntimeDefault" } },
        containers: [
            {
                name: "c",
                image: "postgres:17",
                securityContext: { allowPrivilegeEscalation: false, capabilities: { drop: ["ALL"] } },
            },
        ],
        volumes: [{ name: "tmp", emptyDir: {} }],
    });
    const container = (spec: IPodSpec) => spec.containers[0];
    const context = (spec: IPodSpec) => (container(spec).securityContext ??= {});

    it("accepts a minimal restricted pod", () => {
        assert.deepStrictEqual(podSecurityViolations(good(), "restricted"), []);
    });

    const cases: { what: string; control: string; level: CheckedLevel; change: (spec: IPodSpec) => void }[] = [
        {
            what: "hostNetwork",
            control: "Host Namespaces",
            level: "baseline",
            change: (spec) => (spec.hostNetwork = true),
        },
        { what: "hostPID", control: "Host Namespaces", level: "baseline", change: (spec) => (spec.hostPID = true) },
        { what: "hostIPC", control: "Host Namespaces", level: "baseline", change: (spec) => (spec.hostIPC = true) },
        {
            what: "a privileged container",
            control: "Privileged Containers",
            level: "baseline",
            change: (spec) => (context(spec).privileged = true),
        },
        {
            what: "an added SYS_ADMIN",
            control: "Capabilities",
            level: "baseline",
            change: (spec) => (context(spec).capabilities = { drop: ["ALL"], add: ["SYS_ADMIN"] }),
        },
        {
            what: "a hostPath volume",
            control: "HostPath Volumes",
            level: "baseline",
            change: (spec) => spec.volumes?.push({ name: "host", hostPath: { path: "/" } }),
        },
        {
            what: "a hostPort",
            control: "Host Ports",
            level: "baseline",
            change: (spec) => (container(spec).ports = [{ containerPort: 5432, hostPort: 5432 }]),
        },
        {
            what: "an Unconfined AppArmor profile",
            control: "AppArmor",
            level: "baseline",
            change: (spec) => (context(spec).appArmorProfile = { type: "Unconfined" }),
        },
        {
            what: "an SELinux type spc_t",
            control: "SELinux",
            level: "baseline",
            change: (spec) => (context(spec).seLinuxOptions = { type: "spc_t" }),
        },
        {
            what: "an SELinux user",
            control: "SELinux",
            level: "baseline",
            change: (spec) => (context(spec).seLinuxOptions = { user: "root" }),
        },
        {
            what: "an Unmasked /proc",
            control: "/proc Mount Type",
            level: "baseline",
            change: (spec) => (context(spec).procMount = "Unmasked"),
        },
        {
            what: "an Unconfined seccomp profile",
            control: "Seccomp",
            level: "baseline",
            change: (spec) => (context(spec).seccompProfile = { type: "Unconfined" }),
        },
        {
            what: "an unsafe sysctl",
            control: "Sysctls",
            level: "baseline",
            change: (spec) => (spec.securityContext!.sysctls = [{ name: "kernel.msgmax", value: "1" }]),
        },
        {
            what: "a Windows HostProcess container",
            control: "HostProcess",
            level: "baseline",
            change: (spec) => (context(spec).windowsOptions = { hostProcess: true }),
        },
        {
            what: "an nfs volume",
            control: "Volume Types",
            level: "restricted",
            change: (spec) => spec.volumes?.push({ name: "nfs", nfs: { server: "nfs", path: "/" } }),
        },
        {
            what: "allowPrivilegeEscalation unset",
            control: "Privilege Escalation",
            level: "restricted",
            change: (spec) => delete context(spec).allowPrivilegeEscalation,
        },
        {
            what: "runAsNonRoot unset on pod and container",
            control: "Running as Non-root",
            level: "restricted",
            change: (spec) => delete spec.securityContext!.runAsNonRoot,
        },
        {
            what: "runAsNonRoot false on a container",
            control: "Running as Non-root",
            level: "restricted",
            change: (spec) => (context(spec).runAsNonRoot = false),
        },
        {
            what: "runAsUser 0",
            control: "Running as Non-root user",
            level: "restricted",
            change: (spec) => (context(spec).runAsUser = 0),
        },
        {
            what: "no seccomp profile",
            control: "Seccomp",
            level: "restricted",
            change: (spec) => delete spec.securityContext!.seccompProfile,
        },
        {
            what: "no drop ALL",
            control: "Capabilities",
            level: "restricted",
            change: (spec) => (context(spec).capabilities = {}),
        },
        {
            what: "an added CHOWN",
            control: "Capabilities",
            level: "restricted",
            change: (spec) => (context(spec).capabilities = { drop: ["ALL"], add: ["CHOWN"] }),
        },
        {
            what: "an init container without a security context",
            control: "Privilege Escalation",
            level: "restricted",
            change: (spec) =>
                (spec.initContainers = [{ ...structuredClone(container(spec)), name: "init", securityContext: {} }]),
        },
    ];

    for (const { what, control, level, change } of cases) {
        it(`reports ${what} as a ${level} "${control}" violation`, () => {
            const spec = good();
            change(spec);
            const found = podSecurityViolations(spec, "restricted");
            assert.ok(
                found.some((violation) => violation.control === control && violation.level === level),
                describeViolations(found) || "no violation found",
            );
            if (level === "restricted") {
                assert.deepStrictEqual(podSecurityViolations(spec, "baseline"), [], "a restricted-only control");
            }
        });
    }

    it("finds an AppArmor annotation that is not runtime/default or localhost/*", () => {
        const found = podSecurityViolations(good(), "baseline", {
            "container.apparmor.security.beta.kubernetes.io/c": "unconfined",
        });
        assert.deepStrictEqual(
            found.map((violation) => violation.control),
            ["AppArmor"],
        );
    });
});
