/**
 * The module structure README.md promises: provider/ has no import cycle, provider/core/ is pure
 * (no IO, no Pulumi, nothing outside core but the few pure packages below), and provider/cli/ never
 * reaches into provider/handlers/; and no provider source file outgrows LINE_BUDGET lines (one concept a
 * file: a file past it is cut along its seams). Imports are read from the TypeScript sources with the compiler's
 * own pre-processor (static imports, `export … from`, `import type`, `require(…)` and `import(…)`),
 * so a lazy `require` counts as much as a top-level import.
 */
import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import ts from "typescript";

const ROOT = path.resolve(__dirname, "..", "..", "..");
const PROVIDER = path.join(ROOT, "provider");

/** The most lines a provider source file may have. */
const LINE_BUDGET = 450;

/** Bare packages core may import: pure computation only. */
const CORE_PACKAGES = new Set(["zod"]);

type Graph = Map<string, { relative: string[]; bare: string[] }>;

function sourcesUnder(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) return sourcesUnder(p);
    return e.name.endsWith(".ts") && !e.name.endsWith(".d.ts") ? [p] : [];
  });
}

/** The file a relative specifier names (`./x` → x.ts or x/index.ts), or the bare path when nothing matches. */
function resolve(from: string, spec: string, files: Set<string>): string {
  const base = path.resolve(path.dirname(from), spec);
  const hit = [base, `${base}.ts`, path.join(base, "index.ts")].find((c) => files.has(c));
  return hit ?? base;
}

/** Imports of each file, keyed by absolute path; `texts` maps file → source text. */
function importGraph(texts: Map<string, string>): Graph {
  const files = new Set(texts.keys());
  const graph: Graph = new Map();
  for (const [file, text] of texts) {
    const specs = ts.preProcessFile(text, true, true).importedFiles.map((f) => f.fileName);
    graph.set(file, {
      relative: specs.filter((s) => s.startsWith(".")).map((s) => resolve(file, s, files)),
      bare: specs.filter((s) => !s.startsWith(".")),
    });
  }
  return graph;
}

/** Every import cycle (Tarjan's strongly connected components of two or more files, or a file importing itself). */
function cycles(graph: Graph): string[][] {
  let index = 0;
  const idx = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const found: string[][] = [];
  const visit = (v: string) => {
    idx.set(v, index);
    low.set(v, index++);
    stack.push(v);
    onStack.add(v);
    for (const w of graph.get(v)?.relative ?? []) {
      if (!graph.has(w)) continue;
      if (!idx.has(w)) {
        visit(w);
        low.set(v, Math.min(low.get(v)!, low.get(w)!));
      } else if (onStack.has(w)) low.set(v, Math.min(low.get(v)!, idx.get(w)!));
    }
    if (low.get(v) === idx.get(v)) {
      const scc: string[] = [];
      let w: string;
      do {
        w = stack.pop()!;
        onStack.delete(w);
        scc.push(w);
      } while (w !== v);
      if (scc.length > 1 || graph.get(v)!.relative.includes(v)) found.push(scc.sort());
    }
  };
  for (const v of [...graph.keys()].sort()) if (!idx.has(v)) visit(v);
  return found;
}

/** Imports of files under `dir` that break `allowed`, as "file → import" lines. */
function violations(graph: Graph, dir: string, allowed: (target: string, bare: boolean) => boolean): string[] {
  const out: string[] = [];
  for (const [file, { relative, bare }] of graph) {
    if (!file.startsWith(dir + path.sep)) continue;
    const rel = (p: string) => path.relative(ROOT, p);
    for (const t of relative) if (!allowed(t, false)) out.push(`${rel(file)} → ${rel(t)}`);
    for (const b of bare) if (!allowed(b, true)) out.push(`${rel(file)} → ${b}`);
  }
  return out.sort();
}

const inside = (dir: string) => (p: string) => p === dir || p.startsWith(dir + path.sep);

const coreAllows = (t: string, bare: boolean) => (bare ? CORE_PACKAGES.has(t) : inside(path.join(PROVIDER, "core"))(t));
const cliAllows = (t: string, bare: boolean) => bare || !inside(path.join(PROVIDER, "handlers"))(t);

