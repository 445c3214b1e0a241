import * as assert from "assert";
import { PostgresClusterArgs } from "../components/postgresClusterArgs";
import { ClusterSettingsInput, SETTING_KEYS, resolveSettings } from "../components/settings";

// The Args interface is written by hand for its documentation; these types fail to compile when it and the
// validator's input drift apart: a setting missing from Args, or an Args key the validator does not know.
type MissingFromArgs = Exclude<keyof ClusterSettingsInput, keyof PostgresClusterArgs>;
type UnknownToSettings = Exclude<keyof PostgresClusterArgs, keyof ClusterSettingsInput>;
const argsCoverSettings: [MissingFromArgs] extends [never] ? true : MissingFromArgs = true;
const settingsCoverArgs: [UnknownToSettings] extends [never] ? true : UnknownToSettings = true;

describe("PostgresClusterArgs", () => {
    it("documents every setting the validator accepts, and nothing else", () => {
        assert.strictEqual(argsCoverSettings && settingsCoverArgs, true);
        const documented: Record<keyof PostgresClusterArgs, true> = {
            namespace: true,
            createNamespace: true,
            name: true,
            replicas: true,
            image: true,
            storage: true,
            podManagementPolicy: true,
            updateStrategy: true,
            resources: true,
            superuserPassword: true,
            replicationPassword: true,
            applicationPassword: true,
            primaryWaitTimeoutSeconds: true,
            maxStandbyLagSeconds: true,
            postgresqlParameters: true,
            postgresUid: true,
            postgresGid: true,
            volumePermissions: true,
            antiAffinity: true,
            schedulableNodes: true,
            topologySpread: true,
            networkPolicy: true,
            allowedCidrs: true,
            clusterDomain: true,
            tls: true,
            backup: true,
            restore: true,
            database: true,
            maxSlotWalKeepSize: true,
            terminationGracePeriodSeconds: true,
        };
        assert.deepStrictEqual(Object.keys(documented).sort(), [...SETTING_KEYS].sort());
    });

    it("accepts, as plain values, what the validator resolves", () => {
        const args: PostgresClusterArgs = { storage: { className: "standard" }, replicas: 2 };
        assert.strictEqual(resolveSettings(args).replicas, 2);
    });
});
