import * as pulumi from "@pulumi/pulumi";
import * as k8s from "@pulumi/kubernetes";

/**
 * Provider settings that are strings; every other `kubernetes:` setting is a boolean or an object, given in
 * stack config as its JSON text.
 */
const STRING_SETTINGS = new Set([
    "cluster",
    "clusterIdentifier",
    "context",
    "kubeconfig",
    "namespace",
    "renderYamlToDirectory",
]);

/**
 * The arguments of the provider for the objects a destroy keeps: the stack's `kubernetes:` settings (what the
 * default provider reads, so both reach the same cluster the same way) with `upsertExistingObjects` on.
 *
 * Those objects outlive a destroy on purpose, so the next `up` finds them and must adopt them. From provider
 * 4.30 a create is client-side and fails with `AlreadyExists` unless upsert is on. Upsert stays off for
 * everything else: there, `AlreadyExists` is what stops two stacks from taking over each other's workload.
 */
export function keptObjectsProviderArgs(stackConfig: Readonly<Record<string, string>>): k8s.ProviderArgs {
    const prefix = "kubernetes:";
    const settings: Record<string, unknown> = {};
    for (const [key, value] of Object.entries(stackConfig)) {
        if (!key.startsWith(prefix)) {
            continue;
        }
        const setting = key.slice(prefix.length);
        settings[setting] = STRING_SETTINGS.has(setting) ? value : parseSetting(value);
    }
    if (typeof settings.kubeconfig === "string") {
        // Its credentials must stay out of the state's plain text, whether or not the stack set it as a secret.
        settings.kubeconfig = pulumi.secret(settings.kubeconfig);
    }
    return { ...settings, upsertExistingObjects: true };
}

function parseSetting(value: string): unknown {
    try {
        return JSON.parse(value) as unknown;
    } catch {
        // The provider reports a value of the wrong type itself, naming the setting.
        return value;
    }
}

/**
 * The provider for kept objects: the one given, or, when the cluster's resources use the stack's default
 * provider, one built from the same settings. A caller who gives the component its own Kubernetes provider and
 * no kept-objects provider gets that provider for the kept objects too, and a warning: with provider 4.30 or
 * later and upsert off, the `up` after a destroy, and a change back to an earlier configuration (whose
 * ConfigMap still exists), fail with `AlreadyExists`.
 */
export function providerForKeptObjects(
    component: pulumi.ComponentResource,
    name: string,
    given: k8s.Provider | undefined,
): pulumi.ProviderResource | undefined {
    if (given) {
        return given;
    }
    const inherited = component.getProvider("kubernetes::");
    if (inherited) {
        void pulumi.log.warn(
            "keptObjectsProvider is not set while a Kubernetes provider is: the namespace, volumes, claims and " +
                "ConfigMaps a destroy keeps use that provider, so unless it has upsertExistingObjects on, the up " +
                "after a destroy and a return to an earlier configuration fail with AlreadyExists (provider 4.30+)",
            component,
        );
        return inherited;
    }
    return new k8s.Provider(`${name}-kept-objects`, keptObjectsProviderArgs(pulumi.runtime.allConfig()), {
        parent: component,
    });
}
