import { ClusterSettings } from "../settings";
import { SECRET_KEYS, clusterNames, namespacedMetadata } from "../naming";

export interface Passwords<T> {
    superuser: T;
    replication: T;
    /** The application role's, when the settings ask for an application database. */
    application?: T;
}

/**
 * The only object that carries the passwords. Generic in the password type so that the component can pass
 * Pulumi secrets and a manifest renderer placeholders.
 */
export function credentialsSecret<T>(settings: ClusterSettings, passwords: Passwords<T>) {
    if (settings.database && passwords.application === undefined) {
        throw new Error("the settings ask for an application database, but no password was given for its role");
    }
    return secretObject(settings, clusterNames(settings).secret, "Opaque", {
        [SECRET_KEYS.superuserPassword]: passwords.superuser,
        [SECRET_KEYS.replicationPassword]: passwords.replication,
        ...(settings.database && passwords.application !== undefined
            ? { [SECRET_KEYS.applicationPassword]: passwords.application }
            : {}),
    });
}

/** A Secret of the cluster's namespace whose values are given as `stringData`. */
export function secretObject<T>(
    settings: Pick<ClusterSettings, "namespace" | "name">,
    name: string,
    type: string,
    stringData: Record<string, T>,
) {
    return {
        apiVersion: "v1" as const,
        kind: "Secret" as const,
        metadata: namespacedMetadata(settings, name),
        type,
        stringData,
    };
}
