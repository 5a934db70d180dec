/**
 * The runs users wait for, through the real `pulumi` CLI on a file:// backend: `up`, a no-change
 * `preview`, a `preview` after editing some roles, `refresh` and `destroy` of a generated program
 * (N UnifiedRoles + M RoleAssignments on the local tenant), each against the floor: the same resource
 * graph on a no-op dynamic provider, run in the same benchmark, interleaved (project, floor, then floor,
 * project on the next pair). Prints, per phase, the median of the per-pair time ratios, the peak memory
 * of the provider and program processes, and the state's bytes per resource. With `--graph`, the
 * project runs once more on the `graph` backend against the emulator, and the requests each phase makes
 * are counted per route (the emulator's stats): the Graph request budget.
 *
 *   npm run bench                                   # small N (CI): 10 roles + 20 assignments, 3 pairs
 *   npm run bench -- --roles 500 --assignments 1000 --pairs 3 --skip-checkpoints   # the documented run
 *   npm run bench -- --json                         # one JSON object on stdout
 *
 * Options: --roles N, --assignments M (default 2N), --edit K (roles edited, default N/10), --pairs P,
 * --phases up,preview,edit,refresh,destroy, --floor bare|same (same: the floor declares as many output
 * keys as this package's classes), --skip-checkpoints (PULUMI_SKIP_CHECKPOINTS=true on both sides: the
 * engine's per-step checkpoint is quadratic in N), --graph / --no-graph (default: on), --graph-roles N,
 * --page-size N (emulator, default 100), --cpu-prof DIR (profile each side's Node processes in one extra
 * run of each phase and print the top costs), --baseline DIR (a third side: the same program on another
 * build of this package, e.g. a worktree of main, for before/after figures in one run), --keep (leave the
 * work directory).
 */
import { execFileSync, spawn } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { parseArgs as parseCommandLine } from "node:util";
import { startEmulator } from "../../provider/emulator";
import { pulumiBinDir } from "../e2e/project";
import { packageRoot } from "../harness/program";
import { ProfileSummary, summarise } from "./cpuprofile";
import { Side, floorStateModule, programSource } from "./programs";

export type Phase = "up" | "preview" | "edit" | "refresh" | "destroy";
const ALL_PHASES: Phase[] = ["up", "preview", "edit", "refresh", "destroy"];

export interface Options {
  roles: number;
  assignments: number;
  edit: number;
  pairs: number;
  phases: Phase[];
  floor: "bare" | "same" | "state";
  skipCheckpoints: boolean;
  graph: boolean;
  graphRoles: number;
  pageSize: number;
  cpuProf?: string;
  baseline?: string;
  json: boolean;
  keep: boolean;
}

/**
 * The command line, strictly: an unknown option or a bare word is an error that names it (npm forwards
 * a script's arguments only after `--`, and a forgotten one left bare numbers that were silently ignored).
 */
const str = { type: "string" } as const;
const flag = { type: "boolean" } as const;
const OPTIONS = {
  roles: str,
  assignments: str,
  edit: str,
  pairs: str,
  phases: str,
  floor: str,
  "skip-checkpoints": flag,
  "no-graph": flag,
  "graph-roles": str,
  "page-size": str,
  "cpu-prof": str,
  baseline: str,
  json: flag,
  keep: flag,
};

