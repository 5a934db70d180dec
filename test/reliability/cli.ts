/**
 * The real `pulumi` CLI for the reliability scenarios: a program directory inside the packed-package
 * project (so `pulumi-defender-rbac` resolves as users install it), one file:// state backend per
 * scenario, a fixed passphrase, and bounded runs (every command has a timeout; nothing waits forever).
 */
import { ChildProcess, spawn } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import type { Project } from "../e2e/project";

export interface CliResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  /** stdout and stderr, interleaved as they came. */
  out: string;
  timedOut: boolean;
}

export interface Running {
  child: ChildProcess;
  done: Promise<CliResult>;
}

/** Environment variables that would pick credentials or a backend from the machine: cleared for hermetic runs. */
const CLEARED = /^(ARM_|AZURE_|ACTIONS_ID_TOKEN_|DEFENDER_RBAC_|PULUMI_CONFIG$|PULUMI_BACKEND_URL$|IDENTITY_|MSI_)/;

export class StackCli {
  readonly env: Record<string, string>;

  constructor(
    readonly dir: string,
    readonly stack: string,
    project: Project,
    readonly stateDir: string,
    extraEnv: Record<string, string> = {},
  ) {
    const base = Object.fromEntries(
      Object.entries(process.env).filter(([k, v]) => v !== undefined && !CLEARED.test(k)),
    ) as Record<string, string>;
    fs.mkdirSync(stateDir, { recursive: true });
    this.env = { ...base, ...project.env, PULUMI_BACKEND_URL: `file://${stateDir}`, ...extraEnv };
  }

  /** Writes a JavaScript program (Pulumi.yaml + index.js) into `dir`. */
  static writeProgram(dir: string, name: string, source: string): void {
    fs.mkdirSync(dir, { recursive: true });
    fs.writeFileSync(path.join(dir, "Pulumi.yaml"), `name: ${name}\nruntime: nodejs\nmain: index.js\n`);
    fs.writeFileSync(path.join(dir, "index.js"), source);
  }

  /** Creates the stack (once) and sets its config. */
  async init(config: Record<string, string> = {}, secrets: Record<string, string> = {}): Promise<this> {
    const r = await this.run(["stack", "init", this.stack, "--non-interactive"], 60_000, false);
    if (r.code !== 0 && !/already exists/.test(r.out)) throw new Error(`stack init failed: ${r.out}`);
    for (const [k, v] of Object.entries(config)) await this.must(["config", "set", k, v]);
    for (const [k, v] of Object.entries(secrets)) await this.must(["config", "set", "--secret", k, v]);
    return this;
  }

  start(args: string[], withStack = true): Running {
    const child = spawn("pulumi", [...args, ...(withStack ? ["--stack", this.stack] : []), "--non-interactive"], {
      cwd: this.dir,
      env: this.env,
      stdio: ["ignore", "pipe", "pipe"],
    });
    let out = "";
    child.stdout!.on("data", (d) => (out += d));
    child.stderr!.on("data", (d) => (out += d));
    const done = new Promise<CliResult>((resolve) => {
      child.on("close", (code, signal) => resolve({ code, signal, out, timedOut: false }));
    });
    return { child, done };
  }

  /** Runs a command to completion, killing it after `timeoutMs`. */
  async run(args: string[], timeoutMs = 240_000, withStack = true): Promise<CliResult> {
    const r = this.start(args, withStack);
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      r.child.kill("SIGKILL");
    }, timeoutMs);
    const res = await r.done;
    clearTimeout(timer);
    return { ...res, timedOut };
  }

  async must(args: string[], timeoutMs?: number): Promise<CliResult> {
    const r = await this.run(args, timeoutMs);
    if (r.code !== 0) throw new Error(`pulumi ${args.join(" ")} failed (${r.code}):\n${r.out.slice(-3000)}`);
    return r;
  }

  up(extra: string[] = []): Promise<CliResult> {
    return this.run(["up", "--yes", "--skip-preview", ...extra]);
  }

  refresh(): Promise<CliResult> {
    return this.run(["refresh", "--yes", "--skip-preview"]);
  }

  /** True when a preview shows no change (`--expect-no-changes`). */
  async noChangePreview(): Promise<boolean> {
    const r = await this.run(["preview", "--expect-no-changes"]);
    return r.code === 0;
  }

  /**
   * The README's repair after a kill on a `file://` backend: the backend writes each state file atomically
   * (a temporary file renamed over it) but its metadata sidecar (`<file>.attrs`: content type and checksum)
   * in place, so a kill at the wrong moment leaves that sidecar empty and every later command fails with
   * "failed to load checkpoint: EOF". An empty sidecar is removed (a missing one is valid). Returns what was removed.
   */
  repairCutSidecars(): string[] {
    const removed: string[] = [];
    const walk = (d: string): void => {
      for (const e of fs.readdirSync(d, { withFileTypes: true })) {
        const p = path.join(d, e.name);
        if (e.isDirectory()) walk(p);
        else if (e.name.endsWith(".attrs") && fs.statSync(p).size === 0) {
          fs.rmSync(p);
          removed.push(path.relative(this.stateDir, p));
        }
      }
    };
    const root = path.join(this.stateDir, ".pulumi");
    if (fs.existsSync(root)) walk(root);
    return removed;
  }

  async state(): Promise<StateResource[]> {
    const r = await this.must(["stack", "export"]);
    const d = JSON.parse(r.out.slice(r.out.indexOf("{"))) as { deployment?: { resources?: StateResource[] } };
    return d.deployment?.resources ?? [];
  }
}

export interface StateResource {
  urn: string;
  type: string;
  id?: string;
  outputs?: Record<string, unknown>;
  inputs?: Record<string, unknown>;
}

/** A stack frame line of a JavaScript stack trace. */
export const STACK_FRAME = /^\s*at .+(:\d+:\d+\)?|\(native\)|\(<anonymous>\))\s*$/m;

/** The dynamic-provider server processes serving a program directory (by /proc, Linux only). */
export function providerProcesses(dir: string): number[] {
  const out: number[] = [];
  for (const pid of fs.readdirSync("/proc").filter((p) => /^\d+$/.test(p))) {
    try {
      const cmd = fs.readFileSync(`/proc/${pid}/cmdline`, "utf8");
      if (!cmd.includes("dynamic-provider")) continue;
      if (fs.realpathSync(`/proc/${pid}/cwd`) === fs.realpathSync(dir)) out.push(Number(pid));
    } catch {
      // gone, or not ours to read
    }
  }
  return out;
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
