/**
 * The reliability suite: named scenarios, each a bounded run against the real `pulumi` CLI (and the
 * shipped emulator) that returns its figures: cases tried / held / failed, faults fired, and the
 * duplicates, orphans and state/tenant mismatches left when it ended. `npm run reliability` runs them
 * all and prints the table (main.ts); `npm test` runs the `quick` ones (reliability.spec.ts).
 *
 * To add a scenario: write a `Scenario` (a name and a `run` returning `Figures`), add it to the list
 * of its file, and list that file in scenarios/index.ts. A case "held" when what users rely on held
 * (a clear one-line error, no write after the CLI died, ...); `failed` counts the others, and each
 * failure says why in `notes`.
 */
import type { Project } from "../e2e/project";

export interface Figures {
  /** Cases (configs, kills, probes, runs) the scenario tried. */
  tried: number;
  /** Cases where the property held. */
  held: number;
  /** Faults the emulator injected. */
  faults: number;
  /** Objects in the tenant that repeat one the program declares once. */
  duplicates: number;
  /** Objects the program declares that are in the tenant but not in state. */
  orphans: number;
  /** Resources whose state and tenant disagree (in state, not in the tenant; or a final preview that is not a no-change one). */
  mismatches: number;
  /** One line per failed case: what was expected and what happened. */
  notes: string[];
}

export interface SuiteContext {
  project: Project;
  /** Directory for this scenario's programs and stores. */
  workDir: string;
  /** Progress lines (stderr in `npm run reliability`; silent under mocha unless RELIABILITY_VERBOSE). */
  log(line: string): void;
}

export interface Scenario {
  name: string;
  /** Part of the `npm test` subset (keep it short). */
  quick?: boolean;
  run(ctx: SuiteContext): Promise<Figures>;
}

export function figures(partial: Partial<Figures> = {}): Figures {
  return { tried: 0, held: 0, faults: 0, duplicates: 0, orphans: 0, mismatches: 0, notes: [], ...partial };
}

/** Records one case: held when `ok`, else a note. */
export function tally(f: Figures, ok: boolean, note: string): void {
  f.tried++;
  if (ok) f.held++;
  else f.notes.push(note);
}

export interface ScenarioResult extends Figures {
  name: string;
  seconds: number;
  error?: string;
}

export async function runScenario(s: Scenario, ctx: SuiteContext): Promise<ScenarioResult> {
  const t0 = Date.now();
  try {
    const f = await s.run(ctx);
    return { name: s.name, ...f, seconds: (Date.now() - t0) / 1000 };
  } catch (e) {
    const f = figures({ tried: 1, notes: [`scenario threw: ${(e as Error).stack ?? e}`] });
    return { name: s.name, ...f, seconds: (Date.now() - t0) / 1000, error: (e as Error).message };
  }
}

/** True when a result shows nothing wrong. */
export function clean(r: ScenarioResult): boolean {
  return !r.error && r.held === r.tried && r.duplicates === 0 && r.orphans === 0 && r.mismatches === 0;
}

/** The figures as a Markdown table (one row per scenario, then the totals). */
export function table(results: ScenarioResult[]): string {
  const head = ["scenario", "tried", "held", "failed", "faults fired", "duplicates", "orphans", "mismatches", "s"];
  const row = (r: Omit<ScenarioResult, "notes">) => [
    r.name,
    r.tried,
    r.held,
    r.tried - r.held,
    r.faults,
    r.duplicates,
    r.orphans,
    r.mismatches,
    r.seconds.toFixed(0),
  ];
  const sum = (k: keyof Figures) => results.reduce((a, r) => a + (r[k] as number), 0);
  const total = {
    name: "total",
    tried: sum("tried"),
    held: sum("held"),
    faults: sum("faults"),
    duplicates: sum("duplicates"),
    orphans: sum("orphans"),
    mismatches: sum("mismatches"),
    seconds: results.reduce((a, r) => a + r.seconds, 0),
  };
  const rows = [head, ...results.map(row), row(total)].map((cells) => `| ${cells.join(" | ")} |`);
  rows.splice(1, 0, `|${head.map((_, i) => (i === 0 ? "---" : "---:")).join("|")}|`);
  return rows.join("\n");
}
