import { createHash } from "crypto";
import * as pulumi from "@pulumi/pulumi";
import { MockMonitor } from "@pulumi/pulumi/runtime/mocks";
import { RegisterResourceRequest } from "@pulumi/pulumi/proto/resource_pb";
import { Alias } from "@pulumi/pulumi/proto/alias_pb";

/**
 * A strict mock of the Pulumi engine, set up once for the whole test run (see `tests/setup.ts`).
 *
 * `pulumi.runtime.setMocks` builds a MockMonitor whose `newResource` never sees a request's dependencies or
 * `additionalSecretOutputs`. The recorder below reads both from the request itself, so tests can check the
 * `dependsOn` edges the engine would get, and secret outputs behave as under the engine. The mocks refuse
 * every resource type and function call the program is not expected to use.
 */

/** What the program registered, as the engine would receive it. */
export interface RegisteredResource {
    type: string;
    name: string;
    urn: string;
    parentUrn: string;
    custom: boolean;
    /** Inputs with secrets unwrapped to their values. */
    inputs: Record<string, unknown>;
    /** Dotted paths of the inputs that arrived as secrets. */
    secretInputPaths: string[];
    /** The provider reference (`<provider urn>::<id>`), or "" for the stack's default provider. */
    provider: string;
    /** The URNs the engine would take as this resource's former ones (its `aliases`). */
    aliasUrns: string[];
    /** URNs given through `dependsOn` (not those implied by inputs). */
    explicitDependencies: string[];
    /** The resource options the engine acts on at replacement, deletion and while waiting. */
    deleteBeforeReplace: boolean;
    retainOnDelete: boolean;
    ignoreChanges: string[];
    customTimeouts: { create: string; update: string; delete: string };
}

const SECRET_SIGNATURE_KEY = "4dabf18193072939515e22adb298388d";
const SECRET_SIGNATURE = "1b47061264138c4ac30d75fd1eb44270";

/** Mock result of each RandomPassword: deterministic, so tests can look for it in other objects. */
export function mockPasswordFor(resourceName: string): string {
    return `mock-password-for-${resourceName}-0123456789`;
}

/** Mock private key of each tls PrivateKey, as PEM: deterministic, so tests can look for it elsewhere. */
export function mockPrivateKeyFor(resourceName: string): string {
    return `-----BEGIN PRIVATE KEY-----\nmock-private-key-of-${resourceName}\n-----END PRIVATE KEY-----\n`;
}

/** Mock certificate of each tls SelfSignedCert or LocallySignedCert, as PEM. */
export function mockCertificateFor(resourceName: string): string {
    return `-----BEGIN CERTIFICATE-----\nmock-certificate-of-${resourceName}\n-----END CERTIFICATE-----\n`;
}

class StrictMocks implements pulumi.runtime.Mocks {
    /** `additionalSecretOutputs` of each resource being registered, by `type::name`. */
    readonly secretOutputs = new Map<string, string[]>();

    newResource(args: pulumi.runtime.MockResourceArgs): pulumi.runtime.MockResourceResult {
        const result = this.resourceState(args);
        const state = result.state as Record<string, unknown>;
        // What the engine does for additionalSecretOutputs: the listed outputs come back as secrets.
        for (const key of this.secretOutputs.get(`${args.type}::${args.name}`) ?? []) {
            if (key in state) {
                state[key] = { [SECRET_SIGNATURE_KEY]: SECRET_SIGNATURE, value: state[key] };
            }
        }
        return result;
    }

    private resourceState(args: pulumi.runtime.MockResourceArgs): pulumi.runtime.MockResourceResult {
        const inputs = args.inputs as Record<string, unknown>;
        if (args.type === "pg-ha:index:PostgresCluster") {
            return { id: undefined, state: {} };
        }
        if (args.type === "random:index/randomPassword:RandomPassword") {
            return { id: args.name, state: { ...inputs, result: mockPasswordFor(args.name) } };
        }
        if (args.type === "tls:index/privateKey:PrivateKey") {
            return { id: args.name, state: { ...inputs, privateKeyPem: mockPrivateKeyFor(args.name) } };
        }
        if (args.type === "tls:index/certRequest:CertRequest") {
            return { id: args.name, state: { ...inputs, certRequestPem: `mock-request-of-${args.name}` } };
        }
        if (
            args.type === "tls:index/selfSignedCert:SelfSignedCert" ||
            args.type === "tls:index/locallySignedCert:LocallySignedCert"
        ) {
            return { id: args.name, state: { ...inputs, certPem: mockCertificateFor(args.name) } };
        }
        if (args.type === "pulumi:providers:kubernetes") {
            return { id: `${args.name}-id`, state: inputs };
        }
        if (args.type.startsWith("kubernetes:")) {
            const metadata = (inputs.metadata ?? {}) as { namespace?: string; name?: string };
            const id = metadata.namespace ? `${metadata.namespace}/${metadata.name}` : metadata.name;
            // What the API server adds: the uid a PersistentVolume's claimRef needs from its claim, and a
            // resourceVersion that changes whenever the object does.
            const resourceVersion = createHash("sha256").update(JSON.stringify(inputs)).digest("hex").slice(0, 12);
            return { id, state: { ...inputs, metadata: { ...metadata, uid: `uid-of-${args.name}`, resourceVersion } } };
        }
        throw new Error(`unexpected resource ${args.type} (${args.name}): the mocks do not cover it`);
    }

