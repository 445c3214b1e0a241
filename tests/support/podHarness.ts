import { ChildProcess, execFileSync, spawn } from "child_process";
import * as fs from "fs";
import * as path from "path";

import { ClusterNames, clusterNames } from "../../components/naming";
import { ClusterSettings } from "../../components/settings";
import { maintenanceJob } from "../../components/specs/maintenanceJob";
import { backupCronJob, firstBackupJob } from "../../components/specs/backupJobs";
import { Passwords } from "../../components/specs/credentials";
import { TlsMaterial, tlsEnabled, tlsSecretData, tlsSecretName } from "../../components/specs/tls";
import {
    CommandResult,
    HARNESS_ROOT,
    netnsList,
    netnsPids,
    removeNetns,
    removeStaleRuns,
    run,
    runAsync,
    sq,
} from "./hostCommands";
import { ProbeKind, VolumeSource, podSpecView } from "./podSpecView";

export type { CommandResult, ProbeKind };
import { certificateDnsNames } from "../../components/naming";
import { issueServerCertificate, makeCertificateAuthority } from "./certificates";

/**
 * Runs the pods of one cluster on this machine the way a container runtime would, from the objects the
 * program builds (`clusterObjects`): the StatefulSet's container command, env, volume mounts, security
 * context and probes; the ConfigMap's files; the Secret's values. Nothing here copies a script or a
 * command: change the specs and the pods change.
 *
 * Each pod gets
 * - a network namespace of its own (`ip netns`), with a veth into a bridge that lives in a namespace the
 *   harness also creates, and a private address 10.213.0.(10+ordinal): traffic never leaves these
 *   namespaces and loopback;
 * - mount, UTS, IPC and PID namespaces (`unshare`), hostname = pod name, and a root filesystem like an
 *   image's: a read-only tmpfs with the host's /usr (read-only), an /etc overlay with the pod's passwd
 *   (postgres = the spec's runAsUser), hosts and nsswitch, a private /dev, /dev/shm and /proc;
 * - every volume of the spec at its mount path: the claim as a per-pod directory that outlives the
 *   container, the ConfigMap and Secret as files with the spec's modes, emptyDirs as per-pod directories;
 * - an /etc/hosts that resolves every pod that exists (`<sts>-i.<headless-svc>` up to
 *   `….svc.cluster.local`) and the Services, like the cluster DNS.
 *
 * The container process is the spec's command, run as the spec's user with no capabilities, no new
 * privileges and only the spec's env plus the PATH of the "image" (the Debian PostgreSQL bin directory).
 * It is PID 1 of its PID namespace, so killing it ends every process of the pod at once.
 *
 * Everything lives under `PG_HA_HARNESS_DIR` (default /var/tmp/pg-ha-pod-harness), outside any path a pod
 * hides. `destroy()` removes it all; `PodCluster.create` also removes what a crashed earlier run left.
 */

const NETNS_PREFIX = "pgha-";
const SUBNET = "10.213.0";
/**
 * An address of the pod network where nothing answers: every pod knows it by a MAC address that no port has,
 * so packets to it vanish without a reset or an ICMP error, as with a node that is gone. The cluster DNS
 * is there while it is down.
 */
const SILENT_ADDRESS = `${SUBNET}.253`;
const SILENT_MAC = "02:00:00:00:00:fd";
/** Where pods moved to a new address (`moveToNewAddress`) are numbered from. */
const MOVED_ADDRESS_BASE = 100;
/** Where the -rw Service's address is numbered from (`recreateRwService` takes the next). */
const RW_SERVICE_ADDRESS_BASE = 200;
const POSTGRES_BASE = "/usr/lib/postgresql";
/** The host tools the harness itself runs (outside the pods). */
const HOST_TOOLS = ["ip", "unshare", "nsenter", "setpriv", "pivot_root", "mount", "umount", "hostname"];

/** How a container ended: an exit code, or the signal that killed it. */
export interface ExitStatus {
    code: number | null;
    signal: NodeJS.Signals | null;
}

export class PodCommandError extends Error {
    constructor(
        readonly pod: string,
        readonly argv: string[],
        readonly result: CommandResult,
    ) {
        super(`in ${pod}, ${argv.join(" ")} exited with ${result.code}: ${result.stderr.trim()}`);
        this.name = "PodCommandError";
    }
}

/** The highest `/usr/lib/postgresql/<major>/bin` that holds a server, if any. */
export function postgresBinDir(): string | undefined {
    if (!fs.existsSync(POSTGRES_BASE)) {
        return undefined;
    }
    const majors = fs
        .readdirSync(POSTGRES_BASE)
        .filter((entry) => /^\d+$/.test(entry) && fs.existsSync(path.join(POSTGRES_BASE, entry, "bin", "postgres")))
        .map(Number)
        .sort((a, b) => b - a);
    return majors.length > 0 ? path.join(POSTGRES_BASE, String(majors[0]), "bin") : undefined;
}

function onPath(tool: string): boolean {
    return (process.env.PATH ?? "/usr/sbin:/usr/bin:/sbin:/bin")
        .split(":")
        .some((dir) => fs.existsSync(path.join(dir, tool)));
}

/**
 * Why the pods cannot run on this machine, or undefined when they can. Only a missing privilege or
 * namespace tool is a reason to skip; missing PostgreSQL binaries are an error (CI installs them).
 */
export function harnessSkipReason(): string | undefined {
    if (process.platform !== "linux") {
        return "the pod harness needs Linux namespaces";
    }
    if (process.getuid?.() !== 0) {
        return "the pod harness must run as root (it creates namespaces, mounts and network devices)";
    }
    const missing = HOST_TOOLS.filter((tool) => !onPath(tool));
    if (missing.length > 0) {
        return `the pod harness needs ${missing.join(", ")} (util-linux, iproute2)`;
    }
    try {
        execFileSync("unshare", ["--mount", "--uts", "--ipc", "--pid", "--net", "--fork", "true"], { stdio: "ignore" });
    } catch {
        return "unshare cannot create namespaces here (no CAP_SYS_ADMIN?)";
    }
    return undefined;
}

