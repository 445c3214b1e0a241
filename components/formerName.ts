import * as pulumi from "@pulumi/pulumi";

/**
 * Options under which a component registered as `current` takes over the resources an earlier program
 * registered under the component name `former`; none when the names agree.
 *
 * Earlier versions of the program named the component after the `pg-ha:name` setting, and the component
 * names each child `<component name>-<suffix>`: every URN followed that setting. Without an alias, Pulumi
 * would create each object anew before deleting the old one of the same Kubernetes name (`AlreadyExists`,
 * new passwords). The transformation runs for the component and every resource under it, so each gets the
 * alias of its own former name, whatever child the component adds later.
 */
export function adoptFormerName(former: string, current: string): pulumi.ComponentResourceOptions {
    if (former === current) {
        return {};
    }
    const formerNameOf = (name: string): string | undefined =>
        name === current || name.startsWith(`${current}-`) ? former + name.slice(current.length) : undefined;
    return {
        transformations: [
            ({ name, props, opts }) => {
                const formerName = formerNameOf(name);
                if (formerName === undefined) {
                    return undefined;
                }
                return { props, opts: { ...opts, aliases: [...(opts.aliases ?? []), { name: formerName }] } };
            },
        ],
    };
}
