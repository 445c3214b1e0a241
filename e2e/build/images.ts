import * as fs from "fs";
import * as path from "path";

import { E2EPaths } from "../support/paths";
import { run, step } from "../support/run";
import { IMAGES, VERSIONS } from "../versions";
import { moduleDir } from "./goBuild";

/**
 * Images without a registry: each is a root filesystem built here, packed as an OCI image layout with umoci
 * and archived, for `ctr images import` into the node's containerd.
 */
export interface ImageRecipe {
    /** The reference the kubelet and the stacks use, e.g. localhost/pg-ha-e2e/postgres:15-bookworm-1. */
    reference: string;
    /** The image config: environment, user, command. */
    env: string[];
    cmd: string[];
    user?: string;
    /** Fills `rootfs` (an empty directory). */
    fill: (rootfs: string, paths: E2EPaths) => Promise<void>;
}

export function imageArchive(paths: E2EPaths, reference: string): string {
    return path.join(paths.images, `${reference.replace(/[/:]/g, "_")}.oci.tar`);
}

/** Splits `localhost/a/b:tag` into the name ctr gives the import and the tag umoci writes. */
export function splitReference(reference: string): { name: string; tag: string } {
    const colon = reference.lastIndexOf(":");
    if (colon <= reference.lastIndexOf("/")) throw new Error(`image reference ${reference} has no tag`);
    return { name: reference.slice(0, colon), tag: reference.slice(colon + 1) };
}

const POSTGRES_PATH = `/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin:/usr/lib/postgresql/${VERSIONS.postgresMajor}/bin`;

export const POSTGRES_IMAGE: ImageRecipe = {
    reference: IMAGES.postgres,
    env: [`PATH=${POSTGRES_PATH}`, "PGDATA=/var/lib/postgresql/data", "LANG=C.UTF-8"],
    // Like the official image, no USER (root), so the pod's securityContext decides. Unlike it, no STOPSIGNAL
    // (SIGINT there): the kubelet then sends SIGTERM, PostgreSQL's smart shutdown, as to any image built
    // without one, and every pod deleted in the e2e tests shows that the preStop hook makes it fast and clean.
    cmd: ["postgres"],
    fill: async (rootfs) => {
        await run("debootstrap", ["--variant=minbase", VERSIONS.debian, rootfs, "http://deb.debian.org/debian"]);
        const script = path.join(rootfs, "tmp", "install-postgres.sh");
        fs.copyFileSync(path.join(__dirname, "image", "install-postgres.sh"), script);
        // A private mount namespace: the chroot's /proc goes away with it, even if the install fails.
        await run("unshare", [
            "--mount",
            "--propagation",
            "private",
            "sh",
            "-c",
            'mount -t proc proc "$1/proc" && chroot "$1" /bin/sh /tmp/install-postgres.sh "$2"',
            "install-postgres",
            rootfs,
            VERSIONS.postgresMajor,
        ]);
        fs.rmSync(script);
    },
};

/** The pod sandbox's pause process, compiled statically from the Kubernetes module's own source. */
export const PAUSE_IMAGE: ImageRecipe = {
    reference: IMAGES.pause,
    env: [],
    cmd: ["/pause"],
    user: "65535:65535",
    fill: async (rootfs, paths) => {
        const kubernetes = await moduleDir("k8s.io/kubernetes", VERSIONS.kubernetes, paths.cache);
        await run("gcc", [
            "-Os",
            "-static",
            "-Wall",
            "-Werror",
            `-DVERSION=${VERSIONS.pause}-pg-ha-e2e`,
            "-o",
            path.join(rootfs, "pause"),
            path.join(kubernetes, "build", "pause", "linux", "pause.c"),
        ]);
    },
};

export async function buildImage(paths: E2EPaths, recipe: ImageRecipe): Promise<string> {
    const archive = imageArchive(paths, recipe.reference);
    if (fs.existsSync(archive)) {
        process.stdout.write(`    cached: ${recipe.reference} (${archive})\n`);
        return archive;
    }
    fs.mkdirSync(paths.images, { recursive: true });
    const work = fs.mkdtempSync(path.join(paths.cache, "image-"));
    try {
        const { tag } = splitReference(recipe.reference);
        const layout = path.join(work, "layout");
        const bundle = path.join(work, "bundle");
        const image = `${layout}:${tag}`;
        await step(`build the root filesystem of ${recipe.reference}`, async () => {
            await run("umoci", ["init", "--layout", layout]);
            await run("umoci", ["new", "--image", image]);
            await run("umoci", ["unpack", "--image", image, bundle]);
            await recipe.fill(path.join(bundle, "rootfs"), paths);
        });
        await step(`pack ${recipe.reference} as an OCI image`, async () => {
            await run("umoci", ["repack", "--image", image, bundle]);
            const config = [
                ...recipe.env.flatMap((entry) => ["--config.env", entry]),
                ...(recipe.user ? ["--config.user", recipe.user] : []),
                ...recipe.cmd.flatMap((arg) => ["--config.cmd", arg]),
            ];
            await run("umoci", ["config", "--image", image, ...config]);
            await run("umoci", ["gc", "--layout", layout]);
            const partial = `${archive}.partial`;
            await run("tar", ["-C", layout, "-cf", partial, "."]);
            fs.renameSync(partial, archive);
        });
        return archive;
    } finally {
        // The unpacked root filesystem belongs to root and other users: only rm removes it whole.
        fs.rmSync(work, { recursive: true, force: true });
    }
}

export const IMAGE_RECIPES = [PAUSE_IMAGE, POSTGRES_IMAGE] as const;