    call(args: pulumi.runtime.MockCallArgs): pulumi.runtime.MockCallResult {
        throw new Error(`unexpected function call ${args.token}: the program should call none`);
    }
}

const strictMocks = new StrictMocks();
const registered: RegisteredResource[] = [];

function record(req: RegisterResourceRequest): void {
    const impliedByInputs = new Set<string>();
    req.getPropertydependenciesMap().forEach((dependencies) => {
        dependencies.getUrnsList().forEach((urn) => impliedByInputs.add(urn));
    });
    const raw = req.getObject()?.toJavaScript() ?? {};
    registered.push({
        type: req.getType(),
        name: req.getName(),
        urn: urnOf(req.getParent(), req.getType(), req.getName()),
        parentUrn: req.getParent(),
        custom: req.getCustom(),
        inputs: unwrapSecrets(raw) as Record<string, unknown>,
        secretInputPaths: secretPaths(raw, ""),
        provider: req.getProvider(),
        aliasUrns: req.getAliasesList().map((alias) => aliasUrn(req, alias)),
        explicitDependencies: req.getDependenciesList().filter((urn) => !impliedByInputs.has(urn)),
        deleteBeforeReplace: req.getDeletebeforereplace(),
        retainOnDelete: req.getRetainondelete() ?? false,
        ignoreChanges: req.getIgnorechangesList(),
        customTimeouts: {
            create: req.getCustomtimeouts()?.getCreate() ?? "",
            update: req.getCustomtimeouts()?.getUpdate() ?? "",
            delete: req.getCustomtimeouts()?.getDelete() ?? "",
        },
    });
    strictMocks.secretOutputs.set(`${req.getType()}::${req.getName()}`, req.getAdditionalsecretoutputsList());
}

/** The URN the mock monitor gives a resource: the type is qualified by its parent's. */
function urnOf(
    parentUrn: string,
    type: string,
    name: string,
    stack = pulumi.getStack(),
    project = pulumi.getProject(),
): string {
    const qualifiedType = parentUrn ? `${parentUrn.split("::")[2]}$${type}` : type;
    return `urn:pulumi:${stack}::${project}::${qualifiedType}::${name}`;
}

/** What the engine resolves an alias to: each part of a spec left out is the resource's own. */
function aliasUrn(req: RegisterResourceRequest, alias: Alias): string {
    const spec = alias.getSpec();
    if (!spec) {
        return alias.getUrn();
    }
    const parentUrn = spec.getNoparent() ? "" : spec.getParenturn() || req.getParent();
    return urnOf(
        parentUrn,
        spec.getType() || req.getType(),
        spec.getName() || req.getName(),
        spec.getStack() || undefined,
        spec.getProject() || undefined,
    );
}

function isSecretValue(value: unknown): value is { value: unknown } {
    return (
        typeof value === "object" &&
        value !== null &&
        (value as Record<string, unknown>)[SECRET_SIGNATURE_KEY] === SECRET_SIGNATURE
    );
}

function unwrapSecrets(value: unknown): unknown {
    if (isSecretValue(value)) {
        return unwrapSecrets(value.value);
    }
    if (Array.isArray(value)) {
        return value.map(unwrapSecrets);
    }
    if (typeof value === "object" && value !== null) {
        return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, unwrapSecrets(item)]));
    }
    return value;
}

function secretPaths(value: unknown, path: string): string[] {
    if (isSecretValue(value)) {
        return [path];
    }
    if (typeof value === "object" && value !== null) {
        return Object.entries(value).flatMap(([key, item]) => secretPaths(item, path ? `${path}.${key}` : key));
    }
    return [];
}

let installed = false;

/** Installs the mock engine; called once, from the mocha setup file. */
export function installMockEngine(): void {
    if (installed) {
        return;
    }
    installed = true;
    // setMocks gives no hook between the request and newResource, so the recorder wraps the monitor's method.
    // eslint-disable-next-line @typescript-eslint/unbound-method -- called below with the monitor as `this`
    const registerResource = MockMonitor.prototype.registerResource;
    MockMonitor.prototype.registerResource = function (this: MockMonitor, req: RegisterResourceRequest, callback) {
        record(req);
        return registerResource.call(this, req, callback);
    };
    void pulumi.runtime.setMocks(strictMocks, "pg-ha", "test", false);
}

/** Forgets what was registered, before a new run of the program. */
export function resetRegistrations(): void {
    registered.length = 0;
}

export function registeredResources(): readonly RegisteredResource[] {
    return registered;
}
