import { clusterNames } from "../../../components/naming";
import { ClusterSettings } from "../../../components/settings";
import { e2eEnvironment, E2EEnvironment } from "./e2eEnvironment";
import { createE2EStack, E2EStack } from "./e2eStack";
import { stackSettings } from "./expectedObjects";
import { kubectl } from "./kubectl";

/** The NFS PersistentVolumes a stack's settings describe; none when the settings are invalid (nothing was created). */
function keptVolumes(config: Record<string, unknown>): string[] {
    let settings: ClusterSettings;
    try {
        settings = stackSettings(config);
    } catch {
        return [];
    }
    const paths = settings.storage.nfs?.paths ?? [];
    return paths.map((_, ordinal) => clusterNames(settings).persistentVolume(ordinal));
}

/** The handle a suite's tests use; `e2e` is set once the suite's first `before` hook has run. */
export interface E2EStackFixture {
    readonly environment: E2EEnvironment;
    readonly e2e: E2EStack;
}

/**
 * Registers hooks that create an e2e stack of the project's stack `base` (with `settings` on top) before the
 * suite, and after it destroy the stack, delete its namespace and the NFS PersistentVolumes it keeps on
 * purpose, and remove the stack: a failed test must not leave objects that the next suite would meet.
 */
export function useE2EStack(base: string, settings: Record<string, unknown> = {}, stackName?: string): E2EStackFixture {
    const environment = e2eEnvironment();
    let e2e: E2EStack | undefined;
    before(async function () {
        e2e = await createE2EStack(environment, base, settings, stackName);
    });
    after(async function () {
        if (!e2e) return;
        const created = e2e;
        await created.stack.destroy({ color: "never" }).catch(() => undefined);
        await kubectl(["delete", "namespace", created.namespace, "--ignore-not-found", "--wait=true"]).catch(
            () => undefined,
        );
        const volumes = keptVolumes(created.config);
        if (volumes.length > 0) {
            await kubectl(["delete", "persistentvolume", "--ignore-not-found", ...volumes]).catch(() => undefined);
        }
        await created.remove();
    });
    return {
        environment,
        get e2e(): E2EStack {
            if (!e2e) throw new Error("the e2e stack is not set up");
            return e2e;
        },
    };
}