/** Files of `texts` longer than `budget` lines, as "file: N lines". */
function overBudget(texts: Map<string, string>, budget: number): string[] {
  return [...texts]
    .map(
      ([file, text]) => [path.relative(ROOT, file), text.split("\n").length - (text.endsWith("\n") ? 1 : 0)] as const,
    )
    .filter(([, lines]) => lines > budget)
    .map(([file, lines]) => `${file}: ${lines} lines`)
    .sort();
}

function providerTexts(): Map<string, string> {
  return new Map(sourcesUnder(PROVIDER).map((f) => [f, fs.readFileSync(f, "utf8")]));
}

function providerGraph(): Graph {
  return importGraph(providerTexts());
}

describe("module structure of provider/", () => {
  const graph = providerGraph();

  it("reads the imports of every provider source file", () => {
    assert.ok(graph.size > 30, `only ${graph.size} files found under ${PROVIDER}`);
    const program = graph.get(path.join(PROVIDER, "cli", "program.ts"));
    assert.ok(program?.relative.includes(path.join(PROVIDER, "cli", "io.ts")), "cli/program.ts imports cli/io.ts");
  });

  it("has no import cycle", () => {
    const found = cycles(graph).map((c) => c.map((f) => path.relative(ROOT, f)).join(" ↔ "));
    assert.deepEqual(found, [], `import cycles:\n  ${found.join("\n  ")}`);
  });

  it("keeps provider/core pure: it imports only core modules and pure packages (no IO, no Pulumi)", () => {
    const bad = violations(graph, path.join(PROVIDER, "core"), coreAllows);
    assert.deepEqual(bad, [], `provider/core must not import:\n  ${bad.join("\n  ")}`);
  });

  it("keeps provider/cli away from provider/handlers", () => {
    const bad = violations(graph, path.join(PROVIDER, "cli"), cliAllows);
    assert.deepEqual(bad, [], `provider/cli must not import:\n  ${bad.join("\n  ")}`);
  });

  it(`keeps every provider source file within ${LINE_BUDGET} lines (cut a longer one along its seams)`, () => {
    const over = overBudget(providerTexts(), LINE_BUDGET);
    assert.deepEqual(over, [], `over the line budget:\n  ${over.join("\n  ")}`);
  });
});

describe("the structure checks themselves", () => {
  const p = (f: string) => path.join(PROVIDER, f);
  const fake = (files: Record<string, string>) =>
    importGraph(new Map(Object.entries(files).map(([f, t]) => [p(f), t])));

  it("find a cycle through a lazy require and a type-only import, and none in a chain", () => {
    const g = fake({
      "cli/a.ts": `import { b } from "./b";`,
      "cli/b.ts": `import type { C } from "../core/c";`,
      "core/c.ts": `export const c = () => require("../cli/a");`,
      "core/d.ts": `import { c } from "./c";`,
    });
    assert.deepEqual(cycles(g), [[p("cli/a.ts"), p("cli/b.ts"), p("core/c.ts")]]);
    assert.deepEqual(cycles(fake({ "a.ts": `import "./b";`, "b.ts": `import "./c/index";`, "c/index.ts": "" })), []);
  });

  it("flag IO, Pulumi and out-of-core imports in core, and handlers in cli", () => {
    const g = fake({
      "core/x.ts": [
        `import * as fs from "node:fs";`,
        `import * as pulumi from "@pulumi/pulumi";`,
        `import { Backend } from "../backend/backend";`,
        `import { z } from "zod";`,
        `import { y } from "./y";`,
      ].join("\n"),
      "core/y.ts": "",
      "cli/z.ts": `import { labelsFor } from "../handlers/permissions";`,
    });
    assert.deepEqual(violations(g, p("core"), coreAllows), [
      "provider/core/x.ts → @pulumi/pulumi",
      "provider/core/x.ts → node:fs",
      "provider/core/x.ts → provider/backend/backend",
    ]);
    assert.deepEqual(violations(g, p("cli"), cliAllows), ["provider/cli/z.ts → provider/handlers/permissions"]);
  });

  it("count a file's lines against the budget, a final newline not being a line", () => {
    const texts = new Map([
      [p("a.ts"), "1\n2\n3\n"],
      [p("b.ts"), "1\n2\n3\n4"],
      [p("c.ts"), "1\n2"],
    ]);
    assert.deepEqual(overBudget(texts, 3), ["provider/b.ts: 4 lines"]);
    assert.deepEqual(overBudget(texts, 2), ["provider/a.ts: 3 lines", "provider/b.ts: 4 lines"]);
  });
});
