import { ClusterSettings } from "../settings";

/**
 * The security contexts of every pod the cluster runs (the StatefulSet's and the maintenance Job's): the
 * "restricted" Pod Security Standard, as the postgres user of the image.
 */
export function podSecurityContext(settings: ClusterSettings) {
    return {
        runAsNonRoot: true,
        runAsUser: settings.postgresUid,
        runAsGroup: settings.postgresGid,
        fsGroup: settings.postgresGid,
        seccompProfile: { type: "RuntimeDefault" },
    };
}

/** A container that writes only to its volumes, with no capability and no way to gain privileges. */
export function restrictedContainerSecurity() {
    return {
        allowPrivilegeEscalation: false,
        readOnlyRootFilesystem: true,
        runAsNonRoot: true,
        capabilities: { drop: ["ALL"] },
    };
}
