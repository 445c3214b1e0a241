import * as os from "os";
import * as path from "path";

/**
 * Where the end-to-end tooling keeps things, all outside the repository:
 * - the cache (`PG_HA_E2E_CACHE`, default ~/.cache/pg-ha-e2e): built binaries and images, keyed by version,
 *   kept across runs;
 * - the cluster's state (`PG_HA_E2E_STATE`, default /var/lib/pg-ha-e2e): etcd, containerd, the kubelet, the
 *   volumes, logs and PID files of one running cluster; `down` removes it.
 */
export interface E2EPaths {
    cache: string;
    /** Wrapper modules of the Go builds, one directory per cache key. */
    goSources: string;
    /** One directory of binaries per cache key. */
    bin: string;
    /** OCI image archives. */
    images: string;
    state: string;
    /** Files that must be on a filesystem the kubelet's containers see the same way: logs, PID files. */
    run: string;
    logs: string;
    pids: string;
    certs: string;
    config: string;
    etcdData: string;
    containerdRoot: string;
    containerdState: string;
    containerdSocket: string;
    kubeletRoot: string;
    cniConfig: string;
    cniData: string;
    localVolumes: string;
    /** The admin kubeconfig a person and the tests use. */
    kubeconfig: string;
    /** The Pulumi file backend and the passphrase of the e2e stacks. */
    pulumiHome: string;
    pulumiBackend: string;
    /** Values of kernel settings the cluster changes, recorded at `up` and restored at `down`. */
    savedSysctls: string;
}

export function e2ePaths(env: NodeJS.ProcessEnv = process.env): E2EPaths {
    const cache = env.PG_HA_E2E_CACHE ?? path.join(os.homedir(), ".cache", "pg-ha-e2e");
    const state = env.PG_HA_E2E_STATE ?? "/var/lib/pg-ha-e2e";
    const run = path.join(state, "run");
    return {
        cache,
        goSources: path.join(cache, "src"),
        bin: path.join(cache, "bin"),
        images: path.join(cache, "images"),
        state,
        run,
        logs: path.join(state, "logs"),
        pids: path.join(run, "pids"),
        certs: path.join(state, "pki"),
        config: path.join(state, "config"),
        etcdData: path.join(state, "etcd"),
        containerdRoot: path.join(state, "containerd"),
        containerdState: path.join(run, "containerd"),
        containerdSocket: path.join(run, "containerd", "containerd.sock"),
        kubeletRoot: path.join(state, "kubelet"),
        cniConfig: path.join(state, "cni", "net.d"),
        cniData: path.join(state, "cni", "networks"),
        localVolumes: path.join(state, "volumes"),
        kubeconfig: path.join(state, "admin.kubeconfig"),
        pulumiHome: path.join(cache, "pulumi-home"),
        pulumiBackend: path.join(cache, "pulumi-backend"),
        savedSysctls: path.join(state, "saved-sysctls.json"),
    };
}