/** The PostgreSQL bin directory, or an error that says how to get one. */
export function requirePostgresBinDir(): string {
    const dir = postgresBinDir();
    if (!dir) {
        throw new Error(
            `no PostgreSQL server binaries under ${POSTGRES_BASE}/<major>/bin: install Debian's postgresql package (.ci/run does)`,
        );
    }
    return dir;
}

/** Polls `condition` until it holds; fails with `description` and the last error after `timeoutMs`. */
export async function waitUntil(
    description: string,
    condition: () => Promise<boolean> | boolean,
    timeoutMs = 30000,
    intervalMs = 200,
): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    let lastError: unknown;
    for (;;) {
        try {
            if (await condition()) {
                return;
            }
            lastError = undefined;
        } catch (error) {
            lastError = error;
        }
        if (Date.now() >= deadline) {
            const detail = lastError instanceof Error ? ` (last error: ${lastError.message})` : "";
            throw new Error(`timed out after ${timeoutMs / 1000}s waiting until ${description}${detail}`);
        }
        await sleep(intervalMs);
    }
}

/** `promise`'s value, or undefined once `ms` have passed; the timer does not outlive the promise. */
export async function within<T>(promise: Promise<T>, ms: number): Promise<T | undefined> {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<undefined>((resolve) => {
        timer = setTimeout(() => resolve(undefined), ms);
    });
    try {
        return await Promise.race([promise, timeout]);
    } finally {
        clearTimeout(timer);
    }
}

export function sleep(ms: number): Promise<void> {
    return new Promise((resolve) => setTimeout(resolve, ms));
}

let runCounter = 0;
const liveClusters = new Set<PodCluster>();
process.once("exit", () => {
    for (const cluster of liveClusters) {
        cluster.destroySync();
    }
});

// ---------------------------------------------------------------------------------------------------------

/** A second container of a pod (see `startSecondInstance`). */
export interface SecondInstance {
    exited: Promise<ExitStatus>;
    logs(): string;
    kill(): Promise<void>;
}

interface Container {
    process: ChildProcess;
    /** The pod spec it started with: a running pod keeps its env, probes and hooks through a rollout. */
    spec: ReturnType<typeof podSpecView>;
    /** Host PID of the pod's PID 1. */
    pid1: number;
    exited: Promise<ExitStatus>;
    status?: ExitStatus;
    logOffset: number;
}

interface PodDirs {
    root: string;
    rootfs: string;
    etcLayer: string;
    hosts: string;
    nsswitch: string;
    resolvConf: string;
    log: string;
    volumes: Record<string, string>;
}

/** With TLS on, a certificate for every name of the cluster, signed by a CA of the run's own. */
function certificateOfItsOwn(settings: ClusterSettings): TlsMaterial<string> | undefined {
    return tlsEnabled(settings)
        ? issueServerCertificate(makeCertificateAuthority(), certificateDnsNames(settings))
        : undefined;
}

export interface PodClusterOptions {
    /** The PostgreSQL bin directory the "image" puts on PATH; default: the highest Debian one. */
    binDir?: string;
    /**
     * The TLS Secret's files, with TLS on; default: a certificate for every name of the cluster
     * (`certificateDnsNames`), signed by a CA of the run's own.
     */
    tls?: TlsMaterial<string>;
    /**
     * Host directories of claims every pod mounts (the backup volume), by claim name, so that clusters can
     * share one (a restore reads another cluster's backups); default: a directory of the run's own per claim.
     */
    sharedClaimDirs?: Record<string, string>;
    /** Secrets of the namespace that env vars read keys of (`secretKeyRef`), by name: their data. */
    secrets?: Record<string, Record<string, string>>;
}

export class PodCluster {
    readonly names: ClusterNames;
    readonly binDir: string;
    private readonly runDir: string;
    private readonly bridgeNetns: string;
    private readonly containers = new Map<number, Container>();
    /** ConfigMaps the pods read env from, beyond the mounted one: by name, their data. */
    private readonly configMaps = new Map<string, Record<string, string>>();
    /** Pods that exist (have been started once), and so have DNS records. */
    private readonly existing = new Set<number>();
    private spec: ReturnType<typeof podSpecView>;
    /** The TLS Secret's files, with TLS on. */
    private tlsFiles: TlsMaterial<string> | undefined;
    private destroyed = false;
    private dnsDown = false;
    /** Pods moved off their first address, and where to. */
    private readonly movedAddresses = new Map<number, string>();
    private moves = 0;
    /**
     * The -rw Service's address, a ClusterIP: no interface has it; in each pod's network namespace a DNAT rule
     * sends new connections to pod 0's address, as kube-proxy's rules do, while a connection keeps the pod 0 it
     * was made to (its conntrack entry). It stays when pod 0 moves.
     */
    private rwServiceAddress = `${SUBNET}.${RW_SERVICE_ADDRESS_BASE}`;

    private constructor(
        private currentSettings: ClusterSettings,
        private passwords: Passwords<string>,
        readonly runId: string,
        binDir: string,
        tls: TlsMaterial<string> | undefined,
        private readonly sharedClaimDirs: Record<string, string> = {},
        private readonly secrets: Record<string, Record<string, string>> = {},
    ) {
        const settings = currentSettings;
        this.names = clusterNames(settings);
        this.tlsFiles = tls ?? certificateOfItsOwn(settings);
        this.binDir = binDir;
        this.runDir = path.join(HARNESS_ROOT, runId);
        this.bridgeNetns = `${NETNS_PREFIX}${runId}-net`;
        this.spec = podSpecView(settings, passwords);
    }

    get settings(): ClusterSettings {
        return this.currentSettings;
    }

