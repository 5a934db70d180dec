/**
 * Temporary Pulumi "program directories" for the gRPC harness: a directory whose node_modules holds
 * symlinks to `@pulumi` and to this package, as an installed program would, so that the
 * `require("pulumi-defender-rbac/engine")` inside `__provider` resolves from the provider process's cwd
 * exactly as it does under the real engine (whose cwd is the program directory).
 */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";

/** The root of this package (the directory holding its package.json), found from the compiled file. */
export function packageRoot(): string {
  let dir = __dirname;
  for (;;) {
    const pkg = path.join(dir, "package.json");
    if (fs.existsSync(pkg) && JSON.parse(fs.readFileSync(pkg, "utf8")).name === "pulumi-defender-rbac") return dir;
    const up = path.dirname(dir);
    if (up === dir) throw new Error(`package root of pulumi-defender-rbac not found above ${__dirname}`);
    dir = up;
  }
}

const created: string[] = [];

/** A fresh temporary directory, removed by `removeTempDirs` (and at process exit). */
export function tempDir(prefix: string): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), `defender-rbac-${prefix}-`));
  created.push(dir);
  return dir;
}

export function removeTempDirs(): void {
  for (const d of created.splice(0)) fs.rmSync(d, { recursive: true, force: true });
}
process.once("exit", removeTempDirs);

/**
 * A program directory: `node_modules/@pulumi` → this package's `node_modules/@pulumi`, and
 * `node_modules/pulumi-defender-rbac` → `pkg` (this package by default). Nothing else is installed
 * there: the engine module resolves zod, node:sqlite and its own files from its real path.
 */
export function makeProgramDir(prefix: string, pkg: string = packageRoot()): string {
  const dir = tempDir(prefix);
  linkPackages(dir, pkg);
  fs.writeFileSync(path.join(dir, "Pulumi.yaml"), "name: urbac-it\nruntime: nodejs\n");
  return dir;
}

export function linkPackages(dir: string, pkg: string): void {
  const nm = path.join(dir, "node_modules");
  fs.mkdirSync(nm, { recursive: true });
  fs.symlinkSync(path.join(packageRoot(), "node_modules", "@pulumi"), path.join(nm, "@pulumi"), "dir");
  fs.symlinkSync(pkg, path.join(nm, "pulumi-defender-rbac"), "dir");
}

/**
 * An "upgraded" copy of this package: package.json with the version bumped, the compiled provider,
 * and node_modules linked to this package's dependencies. `marker` is a file the copied engine module
 * appends its own path to when it is loaded, so a test can tell which copy a provider process ran.
 */
export function makeUpgradedPackage(version: string, marker: string): string {
  const root = packageRoot();
  const dir = tempDir("pkg-upgraded");
  const pkg = JSON.parse(fs.readFileSync(path.join(root, "package.json"), "utf8"));
  pkg.version = version;
  fs.writeFileSync(path.join(dir, "package.json"), JSON.stringify(pkg, null, 2));
  fs.cpSync(path.join(root, "dist", "provider"), path.join(dir, "dist", "provider"), { recursive: true });
  fs.symlinkSync(path.join(root, "node_modules"), path.join(dir, "node_modules"), "dir");
  const engine = path.join(dir, "dist", "provider", "engine.js");
  fs.appendFileSync(engine, `\nrequire("node:fs").appendFileSync(${JSON.stringify(marker)}, __filename + "\\n");\n`);
  return dir;
}
