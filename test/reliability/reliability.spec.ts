/**
 * The `npm test` subset of the reliability suite (scenarios marked `quick`), through the real CLI:
 * each must hold every case and leave no duplicate, orphan or mismatch. `npm run reliability` runs all.
 */
import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import { Project, tarballProject } from "../e2e/project";
import { clean, runScenario, table } from "./scenario";
import { SCENARIOS } from "./scenarios";

describe("reliability suite (quick subset, real pulumi CLI)", function () {
  this.timeout(10 * 60 * 1000);
  let project: Project;

  before(function () {
    this.timeout(60 * 60 * 1000); // a cold CLI build happens here when nothing is cached
    project = tarballProject();
  });

  for (const [i, s] of SCENARIOS.filter((x) => x.quick).entries()) {
    it(s.name, async () => {
      const workDir = path.join(project.dir, "reliability-quick", `s${i}`);
      fs.mkdirSync(workDir, { recursive: true });
      const r = await runScenario(s, {
        project,
        workDir,
        log: (l) => (process.env.RELIABILITY_VERBOSE ? process.stderr.write(`${l}\n`) : undefined),
      });
      assert.ok(clean(r), `${table([r])}\n${r.notes.join("\n")}`);
    });
  }
});
