import * as assert from "assert";
import { PostgresCluster } from "../components/postgresCluster";
import { ConfigError } from "../components/settings";
import { registeredResources, resetRegistrations } from "./support/mockEngine";

describe("PostgresCluster used as a library component", () => {
    it("rejects bad arguments before registering even the component itself", async () => {
        resetRegistrations();
        assert.throws(
            () => new PostgresCluster("bad", { replicas: 0, storage: { className: "standard" } }),
            (error: Error) => error instanceof ConfigError && error.message.includes("replicas = 0"),
        );
        // Registration is asynchronous: let anything constructed before the throw reach the engine.
        await new Promise((resolve) => setTimeout(resolve, 100));
        assert.deepStrictEqual(registeredResources(), []);
    });

    it("validates passwords given as plain strings like any other argument", () => {
        assert.throws(
            () => new PostgresCluster("short", { storage: { className: "standard" }, superuserPassword: "short" }),
            (error: Error) => error instanceof ConfigError && error.message.includes("superuserPassword = [secret]"),
        );
    });
});
