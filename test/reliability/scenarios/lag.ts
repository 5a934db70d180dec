/**
 * Refresh right after up under read-after-write lag (the emulator answers 404 to a GET of a new object
 * for `lagMs`): refresh must not drop anything from state, the next up must create nothing, and the
 * preview after it must show no change.
 */
import * as path from "node:path";
import { startEmulator } from "../../../provider/emulator";
import { auditInto, declared, rolesProgram } from "../audit";
import { StackCli } from "../cli";
import { Figures, Scenario, SuiteContext, figures, tally } from "../scenario";

async function refreshUnderLag(ctx: SuiteContext, lagMs: number, count: number): Promise<Figures> {
  const f = figures();
  const name = `lag-${lagMs}`;
  const dir = path.join(ctx.workDir, name);
  const prefix = `Lag ${lagMs}`;
  StackCli.writeProgram(dir, name, rolesProgram(prefix));
  const emu = await startEmulator({ store: path.join(dir, "graph-tenant.db") });
  const cli = new StackCli(dir, "lag", ctx.project, path.join(ctx.workDir, "state"), {
    DEFENDER_RBAC_GRAPH_TOKEN: "reliability-token",
  });
  try {
    await cli.init({
      [`${name}:count`]: String(count),
      "defender-rbac:backend": "graph",
      "defender-rbac:graphUrl": emu.url,
    });
    emu.setFaults({ lag: { ms: lagMs } });
    const up = await cli.up();
    tally(f, up.code === 0, `up failed: ${up.out.slice(-600)}`);
    const refresh = await cli.refresh(); // right away: every object is still inside its lag
    tally(f, refresh.code === 0, `refresh failed: ${refresh.out.slice(-600)}`);
    const inState = (await cli.state()).filter((r) => r.type.startsWith("pulumi-nodejs:dynamic/defender-rbac:"));
    tally(f, inState.length === 2 * count, `refresh dropped ${2 * count - inState.length} of ${2 * count} resources`);
    const again = await cli.up();
    tally(f, again.code === 0, `the up after refresh failed: ${again.out.slice(-600)}`);
    if (!(await auditInto(f, cli, emu.store, declared(prefix, count)))) {
      f.mismatches++;
      f.notes.push("the preview after refresh and up is not a no-change one");
    }
    f.faults = Object.values(emu.stats().fired).reduce((x, y) => x + y, 0);
    emu.setFaults(null);
    await cli.run(["destroy", "--yes", "--skip-preview"]);
  } finally {
    await emu.close();
  }
  return f;
}

export const lagScenarios: Scenario[] = [
  {
    name: "refresh right after up, 5 s read-after-write lag (5 roles, 5 assignments)",
    run: (ctx) => refreshUnderLag(ctx, 5000, 5),
  },
  {
    name: "refresh right after up, 15 s read-after-write lag (5 roles, 5 assignments)",
    run: (ctx) => refreshUnderLag(ctx, 15000, 5),
  },
];