export function parseArgs(argv: string[]): Options {
  let v: ReturnType<typeof parseCommandLine<{ options: typeof OPTIONS }>>["values"];
  try {
    v = parseCommandLine({ args: argv, options: OPTIONS, strict: true, allowPositionals: false }).values;
  } catch (e) {
    // node's message names the argument; the hint says how npm forwards them
    const why = (e as Error).message.split("\n")[0].replace(/\. To specify a positional argument.*$/, "");
    throw new Error(`${why} (options go after \`--\`: npm run bench -- --roles 500 --assignments 1000)`);
  }
  const num = (name: "roles" | "assignments" | "edit" | "pairs" | "graph-roles" | "page-size", dflt: number) => {
    const raw = v[name];
    if (raw === undefined) return dflt;
    const n = Number(raw);
    if (raw.trim() === "" || !Number.isInteger(n) || n < 0)
      throw new Error(`--${name} must be a whole number, not "${raw}"`);
    return n;
  };
  const roles = num("roles", 10);
  const phases = (v.phases ?? ALL_PHASES.join(",")).split(",") as Phase[];
  for (const p of phases) if (!ALL_PHASES.includes(p)) throw new Error(`--phases: unknown phase "${p}"`);
  const floor = v.floor ?? "bare";
  if (floor !== "bare" && floor !== "same" && floor !== "state")
    throw new Error(`--floor must be "bare", "same" or "state", not "${floor}"`);
  return {
    roles,
    assignments: num("assignments", 2 * roles),
    edit: num("edit", Math.max(1, Math.round(roles / 10))),
    pairs: num("pairs", 3),
    phases,
    floor,
    skipCheckpoints: v["skip-checkpoints"] === true,
    graph: v["no-graph"] !== true,
    graphRoles: num("graph-roles", roles),
    pageSize: num("page-size", 100),
    cpuProf: v["cpu-prof"],
    baseline: v.baseline ? path.resolve(v.baseline) : undefined,
    json: v.json === true,
    keep: v.keep === true,
  };
}

/** The floor's program (and directory) for `--floor`. */
function floorSide(opts: Options): Side {
  return opts.floor === "same" ? "floor-keys" : opts.floor === "state" ? "floor-state" : "floor";
}

/** The phases a run goes through, in lifecycle order whatever order --phases gives: up first, destroy last. */
export function runOrder(asked: Phase[]): Phase[] {
  return ALL_PHASES.filter((p) => p === "up" || p === "destroy" || asked.includes(p));
}

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
};

// ---- work directory: one program directory per side, sharing this repository's node_modules ----------

interface Workspace {
  root: string;
  env: Record<string, string>;
  dirs: Record<string, string>;
}

/** The files `npm pack` puts in the package of `pkg` (its `files` list: no source maps, no tests). */
const packedFiles = new Map<string, string[]>();
function filesOfPackage(pkg: string): string[] {
  let files = packedFiles.get(pkg);
  if (!files) {
    const out = execFileSync("npm", ["pack", "--dry-run", "--json", "--ignore-scripts"], {
      cwd: pkg,
      encoding: "utf8",
    });
    files = (JSON.parse(out) as { files: { path: string }[] }[])[0].files.map((f) => f.path);
    packedFiles.set(pkg, files);
  }
  return files;
}

/**
 * The program's node_modules: this repository's dependencies linked, and the package under test copied in
 * as `npm pack` would ship it, so the program and the provider load what users install (a package linked
 * from the repository would also load its source maps into every stack trace the SDK formats).
 */
function linkNodeModules(dir: string, repo: string, pkg: string): void {
  const nm = path.join(dir, "node_modules");
  fs.mkdirSync(nm, { recursive: true });
  const src = path.join(repo, "node_modules");
  for (const e of fs.readdirSync(src)) {
    if (e === "pulumi-defender-rbac" || e.startsWith(".")) continue;
    fs.symlinkSync(path.join(src, e), path.join(nm, e), "dir");
  }
  const installed = path.join(nm, "pulumi-defender-rbac");
  for (const f of filesOfPackage(pkg)) {
    fs.mkdirSync(path.dirname(path.join(installed, f)), { recursive: true });
    fs.copyFileSync(path.join(pkg, f), path.join(installed, f));
  }
}

