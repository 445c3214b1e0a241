import { PostgresCluster } from "./components/postgresCluster";
import { readStackConfig } from "./components/stackConfig";

const { settings, args } = readStackConfig();
const cluster = new PostgresCluster(settings.name, args);

export const namespace = cluster.namespace;
export const statefulSetName = cluster.statefulSetName;
export const headlessServiceHost = cluster.headlessServiceHost;
export const rwServiceHost = cluster.rwServiceHost;
export const rServiceHost = cluster.rServiceHost;
export const podHosts = cluster.podHosts;
export const secretName = cluster.secretName;
export const initialisedMarkerName = cluster.initialisedMarkerName;
export const persistentVolumeNames = cluster.persistentVolumeNames;
export const connectionUri = cluster.connectionUri;
