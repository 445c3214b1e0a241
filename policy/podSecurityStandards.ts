import type { IPodSpec } from "kubernetes-models/v1/PodSpec";
import type { ISecurityContext } from "kubernetes-models/v1/SecurityContext";
import type { IPodSecurityContext } from "kubernetes-models/v1/PodSecurityContext";
import { AnyContainer, containersOf } from "./podTemplates";

/**
 * The controls of the Kubernetes Pod Security Standards, "baseline" and "restricted" levels, as documented at
 * https://kubernetes.io/docs/concepts/security/pod-security-standards/ (latest version). A pod template is
 * checked as the PodSecurity admission controller checks a workload's template; each violation names the
 * control and the field. The policy pack's pod-security rule and the tests both check with it.
 */

export type CheckedLevel = "baseline" | "restricted";

export interface Violation {
    /** The lowest level the control belongs to: a restricted violation may still pass baseline. */
    level: CheckedLevel;
    control: string;
    path: string;
    value: unknown;
}

const BASELINE_CAPABILITIES = new Set([
    "AUDIT_WRITE",
    "CHOWN",
    "DAC_OVERRIDE",
    "FOWNER",
    "FSETID",
    "KILL",
    "MKNOD",
    "NET_BIND_SERVICE",
    "SETFCAP",
    "SETGID",
    "SETPCAP",
    "SETUID",
    "SYS_CHROOT",
]);

const SAFE_SYSCTLS = new Set([
    "kernel.shm_rmid_forced",
    "net.ipv4.ip_local_port_range",
    "net.ipv4.ip_unprivileged_port_start",
    "net.ipv4.tcp_syncookies",
    "net.ipv4.ping_group_range",
    "net.ipv4.ip_local_reserved_ports",
    "net.ipv4.tcp_keepalive_time",
    "net.ipv4.tcp_fin_timeout",
    "net.ipv4.tcp_keepalive_intvl",
    "net.ipv4.tcp_keepalive_probes",
    "net.ipv4.tcp_rmem",
    "net.ipv4.tcp_wmem",
]);

const SELINUX_TYPES = new Set(["", "container_t", "container_init_t", "container_kvm_t", "container_engine_t"]);

/** Volume sources the restricted level admits; `name` is the volume's name, not a source. */
const RESTRICTED_VOLUME_SOURCES = new Set([
    "configMap",
    "csi",
    "downwardAPI",
    "emptyDir",
    "ephemeral",
    "persistentVolumeClaim",
    "projected",
    "secret",
]);