function programDir(ws: Workspace, name: string, side: Side, repo: string, pkg = repo): string {
  const dir = path.join(ws.root, name);
  fs.mkdirSync(dir, { recursive: true });
  linkNodeModules(dir, repo, pkg);
  fs.writeFileSync(path.join(dir, "Pulumi.yaml"), `name: bench-${name}\nruntime: nodejs\nmain: index.ts\n`);
  fs.writeFileSync(path.join(dir, "package.json"), JSON.stringify({ name: `bench-${name}`, private: true }));
  fs.copyFileSync(path.join(repo, "examples", "tsconfig.json"), path.join(dir, "tsconfig.json"));
  fs.writeFileSync(path.join(dir, "index.ts"), programSource(side));
  if (side === "floor-state") {
    fs.mkdirSync(path.join(dir, "node_modules", "bench-floor-state"));
    fs.writeFileSync(path.join(dir, "node_modules", "bench-floor-state", "index.js"), floorStateModule());
  }
  ws.dirs[name] = dir;
  return dir;
}

function workspace(opts: Options): Workspace {
  const repo = packageRoot();
  if (!fs.existsSync(path.join(repo, "dist", "provider", "engine.js")))
    throw new Error("dist/provider is not built: run `npx tsc -p tsconfig.json` first (npm run bench does)");
  const root = fs.mkdtempSync(path.join(os.tmpdir(), "defender-rbac-bench-"));
  const state = path.join(root, "state");
  fs.mkdirSync(state);
  const env: Record<string, string> = {
    ...(process.env as Record<string, string>),
    PATH: [
      pulumiBinDir(),
      path.join(repo, "node_modules", "@pulumi", "pulumi"),
      path.dirname(process.execPath),
      process.env.PATH ?? "",
    ].join(path.delimiter),
    PULUMI_BACKEND_URL: `file://${state}`,
    PULUMI_CONFIG_PASSPHRASE: "bench",
    PULUMI_SKIP_UPDATE_CHECK: "true",
    PULUMI_DIY_BACKEND_NO_LEGACY_WARNING: "true",
    PULUMI_HOME: path.join(root, ".pulumi-home"),
    BENCH_ROLES: String(opts.roles),
    BENCH_ASSIGNMENTS: String(opts.assignments),
    BENCH_EDIT: "0",
  };
  delete env.PULUMI_CONFIG; // the bench's own environment must not configure the programs
  delete env.DEFENDER_RBAC_BACKEND;
  delete env.DEFENDER_RBAC_STORE;
  if (opts.skipCheckpoints) env.PULUMI_SKIP_CHECKPOINTS = "true";
  return { root, env, dirs: {} };
}

// ---- one CLI run ------------------------------------------------------------------------------------

export interface RunResult {
  ms: number;
  /** Peak resident memory in MiB per process kind (provider: the dynamic-provider plugin; program). */
  peakMiB: { provider: number; program: number };
  /** CPU time (user + system) in ms per process kind: far less sensitive to a busy machine than wall time. */
  cpuMs: { provider: number; program: number };
  output: string;
}

const PEAK = path.join(__dirname, "peak.js");

function pulumiArgs(phase: Phase): string[] {
  const common = ["--non-interactive", "--color", "never"];
  switch (phase) {
    case "up":
      return ["up", "--yes", "--skip-preview", ...common];
    case "preview":
      return ["preview", "--expect-no-changes", ...common];
    case "edit":
      return ["preview", ...common];
    case "refresh":
      return ["refresh", "--yes", "--skip-preview", ...common];
    case "destroy":
      return ["destroy", "--yes", "--skip-preview", ...common];
  }
}

function exec(
  cmd: string,
  args: string[],
  cwd: string,
  env: Record<string, string>,
): Promise<{ code: number; output: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { cwd, env, stdio: ["ignore", "pipe", "pipe"] });
    const chunks: Buffer[] = [];
    child.stdout.on("data", (d) => chunks.push(d));
    child.stderr.on("data", (d) => chunks.push(d));
    child.on("error", reject);
    child.on("close", (code) => resolve({ code: code ?? 1, output: Buffer.concat(chunks).toString("utf8") }));
  });
}