    /**
     * New settings for the pods started from now on, as a rollout of a new pod template does: a running
     * pod keeps its own until it is restarted. The cluster's name, namespace and size stay.
     */
    changeSettings(settings: ClusterSettings, options: { tls?: TlsMaterial<string> } = {}): void {
        const { name, namespace, replicas } = this.currentSettings;
        if (settings.name !== name || settings.namespace !== namespace || settings.replicas !== replicas) {
            throw new Error("the harness cannot change a cluster's name, namespace or replicas");
        }
        this.currentSettings = settings;
        this.spec = podSpecView(settings, this.passwords);
        // Another Secret (a new TLS mode or secretName) for the pods started from now on: the running ones keep
        // the files they have.
        this.tlsFiles = options.tls ?? this.tlsFiles ?? certificateOfItsOwn(settings);
    }

    /** Builds the network and the per-pod directories of `settings.replicas` pods; starts none. */
    static async create(
        settings: ClusterSettings,
        passwords: Passwords<string>,
        options: PodClusterOptions = {},
    ): Promise<PodCluster> {
        removeStaleRuns();
        const binDir = options.binDir ?? requirePostgresBinDir();
        const cluster = new PodCluster(
            settings,
            passwords,
            `${process.pid}-${++runCounter}`,
            binDir,
            options.tls,
            options.sharedClaimDirs,
            options.secrets,
        );
        liveClusters.add(cluster);
        try {
            cluster.setUp();
        } catch (error) {
            await cluster.destroy();
            throw error;
        }
        return cluster;
    }

    get replicas(): number {
        return this.settings.replicas;
    }

    podName(ordinal: number): string {
        return this.names.pod(ordinal);
    }

    address(ordinal: number): string {
        return this.movedAddresses.get(ordinal) ?? `${SUBNET}.${10 + ordinal}`;
    }

    /**
     * Gives a stopped pod a new network namespace and address, as a pod re-created by Kubernetes gets, and
     * the cluster DNS its names; the -rw Service leads to the new address. The old address goes silent for
     * every other pod: what they send there is lost without a reset (on a real node, a stale conntrack or
     * neighbour entry; "No route to host" only after minutes).
     */
    moveToNewAddress(ordinal: number): void {
        if (this.isRunning(ordinal)) {
            throw new Error(`stop ${this.podName(ordinal)} before moving it`);
        }
        const old = this.address(ordinal);
        const moved = `${SUBNET}.${MOVED_ADDRESS_BASE + this.moves++ * 32 + ordinal}`;
        // A new sandbox, as a re-created pod gets: the old one's sockets go with it, unannounced.
        run("ip", ["-n", this.bridgeNetns, "link", "del", `pod${ordinal}`]);
        removeNetns(this.podNetns(ordinal));
        this.addPodNetwork(this.podNetns(ordinal), `pod${ordinal}`, moved);
        this.movedAddresses.set(ordinal, moved);
        this.pointRwService();
        for (let other = 0; other < this.replicas; other++) {
            if (other !== ordinal) {
                silence(this.podNetns(other), old);
            }
        }
        this.writeHosts();
    }

    /** Host path of a volume of a pod (`data` is the claim: PGDATA is `<it>/pgdata`). */
    volumePath(ordinal: number, volume: string): string {
        const dir = this.dirs(ordinal).volumes[volume];
        if (!dir) {
            throw new Error(`pod ${this.podName(ordinal)} has no volume ${volume}`);
        }
        return dir;
    }

    /** Host path of the pod's data volume (the StatefulSet's claim). */
    dataVolume(ordinal: number): string {
        const claim = Object.entries(this.spec.view.volumes).find(([, source]) => source.kind === "claim");
        if (!claim) {
            throw new Error("the pod spec has no claim");
        }
        return this.volumePath(ordinal, claim[0]);
    }

    /** Host path of a path inside the pod that lies on one of its volumes. */
    hostPath(ordinal: number, podPath: string): string {
        const mount = this.spec.view.mounts
            .filter((m) => podPath === m.mountPath || podPath.startsWith(`${m.mountPath}/`))
            .sort((a, b) => b.mountPath.length - a.mountPath.length)[0];
        if (!mount) {
            throw new Error(`${podPath} is on no volume of the pod`);
        }
        return path.join(this.volumePath(ordinal, mount.volume), podPath.slice(mount.mountPath.length));
    }

    /**
     * The env of the pod's container: the spec's env, the values it takes from ConfigMaps that exist now (as
     * the kubelet reads them when the container starts), and the image's PATH and HOME.
     */
    containerEnv(spec = this.spec): Record<string, string> {
        const fromConfigMaps: Record<string, string> = {};
        for (const [name, ref] of Object.entries(spec.view.configMapEnv)) {
            const value = this.configMaps.get(ref.configMap)?.[ref.key];
            if (value !== undefined) {
                fromConfigMaps[name] = value;
            } else if (!ref.optional) {
                throw new Error(`the container needs ConfigMap ${ref.configMap} (key ${ref.key}), which is not there`);
            }
        }
        const fromSecrets: Record<string, string> = {};
        for (const [name, ref] of Object.entries(spec.view.secretEnv)) {
            const value = this.secrets[ref.secret]?.[ref.key];
            if (value !== undefined) {
                fromSecrets[name] = value;
            } else if (!ref.optional) {
                throw new Error(`the container needs Secret ${ref.secret} (key ${ref.key}), which is not there`);
            }
        }
        return { ...this.imageEnv(), ...spec.view.env, ...fromConfigMaps, ...fromSecrets };
    }

    /** What the image sets for every container: PATH and HOME. */
    private imageEnv(): Record<string, string> {
        return { PATH: `${this.binDir}:/usr/bin:/bin`, HOME: "/var/lib/postgresql" };
    }

    /**
     * Runs one container of the maintenance Job the program makes for these settings with `replicas` pods
     * (its command and env), from inside pod `inPod`'s namespaces: a pod on the cluster network, as the Job's
     * pod would be.
     */
    runMaintenanceJob(
        inPod: number,
        container: "wait-for-passwords" | "drop-slots" | "app-database",
        replicas = this.replicas,
        timeoutMs = 60000,
    ): Promise<CommandResult> {
        const job = maintenanceJob({ ...this.settings, replicas }, this.spec.configMap.metadata.name);
        const { initContainers, containers } = job.spec.template.spec;
        const spec = [...initContainers, ...containers].find((candidate) => candidate.name === container);
        if (!spec) {
            throw new Error(`the maintenance Job has no container ${container} with these settings`);
        }
        const env = Object.fromEntries(spec.env.map(({ name, value }) => [name, value]));
        return this.exec(inPod, spec.command, { env, timeoutMs });
    }

