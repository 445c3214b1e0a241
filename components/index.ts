/**
 * The package's entry point (`main` in package.json): what TypeScript programs import, and what Pulumi reads
 * when the repository is used as a plugin package (`PulumiPlugin.yaml`) to give other languages the component.
 */
export { PostgresCluster } from "./postgresCluster";
export type { PostgresClusterOptions } from "./postgresCluster";
export * from "./postgresClusterArgs";