async function run(
  ws: Workspace,
  name: string,
  phase: Phase,
  opts: Options,
  extra: Record<string, string> = {},
): Promise<RunResult> {
  const peakDir = fs.mkdtempSync(path.join(ws.root, "peak-"));
  const env = {
    ...ws.env,
    ...extra,
    BENCH_PEAK_DIR: peakDir,
    BENCH_EDIT: phase === "edit" ? String(opts.edit) : "0",
    NODE_OPTIONS: [`--require=${PEAK}`, extra.NODE_OPTIONS ?? ""].join(" ").trim(),
  };
  const t0 = performance.now();
  const r = await exec("pulumi", pulumiArgs(phase), ws.dirs[name], env);
  const ms = performance.now() - t0;
  if (r.code !== 0)
    throw new Error(
      `pulumi ${phase} of ${name} failed (exit ${r.code}):\n${r.output.split("\n").slice(-40).join("\n")}`,
    );
  if (phase === "edit") {
    const m = /(\d+) to update/.exec(r.output);
    const updates = m ? Number(m[1]) : 0;
    if (updates !== Math.min(opts.edit, opts.roles))
      throw new Error(`preview after editing ${opts.edit} roles of ${name} shows ${updates} updates:\n${r.output}`);
  }
  const peakMiB = { provider: 0, program: 0 };
  const cpuMs = { provider: 0, program: 0 };
  for (const f of fs.readdirSync(peakDir)) {
    try {
      const p = JSON.parse(fs.readFileSync(path.join(peakDir, f), "utf8")) as {
        role: string;
        maxRssKb: number;
        cpuMs: number;
      };
      if (p.role === "provider" || p.role === "program") {
        peakMiB[p.role] = Math.max(peakMiB[p.role], p.maxRssKb / 1024);
        cpuMs[p.role] += p.cpuMs;
      }
    } catch {
      // a file caught mid-write: the next one of that process is newer anyway
    }
  }
  fs.rmSync(peakDir, { recursive: true, force: true });
  return { ms, peakMiB, cpuMs, output: r.output };
}

// ---- state size ----------------------------------------------------------------------------------------

export interface StateSize {
  resources: number;
  bytesPerResource: number;
  providerBytesPerResource: number;
}

async function stateSize(ws: Workspace, name: string): Promise<StateSize> {
  const r = await exec("pulumi", ["stack", "export", "--non-interactive"], ws.dirs[name], ws.env);
  if (r.code !== 0) throw new Error(`pulumi stack export of ${name} failed:\n${r.output}`);
  const state = JSON.parse(r.output);
  const resources = (state.deployment.resources ?? []).filter((x: any) =>
    String(x.type).startsWith("pulumi-nodejs:dynamic"),
  );
  let bytes = 0;
  let provider = 0;
  for (const x of resources) {
    bytes += Buffer.byteLength(JSON.stringify(x));
    provider +=
      Buffer.byteLength(String(x.inputs?.__provider ?? "")) + Buffer.byteLength(String(x.outputs?.__provider ?? ""));
  }
  const n = Math.max(1, resources.length);
  return { resources: resources.length, bytesPerResource: bytes / n, providerBytesPerResource: provider / n };
}

// ---- the interleaved A/B runs -------------------------------------------------------------------------

export interface PhaseResult {
  phase: Phase;
  projectMs: number;
  floorMs: number;
  /** Median over pairs of project time / floor time. */
  ratio: number;
  ratios: number[];
  projectPeakMiB: { provider: number; program: number };
  floorPeakMiB: { provider: number; program: number };
  /** Peak of the larger process (project / floor). */
  memoryRatio: number;
  /** Median CPU time of the provider and program processes. */
  projectCpuMs: { provider: number; program: number };
  floorCpuMs: { provider: number; program: number };
  /** Median over pairs of (provider + program CPU) project / floor. */
  cpuRatio: number;
  /** With --baseline: the same figures for the baseline build. */
  baseline?: {
    ms: number;
    ratio: number;
    ratios: number[];
    peakMiB: { provider: number; program: number };
    memoryRatio: number;
    cpuMs: { provider: number; program: number };
    cpuRatio: number;
  };
}

