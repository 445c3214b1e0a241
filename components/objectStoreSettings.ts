/** The `backup.objectStore` setting: an S3-compatible bucket the backups go to through Barman Cloud. */
import { z } from "zod";
import { DNS_SUBDOMAIN } from "./settingRules";

export const OBJECT_STORE_DEFAULTS = {
    accessKeyIdKey: "ACCESS_KEY_ID",
    secretAccessKeyKey: "ACCESS_SECRET_KEY",
} as const;

// A bucket name as S3 allows it (3–63 characters), then an optional prefix of path segments of letters,
// digits, '.', '_' and '-': it reaches postgresql.conf and shell command lines, where no other character may.
const DESTINATION = /^s3:\/\/[a-z0-9][a-z0-9.-]{1,61}[a-z0-9](\/[A-Za-z0-9._-]+)*$/;
const ENDPOINT = /^https?:\/\/[A-Za-z0-9.-]+(:[0-9]{1,5})?(\/[^\s]*)?$/;
const SECRET_KEY = /^[-._a-zA-Z0-9]+$/;

const secretKey = (what: string) =>
    z.string({ error: "must be a string" }).regex(SECRET_KEY, {
        error: `must be the key of the Secret that holds the ${what} (letters, digits, '-', '_', '.')`,
    });

// The names a user reaching for plain credentials would write: each refused with where they go instead.
const notInConfiguration = z
    .never({
        error: "must not be in the stack's configuration: put the key in a Secret and name it in credentials.secretName (with accessKeyIdKey and secretAccessKeyKey)",
    })
    .optional();

export const objectStore = z.strictObject(
    {
        destinationPath: z.string({ error: "must be a string" }).regex(DESTINATION, {
            error: 'must be an S3 URL such as "s3://my-bucket" or "s3://my-bucket/postgres": a bucket name, then an optional prefix of letters, digits, ".", "_" and "-" in segments separated by "/", without a trailing "/"',
        }),
        endpointURL: z
            .string({ error: "must be a string" })
            .regex(ENDPOINT, {
                error: 'must be the http:// or https:// URL of an S3-compatible service, such as "https://minio.storage.svc:9000"; leave it out for AWS S3',
            })
            .optional(),
        region: z
            .string({ error: "must be a string" })
            .regex(/^[a-z0-9-]+$/, { error: 'must be a region name such as "eu-west-1"' })
            .optional(),
        credentials: z.strictObject(
            {
                secretName: z
                    .string({ error: "must be a string" })
                    .regex(DNS_SUBDOMAIN, { error: "must be the name of a Secret in the cluster's namespace" }),
                accessKeyIdKey: secretKey("access key id").default(OBJECT_STORE_DEFAULTS.accessKeyIdKey),
                secretAccessKeyKey: secretKey("secret access key").default(OBJECT_STORE_DEFAULTS.secretAccessKeyKey),
                accessKeyId: notInConfiguration,
                secretAccessKey: notInConfiguration,
            },
            {
                error: "must be an object {secretName, accessKeyIdKey?, secretAccessKeyKey?}: the keys are read from that Secret in the cluster's namespace, never from the stack's configuration",
            },
        ),
    },
    { error: "must be an object {destinationPath, endpointURL?, region?, credentials: {secretName, …}}" },
);

export type ObjectStoreSettings = z.output<typeof objectStore>;
