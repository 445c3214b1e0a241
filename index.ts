import { PostgresCluster } from "./components/postgresCluster";
import { readStackConfig } from "./components/stackConfig";
import { adoptFormerName } from "./components/formerName";

/**
 * The component's name, which every resource's URN carries: a constant, so that no setting moves a URN (a
 * new `name` or `namespace` changes the objects under the same resources). It is the default `pg-ha:name`,
 * so the URNs of stacks that kept the default stay as they were; the others are adopted by alias.
 */
const COMPONENT_NAME = "postgresql";

const { settings, args } = readStackConfig();
const cluster = new PostgresCluster(COMPONENT_NAME, args, adoptFormerName(settings.name, COMPONENT_NAME));

export const namespace = cluster.namespace;
export const statefulSetName = cluster.statefulSetName;
export const headlessServiceHost = cluster.headlessServiceHost;
export const rwServiceHost = cluster.rwServiceHost;
export const rServiceHost = cluster.rServiceHost;
export const podHosts = cluster.podHosts;
export const secretName = cluster.secretName;
export const tlsSecretName = cluster.tlsSecretName;
export const caCertificate = cluster.caCertificate;
export const initialisedMarkerName = cluster.initialisedMarkerName;
export const persistentVolumeNames = cluster.persistentVolumeNames;
export const connectionUri = cluster.connectionUri;
export const appConnectionUri = cluster.appConnectionUri;
