import { ClusterSettings } from "../settings";
import { POSTGRES_PORT, clusterNames } from "../naming";
import { caOnlyTls } from "./tls";

/**
 * The libpq environment of a Job's container that connects to pod 0 through the -rw Service as `user`, with
 * the password in `passfile` and, with TLS on, the server's certificate checked against the cluster's CA
 * (mounted by `caOnlyTls`).
 */
export function rwClientEnv(settings: ClusterSettings, user: string, passfile: string): Record<string, string> {
    const names = clusterNames(settings);
    return {
        PGHOST: names.serviceHost(names.rwService),
        PGPORT: String(POSTGRES_PORT),
        PGUSER: user,
        PGDATABASE: "postgres",
        PGCONNECT_TIMEOUT: "10",
        PGPASSFILE: passfile,
        ...caOnlyTls(settings).env,
    };
}
