/**
 * kill -9 of `pulumi up` while it creates: once the CLI is dead, the dynamic-provider process must stop
 * (no object may be created after the kill) and must not linger. With `recover`, the scenario then
 * runs what the README tells users to run (`pulumi cancel`, `pulumi refresh`, `pulumi up`) and audits
 * the tenant against state.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { TenantStore } from "../../../provider/backend/store";
import { RunningEmulator, startEmulator } from "../../../provider/emulator";
import { auditInto, declared, rolesProgram } from "../audit";
import { StackCli, providerProcesses, sleep } from "../cli";
import { Figures, Scenario, SuiteContext, figures, tally } from "../scenario";

const customCount = (store: TenantStore) =>
  store.listRoles().filter((r) => !r.isBuiltIn).length + store.listAssignments().length;

/** Objects the store recorded as created after `since` (its own timestamps, so no event-loop delay counts). */
function createdSince(file: string, since: Date): number {
  const { DatabaseSync } = require("node:sqlite") as typeof import("node:sqlite");
  const db = new DatabaseSync(file, { readOnly: true });
  try {
    const iso = since.toISOString();
    const n = (sql: string) => (db.prepare(sql).get(iso) as { n: number }).n;
    return (
      n("SELECT count(*) AS n FROM roles WHERE is_built_in = 0 AND created_at > ?") +
      n("SELECT count(*) AS n FROM assignments WHERE created_at > ?")
    );
  } finally {
    db.close();
  }
}

/** A request already on the wire when the CLI died may still land this long after the kill. */
const IN_FLIGHT_MS = 250;

interface KillOptions {
  backend: "graph" | "local";
  /** Kill once this many objects exist. */
  after: number;
  count: number;
  /**
   * What runs after the kill: nothing; the README's `pulumi cancel`, `pulumi refresh`, `pulumi up`; or
   * `pulumi cancel`, `pulumi refresh --clear-pending-creates`, `pulumi up`.
   */
  recover: false | "refresh" | "clear-pending";
}

async function killDuringUp(ctx: SuiteContext, o: KillOptions): Promise<Figures> {
  const f = figures();
  const dir = path.join(ctx.workDir, `kill-${o.backend}-${o.after}-${o.recover || "none"}`);
  const prefix = `Kill ${o.backend}`;
  StackCli.writeProgram(dir, `kill-${o.backend}`, rolesProgram(prefix));
  let emu: RunningEmulator | undefined;
  let store: TenantStore;
  const config: Record<string, string> = { [`kill-${o.backend}:count`]: String(o.count) };
  const env: Record<string, string> = {};
  if (o.backend === "graph") {
    // creates answered slowly and POSTs throttled with a Retry-After: each create spends seconds in the provider
    emu = await startEmulator({
      store: path.join(dir, "graph-tenant.db"),
      faults: "throttle:every=2,retryAfter=2,methods=POST;slow:every=1,ms=300;seed=3",
    });
    store = emu.store;
    Object.assign(config, {
      "defender-rbac:backend": "graph",
      "defender-rbac:graphUrl": emu.url,
      "defender-rbac:graphRetryBaseMs": "50",
    });
    env.DEFENDER_RBAC_GRAPH_TOKEN = "reliability-token";
  } else {
    config["defender-rbac:storePath"] = "tenant.db";
    store = new TenantStore(path.join(dir, "tenant.db"));
  }
  const cli = new StackCli(dir, "kill", ctx.project, path.join(ctx.workDir, "state"), env);
  try {
    await cli.init(config);
    const up = cli.start(["up", "--yes", "--skip-preview"]);
    const deadline = Date.now() + 120_000;
    while (customCount(store) < o.after && Date.now() < deadline && up.child.exitCode === null) await sleep(20);
    up.child.kill("SIGKILL");
    const killedAt = Date.now();
    const atKill = customCount(store);
    await up.done;
    await sleep(4000);
    const later = customCount(store);
    const after = createdSince(store.file, new Date(killedAt + IN_FLIGHT_MS));
    tally(f, after === 0, `${after} object(s) created more than ${IN_FLIGHT_MS} ms after the CLI was killed`);
    const alive = providerProcesses(dir);
    tally(f, alive.length === 0, `dynamic-provider process(es) ${alive.join(", ")} still running 4 s after the kill`);
    for (const pid of alive) process.kill(pid, "SIGKILL"); // started by this scenario's CLI
    ctx.log(`  killed at ${atKill} objects; ${later} after 4 s; ${alive.length} provider process(es) left`);
    const cut = cli.repairCutSidecars();
    if (cut.length)
      ctx.log(`  the kill cut the state backend's metadata sidecar(s) ${cut.join(", ")}: removed, as the README says`);
    if (o.recover) {
      if (emu) emu.setFaults(null);
      await cli.run(["cancel", "--yes"], 60_000);
      const refresh =
        o.recover === "clear-pending"
          ? await cli.run(["refresh", "--yes", "--skip-preview", "--clear-pending-creates"])
          : await cli.refresh();
      const steps = [refresh, await cli.up()];
      tally(
        f,
        steps.every((s) => s.code === 0),
        `recovery (cancel, ${o.recover === "clear-pending" ? "refresh --clear-pending-creates" : "refresh"}, up) failed: ${steps.map((s) => s.out.slice(-400)).join(" | ")}`,
      );
      if (!(await auditInto(f, cli, store, declared(prefix, o.count)))) {
        f.mismatches++;
        f.notes.push("the preview after recovery is not a no-change one");
      }
    }
    if (emu) f.faults = Object.values(emu.stats().fired).reduce((a, b) => a + b, 0);
    await cli.run(["destroy", "--yes", "--skip-preview"], 180_000);
  } finally {
    if (emu) await emu.close();
    else store.close();
  }
  return f;
}

