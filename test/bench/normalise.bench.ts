/**
 * Benchmarks, each reported as a ratio against a baseline measured in the same run (absolute numbers
 * depend on the machine; ratios much less so). Not a mocha spec (the spec glob is *.spec.js).
 *
 *   npm run build && node dist/test/bench/normalise.bench.js
 *
 * 1. normalizeKeys (the canonical key set behind every diff) on N = 10 / 100 / 1000 keys (the
 *    catalogue's keys plus generated wildcard and literal action strings), against a plain
 *    `[...new Set(lower-cased keys)].sort()` of the same keys.
 * 2. TenantStore.createRole throughput with 1 and with 4 concurrent processes on one store file,
 *    against raw node:sqlite inserts of the same rows with the same pragmas, one transaction per row.
 * Environment: BENCH_ROLES (rows per process, default 300), BENCH_MS (time per normalise case, default 400).
 */
import { spawn } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { randomUUID } from "node:crypto";
import { ATOMS, KNOWN_ACTIONS, WILDCARDS, atomKey, normalizeKeys } from "../../provider/core";
import { TenantStore } from "../../provider/backend/store";
import { loadSqlite } from "../../provider/backend/sqlite";
import { rng } from "../../provider/emulator/faults"; // deterministic (mulberry32): every run benchmarks the same keys

const REPEATS = 3;
const now = () => performance.timeOrigin + performance.now(); // comparable across processes

// ---- 1. normalizeKeys ---------------------------------------------------------------------------

const SEGMENTS = [
  "secops",
  "securitydata",
  "rawdata",
  "configuration",
  "security",
  "core",
  "system",
  "authorization",
  "securityposture",
  "posturemanagement",
  "securescore",
  "dataops",
  "alerts",
  "response",
  "x1",
  "x2",
  "x3",
];

function keysOfSize(n: number): string[] {
  const catalogue = [...ATOMS.map(atomKey), ...WILDCARDS.map((w) => w.action), ...KNOWN_ACTIONS.map((k) => k.action)];
  const r = rng(n);
  const pick = <T>(xs: readonly T[]) => xs[Math.floor(r() * xs.length)];
  const out = catalogue.slice(0, n);
  while (out.length < n) {
    // mostly literal action strings; one in ten a group wildcard like the catalogue's (`…/<seg>/*/<verb>`)
    const verb = r() < 0.5 ? "read" : "manage";
    const segs =
      r() < 0.1
        ? [pick(SEGMENTS), ...(r() < 0.5 ? [pick(SEGMENTS)] : []), "*"]
        : Array.from({ length: 2 + Math.floor(r() * 3) }, () => pick(SEGMENTS));
    const key = `microsoft.xdr/${segs.join("/")}/${verb}`;
    out.push(r() < 0.2 ? key.toUpperCase() : key);
  }
  // shuffle, so the catalogue keys are not all first
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(r() * (i + 1));
    [out[i], out[j]] = [out[j], out[i]];
  }
  return out;
}

/** Mean time per call in microseconds, running for about `ms` after a warm-up. */
function timePerOp(fn: () => unknown, ms: number): number {
  let sink = 0;
  const warm = now();
  while (now() - warm < ms / 4) sink += (fn() as unknown[]).length;
  let iterations = 0;
  const start = now();
  let elapsed = 0;
  do {
    sink += (fn() as unknown[]).length;
    iterations++;
    elapsed = now() - start;
  } while (elapsed < ms || iterations < 3);
  if (sink < 0) console.log(sink); // keep the results alive
  return (elapsed * 1000) / iterations;
}

function benchNormalise(ms: number): string[][] {
  const rows: string[][] = [];
  for (const n of [10, 100, 1000]) {
    const keys = keysOfSize(n);
    const base = timePerOp(() => [...new Set(keys.map((k) => k.trim().toLowerCase()))].sort(), ms);
    const norm = timePerOp(() => normalizeKeys(keys), ms);
    rows.push([String(n), String(normalizeKeys(keys).length), fmt(base), fmt(norm), `${fmt(norm / base)}x`]);
  }
  return rows;
}

// ---- 2. store throughput ------------------------------------------------------------------------

const ROW_ACTIONS = Array.from({ length: 8 }, (_, i) => `microsoft.xdr/secops/securitydata/bench${i}/manage`);