async function abRuns(ws: Workspace, opts: Options, floorName: string, log: (s: string) => void) {
  const samples: Record<Phase, { a: RunResult[]; b: RunResult[]; c: RunResult[] }> = Object.fromEntries(
    ALL_PHASES.map((p) => [p, { a: [], b: [], c: [] }]),
  ) as never;
  let size: { project: StateSize; floor: StateSize; baseline?: StateSize } | undefined;
  const phases = runOrder(opts.phases);
  for (let pair = 0; pair < opts.pairs; pair++) {
    const sides: ["a" | "b" | "c", string][] = [
      ["a", "project"],
      ["b", floorName],
      ...(opts.baseline ? [["c", "baseline"] as ["c", string]] : []),
    ];
    // a different side first on each pair, so a drift of the machine's load does not favour one side
    const order = [...sides.slice(pair % sides.length), ...sides.slice(0, pair % sides.length)];
    for (const phase of phases) {
      for (const [k, name] of order) {
        const r = await run(ws, name, phase, opts);
        samples[phase][k].push(r);
        log(`  pair ${pair + 1}/${opts.pairs} ${phase.padEnd(8)} ${name.padEnd(10)} ${(r.ms / 1000).toFixed(2)} s`);
      }
      if (phase === "up" && !size)
        size = {
          project: await stateSize(ws, "project"),
          floor: await stateSize(ws, floorName),
          baseline: opts.baseline ? await stateSize(ws, "baseline") : undefined,
        };
    }
  }
  const results: PhaseResult[] = [];
  for (const phase of opts.phases) {
    const { a, b, c } = samples[phase];
    const ratios = a.map((x, i) => x.ms / b[i].ms);
    const peak = (rs: RunResult[]) => ({
      provider: median(rs.map((r) => r.peakMiB.provider)),
      program: median(rs.map((r) => r.peakMiB.program)),
    });
    const pa = peak(a);
    const pb = peak(b);
    const cpu = (rs: RunResult[]) => ({
      provider: median(rs.map((r) => r.cpuMs.provider)),
      program: median(rs.map((r) => r.cpuMs.program)),
    });
    const total = (r: RunResult) => r.cpuMs.provider + r.cpuMs.program;
    const cpuRatio = (rs: RunResult[]) => median(rs.map((x, i) => total(x) / total(b[i])));
    results.push({
      phase,
      projectMs: median(a.map((r) => r.ms)),
      floorMs: median(b.map((r) => r.ms)),
      ratio: median(ratios),
      ratios,
      projectPeakMiB: pa,
      floorPeakMiB: pb,
      memoryRatio: Math.max(pa.provider, pa.program) / Math.max(pb.provider, pb.program),
      projectCpuMs: cpu(a),
      floorCpuMs: cpu(b),
      cpuRatio: cpuRatio(a),
      baseline: c.length
        ? {
            ms: median(c.map((r) => r.ms)),
            ratio: median(c.map((x, i) => x.ms / b[i].ms)),
            ratios: c.map((x, i) => x.ms / b[i].ms),
            peakMiB: peak(c),
            memoryRatio: Math.max(peak(c).provider, peak(c).program) / Math.max(pb.provider, pb.program),
            cpuMs: cpu(c),
            cpuRatio: cpuRatio(c),
          }
        : undefined,
    });
  }
  return { results, size };
}

// ---- CPU profiles of the project side -----------------------------------------------------------------

async function profileRuns(ws: Workspace, opts: Options, floorName: string, log: (s: string) => void) {
  const out: Record<string, Record<string, { provider: ProfileSummary; program: ProfileSummary }>> = {};
  const phases = runOrder(opts.phases);
  for (const phase of phases) {
    for (const name of ["project", floorName, ...(opts.baseline ? ["baseline"] : [])]) {
      const dir = path.resolve(opts.cpuProf!, phase, name);
      fs.rmSync(dir, { recursive: true, force: true });
      fs.mkdirSync(dir, { recursive: true });
      await run(ws, name, phase, opts, { BENCH_CPU_PROF_DIR: dir });
      const files = fs.readdirSync(dir).filter((f) => f.endsWith(".cpuprofile"));
      const provider = files.filter((f) => f.startsWith("provider-")).map((f) => path.join(dir, f));
      const program = files.filter((f) => f.startsWith("program-")).map((f) => path.join(dir, f));
      if (opts.phases.includes(phase))
        (out[phase] ??= {})[name] = { provider: summarise(provider), program: summarise(program) };
      log(`  profiled ${phase} ${name}: ${provider.length} provider, ${program.length} program profiles in ${dir}`);
    }
  }
  return out;
}