    /**
     * Runs the base backup the program's CronJob runs (its command and env), or with `first` the first backup's
     * Job, from inside pod `inPod`'s namespaces, which mount the backup volume, the CA and the replication
     * password where the Job's pod does.
     */
    runBackupJob(inPod: number, options: { first?: boolean; timeoutMs?: number } = {}): Promise<CommandResult> {
        const configMap = this.spec.configMap.metadata.name;
        const template = options.first
            ? firstBackupJob(this.settings, configMap)?.spec.template
            : backupCronJob(this.settings, configMap)?.spec.jobTemplate.spec.template;
        if (!template) {
            throw new Error("these settings have no backup");
        }
        const [container] = template.spec.containers;
        const env = Object.fromEntries(container.env.map(({ name, value }) => [name, value]));
        return this.exec(inPod, container.command, { env, timeoutMs: options.timeoutMs ?? 120000, ownEnv: true });
    }

    /** The -rw Service's address, which the standbys connect to. */
    get rwAddress(): string {
        return this.rwServiceAddress;
    }

    /**
     * The -rw Service deleted and created again: it gets another address, and the cluster DNS says so. The old
     * one goes silent for every pod.
     */
    recreateRwService(): void {
        const old = this.rwServiceAddress;
        this.rwServiceAddress = `${SUBNET}.${Number(old.split(".")[3]) + 1}`;
        this.pointRwService();
        for (let ordinal = 0; ordinal < this.replicas; ordinal++) {
            silence(this.podNetns(ordinal), old);
        }
        this.writeHosts();
    }

    /** kube-proxy's rules, in every pod's network namespace: the Service's address leads to pod 0's. */
    private pointRwService(): void {
        for (let ordinal = 0; ordinal < this.replicas; ordinal++) {
            const iptables = (...args: string[]) =>
                run("ip", ["netns", "exec", this.podNetns(ordinal), "iptables", "-t", "nat", ...args]);
            iptables("-F", "OUTPUT");
            iptables(
                "-A",
                "OUTPUT",
                "-d",
                `${this.rwServiceAddress}/32`,
                "-p",
                "tcp",
                "-j",
                "DNAT",
                "--to-destination",
                this.address(0),
            );
        }
    }

    /**
     * A cluster DNS outage: the pods' resolver asks a server that does not answer, so a lookup of any name but
     * the pod's own waits for the resolver's timeouts (glibc's defaults: 5 s, 2 attempts) and then fails.
     */
    setDnsDown(down: boolean): void {
        this.dnsDown = down;
        this.writeHosts();
    }

    /** What `pulumi up` does once the cluster is first ready: records that it was initialised. */
    recordInitialised(): void {
        const marker = this.spec.initialisedMarker;
        this.configMaps.set(marker.metadata.name, marker.data);
    }

    /** Deletes the initialised marker (the README's deliberate re-initialisation). */
    forgetInitialised(): void {
        this.configMaps.delete(this.spec.initialisedMarker.metadata.name);
    }

    // -----------------------------------------------------------------------------------------------------
    // Lifecycle.

    /** Whether the pod's container was ever started (it may have exited since). */
    wasStarted(ordinal: number): boolean {
        return this.containers.has(ordinal);
    }

    isRunning(ordinal: number): boolean {
        const container = this.containers.get(ordinal);
        return container !== undefined && container.status === undefined;
    }

    /** Starts the pod's container in the background (Kubernetes creating or restarting it). */
    async start(ordinal: number): Promise<void> {
        if (this.isRunning(ordinal)) {
            throw new Error(`${this.podName(ordinal)} is already running`);
        }
        this.existing.add(ordinal);
        this.writeHosts();
        // The new pod mounts the current ConfigMap, and any volume a changed spec added.
        this.makeVolumeDirs(ordinal);
        this.writeVolumeFiles(ordinal, "configMap");
        this.writeVolumeFiles(ordinal, "secret");
        const log = this.dirs(ordinal).log;
        const logOffset = fs.existsSync(log) ? fs.statSync(log).size : 0;
        const { child, exited, pid1 } = await this.spawnContainer(ordinal, this.podNetns(ordinal), log);
        const container: Container = { process: child, spec: this.spec, pid1, exited, logOffset };
        this.containers.set(ordinal, container);
        void exited.then((status) => {
            container.status = status;
        });
    }

    /**
     * Starts a second container of the pod, on the same volumes, while the first may still run: the
     * StatefulSet's replacement for a pod force-deleted from a node that is unreachable but not down. It has a
     * network namespace of its own (another node) and a log of its own.
     */
    async startSecondInstance(ordinal: number): Promise<SecondInstance> {
        const netns = `${this.podNetns(ordinal)}-second`;
        if (!netnsList().includes(netns)) {
            this.addPodNetwork(netns, `second${ordinal}`, `${SUBNET}.${200 + ordinal}`);
        }
        const log = path.join(this.dirs(ordinal).root, "second-instance.log");
        fs.rmSync(log, { force: true });
        const { exited, pid1 } = await this.spawnContainer(ordinal, netns, log);
        return {
            exited,
            logs: () => (fs.existsSync(log) ? fs.readFileSync(log, "utf8") : ""),
            kill: async () => {
                try {
                    process.kill(pid1, "SIGKILL");
                } catch {
                    // already gone
                }
                await exited;
            },
        };
    }

