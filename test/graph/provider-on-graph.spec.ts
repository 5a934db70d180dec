/**
 * The provider's resources on `defender-rbac:backend graph`, pointed at the emulator with faults on:
 * UnifiedRole and RoleAssignment through check → diff → create → update → read (drift) → delete,
 * called the way the dynamic-provider shells call provider/engine.ts. Ends with no duplicates and no
 * orphans. Without the tenant's catalogue, ImportedRole from MDO fails at check on its unpublished
 * permissions; WorkloadActivation (managed through the API) fails at check with a clear message.
 */
import assert from "node:assert/strict";
import * as engine from "../../provider/engine";
import { RunningEmulator, startEmulator } from "../../provider/emulator";
import { engineOnGraph, guid } from "./helpers";

const FAULTS = {
  throttle: { every: 6, retryAfter: 0 },
  unavailable: { every: 9 },
  drop: { every: 13 },
  dropAfterWrite: { every: 4 },
  ambiguousPost: { every: 2, mode: "alternate" as const },
  lag: { ms: 60 },
};

describe("provider on the graph backend (engine → GraphBackend → emulator)", () => {
  let emu: RunningEmulator;
  let restore: () => Promise<void>;

  before(async () => {
    emu = await startEmulator({ pageSize: 3, strict: true });
    restore = await engineOnGraph(emu.url, { graphMaxRetryAfterMs: "20", graphTimeoutMs: "2000" });
  });
  after(async () => {
    await restore();
    await emu.close();
  });
  afterEach(() => emu.setFaults(null));

  it("UnifiedRole + RoleAssignment: create → update → drift → delete, with faults, leaving nothing behind", async () => {
    emu.setFaults(FAULTS);
    const roleNews = {
      displayName: "SOC tier 1",
      description: "triage",
      permissions: ["Security operations \\ Security data \\ Alerts (manage)", "microsoft.xdr/secops/*/read"],
    };
    const rc = await engine.check("UnifiedRole", {}, roleNews);
    assert.equal(rc.failures, undefined, JSON.stringify(rc.failures));
    assert.deepEqual(Object.keys(rc.inputs!.grants), [
      "microsoft.xdr/secops/*/read",
      "microsoft.xdr/secops/securitydata/alerts/manage",
    ]);
    const role = await engine.create("UnifiedRole", rc.inputs!);
    assert.equal(role.outs.backend, "graph");
    assert.equal(role.outs.roleId, role.id);
    assert.equal((await engine.diff("UnifiedRole", role.id, role.outs, rc.inputs!)).changes, false);

    const asNews = {
      roleId: role.id,
      displayName: "SOC tier 1 analysts",
      principals: [guid(1).toUpperCase(), guid(2)],
      scope: { kind: "workloads", workloads: ["endpoint", "office365"] },
    };
    const ac = await engine.check("RoleAssignment", {}, asNews);
    assert.equal(ac.failures, undefined, JSON.stringify(ac.failures));
    assert.deepEqual(ac.inputs!.appScopeIds, ["Mde", "Mdo"]);
    const assignment = await engine.create("RoleAssignment", ac.inputs!);
    assert.deepEqual(assignment.outs.principals, [guid(1), guid(2)]);

    // update both
    const roleNews2 = {
      ...roleNews,
      description: "triage and response",
      permissions: [...roleNews.permissions, "Security operations \\ Security data \\ Response (manage)"],
    };
    const rc2 = await engine.check("UnifiedRole", rc.inputs!, roleNews2);
    assert.equal((await engine.diff("UnifiedRole", role.id, role.outs, rc2.inputs!)).changes, true);
    const ru = await engine.update("UnifiedRole", role.id, role.outs, rc2.inputs!);
    assert.equal(ru.outs.description, "triage and response");
    assert.ok(ru.outs.actions.includes("microsoft.xdr/secops/securitydata/response/manage"));

    const ac2 = await engine.check("RoleAssignment", ac.inputs!, {
      ...asNews,
      principals: [guid(3)],
      scope: { kind: "all" },
    });
    const ad = await engine.diff("RoleAssignment", assignment.id, assignment.outs, ac2.inputs!);
    assert.equal(ad.changes, true);
    assert.deepEqual(ad.replaces, []);
    const au = await engine.update("RoleAssignment", assignment.id, assignment.outs, ac2.inputs!);
    assert.deepEqual(au.outs.principals, [guid(3)]);
    assert.deepEqual(au.outs.appScopeIds, ["/"]);

    // refresh with no drift keeps the user's spelling, and returns no inputs (the engine keeps the stack's)
    const r0 = await engine.read("UnifiedRole", role.id, ru.outs);
    assert.deepEqual(r0.props!.permissions, roleNews2.permissions);
    assert.equal(r0.inputs, undefined);

    // drift: someone edits the role and the assignment in the portal (directly in the store)
    await new Promise((r) => setTimeout(r, 80));
    emu.store.updateRole(role.id, {
      description: "edited in the portal",
      actions: ["microsoft.xdr/secops/securitydata/basics/read"],
    });
    emu.store.updateAssignment(assignment.id, { principalIds: [guid(9)] });
    const rr = await engine.read("UnifiedRole", role.id, ru.outs);
    assert.equal(rr.id, role.id);
    assert.equal(rr.inputs!.description, "edited in the portal");
    assert.deepEqual(Object.keys(rr.inputs!.grants), ["microsoft.xdr/secops/securitydata/basics/read"]);
    assert.equal(
      (await engine.diff("UnifiedRole", role.id, rr.props!, rc2.inputs!)).changes,
      true,
      "the drift shows as a change",
    );
    const ar = await engine.read("RoleAssignment", assignment.id, au.outs);
    assert.deepEqual(ar.inputs!.principals, [guid(9)]);
    assert.equal((await engine.diff("RoleAssignment", assignment.id, ar.props!, ac2.inputs!)).changes, true);

    // the next up puts it back
    const fixed = await engine.update("UnifiedRole", role.id, rr.props!, rc2.inputs!);
    assert.equal(fixed.outs.description, "triage and response");
    const fixedA = await engine.update("RoleAssignment", assignment.id, ar.props!, ac2.inputs!);
    assert.deepEqual(fixedA.outs.principals, [guid(3)]);
    assert.equal(emu.store.getRole(role.id)!.description, "triage and response");

    // no duplicates along the way
    assert.equal(emu.store.findRolesByName("SOC tier 1").length, 1);
    assert.equal(emu.store.listAssignments({ roleDefinitionId: role.id }).length, 1);

    // destroy: the assignment, then the role
    await engine.remove("RoleAssignment", assignment.id, fixedA.outs);
    await engine.remove("UnifiedRole", role.id, fixed.outs);
    assert.equal((await engine.read("UnifiedRole", role.id, fixed.outs)).id, "", "a deleted role reads as gone");
    assert.equal((await engine.read("RoleAssignment", assignment.id, fixedA.outs)).id, "");
    assert.equal(emu.store.findRolesByName("SOC tier 1").length, 0);
    assert.equal(emu.store.listRoles().filter((r) => !r.isBuiltIn).length, 0, "no orphaned role");
    assert.equal(emu.store.listAssignments().length, 0, "no orphaned assignment");
    const fired = emu.stats().fired;
    assert.ok(fired.ambiguousPost > 0 && fired.dropAfterWrite > 0 && fired.throttle > 0, JSON.stringify(fired));
  });

  it("adopt takes over an existing role without changing it", async () => {
    const existing = emu.store.createRole({
      displayName: "portal role",
      description: "made in the portal",
      actions: ["microsoft.xdr/configuration/system/read"],
    });
    const c = await engine.check(
      "UnifiedRole",
      {},
      {
        displayName: "portal role",
        description: "made in the portal",
        permissions: ["microsoft.xdr/configuration/system/read"],
        adopt: existing.id,
      },
    );
    assert.equal(c.failures, undefined);
    const patches = () => emu.stats().byRoute["PATCH /beta/roleManagement/defender/roleDefinitions/{id}"] ?? 0;
    const created = await engine.create("UnifiedRole", c.inputs!);
    assert.equal(created.id, existing.id);
    assert.equal(patches(), 0, "nothing was written");
    await engine.remove("UnifiedRole", created.id, created.outs);
    assert.equal(emu.store.getRole(existing.id), null);
  });

  it("permissions the tenant's catalogue cannot express fail at check, naming the way out", async () => {
    const c = await engine.check(
      "UnifiedRole",
      {},
      {
        displayName: "x",
        permissions: ["Authorization and settings \\ Security settings \\ Core security settings (read)"],
      },
    );
    assert.ok(c.failures?.length);
    assert.match(c.failures![0].reason, /no published Graph action string/);
  });

  it("ImportedRole from MDO maps on Graph; without the tenant's catalogue its unpublished permissions fail at check", async () => {
    const c = await engine.check("ImportedRole", {}, { source: "mdo", role: "Security reader" });
    const reasons = (c.failures ?? []).map((f) => f.reason).join("\n");
    assert.equal(c.failures?.length, 2, reasons);
    assert.match(
      reasons,
      /"Security operations \\ Raw data \(Email & collaboration\) \\ Email & collaboration metadata \(read\)" has no published Graph action string/,
    );
    assert.match(reasons, /Core security settings \(read\)" has no published Graph action string/);
    assert.match(reasons, /defender-rbac catalog --backend graph/);
  });

  it("WorkloadActivation fails at check: Graph has no activation API", async () => {
    const c = await engine.check("WorkloadActivation", {}, { workload: "endpoint", active: true });
    assert.ok(c.failures?.length);
    assert.equal(c.failures![0].property, "workload");
    assert.match(c.failures![0].reason, /the "graph" backend cannot change Unified RBAC activation/);
    assert.match(c.failures![0].reason, /Settings > Microsoft Defender XDR > Permissions and roles/);
    assert.match(c.failures![0].reason, /managedIn: "portal"/);
  });
});
