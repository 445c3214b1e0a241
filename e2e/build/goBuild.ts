import * as fs from "fs";
import * as path from "path";

import { E2EPaths } from "../support/paths";
import { run, step } from "../support/run";
import { GoBuild } from "./goModules";

/** The directory of a module version in Go's module cache, downloading it if needed. */
export async function moduleDir(module: string, version: string, cwd: string): Promise<string> {
    const { stdout } = await run("go", ["mod", "download", "-json", `${module}@${version}`], { cwd });
    const info = JSON.parse(stdout) as { Dir?: string; GoMod?: string; Error?: string };
    if (!info.Dir) throw new Error(`go mod download ${module}@${version}: ${info.Error ?? "no directory"}`);
    return info.Dir;
}

/**
 * Writes the wrapper module, resolves its requirements and builds each binary into the cache. Binaries are
 * written under a temporary name and renamed, so that an interrupted build is never taken as cached.
 */
export async function goBuild(paths: E2EPaths, build: GoBuild): Promise<string> {
    // Where the binaries land; those present are cached.
    const out = path.join(paths.bin, build.key);
    const missing = build.binaries.filter((binary) => !fs.existsSync(path.join(out, binary.name)));
    if (missing.length === 0) {
        process.stdout.write(`    cached: ${build.key} (${out})\n`);
        return out;
    }
    const src = path.join(paths.goSources, build.key);
    fs.mkdirSync(src, { recursive: true });
    fs.mkdirSync(out, { recursive: true });
    // A fresh go.mod each time: a half-resolved one from an interrupted run must not pin anything.
    fs.rmSync(path.join(src, "go.sum"), { force: true });
    fs.writeFileSync(path.join(src, "go.mod"), build.goMod);
    for (const [name, text] of Object.entries(build.files)) fs.writeFileSync(path.join(src, name), text);
    for (const copy of build.copies) {
        const from = path.join(await moduleDir(copy.module, copy.version, src), copy.from);
        fs.copyFileSync(from, path.join(src, copy.to));
        fs.chmodSync(path.join(src, copy.to), 0o644);
    }
    const env = { ...process.env, GOTOOLCHAIN: "local" };
    await step(`resolve the modules of ${build.key}`, async () => {
        if (build.get.length > 0) await run("go", ["get", ...build.get], { cwd: src, env });
        // A main of our own imports packages whose modules `go get` of the pins alone does not record.
        if (build.get.length === 0 || Object.keys(build.files).length > 0)
            await run("go", ["mod", "tidy"], { cwd: src, env });
    });
    for (const binary of missing) {
        await step(`go build ${binary.name} (${build.key}; a cold build of a large program takes many minutes)`, () =>
            run(
                "go",
                [
                    "build",
                    "-trimpath",
                    "-ldflags",
                    build.ldflags,
                    "-o",
                    path.join(out, `.${binary.name}.partial`),
                    binary.pkg,
                ],
                { cwd: src, env },
            ),
        );
        fs.renameSync(path.join(out, `.${binary.name}.partial`), path.join(out, binary.name));
    }
    return out;
}
