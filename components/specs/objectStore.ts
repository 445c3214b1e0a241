import type { types } from "@pulumi/kubernetes";
import { ClusterSettings } from "../settings";
import { ObjectStoreSettings } from "../objectStoreSettings";
import { POD_PATHS } from "./podPaths";

/** Backups in an object store (`backup.objectStore`), through Barman Cloud: where each cluster's are, and access. */

/**
 * Where the backups of the cluster `namespace/name` are: Barman Cloud's destination and "server name", so
 * that its objects are `<destinationPath>/<namespace>/<name>/`, as on a backup volume.
 */
export function objectStoreLocation(
    store: ObjectStoreSettings,
    cluster: { namespace: string; name: string },
): { destination: string; server: string } {
    return { destination: `${store.destinationPath}/${cluster.namespace}`, server: cluster.name };
}

export const OBJECT_STORE_SCRIPT = `${POD_PATHS.config}/object-store.sh`;

/**
 * The environment of the database pods with `backup.objectStore`: their own location, the endpoint and region,
 * and the credentials, which the kubelet takes from the user's Secret (never the stack's configuration). The
 * Secret is optional to the kubelet: a missing one stops the backups, loudly (object-store.sh), not the database.
 * With `restore`, where the cluster restored from keeps its backups, in the same store.
 */
export function objectStoreEnv(settings: ClusterSettings): types.input.core.v1.EnvVar[] {
    const store = settings.backup?.objectStore;
    if (!store) {
        return [];
    }
    const own = objectStoreLocation(store, settings);
    const from = settings.restore && objectStoreLocation(store, settings.restore.from);
    const plain: Record<string, string | undefined> = {
        PG_HA_OBJECT_STORE: own.destination,
        PG_HA_OBJECT_STORE_SERVER: own.server,
        PG_HA_OBJECT_STORE_ENDPOINT: store.endpointURL,
        AWS_DEFAULT_REGION: store.region,
        PG_HA_RESTORE_OBJECT_STORE: from?.destination,
        PG_HA_RESTORE_OBJECT_STORE_SERVER: from?.server,
    };
    const { secretName, accessKeyIdKey, secretAccessKeyKey } = store.credentials;
    return [
        ...Object.entries(plain).flatMap(([name, value]) => (value === undefined ? [] : [{ name, value }])),
        {
            name: "AWS_ACCESS_KEY_ID",
            valueFrom: { secretKeyRef: { name: secretName, key: accessKeyIdKey, optional: true } },
        },
        {
            name: "AWS_SECRET_ACCESS_KEY",
            valueFrom: { secretKeyRef: { name: secretName, key: secretAccessKeyKey, optional: true } },
        },
    ];
}