// ---- the Graph request budget --------------------------------------------------------------------------

export interface GraphPhase {
  phase: Phase | "export";
  requests: number;
  perResource: number;
  byRoute: Record<string, number>;
}

async function graphBudget(ws: Workspace, opts: Options, log: (s: string) => void): Promise<GraphPhase[]> {
  const repo = packageRoot();
  const emu = await startEmulator({ pageSize: opts.pageSize });
  try {
    const dir = ws.dirs.graph;
    const env = {
      ...ws.env,
      DEFENDER_RBAC_GRAPH_TOKEN: "bench-token",
      BENCH_ROLES: String(opts.graphRoles),
      BENCH_ASSIGNMENTS: String(Math.round((opts.assignments * opts.graphRoles) / Math.max(1, opts.roles))),
    };
    const n = Number(env.BENCH_ROLES) + Number(env.BENCH_ASSIGNMENTS);
    for (const [k, v] of [
      ["defender-rbac:backend", "graph"],
      ["defender-rbac:graphUrl", emu.url],
    ]) {
      const r = await exec("pulumi", ["config", "set", k, v, "--non-interactive"], dir, env);
      if (r.code !== 0) throw new Error(`pulumi config set ${k} failed:\n${r.output}`);
    }
    const out: GraphPhase[] = [];
    const counted = async (phase: Phase | "export", fn: () => Promise<unknown>) => {
      const before = { ...emu.stats().byRoute };
      await fn();
      const after = emu.stats().byRoute;
      const byRoute: Record<string, number> = {};
      for (const [route, c] of Object.entries(after))
        if (c - (before[route] ?? 0) > 0) byRoute[route] = c - (before[route] ?? 0);
      const requests = Object.values(byRoute).reduce((a, b) => a + b, 0);
      out.push({ phase, requests, perResource: requests / n, byRoute });
      log(`  graph ${phase.padEnd(8)} ${requests} requests`);
    };
    const w = { ...ws, env };
    for (const phase of ["up", "preview", "edit", "refresh"] as Phase[])
      await counted(phase, () => run(w, "graph", phase, opts));
    await counted("export", async () => {
      const r = await exec(
        process.execPath,
        [
          path.join(repo, "dist", "provider", "cli", "main.js"),
          "export",
          "--backend",
          "graph",
          "--graph-url",
          emu.url,
          "--format",
          "json",
        ],
        dir,
        env,
      );
      if (r.code !== 0) throw new Error(`defender-rbac export failed:\n${r.output}`);
    });
    await counted("destroy", () => run(w, "graph", "destroy", opts));
    return out;
  } finally {
    await emu.close();
  }
}

// ---- report -------------------------------------------------------------------------------------------

const PHASE_LABEL: Record<Phase, string> = {
  up: "up",
  preview: "preview, no change",
  edit: "preview after an edit",
  refresh: "refresh",
  destroy: "destroy",
};

export function table(rows: string[][]): string {
  const w = rows[0].map((_, i) => Math.max(...rows.map((r) => r[i].length)));
  const line = (r: string[]) => `| ${r.map((c, i) => c.padEnd(w[i])).join(" | ")} |`;
  return [line(rows[0]), `|${w.map((n) => "-".repeat(n + 2)).join("|")}|`, ...rows.slice(1).map(line)].join("\n");
}

function machine() {
  return {
    cpus: `${os.cpus().length} × ${os.cpus()[0]?.model ?? "?"}`,
    memoryGiB: Math.round(os.totalmem() / 2 ** 30),
    loadAverage: os.loadavg().map((x) => Number(x.toFixed(2))),
    node: process.version,
    platform: `${os.platform()} ${os.release()}`,
  };
}

