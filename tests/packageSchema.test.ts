import * as assert from "assert";
import * as fs from "fs";
import * as path from "path";
import { parse } from "yaml";
import { Analyzer } from "@pulumi/pulumi/provider/experimental/analyzer";
import { generateSchema } from "@pulumi/pulumi/provider/experimental/schema";
import { getPulumiComponents } from "@pulumi/pulumi/provider/experimental/provider";
import { ConfigError, resolveSettings } from "../components/settings";
import { postgresqlConf } from "../components/specs/configuration";

// What Pulumi does with this repository when a Python, Go, .NET or YAML program runs `pulumi package add`:
// the Node.js language host loads package.json's `main`, finds the exported components, and the SDK's
// analyzer turns their TypeScript args into the package schema every other language's SDK is generated from.
const ROOT = path.join(__dirname, "..");
const packageJson = JSON.parse(fs.readFileSync(path.join(ROOT, "package.json"), "utf8")) as {
    name: string;
    version: string;
    main: string;
    description: string;
};
const TOKEN = `${packageJson.name}:index:PostgresCluster`;

interface SchemaProperty {
    description?: string;
    $ref?: string;
}
interface PackageSchema {
    name: string;
    version: string;
    resources: Record<string, { isComponent?: boolean; inputProperties: Record<string, SchemaProperty> } & Shape>;
    types: Record<string, Shape & { enum?: { value: string }[] }>;
}
interface Shape {
    description?: string;
    properties?: Record<string, SchemaProperty>;
}

function packageSchema(): PackageSchema {
    const analyzer = new Analyzer(ROOT, packageJson.name, packageJson, new Set(["PostgresCluster"]));
    const { components, typeDefinitions, dependencies } = analyzer.analyze();
    return generateSchema(
        packageJson.name,
        packageJson.version,
        packageJson.description,
        components,
        typeDefinitions,
        dependencies,
    ) as unknown as PackageSchema;
}

/** The schema type a component input refers to, such as `TlsArgs` for `tls`. */
function referencedType(schema: PackageSchema, property: SchemaProperty | undefined): string {
    const ref = property?.$ref ?? "";
    const name = ref.slice(ref.lastIndexOf("/") + 1);
    assert.ok(schema.types[name], `no schema type for ${ref}`);
    return name;
}

function problemKeys(input: unknown): string[] {
    try {
        resolveSettings(input);
    } catch (error) {
        assert.ok(error instanceof ConfigError, String(error));
        return error.problems.map((problem) => problem.key);
    }
    return [];
}