    private async spawnContainer(ordinal: number, netns: string, log: string) {
        const fd = fs.openSync(log, "a");
        let child: ChildProcess;
        try {
            child = spawn(
                "nsenter",
                [
                    `--net=/run/netns/${netns}`,
                    "--",
                    "unshare",
                    "--mount",
                    "--uts",
                    "--ipc",
                    "--pid",
                    "--fork",
                    "--kill-child",
                    "--propagation",
                    "private",
                    "--",
                    "/bin/sh",
                    "-c",
                    this.containerScript(ordinal),
                ],
                { stdio: ["ignore", fd, fd] },
            );
        } finally {
            fs.closeSync(fd);
        }
        const exited = new Promise<ExitStatus>((resolve) => {
            child.once("exit", (code, signal) => resolve({ code, signal }));
        });
        const pid1 = await this.findPid1(child, exited);
        return { child, exited, pid1 };
    }

    private async findPid1(child: ChildProcess, exited: Promise<ExitStatus>): Promise<number> {
        const unsharePid = child.pid;
        if (unsharePid === undefined) {
            throw new Error(`could not start the container: ${String((await exited).code)}`);
        }
        let pid1 = 0;
        await waitUntil(
            "the pod's PID 1 exists",
            () => {
                try {
                    const children = fs.readFileSync(`/proc/${unsharePid}/task/${unsharePid}/children`, "utf8").trim();
                    pid1 = children ? Number(children.split(" ")[0]) : 0;
                } catch {
                    pid1 = 0;
                }
                return pid1 > 0;
            },
            10000,
            10,
        );
        return pid1;
    }

    /**
     * Starts every pod as the StatefulSet controller does: with OrderedReady, each pod once the one before it
     * is ready (its readiness probe, run every `probeIntervalMs` rather than every periodSeconds, succeeds);
     * with Parallel, all at once.
     */
    async startAll(timeoutMs = 120000, probeIntervalMs = 200): Promise<void> {
        for (let ordinal = 0; ordinal < this.replicas; ordinal++) {
            await this.start(ordinal);
            if (this.settings.podManagementPolicy === "OrderedReady") {
                await waitUntil(
                    `${this.podName(ordinal)} is ready`,
                    () => this.probe(ordinal, "readiness"),
                    timeoutMs,
                    probeIntervalMs,
                );
            }
        }
    }

    /** Ends the pod's PID namespace at once (SIGKILL to its PID 1), like a node failure or an OOM kill. */
    async kill(ordinal: number): Promise<ExitStatus | undefined> {
        const container = this.containers.get(ordinal);
        if (!container || container.status) {
            return container?.status;
        }
        try {
            process.kill(container.pid1, "SIGKILL");
        } catch {
            // already gone
        }
        const status = await container.exited;
        await waitUntil(
            `no process of ${this.podName(ordinal)} is left`,
            () => this.podProcesses(ordinal) === 0,
            10000,
            50,
        );
        return status;
    }

    /**
     * Stops the pod as the kubelet does: the spec's preStop hook, then the image's stop signal to PID 1 (the
     * official postgres image's STOPSIGNAL is SIGINT, a fast shutdown; an image without one gets SIGTERM), then
     * SIGKILL at the end of the spec's termination grace period (or `graceSeconds`), counted from the start.
     */
    async stop(
        ordinal: number,
        {
            graceSeconds = this.containers.get(ordinal)?.spec.view.terminationGracePeriodSeconds ??
                this.spec.view.terminationGracePeriodSeconds,
            stopSignal = "SIGINT",
        }: { graceSeconds?: number; stopSignal?: NodeJS.Signals } = {},
    ): Promise<ExitStatus | undefined> {
        const container = this.containers.get(ordinal);
        if (!container || container.status) {
            return container?.status;
        }
        const deadline = Date.now() + graceSeconds * 1000;
        const { preStop } = container.spec.view;
        if (preStop) {
            await this.exec(ordinal, preStop, { timeoutMs: graceSeconds * 1000 });
        }
        try {
            process.kill(container.pid1, stopSignal);
        } catch {
            // already gone
        }
        const stopped = await within(container.exited, Math.max(0, deadline - Date.now()));
        return stopped ?? this.kill(ordinal);
    }

    /**
     * Cuts the pod off the pod network (its veth goes down): packets to and from it are lost, as when its
     * node is unreachable. Its processes keep running.
     */
    disconnect(ordinal: number): void {
        run("ip", ["-n", this.bridgeNetns, "link", "set", `pod${ordinal}`, "down"]);
    }

    /** Undoes `disconnect`. */
    reconnect(ordinal: number): void {
        run("ip", ["-n", this.bridgeNetns, "link", "set", `pod${ordinal}`, "up"]);
    }

    /** Kubernetes restarting a container: kill it if it runs, start it again. */
    async restart(ordinal: number): Promise<void> {
        await this.kill(ordinal);
        await this.start(ordinal);
    }

    /** Waits for the container to end on its own and returns how. */
    async waitForExit(ordinal: number, timeoutMs: number): Promise<ExitStatus> {
        const container = this.containers.get(ordinal);
        if (!container) {
            throw new Error(`${this.podName(ordinal)} was never started`);
        }
        const status = await within(container.exited, timeoutMs);
        if (!status) {
            throw new Error(`${this.podName(ordinal)} still runs after ${timeoutMs / 1000}s`);
        }
        return status;
    }

    /** Empties the pod's data volume (a replaced disk); the pod must not run. */
    wipe(ordinal: number): void {
        if (this.isRunning(ordinal)) {
            throw new Error(`stop ${this.podName(ordinal)} before wiping its volume`);
        }
        const volume = this.dataVolume(ordinal);
        for (const entry of fs.readdirSync(volume)) {
            fs.rmSync(path.join(volume, entry), { recursive: true, force: true });
        }
    }

    /** Changes the Secret's values; pods see them in their Secret volume, as after a `kubectl apply`. */
    setPasswords(passwords: Passwords<string>): void {
        this.passwords = passwords;
        this.spec = podSpecView(this.settings, passwords);
        for (let ordinal = 0; ordinal < this.replicas; ordinal++) {
            this.writeVolumeFiles(ordinal, "secret");
        }
    }