async function main(): Promise<void> {
  const opts = parseArgs(process.argv.slice(2));
  const log = opts.json ? (s: string) => process.stderr.write(s + "\n") : (s: string) => console.log(s);
  const ws = workspace(opts);
  const repo = packageRoot();
  try {
    const floorName = floorSide(opts);
    programDir(ws, "project", "project", repo);
    programDir(ws, floorName, floorName, repo);
    if (opts.baseline) programDir(ws, "baseline", "project", repo, opts.baseline);
    if (opts.graph) programDir(ws, "graph", "project", repo);
    for (const name of Object.keys(ws.dirs)) {
      const r = await exec("pulumi", ["stack", "init", "bench", "--non-interactive"], ws.dirs[name], ws.env);
      if (r.code !== 0) throw new Error(`pulumi stack init in ${name} failed:\n${r.output}`);
    }
    const version = (await exec("pulumi", ["version"], ws.root, ws.env)).output.trim();
    log(
      `${opts.roles} roles + ${opts.assignments} assignments, ${opts.pairs} pairs, floor: ${floorName}` +
        `${opts.skipCheckpoints ? ", PULUMI_SKIP_CHECKPOINTS=true" : ""}, pulumi ${version}, work dir ${ws.root}`,
    );
    const ab = await abRuns(ws, opts, floorName, log);
    if (!opts.json && opts.pairs > 0) printRuns(opts, floorName, ab); // --pairs 0: profiles or the graph budget only
    const profiles = opts.cpuProf ? await profileRuns(ws, opts, floorName, log) : undefined;
    if (profiles && !opts.json) printProfiles(opts, floorName, profiles);
    let graph: GraphPhase[] | undefined;
    let graphError: string | undefined;
    try {
      graph = opts.graph ? await graphBudget(ws, opts, log) : undefined;
    } catch (e) {
      graphError = (e as Error).message; // the figures above stand; say why these are missing
      log(`graph budget failed: ${graphError}`);
    }
    if (graph && !opts.json) printGraph(opts, graph);
    const m = machine();
    if (opts.json) {
      const report = { options: opts, machine: m, pulumi: version, ...ab, profiles, graph, graphError };
      process.stdout.write(JSON.stringify(report, null, 2) + "\n");
    } else
      console.log(
        `\nmachine: ${m.cpus}, ${m.memoryGiB} GiB, load ${m.loadAverage.join(" ")}, node ${m.node}, ${m.platform}, ${version}`,
      );
    if (graphError) process.exitCode = 1;
  } finally {
    if (!opts.keep) fs.rmSync(ws.root, { recursive: true, force: true });
  }
}

type Runs = Awaited<ReturnType<typeof abRuns>>;
type Profiles = Awaited<ReturnType<typeof profileRuns>>;