/**
 * A kill can cut the `file://` backend's metadata sidecar (see `StackCli.repairCutSidecars`); the kills
 * above only sometimes land in that window, so this scenario cuts it on purpose: the README says what
 * Pulumi then prints and how to repair it, and both must stay true.
 */
async function cutSidecar(ctx: SuiteContext): Promise<Figures> {
  const f = figures();
  const dir = path.join(ctx.workDir, "cut-sidecar");
  StackCli.writeProgram(dir, "cut-sidecar", rolesProgram("Cut sidecar"));
  const store = new TenantStore(path.join(dir, "tenant.db"));
  const cli = new StackCli(dir, "cut", ctx.project, path.join(ctx.workDir, "state"));
  try {
    await cli.init({ "cut-sidecar:count": "2", "defender-rbac:storePath": "tenant.db" });
    await cli.must(["up", "--yes", "--skip-preview"]);
    const sidecar = path.join(cli.stateDir, ".pulumi", "stacks", "cut-sidecar", "cut.json.attrs");
    fs.writeFileSync(sidecar, "");
    const broken = await cli.run(["preview"]);
    tally(
      f,
      broken.code !== 0 && broken.out.includes("failed to load checkpoint: EOF"),
      `with the sidecar cut, pulumi no longer fails as the README says (exit ${broken.code}): ${broken.out.slice(-300)}`,
    );
    const removed = cli.repairCutSidecars();
    tally(f, removed.length === 1, `the repair removed ${removed.length} sidecar(s), not the one cut`);
    if (!(await auditInto(f, cli, store, declared("Cut sidecar", 2)))) {
      f.mismatches++;
      f.notes.push("after the repair, the preview is not a no-change one");
    }
    await cli.run(["destroy", "--yes", "--skip-preview"], 180_000);
  } finally {
    store.close();
  }
  return f;
}

export const killScenarios: Scenario[] = [
  {
    name: "a kill that cuts the file backend's metadata sidecar: the README's repair recovers",
    quick: true,
    run: cutSidecar,
  },
  {
    name: "kill -9 of up, graph (throttled, slow creates): the provider stops",
    quick: true,
    run: (ctx) => killDuringUp(ctx, { backend: "graph", after: 3, count: 10, recover: false }),
  },
  {
    name: "kill -9 of up, local, after the first object, then cancel, refresh, up",
    quick: true,
    run: (ctx) => killDuringUp(ctx, { backend: "local", after: 1, count: 20, recover: "refresh" }),
  },
  {
    name: "kill -9 of up, graph, after the first object, then cancel, refresh, up",
    run: (ctx) => killDuringUp(ctx, { backend: "graph", after: 1, count: 10, recover: "refresh" }),
  },
  {
    name: "kill -9 of up, graph, midway, then cancel, refresh, up",
    run: (ctx) => killDuringUp(ctx, { backend: "graph", after: 4, count: 10, recover: "refresh" }),
  },
  {
    name: "kill -9 of up, graph, midway, then cancel, refresh --clear-pending-creates, up",
    run: (ctx) => killDuringUp(ctx, { backend: "graph", after: 6, count: 10, recover: "clear-pending" }),
  },
  {
    name: "kill -9 of up, local, midway, then cancel, refresh, up",
    run: (ctx) => killDuringUp(ctx, { backend: "local", after: 6, count: 40, recover: "refresh" }),
  },
  {
    name: "kill -9 of up, local, late, then cancel, refresh --clear-pending-creates, up",
    run: (ctx) => killDuringUp(ctx, { backend: "local", after: 30, count: 40, recover: "clear-pending" }),
  },
];