    /** The TLS Secret's files (TLS on), as the pods mount them. */
    get tls(): TlsMaterial<string> {
        if (!this.tlsFiles) {
            throw new Error("TLS is disabled in this cluster's settings");
        }
        return this.tlsFiles;
    }

    /** Changes the TLS Secret's files (a renewal); pods see them in their volume, as the kubelet updates it. */
    setTls(tls: TlsMaterial<string>): void {
        this.tlsFiles = tls;
        for (let ordinal = 0; ordinal < this.replicas; ordinal++) {
            this.writeVolumeFiles(ordinal, "secret");
        }
    }

    /** The container's output (stdout and stderr), whole or since its last start. */
    logs(ordinal: number, options: { sinceLastStart?: boolean } = {}): string {
        const log = this.dirs(ordinal).log;
        if (!fs.existsSync(log)) {
            return "";
        }
        const text = fs.readFileSync(log);
        const offset = options.sinceLastStart ? (this.containers.get(ordinal)?.logOffset ?? 0) : 0;
        return text.subarray(offset).toString("utf8");
    }

    // -----------------------------------------------------------------------------------------------------
    // Inside a pod.

    /**
     * Runs `argv` inside the running pod (its namespaces and root), as the container's user with the
     * container's env (plus `env`), like `kubectl exec`.
     */
    async exec(
        ordinal: number,
        argv: string[],
        options: { env?: Record<string, string>; timeoutMs?: number; ownEnv?: boolean } = {},
    ): Promise<CommandResult> {
        const container = this.containers.get(ordinal);
        if (!container || container.status) {
            return { code: 126, stdout: "", stderr: `${this.podName(ordinal)} is not running` };
        }
        // ownEnv: another pod's container, run from inside this one: the image's PATH and HOME and its own env.
        const base = options.ownEnv ? this.imageEnv() : this.containerEnv(container.spec);
        const env = { ...base, ...options.env };
        return runAsync(
            "nsenter",
            [
                "--target",
                String(container.pid1),
                "--mount",
                "--uts",
                "--ipc",
                "--net",
                "--pid",
                "--root",
                "--wd",
                "--",
                ...this.dropPrivileges(),
                "env",
                "-i",
                ...Object.entries(env).map(([key, value]) => `${key}=${value}`),
                ...argv,
            ],
            options.timeoutMs ?? 60000,
        );
    }

    /** Runs SQL through psql in the pod, as postgres over the pod's socket; returns unaligned, tuples-only output. */
    async psql(ordinal: number, sql: string, options: { database?: string } = {}): Promise<string> {
        const argv = ["psql", "-X", "-A", "-t", "-q", "-v", "ON_ERROR_STOP=1", "-U", "postgres"];
        const result = await this.exec(ordinal, [...argv, "-d", options.database ?? "postgres", "-c", sql]);
        if (result.code !== 0) {
            throw new PodCommandError(this.podName(ordinal), ["psql", "-c", sql], result);
        }
        return result.stdout.trim();
    }

    /** Runs the spec's probe command in the pod, with the spec's timeout; true when it succeeds. */
    async probe(ordinal: number, kind: ProbeKind): Promise<boolean> {
        return (await this.probeResult(ordinal, kind)).code === 0;
    }

    /** The probe's whole result: what the kubelet would put into an event when it fails. */
    probeResult(ordinal: number, kind: ProbeKind): Promise<CommandResult> {
        const spec = (this.containers.get(ordinal)?.spec ?? this.spec).view.probes[kind];
        return this.exec(ordinal, spec.command, { timeoutMs: spec.timeoutSeconds * 1000 });
    }

    waitUntil(description: string, condition: () => Promise<boolean> | boolean, timeoutMs = 30000): Promise<void> {
        return waitUntil(description, condition, timeoutMs);
    }

    // -----------------------------------------------------------------------------------------------------
    // Teardown.

    /** Kills every pod and removes the namespaces and directories. Safe to call twice. */
    async destroy(): Promise<void> {
        for (const ordinal of [...this.containers.keys()]) {
            await this.kill(ordinal).catch(() => undefined);
        }
        this.destroySync();
    }

    /** The synchronous part of `destroy`, also run when the test process exits. */
    destroySync(): void {
        if (this.destroyed) {
            return;
        }
        this.destroyed = true;
        for (let ordinal = 0; ordinal < this.replicas; ordinal++) {
            removeNetns(`${this.podNetns(ordinal)}-second`);
            removeNetns(this.podNetns(ordinal));
        }
        removeNetns(this.bridgeNetns);
        fs.rmSync(this.runDir, { recursive: true, force: true });
        liveClusters.delete(this);
    }

    // -----------------------------------------------------------------------------------------------------
    // Set-up.

    private podNetns(ordinal: number): string {
        return `${NETNS_PREFIX}${this.runId}-${ordinal}`;
    }

    private podProcesses(ordinal: number): number {
        return netnsPids(this.podNetns(ordinal)).length;
    }

    private dirs(ordinal: number): PodDirs {
        const root = path.join(this.runDir, "pods", this.podName(ordinal));
        return {
            root,
            rootfs: path.join(root, "rootfs"),
            etcLayer: path.join(root, "etc"),
            hosts: path.join(root, "hosts"),
            nsswitch: path.join(root, "nsswitch.conf"),
            resolvConf: path.join(root, "resolv.conf"),
            log: path.join(root, "container.log"),
            volumes: Object.fromEntries(
                Object.entries(this.spec.view.volumes).map(([name, source]) => [
                    name,
                    source.kind === "sharedClaim" && source.claimName !== undefined
                        ? (this.sharedClaimDirs[source.claimName] ?? path.join(this.runDir, "claims", source.claimName))
                        : path.join(root, "volumes", name),
                ]),
            ),
        };
    }

    private setUp(): void {
        fs.mkdirSync(this.runDir, { recursive: true });
        run("ip", ["netns", "add", this.bridgeNetns]);
        const inBridge = (...args: string[]) => run("ip", ["-n", this.bridgeNetns, ...args]);
        inBridge("link", "set", "lo", "up");
        inBridge("link", "add", "br0", "type", "bridge");
        inBridge("link", "set", "br0", "up");
        for (let ordinal = 0; ordinal < this.replicas; ordinal++) {
            this.addPodNetwork(this.podNetns(ordinal), `pod${ordinal}`, this.address(ordinal));
            this.prepareDirs(ordinal);
        }
        this.pointRwService();
        this.writeHosts();
    }

