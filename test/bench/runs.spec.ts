/**
 * Smoke run of the run benchmark (`npm run bench`) at a tiny size: the real CLI on both generated
 * programs, every phase, and the report it prints. Nothing here is timed: the figures are checked to be
 * printed (a row per phase, ratios, memory, CPU, state bytes), never compared with a bound.
 */
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { packageRoot } from "../harness/program";
import { parseArgs, runOrder } from "./runs.bench";

function bench(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [path.join(__dirname, "runs.bench.js"), ...args], {
      cwd: packageRoot(),
      stdio: ["ignore", "pipe", "pipe"],
    });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d) => (stdout += d));
    child.stderr.on("data", (d) => (stderr += d));
    child.on("error", reject);
    child.on("close", (code) => resolve({ code: code ?? 1, stdout, stderr }));
  });
}

describe("run benchmark (npm run bench)", () => {
  it("runs the phases in lifecycle order whatever order --phases gives, up first and destroy last", () => {
    assert.deepEqual(runOrder(["refresh", "preview"]), ["up", "preview", "refresh", "destroy"]);
    assert.deepEqual(runOrder(parseArgs(["--phases", "preview,edit,refresh,up"]).phases), [
      "up",
      "preview",
      "edit",
      "refresh",
      "destroy",
    ]);
    assert.throws(() => parseArgs(["--phases", "deploy"]), /unknown phase "deploy"/);
  });

  it("takes its options from `npm run bench -- …` and refuses an argument it does not know, naming it", () => {
    // npm forwards a script's arguments only after `--`: the script that re-runs npm under Node 22 must pass one on
    const scripts = JSON.parse(fs.readFileSync(path.join(packageRoot(), "package.json"), "utf8")).scripts;
    assert.match(scripts.bench, /npm run bench:run --$/);
    assert.deepEqual(
      [parseArgs(["--roles", "5", "--keep", "--no-graph"])].map((o) => [o.roles, o.assignments, o.keep, o.graph]),
      [[5, 10, true, false]],
    );
    // what npm left when the `--` was missing: bare words, once silently ignored (the defaults ran instead)
    assert.throws(() => parseArgs(["500", "1000"]), /^Error: Unexpected argument '500'.*npm run bench -- --roles/);
    assert.throws(() => parseArgs(["--rols", "5"]), /^Error: Unknown option '--rols'/);
    assert.throws(() => parseArgs(["--roles", ""]), /--roles must be a whole number, not ""/);
  });

  it("prints its table at a tiny size: a row per phase with ratios, memory, CPU time, and the state's bytes", async function () {
    this.timeout(15 * 60 * 1000);
    // the phases out of order on purpose: the bench must still start with up
    const r = await bench(["--roles", "2", "--assignments", "2", "--pairs", "1", "--phases", "refresh,preview,edit"]);
    assert.equal(r.code, 0, `bench failed:\n${r.stdout}\n${r.stderr}`);
    const out = r.stdout;
    const runs = out.slice(0, out.indexOf("Graph requests"));
    assert.match(out, /^2 roles \+ 2 assignments, median of 1 interleaved runs \(project \/ floor\)$/m);
    assert.match(
      out,
      /^\| phase +\| project s +\| floor s +\| ratio +\| pair ratios +\| provider MiB +\| program MiB /m,
    );
    const num = String.raw`\d+\.\d+`;
    for (const label of ["preview, no change", "preview after an edit", "refresh"]) {
      const row = runs.split("\n").find((l) => l.startsWith(`| ${label} `));
      assert.ok(row, `no row for ${label}:\n${out}`);
      const cells = row!.split("|").map((c) => c.trim());
      assert.match(cells[2], new RegExp(`^${num}$`), `${label}: project seconds`);
      assert.match(cells[3], new RegExp(`^${num}$`), `${label}: floor seconds`);
      assert.match(cells[4], new RegExp(`^${num}×$`), `${label}: time ratio`);
      assert.match(cells[6], /^\d+ \/ \d+$/, `${label}: provider MiB`);
      assert.match(cells[9], new RegExp(`^${num} / ${num}$`), `${label}: provider CPU`);
      assert.match(cells[10], new RegExp(`^${num}×$`), `${label}: CPU ratio`);
      assert.ok(Number(cells[6].split(" / ")[0]) > 0, `${label}: the provider's peak memory was recorded`);
    }
    assert.ok(!runs.split("\n").some((l) => l.startsWith("| up ")), "only the phases asked for are reported");
    assert.match(out, /^project: \d+ bytes per resource in state \(\d+\.\d+× the floor's \d+\), __provider \d+/m);
    assert.match(out, /^machine: .* load \d/m);
    // the Graph request budget of the same run, on the emulator
    assert.match(out, /^Graph requests against the emulator \(page size 100\), 2 roles \+ 2 assignments:$/m);
    assert.match(out, /^\| preview, no change +\| 1 +\| /m, "a no-change preview reads only the catalogue");
  });

  it("--floor state: the floor's program runs through the CLI with a state as large as this package's, and the table says which floor", async function () {
    this.timeout(10 * 60 * 1000);
    const r = await bench([
      "--roles",
      "2",
      "--assignments",
      "2",
      "--pairs",
      "1",
      "--phases",
      "refresh",
      "--no-graph",
      "--floor",
      "state",
    ]);
    assert.equal(r.code, 0, `bench failed:\n${r.stdout}\n${r.stderr}`);
    assert.match(r.stdout, /^2 roles \+ 2 assignments, median of 1 interleaved runs \(project \/ floor-state\)$/m);
    assert.match(r.stdout, /^\| refresh +\| \d+\.\d+ +\| \d+\.\d+ +\| \d+\.\d+× /m);
    // the same content: the bytes differ only by the serialized provider and the type names in the markers
    // (a floor that carried its content table in its serialized provider measured 0.39× here)
    const size = /^project: (\d+) bytes per resource in state \((\d+\.\d+)× the floor's (\d+)\)/m.exec(r.stdout);
    assert.ok(size, r.stdout);
    assert.ok(Number(size[2]) >= 0.95 && Number(size[2]) <= 1.25, `state bytes: project ${size[1]}, floor ${size[3]}`);
  });
});
