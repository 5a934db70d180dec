/**
 * `npm run reliability`: runs every scenario (or those whose name contains an argument), prints
 * progress to stderr and the figures as a Markdown table to stdout, and exits non-zero when any
 * scenario failed a case or left a duplicate, an orphan or a mismatch. `--quick` runs the npm test subset.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { tarballProject } from "../e2e/project";
import { ScenarioResult, clean, runScenario, table } from "./scenario";
import { SCENARIOS } from "./scenarios";

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  const quick = args.includes("--quick");
  const names = args.filter((a) => !a.startsWith("--"));
  const chosen = SCENARIOS.filter(
    (s) => (!quick || s.quick) && (names.length === 0 || names.some((n) => s.name.includes(n))),
  );
  process.stderr.write(`reliability: preparing the project (npm pack + install)\n`);
  const project = tarballProject();
  const results: ScenarioResult[] = [];
  for (const [i, s] of chosen.entries()) {
    process.stderr.write(`reliability: ${s.name}\n`);
    const workDir = path.join(project.dir, "reliability", `s${i}`);
    fs.mkdirSync(workDir, { recursive: true });
    const r = await runScenario(s, { project, workDir, log: (l) => process.stderr.write(`${l}\n`) });
    for (const n of r.notes) process.stderr.write(`  note: ${n}\n`);
    results.push(r);
  }
  process.stdout.write(`${table(results)}\n`);
  process.exitCode = results.every(clean) ? 0 : 1;
}

main().catch((e) => {
  process.stderr.write(`${(e as Error).stack ?? e}\n`);
  process.exitCode = 1;
});