    /**
     * Puts an existing network namespace (a server the pods use, such as an object store) on the pod network
     * with `address` on its eth0, through the bridge port `link`; a namespace is on one cluster's network at a
     * time.
     */
    attachNetns(netns: string, link: string, address: string): void {
        const inNetns = (...args: string[]) => run("ip", ["-n", netns, ...args]);
        const inBridge = (...args: string[]) => run("ip", ["-n", this.bridgeNetns, ...args]);
        inBridge("link", "add", link, "type", "veth", "peer", "name", "eth0", "netns", netns);
        inBridge("link", "set", link, "master", "br0", "up");
        inNetns("addr", "add", `${address}/24`, "dev", "eth0");
        inNetns("link", "set", "eth0", "up");
    }

    /** An address of the pod network (of every cluster's) that no pod has, for `attachNetns`. */
    static readonly SPARE_ADDRESS = `${SUBNET}.250`;

    /** A network namespace of its own with `address` on its eth0, whose veth peer `link` is a port of the bridge. */
    private addPodNetwork(netns: string, link: string, address: string): void {
        run("ip", ["netns", "add", netns]);
        run("ip", ["-n", netns, "link", "set", "lo", "up"]);
        this.attachNetns(netns, link, address);
        silence(netns, SILENT_ADDRESS);
    }

    /** The directory of each volume of the current spec that the pod does not have yet. */
    private makeVolumeDirs(ordinal: number): void {
        const dirs = this.dirs(ordinal);
        for (const dir of Object.values(dirs.volumes)) {
            fs.mkdirSync(dir, { recursive: true });
        }
        // Mount points of volumes under /etc must exist in the (read-only) /etc overlay.
        for (const mount of this.spec.view.mounts) {
            if (mount.mountPath.startsWith("/etc/")) {
                fs.mkdirSync(path.join(dirs.etcLayer, mount.mountPath.slice("/etc/".length)), { recursive: true });
            }
        }
    }

    private prepareDirs(ordinal: number): void {
        const { view } = this.spec;
        const dirs = this.dirs(ordinal);
        fs.mkdirSync(dirs.rootfs, { recursive: true });
        fs.mkdirSync(dirs.etcLayer, { recursive: true });
        this.makeVolumeDirs(ordinal);
        for (const [name, source] of Object.entries(view.volumes)) {
            const dir = dirs.volumes[name];
            if (source.kind === "claim" || source.kind === "sharedClaim") {
                // What the kubelet does with fsGroup: the volume's group is fsGroup, group-writable, setgid.
                fs.chownSync(dir, 0, view.fsGroup);
                fs.chmodSync(dir, 0o2770);
            } else if (source.kind === "emptyDir") {
                fs.chownSync(dir, 0, view.fsGroup);
                fs.chmodSync(dir, 0o2777);
            }
        }
        this.writeVolumeFiles(ordinal, "configMap");
        this.writeVolumeFiles(ordinal, "secret");
        // The image's /etc: the host's, with the container user as postgres and names resolved from hosts only.
        const withoutIds = (file: string, idField: number, id: number, name: string) =>
            fs
                .readFileSync(file, "utf8")
                .split("\n")
                .filter((line) => line.length > 0)
                .filter((line) => {
                    const fields = line.split(":");
                    return fields[0] !== name && fields[idField] !== String(id);
                });
        const passwd = withoutIds("/etc/passwd", 2, view.runAsUser, "postgres");
        passwd.push(`postgres:x:${view.runAsUser}:${view.runAsGroup}:PostgreSQL:/var/lib/postgresql:/bin/sh`);
        const group = withoutIds("/etc/group", 2, view.runAsGroup, "postgres");
        group.push(`postgres:x:${view.runAsGroup}:`);
        fs.writeFileSync(path.join(dirs.etcLayer, "passwd"), passwd.join("\n") + "\n", { mode: 0o644 });
        fs.writeFileSync(path.join(dirs.etcLayer, "group"), group.join("\n") + "\n", { mode: 0o644 });
        fs.writeFileSync(path.join(dirs.etcLayer, "hostname"), `${this.podName(ordinal)}\n`);
        // Mount points of the name-resolution files: regular files, where the host's may be symlinks.
        for (const file of [
            dirs.hosts,
            dirs.nsswitch,
            dirs.resolvConf,
            ...["nsswitch.conf", "resolv.conf"].map((name) => path.join(dirs.etcLayer, name)),
        ]) {
            fs.writeFileSync(file, "", { mode: 0o644 });
        }
    }

    /** Writes the ConfigMap or Secret files of every volume of that kind, with the spec's modes. */
    private writeVolumeFiles(ordinal: number, kind: "configMap" | "secret"): void {
        const { view } = this.spec;
        for (const [name, source] of Object.entries(view.volumes)) {
            if (source.kind !== kind) {
                continue;
            }
            const data = this.volumeData(source);
            const dir = this.dirs(ordinal).volumes[name];
            for (const entry of fs.readdirSync(dir)) {
                fs.rmSync(path.join(dir, entry), { force: true });
            }
            for (const [key, value] of Object.entries(data)) {
                const file = path.join(dir, key);
                fs.writeFileSync(file, value);
                fs.chownSync(file, 0, view.fsGroup);
                fs.chmodSync(file, source.defaultMode ?? 0o644);
            }
        }
    }

    /** What a ConfigMap or Secret volume projects, by key. */
    private volumeData(source: VolumeSource): Record<string, string> {
        const { configMap, secret } = this.spec;
        if (source.kind === "configMap") {
            return configMap.data;
        }
        if (source.secretName === secret.metadata.name) {
            return secret.stringData;
        }
        if (source.secretName === tlsSecretName(this.settings) && this.tlsFiles) {
            return tlsSecretData(this.tlsFiles);
        }
        throw new Error(`the harness has no data for Secret ${source.secretName}`);
    }

