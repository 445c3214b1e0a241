import { stringify } from "yaml";

import { apiServerUrl } from "./topology";

/** A kubeconfig that reaches the API server with a bearer token and trusts the cluster CA. */
export function kubeconfig(user: string, token: string, caFile: string): string {
    return stringify({
        apiVersion: "v1",
        kind: "Config",
        clusters: [{ name: "pg-ha-e2e", cluster: { server: apiServerUrl(), "certificate-authority": caFile } }],
        users: [{ name: user, user: { token } }],
        contexts: [{ name: "pg-ha-e2e", context: { cluster: "pg-ha-e2e", user } }],
        "current-context": "pg-ha-e2e",
    });
}

/** The API server's static token file: `token,user,uid,"group,…"` per line. */
export function tokenFile(entries: { token: string; user: string; groups: string[] }[]): string {
    return entries.map(({ token, user, groups }) => `${token},${user},${user},"${groups.join(",")}"`).join("\n") + "\n";
}