describe("The plugin package: the component for other languages", () => {
    it("is a source-based Node.js plugin whose entry point exports the component", async () => {
        const plugin = parse(fs.readFileSync(path.join(ROOT, "PulumiPlugin.yaml"), "utf8")) as { runtime: string };
        assert.strictEqual(plugin.runtime, "nodejs");
        const entry = (await import(path.join(ROOT, packageJson.main))) as Record<string, unknown>;
        const components = getPulumiComponents(entry).map((component) => component.name);
        assert.deepStrictEqual(components, ["PostgresCluster"]);
    });

    it("has args Pulumi's analyzer accepts: one component, named by the package and its version", () => {
        const schema = packageSchema();
        assert.strictEqual(schema.name, "pg-ha");
        assert.strictEqual(schema.version, packageJson.version);
        assert.deepStrictEqual(Object.keys(schema.resources), [TOKEN]);
        assert.strictEqual(schema.resources[TOKEN].isComponent, true);
        assert.ok(schema.resources[TOKEN].inputProperties.storage, "storage is an input");
    });

    it("documents the component, every input and output, and every property of every type", () => {
        const schema = packageSchema();
        const undocumented: string[] = [];
        // The schema carries the documentation of the properties, not of the types they refer to (objects or
        // enums): each property says what its type's values mean.
        const check = (where: string, shape: Shape) => {
            if (!shape.description && !shape.properties) {
                undocumented.push(where);
            }
            for (const [name, property] of Object.entries(shape.properties ?? {})) {
                if (!property.description) {
                    undocumented.push(`${where}.${name}`);
                }
            }
        };
        check(TOKEN, schema.resources[TOKEN]);
        assert.ok(schema.resources[TOKEN].description, "the component is documented");
        check(`${TOKEN} inputs`, { properties: schema.resources[TOKEN].inputProperties });
        for (const [name, type] of Object.entries(schema.types)) {
            if (!type.enum) {
                check(name, type);
            }
        }
        assert.deepStrictEqual(undocumented, []);
    });

    it("offers as enums exactly the values the validator accepts", () => {
        const schema = packageSchema();
        const inputs = schema.resources[TOKEN].inputProperties;
        const storage = { className: "standard" };
        const enumOf = (property: SchemaProperty | undefined) =>
            (schema.types[referencedType(schema, property)].enum ?? []).map((member) => member.value);
        const typeOf = (property: SchemaProperty | undefined) => schema.types[referencedType(schema, property)];
        const cases: { key: string; values: string[]; settings: (value: string) => Record<string, unknown> }[] = [
            {
                key: "podManagementPolicy",
                values: enumOf(inputs.podManagementPolicy),
                settings: (value) => ({ podManagementPolicy: value }),
            },
            {
                key: "antiAffinity",
                values: enumOf(inputs.antiAffinity),
                settings: (value) => ({ antiAffinity: value }),
            },
            {
                key: "updateStrategy.type",
                values: enumOf(typeOf(inputs.updateStrategy).properties?.type),
                settings: (value) => ({ updateStrategy: { type: value } }),
            },
            {
                key: "topologySpread.whenUnsatisfiable",
                values: enumOf(typeOf(inputs.topologySpread).properties?.whenUnsatisfiable),
                settings: (value) => ({ topologySpread: { whenUnsatisfiable: value } }),
            },
            {
                key: "tls.mode",
                values: enumOf(typeOf(inputs.tls).properties?.mode),
                settings: (value) => ({
                    tls: value === "secret" ? { mode: value, secretName: "tls" } : { mode: value },
                }),
            },
        ];
        for (const { key, values, settings } of cases) {
            assert.ok(values.length >= 2, `${key} is an enum`);
            for (const value of values) {
                assert.deepStrictEqual(problemKeys({ storage, ...settings(value) }), [], `${key}: ${value}`);
            }
            assert.ok(problemKeys({ storage, ...settings("Sometimes") }).some((problem) => problem.startsWith(key)));
        }
    });

    it("refuses, by name, what the schema cannot: both storage variants, or none", () => {
        const nfs = { server: "nfs.internal", paths: ["/a", "/b", "/c"] };
        assert.ok(problemKeys({ storage: { nfs, className: "standard" } }).some((key) => key.startsWith("storage")));
        assert.ok(problemKeys({ storage: {} }).some((key) => key.startsWith("storage")));
        assert.deepStrictEqual(
            problemKeys({ storage: { className: "standard" }, updateStrategy: { type: "OnDelete", partition: 1 } }),
            ["updateStrategy.partition"],
        );
        assert.throws(
            () =>
                resolveSettings({
                    storage: { className: "standard" },
                    updateStrategy: { type: "OnDelete", partition: 1 },
                }),
            /updateStrategy\.partition = 1: is only for type "RollingUpdate"/,
        );
    });
});

describe("postgresqlParameters: numbers, booleans and text in every language, written as before", () => {
    const confWith = (postgresqlParameters: Record<string, string | number | boolean>) =>
        postgresqlConf(resolveSettings({ storage: { className: "standard" }, postgresqlParameters }));

    it("is a map of Any in the schema, so that a number stays a number and a boolean a boolean", () => {
        const property = packageSchema().resources[TOKEN].inputProperties.postgresqlParameters as SchemaProperty & {
            additionalProperties?: SchemaProperty;
        };
        assert.strictEqual(property.additionalProperties?.$ref, "pulumi.json#/Any");
    });

    it("writes a number bare, a boolean as on/off and text quoted", () => {
        const conf = confWith({ max_connections: 200, jit: false, shared_buffers: "256MB", synchronous_commit: "off" });
        assert.match(conf, /^max_connections = 200$/m);
        assert.match(conf, /^jit = off$/m);
        assert.match(conf, /^shared_buffers = '256MB'$/m);
        assert.match(conf, /^synchronous_commit = 'off'$/m);
    });
});