    /**
     * Name resolution in every pod: /etc/hosts holds what the cluster DNS answers for the pods that exist and
     * the Services; while the DNS is down, names beyond the pod's own go to a server that does not answer.
     */
    private writeHosts(): void {
        const { names } = this;
        const ns = this.settings.namespace;
        const fqdn = (name: string) => `${name}.${ns}.svc.cluster.local`;
        // The absolute name too (a trailing dot), which the files backend matches only as written.
        const forms = (name: string) => [name, `${name}.${ns}`, `${name}.${ns}.svc`, fqdn(name), `${fqdn(name)}.`];
        const existing = this.dnsDown ? [] : [...this.existing].sort((a, b) => a - b);
        const dns = [
            ...existing.map(
                (i) => `${this.address(i)}\t${forms(`${names.pod(i)}.${names.headlessService}`).join(" ")}`,
            ),
            ...existing.map((i) => `${this.address(i)}\t${forms(names.headlessService).join(" ")}`),
            ...(existing.includes(0) ? [`${this.rwServiceAddress}\t${forms(names.rwService).join(" ")}`] : []),
            ...existing.map((i) => `${this.address(i)}\t${forms(names.rService).join(" ")}`),
        ];
        for (let ordinal = 0; ordinal < this.replicas; ordinal++) {
            const own = `${this.address(ordinal)}\t${names.podHost(ordinal)} ${names.pod(ordinal)}`;
            const hosts = ["127.0.0.1\tlocalhost", "::1\tlocalhost ip6-localhost ip6-loopback", own, ...dns, ""];
            const dirs = this.dirs(ordinal);
            // Rewritten in place: the pods bind-mount these very files.
            fs.writeFileSync(dirs.hosts, hosts.join("\n"));
            fs.writeFileSync(
                dirs.nsswitch,
                `passwd: files\ngroup: files\nshadow: files\nhosts: files${this.dnsDown ? " dns" : ""}\n`,
            );
            fs.writeFileSync(
                dirs.resolvConf,
                this.dnsDown ? `nameserver ${SILENT_ADDRESS}\n` : "# names resolve through /etc/hosts only\n",
            );
        }
    }

    private dropPrivileges(): string[] {
        const { view } = this.spec;
        // runAsUser/runAsGroup/fsGroup, capabilities: drop ALL, allowPrivilegeEscalation: false.
        return [
            "setpriv",
            `--reuid=${view.runAsUser}`,
            `--regid=${view.runAsGroup}`,
            `--groups=${view.fsGroup}`,
            "--inh-caps=-all",
            "--bounding-set=-all",
            "--no-new-privs",
            "--",
        ];
    }

    /** The shell script PID 1 of a new pod runs as root: build the root filesystem, then exec the command. */
    private containerScript(ordinal: number): string {
        const { view } = this.spec;
        const dirs = this.dirs(ordinal);
        const lines = [
            "set -eu",
            `R=${sq(dirs.rootfs)}`,
            `hostname ${sq(this.podName(ordinal))}`,
            'mount -t tmpfs -o mode=0755,size=16m pod-root "$R"',
            'cd "$R"',
            "mkdir -p usr etc dev proc run tmp var/lib/postgresql .oldroot",
            "ln -s ../run var/run",
            "mount --bind /usr usr && mount -o remount,bind,ro usr",
            "for d in bin sbin lib lib32 lib64 libx32; do",
            '  if [ -L "/$d" ]; then ln -s "$(readlink "/$d")" "$d";',
            '  elif [ -d "/$d" ]; then mkdir "$d"; mount --bind "/$d" "$d"; mount -o remount,bind,ro "$d"; fi',
            "done",
            `mount -t overlay pod-etc -o lowerdir=${sq(dirs.etcLayer)}:/etc etc`,
            `mount --bind ${sq(dirs.hosts)} etc/hosts`,
            `mount --bind ${sq(dirs.nsswitch)} etc/nsswitch.conf`,
            `mount --bind ${sq(dirs.resolvConf)} etc/resolv.conf`,
            "mount -t tmpfs -o mode=0755,size=1m pod-dev dev",
            "for n in null zero full random urandom tty; do touch dev/$n; mount --bind /dev/$n dev/$n; done",
            "ln -s /proc/self/fd dev/fd; ln -s /proc/self/fd/0 dev/stdin",
            "ln -s /proc/self/fd/1 dev/stdout; ln -s /proc/self/fd/2 dev/stderr",
            "mkdir dev/shm && mount -t tmpfs -o mode=1777,size=256m pod-shm dev/shm",
        ];
        for (const mount of view.mounts) {
            const target = `.${mount.mountPath}`;
            if (!mount.mountPath.startsWith("/etc/")) {
                lines.push(`mkdir -p ${sq(target)}`);
            }
            lines.push(`mount --bind ${sq(dirs.volumes[mount.volume])} ${sq(target)}`);
            if (mount.readOnly) {
                lines.push(`mount -o remount,bind,ro ${sq(target)}`);
            }
        }
        const env = Object.entries(this.containerEnv()).map(([key, value]) => sq(`${key}=${value}`));
        lines.push(
            "pivot_root . .oldroot",
            "cd /",
            "mount -t proc proc /proc",
            "umount -l /.oldroot",
            "rmdir /.oldroot",
            // readOnlyRootFilesystem: only the volumes are writable.
            "mount -o remount,ro /",
            `exec ${this.dropPrivileges().map(sq).join(" ")} env -i ${env.join(" ")} ${view.command.map(sq).join(" ")}`,
        );
        return lines.join("\n");
    }
}

/** In `netns`, packets to `address` go to a MAC address no port has: they are lost without an answer. */
function silence(netns: string, address: string): void {
    run("ip", ["-n", netns, "neigh", "replace", address, "lladdr", SILENT_MAC, "dev", "eth0", "nud", "permanent"]);
}
