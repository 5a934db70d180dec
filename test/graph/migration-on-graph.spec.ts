/**
 * The migration path on the graph backend (engine → GraphBackend → emulator with the recorded catalogue
 * fixture, faults on): EOP role groups and MDE roles given by permissions are imported from Microsoft's
 * fixed mapping, re-running from empty state never duplicates an import, what Graph cannot read fails at
 * preview naming the property and the alternative, and a portal-managed activation runs its checks
 * against the tenant without switching anything.
 */
import assert from "node:assert/strict";
import * as engine from "../../provider/engine";
import { RunningEmulator, startEmulator } from "../../provider/emulator";
import { FIXTURE_CATALOGUE } from "../provider/targets";
import { engineOnGraph } from "./helpers";

const FAULTS = {
  throttle: { every: 5, retryAfter: 0 },
  ambiguousPost: { every: 2, mode: "redirect" as const },
  lag: { ms: 40 },
};

describe("migration on the graph backend (recorded catalogue, faults on)", function () {
  this.timeout(30_000);
  let emu: RunningEmulator;
  let restore: () => Promise<void>;
  const custom = () => emu.store.listRoles().filter((r) => !r.isBuiltIn);

  before(async () => {
    emu = await startEmulator({ pageSize: 3, strict: true, catalogue: FIXTURE_CATALOGUE });
    restore = await engineOnGraph(emu.url);
  });
  after(async () => {
    await restore();
    await emu.close();
  });
  afterEach(() => emu.setFaults(null));

  it("an EOP role group: mapped permissions, the Imported marker, and no duplicate when re-run from empty state", async () => {
    emu.setFaults(FAULTS);
    const c = await engine.check("ImportedRole", {}, { source: "mdo", role: "Security reader" });
    assert.equal(c.failures, undefined, JSON.stringify(c.failures));
    assert.deepEqual(Object.values(c.inputs!.grants).sort(), [
      "Authorization and settings \\ Security settings \\ Core security settings (read)",
      "Authorization and settings \\ System settings (read)",
      "Security operations \\ Raw data (Email & collaboration) \\ Email & collaboration metadata (read)",
      "Security operations \\ Security data \\ Response (manage)",
      "Security operations \\ Security data \\ Security data basics (read)",
    ]);
    assert.ok(Object.keys(c.inputs!.grants).includes("microsoft.xdr/configuration/security/fixture-only-core/read"));
    assert.equal(
      c.inputs!.description,
      "Imported from Defender for Office 365 (Exchange Online Protection) role groups and roles: Security reader",
    );
    const first = await engine.create("ImportedRole", c.inputs!);
    // the same program from empty state (lost state, a second stack): the import is taken over, not repeated
    const again = await engine.create(
      "ImportedRole",
      (await engine.check("ImportedRole", {}, { source: "mdo", role: "Security reader" })).inputs!,
    );
    assert.equal(again.id, first.id);
    const copies = custom().filter((r) => r.displayName === "Security reader");
    assert.equal(copies.length, 1, "one imported role");
    assert.equal(
      copies[0].description,
      "Imported from Defender for Office 365 (Exchange Online Protection) role groups and roles: Security reader",
    );
    await engine.remove("ImportedRole", first.id, first.outs);
    assert.deepEqual(custom(), []);
  });

  it("an MDE role given by its legacy permissions is imported; by name it fails naming permissions", async () => {
    const c = await engine.check(
      "ImportedRole",
      {},
      {
        source: "mde",
        role: "Tier 2",
        permissions: ["Alerts investigation", "Manage security settings in the Security Center"],
      },
    );
    assert.equal(c.failures, undefined, JSON.stringify(c.failures));
    assert.ok(
      Object.keys(c.inputs!.grants).includes(
        "microsoft.xdr/configuration/security/fixture-only-detectiontuning/manage",
      ),
    );
    const byName = await engine.check("ImportedRole", {}, { source: "mde", role: "Tier 2 responder" });
    assert.equal(byName.failures?.length, 1);
    assert.equal(byName.failures![0].property, "role");
    assert.match(
      byName.failures![0].reason,
      /cannot read the Defender for Endpoint role "Tier 2 responder".*Give the permissions of MDE role "Tier 2 responder" in permissions/,
    );
  });

  it("EOP members cannot be read: includeAssignments fails naming the RoleAssignment alternative", async () => {
    const c = await engine.check("ImportedRole", {}, { source: "mdo", role: "Quarantine", includeAssignments: true });
    assert.equal(c.failures?.length, 1);
    assert.equal(c.failures![0].property, "includeAssignments");
    assert.match(
      c.failures![0].reason,
      /cannot read the members of .*"Quarantine".*assign the role with a RoleAssignment to the group ids that hold the EOP role group/,
    );
  });

  it("a portal-managed activation: lockout refused at preview against the live tenant; passes once an assignment keeps control; never switches", async () => {
    const before = emu.store.getActivation();
    const locked = await engine.check("WorkloadActivation", {}, { workload: "endpoint", managedIn: "portal" });
    assert.equal(locked.failures?.[0]?.property, "active");
    assert.match(locked.failures![0].reason, /would leave no principal able to manage authorization/);

    const role = await engine.create(
      "ImportedRole",
      (await engine.check("ImportedRole", {}, { source: "mdo", role: "Organization Management" })).inputs!,
    );
    const asg = await engine.create(
      "RoleAssignment",
      (
        await engine.check(
          "RoleAssignment",
          {},
          { roleId: role.id, displayName: "break-glass", principals: ["2f6b9c1d-8e7a-4b3c-9d0e-5a4f3e2d1c0b"] },
        )
      ).inputs!,
    );
    const c = await engine.check(
      "WorkloadActivation",
      {},
      { workload: "endpoint", managedIn: "portal", authorizationAssignments: [asg.id] },
    );
    assert.equal(c.failures, undefined, JSON.stringify(c.failures));
    assert.match(
      c.inputs!.portalStep,
      /^Not switched by Pulumi \(managedIn: "portal"\): turn Unified RBAC on for Microsoft Defender for Endpoint .* in the Defender portal/,
    );
    assert.equal(c.inputs!.warnings[0], c.inputs!.portalStep);
    assert.ok(
      c.inputs!.warnings.some((w: string) => /Security reader and Global reader roles will have access/.test(w)),
    );
    const made = await engine.create("WorkloadActivation", c.inputs!);
    assert.equal(made.outs.managedIn, "portal");
    assert.equal(made.outs.active, true);
    const read = await engine.read("WorkloadActivation", made.id, made.outs);
    assert.equal(read.props!.active, true);
    await engine.remove("WorkloadActivation", made.id, made.outs);
    assert.deepEqual(emu.store.getActivation(), before, "nothing was switched in the tenant");
    const dep = await engine.check(
      "WorkloadActivation",
      {},
      { workload: "endpoint", managedIn: "portal", exchangeOnline: true, authorizationAssignments: [asg.id] },
    );
    assert.equal(dep.failures?.[0]?.property, "exchangeOnline", "Exchange needs Defender for Office 365");
    const api = await engine.check("WorkloadActivation", {}, { workload: "endpoint" });
    assert.match(api.failures![0].reason, /Or set managedIn: "portal"/);
    // Graph cannot say which workloads are active, so the lockout rule counts Endpoint as possibly active:
    // the last authorization assignment is not deleted until the break-glass hatch is set
    await assert.rejects(
      engine.remove("RoleAssignment", asg.id, asg.outs),
      /would leave nobody able to manage authorization/,
    );
    assert.equal(emu.store.listAssignments().length, 1, "the refused delete removed nothing");
    process.env.DEFENDER_RBAC_ALLOW_LOCKOUT = "true";
    try {
      await engine.remove("RoleAssignment", asg.id, asg.outs);
      await engine.remove("ImportedRole", role.id, role.outs);
    } finally {
      delete process.env.DEFENDER_RBAC_ALLOW_LOCKOUT;
    }
    assert.deepEqual(custom(), []);
    assert.deepEqual(emu.store.listAssignments(), []);
  });
});