/** Runs in a child process: inserts `count` rows after "go", reports {start, end}. */
async function child(mode: string, file: string, count: number): Promise<void> {
  let insert: (i: number) => void;
  let close: () => void;
  if (mode === "raw") {
    const { DatabaseSync } = loadSqlite();
    const db = new DatabaseSync(file);
    for (const p of ["busy_timeout = 15000", "journal_mode = WAL", "synchronous = FULL"]) db.exec(`PRAGMA ${p}`);
    db.exec(`CREATE TABLE IF NOT EXISTS roles (id TEXT PRIMARY KEY, display_name TEXT NOT NULL, description TEXT NOT NULL DEFAULT '',
      is_built_in INTEGER NOT NULL DEFAULT 0, actions TEXT NOT NULL, imported TEXT, created_at TEXT NOT NULL, modified_at TEXT NOT NULL)`);
    const stmt = db.prepare(
      "INSERT INTO roles (id, display_name, description, is_built_in, actions, imported, created_at, modified_at) VALUES (?, ?, '', 0, ?, NULL, ?, ?)",
    );
    insert = (i) => {
      db.exec("BEGIN IMMEDIATE");
      const t = new Date().toISOString();
      stmt.run(randomUUID(), `bench-${process.pid}-${i}`, JSON.stringify(ROW_ACTIONS), t, t);
      db.exec("COMMIT");
    };
    close = () => db.close();
  } else {
    const store = new TenantStore(file);
    insert = (i) => {
      store.createRole({ displayName: `bench-${process.pid}-${i}`, description: "", actions: ROW_ACTIONS });
    };
    close = () => store.close();
  }
  process.stdout.write("ready\n");
  await new Promise<void>((resolve) =>
    process.stdin.once("data", () => {
      process.stdin.destroy();
      resolve();
    }),
  );
  const start = now();
  for (let i = 0; i < count; i++) insert(i);
  const end = now();
  close();
  process.stdout.write(`${JSON.stringify({ start, end })}\n`);
}

/** Runs `procs` children of `mode` on a fresh file; returns rows per second over the whole run. */
async function throughput(mode: "raw" | "store", procs: number, count: number): Promise<number> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "defender-rbac-bench-"));
  const file = path.join(dir, "tenant.db");
  try {
    if (mode === "store") new TenantStore(file).close(); // create and seed once, outside the timing
    const children = Array.from({ length: procs }, () => {
      const p = spawn(process.execPath, [__filename, "--child", mode, file, String(count)], {
        stdio: ["pipe", "pipe", "inherit"],
      });
      let out = "";
      p.stdout.on("data", (d) => (out += d));
      const ready = new Promise<void>((resolve, reject) => {
        p.stdout.on("data", () => {
          if (out.includes("ready\n")) resolve();
        });
        p.on("close", () => reject(new Error("bench child exited early")));
      });
      const done = new Promise<{ start: number; end: number }>((resolve, reject) =>
        p.on("close", (code) =>
          code === 0 ? resolve(JSON.parse(out.split("\n")[1])) : reject(new Error(`bench child failed (${code})`)),
        ),
      );
      return { p, ready, done };
    });
    await Promise.all(children.map((c) => c.ready));
    for (const c of children) c.p.stdin.end("go\n");
    const times = await Promise.all(children.map((c) => c.done));
    const start = Math.min(...times.map((t) => t.start));
    const end = Math.max(...times.map((t) => t.end));
    return (procs * count) / ((end - start) / 1000);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

// ---- report -----------------------------------------------------------------------------------

function fmt(x: number): string {
  return x >= 100 ? x.toFixed(0) : x >= 10 ? x.toFixed(1) : x.toFixed(2);
}

function printTable(headers: string[], rows: string[][]): void {
  const w = headers.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const line = (cells: string[]) => cells.map((c, i) => (i === 0 ? c.padEnd(w[i]) : c.padStart(w[i]))).join("  ");
  console.log(line(headers));
  console.log(line(w.map((n) => "-".repeat(n))));
  for (const r of rows) console.log(line(r));
}

async function main(): Promise<void> {
  const ms = Number(process.env.BENCH_MS ?? 400);
  const count = Number(process.env.BENCH_ROLES ?? 300);
  console.log(`node ${process.versions.node}, ${os.cpus().length} CPUs, ${os.platform()}`);
  console.log("");
  console.log("normalizeKeys vs baseline [...new Set(lower-cased keys)].sort() of the same keys (µs per call)");
  printTable(["N keys", "canonical", "baseline µs", "normalizeKeys µs", "ratio"], benchNormalise(ms));
  console.log("");
  console.log(
    `createRole throughput vs baseline raw node:sqlite inserts (${count} rows per process, one transaction per row, WAL, synchronous=FULL; median of ${REPEATS} runs)`,
  );
  // interleaved repetitions, median of each: fsync timings are noisy
  const runs: Record<"base" | "one" | "four", number[]> = { base: [], one: [], four: [] };
  for (let rep = 0; rep < REPEATS; rep++) {
    runs.base.push(await throughput("raw", 1, count));
    runs.one.push(await throughput("store", 1, count));
    runs.four.push(await throughput("store", 4, count));
  }
  const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
  const [base, one, four] = [median(runs.base), median(runs.one), median(runs.four)];
  printTable(
    ["case", "rows/s", "ratio to baseline"],
    [
      ["raw SQLite inserts, 1 process (baseline)", fmt(base), "1.00x"],
      ["TenantStore.createRole, 1 process", fmt(one), `${fmt(one / base)}x`],
      ["TenantStore.createRole, 4 processes", fmt(four), `${fmt(four / base)}x`],
    ],
  );
}

if (require.main === module) {
  const args = process.argv.slice(2);
  const job = args[0] === "--child" ? child(args[1], args[2], Number(args[3])) : main();
  job.catch((e) => {
    console.error(e);
    process.exit(1);
  });
}
