/**
 * The harsh fault mix against the graph backend: POSTs that create their object but answer 500 (p=0.5),
 * 3 s of read-after-write lag, slow answers past a 2 s client timeout, dropped connections and
 * throttling, through three `pulumi up`s (each may fail). Then the faults stop and the user's recovery
 * runs (`pulumi refresh`, `pulumi up`); the tenant must hold each declared object once, all in state,
 * and a preview must show no change.
 */
import * as path from "node:path";
import { startEmulator } from "../../../provider/emulator";
import { auditInto, declared, rolesProgram } from "../audit";
import { StackCli } from "../cli";
import { Figures, Scenario, SuiteContext, figures, tally } from "../scenario";

const HARSH =
  "ambiguousPost:p=0.5,mode=500;lag:ms=3000;slow:p=0.15,ms=2500;drop:p=0.05;throttle:p=0.1,retryAfter=1;unavailable:p=0.05;seed=11";

async function harshMix(ctx: SuiteContext, count: number, ups: number): Promise<Figures> {
  const f = figures();
  const name = "harsh";
  const dir = path.join(ctx.workDir, name);
  const prefix = "Harsh";
  StackCli.writeProgram(dir, name, rolesProgram(prefix));
  const emu = await startEmulator({ store: path.join(dir, "graph-tenant.db"), faults: HARSH });
  const cli = new StackCli(dir, "harsh", ctx.project, path.join(ctx.workDir, "state"), {
    DEFENDER_RBAC_GRAPH_TOKEN: "reliability-token",
  });
  try {
    emu.setFaults(null);
    await cli.init({
      [`${name}:count`]: String(count),
      "defender-rbac:backend": "graph",
      "defender-rbac:graphUrl": emu.url,
      "defender-rbac:graphTimeoutMs": "2000",
      "defender-rbac:graphRetryBaseMs": "100",
    });
    emu.setFaults(HARSH);
    for (let i = 0; i < ups; i++) {
      const r = await cli.up();
      ctx.log(`  up ${i + 1} under faults: ${r.code === 0 ? "succeeded" : "failed"}`);
    }
    const fired = emu.stats().fired;
    f.faults = Object.values(fired).reduce((a, b) => a + b, 0);
    emu.setFaults(null);
    const refresh = await cli.refresh();
    const up = await cli.up();
    tally(
      f,
      refresh.code === 0 && up.code === 0,
      `recovery failed: ${refresh.out.slice(-300)} | ${up.out.slice(-300)}`,
    );
    const settled = await auditInto(f, cli, emu.store, declared(prefix, count));
    tally(f, settled, "the preview after recovery is not a no-change one");
    await cli.run(["destroy", "--yes", "--skip-preview"]);
  } finally {
    await emu.close();
  }
  return f;
}

export const faultScenarios: Scenario[] = [
  {
    name: "harsh fault mix, graph: 3 ups under faults, then refresh and up (5 roles, 5 assignments)",
    run: (ctx) => harshMix(ctx, 5, 3),
  },
];