function printRuns(opts: Options, floorName: string, ab: Runs): void {
  const mib = (x: number) => x.toFixed(0);
  console.log(
    `\n${opts.roles} roles + ${opts.assignments} assignments, median of ${opts.pairs} interleaved runs ` +
      `(project / ${floorName}${opts.baseline ? `; baseline: ${opts.baseline}` : ""})\n`,
  );
  const base = (r: PhaseResult, f: (b: NonNullable<PhaseResult["baseline"]>) => string) =>
    opts.baseline ? [r.baseline ? f(r.baseline) : ""] : [];
  console.log(
    table([
      [
        "phase",
        "project s",
        "floor s",
        "ratio",
        ...(opts.baseline ? ["baseline ratio"] : []),
        "pair ratios",
        "provider MiB",
        "program MiB",
        "memory ratio",
        ...(opts.baseline ? ["baseline memory"] : []),
        "provider CPU s",
        "CPU ratio",
        ...(opts.baseline ? ["baseline CPU"] : []),
      ],
      ...ab.results.map((r) => [
        PHASE_LABEL[r.phase],
        (r.projectMs / 1000).toFixed(2),
        (r.floorMs / 1000).toFixed(2),
        `${r.ratio.toFixed(2)}×`,
        ...base(r, (b) => `${b.ratio.toFixed(2)}×`),
        r.ratios.map((x) => x.toFixed(2)).join(" "),
        `${mib(r.projectPeakMiB.provider)} / ${mib(r.floorPeakMiB.provider)}`,
        `${mib(r.projectPeakMiB.program)} / ${mib(r.floorPeakMiB.program)}`,
        `${r.memoryRatio.toFixed(2)}×`,
        ...base(r, (b) => `${b.memoryRatio.toFixed(2)}× (${mib(b.peakMiB.provider)} / ${mib(b.peakMiB.program)})`),
        `${(r.projectCpuMs.provider / 1000).toFixed(1)} / ${(r.floorCpuMs.provider / 1000).toFixed(1)}`,
        `${r.cpuRatio.toFixed(2)}×`,
        ...base(r, (b) => `${b.cpuRatio.toFixed(2)}× (provider ${(b.cpuMs.provider / 1000).toFixed(1)} s)`),
      ]),
    ]),
  );
  const sz = ab.size!;
  const sizeLine = (label: string, x: StateSize) =>
    `${label}: ${x.bytesPerResource.toFixed(0)} bytes per resource in state ` +
    `(${(x.bytesPerResource / sz.floor.bytesPerResource).toFixed(2)}× the floor's ${sz.floor.bytesPerResource.toFixed(0)}), ` +
    `__provider ${x.providerBytesPerResource.toFixed(0)} (floor ${sz.floor.providerBytesPerResource.toFixed(0)})`;
  console.log("\n" + sizeLine("project", sz.project));
  if (sz.baseline) console.log(sizeLine("baseline", sz.baseline));
}

function printProfiles(opts: Options, floorName: string, profiles: Profiles): void {
  {
    for (const [phase, sides] of Object.entries(profiles)) {
      const cpu = (name: string, proc: "provider" | "program") => sides[name]?.[proc].totalMs ?? 0;
      for (const proc of ["provider", "program"] as const) {
        console.log(
          `\nCPU profile, ${PHASE_LABEL[phase as Phase]}, ${proc} process: project ${cpu("project", proc).toFixed(0)} ms, ` +
            `floor ${cpu(floorName, proc).toFixed(0)} ms${opts.baseline ? `, baseline ${cpu("baseline", proc).toFixed(0)} ms` : ""}`,
        );
        for (const name of opts.baseline ? ["baseline", "project"] : ["project"]) {
          const p = sides[name][proc];
          console.log(
            `  ${name} by area: ` +
              p.areas
                .slice(0, 8)
                .map((a) => `${a.area} ${a.ms.toFixed(0)}`)
                .join(", "),
          );
          for (const f of p.functions.slice(0, 10)) console.log(`  ${f.ms.toFixed(0).padStart(6)} ms  ${f.name}`);
        }
      }
    }
  }
}

function printGraph(opts: Options, graph: GraphPhase[]): void {
  {
    const gn = `${opts.graphRoles} roles + ${Math.round((opts.assignments * opts.graphRoles) / Math.max(1, opts.roles))} assignments`;
    console.log(`\nGraph requests against the emulator (page size ${opts.pageSize}), ${gn}:\n`);
    console.log(
      table([
        ["phase", "requests", "per resource", "by route"],
        ...graph.map((g) => [
          g.phase === "export" ? "defender-rbac export" : PHASE_LABEL[g.phase],
          String(g.requests),
          g.perResource.toFixed(2),
          Object.entries(g.byRoute)
            .sort((a, b) => b[1] - a[1])
            .map(([r, c]) => `${r.replace("/beta/roleManagement/defender", "")} ${c}`)
            .join("; "),
        ]),
      ]),
    );
  }
}

if (require.main === module) {
  main().catch((e) => {
    console.error((e as Error).message);
    process.exit(1);
  });
}
