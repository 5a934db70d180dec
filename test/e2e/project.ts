/**
 * Sets up what the end-to-end suite runs in: the Pulumi CLI (from .ci/ensure-pulumi.sh), and a project
 * directory where the package is installed from a packed tarball, as users install it.
 */
import { execFileSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { LocalWorkspace, Stack } from "@pulumi/pulumi/automation";

export const REPO = path.resolve(__dirname, "..", "..", "..");

/** The timeout of a suite's setup hook: a cold CLI build from Go modules happens there when nothing is cached. */
export const HOOK_TIMEOUT = 60 * 60 * 1000;
/** The timeout of one step of a suite (an up, a preview, a destroy). */
export const STEP_TIMEOUT = 5 * 60 * 1000;

let cliDir: string | undefined;
/** Directory of the `pulumi` CLI and language host; builds them on first use (cached). */
export function pulumiBinDir(): string {
  if (cliDir) return cliDir;
  const out = execFileSync("bash", [path.join(REPO, ".ci", "ensure-pulumi.sh")], {
    encoding: "utf8",
    stdio: ["ignore", "pipe", "inherit"],
    maxBuffer: 64 << 20,
  });
  cliDir = out.trim().split("\n").pop()!.trim();
  return cliDir;
}

export interface Project {
  dir: string;
  /** Environment for LocalWorkspace: PATH with the CLI and the dynamic-provider plugin, hermetic settings. */
  env: Record<string, string>;
  stateDir: string;
}

let shared: Project | undefined;

/** One project per test run: `npm pack` of the repository, installed into a temp directory. */
export function tarballProject(): Project {
  if (shared) return shared;
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "defender-rbac-e2e-"));
  const packed = execFileSync("npm", ["pack", "--silent", "--ignore-scripts", "--pack-destination", dir], {
    cwd: REPO,
    encoding: "utf8",
  })
    .trim()
    .split("\n")
    .pop()!;
  const pkg = JSON.parse(fs.readFileSync(path.join(REPO, "package.json"), "utf8"));
  fs.writeFileSync(
    path.join(dir, "package.json"),
    JSON.stringify(
      {
        name: "defender-rbac-e2e",
        private: true,
        dependencies: {
          "pulumi-defender-rbac": `file:./${packed}`,
          "@pulumi/pulumi": pkg.dependencies["@pulumi/pulumi"],
        },
        devDependencies: {
          typescript: pkg.devDependencies.typescript,
          "ts-node": pkg.devDependencies["ts-node"],
          "@types/node": pkg.devDependencies["@types/node"],
        },
      },
      null,
      2,
    ),
  );
  fs.copyFileSync(path.join(REPO, "examples", "tsconfig.json"), path.join(dir, "tsconfig.json"));
  execFileSync("npm", ["install", "--prefer-offline", "--no-audit", "--no-fund", "--loglevel=error"], {
    cwd: dir,
    stdio: ["ignore", "ignore", "inherit"],
  });
  const stateDir = path.join(dir, ".pulumi-state");
  fs.mkdirSync(stateDir);
  const bin = pulumiBinDir();
  const env: Record<string, string> = {
    PATH: [
      bin,
      path.join(dir, "node_modules", "@pulumi", "pulumi"),
      path.dirname(process.execPath),
      process.env.PATH ?? "",
    ].join(path.delimiter),
    PULUMI_CONFIG_PASSPHRASE: "e2e-passphrase",
    PULUMI_SKIP_UPDATE_CHECK: "true",
    PULUMI_DIY_BACKEND_NO_LEGACY_WARNING: "true",
    PULUMI_HOME: path.join(dir, ".pulumi-home"),
  };
  shared = { dir, env, stateDir };
  return shared;
}

/**
 * The shared project, with this process pointed at its CLI and its file:// state backend: what a suite's
 * setup hook calls first.
 */
export function useTarballProject(): Project {
  const project = tarballProject();
  process.env.PULUMI_BACKEND_URL = `file://${project.stateDir}`;
  Object.assign(process.env, project.env);
  return project;
}

/** The stack `stackName` of a program directory of the project; `env` is added to the project's for its commands. */
export function stackIn(
  project: Project,
  dir: string,
  stackName: string,
  env: Record<string, string> = {},
): Promise<Stack> {
  return LocalWorkspace.createOrSelectStack(
    { stackName, workDir: dir },
    { envVars: { ...project.env, ...env }, pulumiHome: project.env.PULUMI_HOME },
  );
}

/** Copies a program directory (Pulumi.yaml + index.ts) into the project, under `name`. */
export function addProgram(project: Project, from: string, name: string): string {
  const to = path.join(project.dir, name);
  fs.rmSync(to, { recursive: true, force: true });
  fs.mkdirSync(to, { recursive: true });
  for (const f of fs.readdirSync(from)) {
    if (f === "node_modules" || f.startsWith(".") || f.endsWith(".sh")) continue;
    fs.copyFileSync(path.join(from, f), path.join(to, f));
  }
  return to;
}

/**
 * The shipped pack beside itself with `runtime: nodejs-launcher`: the CLI built from Go modules starts a
 * `runtime: nodejs` pack through its Node.js language host, whose 3.68 build cannot (RunPlugin), and
 * starts any other runtime through the launcher `pulumi-analyzer-policy-<runtime>` that
 * .ci/ensure-pulumi.sh writes. Same entry point, package.json and policies; only the way node starts.
 */
export function launcherPack(project: Project): string {
  const shipped = path.join(project.dir, "node_modules", "pulumi-defender-rbac", "provider", "policy", "pack");
  const dir = path.join(path.dirname(shipped), "pack-launcher");
  if (fs.existsSync(dir)) return dir;
  fs.cpSync(shipped, dir, { recursive: true });
  const yaml = path.join(dir, "PulumiPolicy.yaml");
  const text = fs.readFileSync(yaml, "utf8");
  if (!/^runtime: nodejs$/m.test(text)) throw new Error(`the shipped PulumiPolicy.yaml lost its runtime line: ${text}`);
  fs.writeFileSync(yaml, text.replace(/^runtime: nodejs$/m, "runtime: nodejs-launcher"));
  return dir;
}
