import type { types } from "@pulumi/kubernetes";
import { ClusterSettings } from "../settings";
import { commonLabels } from "../naming";

export function clusterNamespace(settings: ClusterSettings): types.input.core.v1.Namespace {
    return {
        apiVersion: "v1",
        kind: "Namespace",
        metadata: { name: settings.namespace, labels: commonLabels(settings) },
    };
}