/** Every violation of `level` (baseline controls included) by one pod template. */
export function podSecurityViolations(
    spec: IPodSpec,
    level: CheckedLevel,
    annotations: Record<string, string> = {},
): Violation[] {
    const violations: Violation[] = [];
    const add = (controlLevel: CheckedLevel, control: string, path: string, value: unknown) =>
        violations.push({ level: controlLevel, control, path, value });
    const pod: IPodSecurityContext = spec.securityContext ?? {};
    const containers = containersOf(spec);
    const contextOf = (container: AnyContainer): ISecurityContext => container.securityContext ?? {};

    // --- Baseline ---
    if (pod.windowsOptions?.hostProcess === true) {
        add("baseline", "HostProcess", "spec.securityContext.windowsOptions.hostProcess", true);
    }
    for (const field of ["hostNetwork", "hostPID", "hostIPC"] as const) {
        if (spec[field] === true) {
            add("baseline", "Host Namespaces", `spec.${field}`, true);
        }
    }
    for (const [index, volume] of (spec.volumes ?? []).entries()) {
        if (volume.hostPath !== undefined) {
            add("baseline", "HostPath Volumes", `spec.volumes[${index}].hostPath`, volume.hostPath);
        }
    }
    checkAppArmor(pod.appArmorProfile?.type, "spec.securityContext.appArmorProfile.type", add);
    for (const [key, value] of Object.entries(annotations)) {
        if (
            key.startsWith("container.apparmor.security.beta.kubernetes.io/") &&
            value !== "runtime/default" &&
            !value.startsWith("localhost/")
        ) {
            add("baseline", "AppArmor", `metadata.annotations["${key}"]`, value);
        }
    }
    checkSeLinux(pod.seLinuxOptions, "spec.securityContext.seLinuxOptions", add);
    if (pod.seccompProfile?.type === "Unconfined") {
        add("baseline", "Seccomp", "spec.securityContext.seccompProfile.type", "Unconfined");
    }
    for (const [index, sysctl] of (pod.sysctls ?? []).entries()) {
        if (!SAFE_SYSCTLS.has(sysctl.name)) {
            add("baseline", "Sysctls", `spec.securityContext.sysctls[${index}].name`, sysctl.name);
        }
    }
    for (const { path, container } of containers) {
        const context = contextOf(container);
        if (context.windowsOptions?.hostProcess === true) {
            add("baseline", "HostProcess", `${path}.securityContext.windowsOptions.hostProcess`, true);
        }
        if (context.privileged === true) {
            add("baseline", "Privileged Containers", `${path}.securityContext.privileged`, true);
        }
        for (const capability of context.capabilities?.add ?? []) {
            if (!BASELINE_CAPABILITIES.has(capability)) {
                add("baseline", "Capabilities", `${path}.securityContext.capabilities.add`, capability);
            }
        }
        for (const [index, port] of (container.ports ?? []).entries()) {
            if (port.hostPort !== undefined && port.hostPort !== 0) {
                add("baseline", "Host Ports", `${path}.ports[${index}].hostPort`, port.hostPort);
            }
        }
        checkAppArmor(context.appArmorProfile?.type, `${path}.securityContext.appArmorProfile.type`, add);
        checkSeLinux(context.seLinuxOptions, `${path}.securityContext.seLinuxOptions`, add);
        if (context.procMount !== undefined && context.procMount !== "Default") {
            add("baseline", "/proc Mount Type", `${path}.securityContext.procMount`, context.procMount);
        }
        if (context.seccompProfile?.type === "Unconfined") {
            add("baseline", "Seccomp", `${path}.securityContext.seccompProfile.type`, "Unconfined");
        }
    }
    if (level === "baseline") {
        return violations;
    }

    // --- Restricted ---
    for (const [index, volume] of (spec.volumes ?? []).entries()) {
        for (const source of Object.keys(volume).filter((key) => key !== "name")) {
            if (!RESTRICTED_VOLUME_SOURCES.has(source)) {
                add("restricted", "Volume Types", `spec.volumes[${index}].${source}`, source);
            }
        }
    }
    if (pod.runAsUser === 0) {
        add("restricted", "Running as Non-root user", "spec.securityContext.runAsUser", 0);
    }
    const podSeccompSet = pod.seccompProfile?.type === "RuntimeDefault" || pod.seccompProfile?.type === "Localhost";
    for (const { path, container } of containers) {
        const context = contextOf(container);
        if (context.allowPrivilegeEscalation !== false) {
            add(
                "restricted",
                "Privilege Escalation",
                `${path}.securityContext.allowPrivilegeEscalation`,
                context.allowPrivilegeEscalation,
            );
        }
        // Non-root: the container's own setting, or else the pod's, must be true.
        if (context.runAsNonRoot === false || (context.runAsNonRoot === undefined && pod.runAsNonRoot !== true)) {
            add("restricted", "Running as Non-root", `${path}.securityContext.runAsNonRoot`, context.runAsNonRoot);
        }
        if (context.runAsUser === 0) {
            add("restricted", "Running as Non-root user", `${path}.securityContext.runAsUser`, 0);
        }
        const type = context.seccompProfile?.type;
        if (type === undefined ? !podSeccompSet : type !== "RuntimeDefault" && type !== "Localhost") {
            add("restricted", "Seccomp", `${path}.securityContext.seccompProfile.type`, type);
        }
        const capabilities = context.capabilities ?? {};
        if (!(capabilities.drop ?? []).includes("ALL")) {
            add("restricted", "Capabilities", `${path}.securityContext.capabilities.drop`, capabilities.drop);
        }
        for (const capability of capabilities.add ?? []) {
            if (capability !== "NET_BIND_SERVICE") {
                add("restricted", "Capabilities", `${path}.securityContext.capabilities.add`, capability);
            }
        }
    }
    return violations;
}

type Add = (level: CheckedLevel, control: string, path: string, value: unknown) => void;

function checkAppArmor(type: string | undefined, path: string, add: Add): void {
    if (type !== undefined && type !== "RuntimeDefault" && type !== "Localhost") {
        add("baseline", "AppArmor", path, type);
    }
}

function checkSeLinux(options: ISecurityContext["seLinuxOptions"], path: string, add: Add): void {
    if (options === undefined) {
        return;
    }
    if (options.type !== undefined && !SELINUX_TYPES.has(options.type)) {
        add("baseline", "SELinux", `${path}.type`, options.type);
    }
    for (const field of ["user", "role"] as const) {
        if (options[field] !== undefined && options[field] !== "") {
            add("baseline", "SELinux", `${path}.${field}`, options[field]);
        }
    }
}

/** One line per violation, for assertion messages. */
export function describeViolations(violations: readonly Violation[]): string {
    return violations
        .map(
            (violation) =>
                `${violation.control} (${violation.level}): ${violation.path} = ${JSON.stringify(violation.value)}`,
        )
        .join("\n");
}
