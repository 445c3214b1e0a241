import { stringify } from "yaml";

import { SECRET_KEYS } from "../../../components/naming";
import { kubectl, psqlExec } from "./kubectl";

/** The label the e2e stacks admit through the NetworkPolicy (`networkPolicy.allowedClients`). */
export const CLIENT_LABELS = { "app.kubernetes.io/name": "pg-ha-e2e-client" } as const;

/**
 * A client pod in the cluster's namespace that runs psql over TCP, the way an application does: by Service
 * or pod DNS name, with the superuser password from the cluster's Secret. It meets the restricted Pod
 * Security level, as a created namespace enforces.
 */
export async function startClientPod(
    namespace: string,
    image: string,
    secretName: string,
    { name = "pg-ha-e2e-client", labels = CLIENT_LABELS }: { name?: string; labels?: Record<string, string> } = {},
): Promise<string> {
    const pod = {
        apiVersion: "v1",
        kind: "Pod",
        metadata: { name, namespace, labels },
        spec: {
            securityContext: {
                runAsNonRoot: true,
                runAsUser: 999,
                runAsGroup: 999,
                seccompProfile: { type: "RuntimeDefault" },
            },
            terminationGracePeriodSeconds: 1,
            containers: [
                {
                    name: "psql",
                    image,
                    imagePullPolicy: "IfNotPresent",
                    command: ["sleep", "infinity"],
                    env: [
                        {
                            name: "PGPASSWORD",
                            valueFrom: { secretKeyRef: { name: secretName, key: SECRET_KEYS.superuserPassword } },
                        },
                        // The application role's, for a stack with a `database` setting.
                        {
                            name: "APP_PASSWORD",
                            valueFrom: {
                                secretKeyRef: {
                                    name: secretName,
                                    key: SECRET_KEYS.applicationPassword,
                                    optional: true,
                                },
                            },
                        },
                        { name: "PGUSER", value: "postgres" },
                        { name: "PGDATABASE", value: "postgres" },
                        { name: "PGCONNECT_TIMEOUT", value: "5" },
                    ],
                    securityContext: { allowPrivilegeEscalation: false, capabilities: { drop: ["ALL"] } },
                },
            ],
        },
    };
    await kubectl(["apply", "-f", "-"], stringify(pod));
    await kubectl(["wait", "-n", namespace, `pod/${name}`, "--for=condition=Ready", "--timeout=120s"]);
    return name;
}

/** Runs SQL from the client pod against `host` over TCP; returns psql's unaligned, tuples-only output. */
export function psqlFromClient(namespace: string, client: string, host: string, sql: string): Promise<string> {
    return psqlExec({ namespace, pod: client }, ["-h", host], sql);
}

/** Runs SQL from the client pod as the application role on its database, with its password from the Secret. */
export async function psqlAsApplication(
    namespace: string,
    client: string,
    host: string,
    database: { name: string; owner: string },
    sql: string,
): Promise<string> {
    const script = 'PGPASSWORD="$APP_PASSWORD" exec psql -X -A -t -v ON_ERROR_STOP=1 -h "$1" -U "$2" -d "$3" -c "$4"';
    const result = await kubectl([
        "exec",
        "-n",
        namespace,
        client,
        "--",
        "sh",
        "-c",
        script,
        "psql-as-application",
        host,
        database.owner,
        database.name,
        sql,
    ]);
    return result.stdout.trim();
}

export async function deleteClientPod(namespace: string, client: string): Promise<void> {
    await kubectl(["delete", "pod", "-n", namespace, client, "--ignore-not-found", "--wait=true"]);
}
