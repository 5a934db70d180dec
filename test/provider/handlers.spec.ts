/**
 * Level A: the provider's methods called directly (engine.ts, as the serialized shell calls them),
 * against a fresh local tenant store per test. Covers validation (every bad input names its
 * property), plan-time computed inputs, preview unknowns, canonical diffs, refresh (drift and
 * out-of-band deletes), adopt, imported roles, failure atomicity and `__provider` hygiene.
 */
import assert from "node:assert/strict";
import fc from "fast-check";
import { HANDLERS, check, create, diff, read, remove, update } from "../../provider/engine";
import type { Backend } from "../../provider/backend/backend";
import { LocalBackend } from "../../provider/backend/local";
import type { HandlerContext } from "../../provider/handlers/common";
import {
  BUILT_IN_GLOBAL_ADMIN,
  Kind,
  P1,
  P2,
  Props,
  Tenant,
  U,
  assertFailure,
  checked,
  failuresOf,
  planned,
  up,
} from "./helpers";

const ALERTS = "Security operations \\ Security data \\ Alerts (manage)";
const BASICS = "Security operations \\ Security data \\ Security data basics (read)";
const AUTH_MANAGE = "microsoft.xdr/configuration/authorization/manage";

let tenant: Tenant;
describe("provider handlers (engine methods called directly)", () => {
  beforeEach(async () => {
    tenant = await Tenant.fresh();
  });
  afterEach(() => tenant.close());

  /** A role holding Authorization (manage), assigned to P1 over `scope`. */
  async function authorizationAssignment(scope: Props, permissions: string[] = ["Authorization (manage)"]) {
    const role = await up("UnifiedRole", { displayName: "Break glass", permissions });
    return up("RoleAssignment", { displayName: "Break glass admins", roleId: role.id, principals: [P1], scope });
  }

  describe("provider handlers: check names the property of every bad input", () => {
    it("UnifiedRole: empty, blank or missing displayName", async () => {
      await assertFailure(
        "UnifiedRole",
        { displayName: "", permissions: [ALERTS] },
        "displayName",
        /must not be empty/,
      );
      await assertFailure(
        "UnifiedRole",
        { displayName: "   ", permissions: [ALERTS] },
        "displayName",
        /must not be empty/,
      );
      await assertFailure("UnifiedRole", { permissions: [ALERTS] }, "displayName", /required/);
    });

    it("UnifiedRole: a permission typo fails on its index and suggests the right name", async () => {
      const reason = await assertFailure(
        "UnifiedRole",
        {
          displayName: "SOC",
          permissions: [BASICS, "Security operations \\ Security data \\ Alrts (manage)"],
        },
        "permissions[1]",
        /unknown permission/,
      );
      assert.match(reason, /Did you mean: .*"Security operations \\ Security data \\ Alerts \(manage\)"/);
      assert.equal(
        (
          await failuresOf("UnifiedRole", {
            displayName: "SOC",
            permissions: [BASICS, "Security operations \\ Security data \\ Alrts (manage)"],
          })
        ).length,
        1,
        "only the misspelt entry fails",
      );
    });

    it("UnifiedRole: an action string the catalogue does not know fails with suggestions", async () => {
      await assertFailure(
        "UnifiedRole",
        { displayName: "SOC", permissions: ["microsoft.xdr/secops/bogus/read"] },
        "permissions[0]",
        /"microsoft\.xdr\/secops\/bogus\/read" is not an action string the catalogue knows.*Did you mean: "microsoft\.xdr\/secops\/\*\/read"/s,
      );
    });

    it("UnifiedRole: permissions empty or not a list", async () => {
      await assertFailure("UnifiedRole", { displayName: "SOC", permissions: [] }, "permissions", /at least one/);
      await assertFailure("UnifiedRole", { displayName: "SOC", permissions: 42 }, "permissions", /must be a list/);
      await assertFailure("UnifiedRole", { displayName: "SOC" }, "permissions");
    });

    it("RoleAssignment: an invalid principal fails on its index; empty principals fail", async () => {
      await assertFailure(
        "RoleAssignment",
        { displayName: "a", roleId: BUILT_IN_GLOBAL_ADMIN, principals: [P1, "alice@contoso.com"] },
        "principals[1]",
        /"alice@contoso\.com" is neither an Entra object id nor a user principal name or group name/,
      );
      await assertFailure(
        "RoleAssignment",
        { displayName: "a", roleId: BUILT_IN_GLOBAL_ADMIN, principals: [P1, "8e811502-2c2a-4d1b-9c5e"] },
        "principals[1]",
      );
      await assertFailure(
        "RoleAssignment",
        { displayName: "a", roleId: BUILT_IN_GLOBAL_ADMIN, principals: [] },
        "principals",
        /non-empty/,
      );
    });

    const badScopes: [string, unknown, string, RegExp][] = [
      [
        "path without leading slash",
        { kind: "scopes", scopes: ["CloudSet/123"] },
        "scope.scopes[0]",
        /not a specific scope/,
      ],
      [
        "path with too many segments",
        { kind: "scopes", scopes: ["/CloudSet/1", "/CloudSet/1/x"] },
        "scope.scopes[1]",
        /not a specific scope/,
      ],
      ["empty scope list", { kind: "scopes", scopes: [] }, "scope.scopes", /non-empty list/],
      [
        "misspelt workload",
        { kind: "workloads", workloads: ["office365", "endpont"] },
        "scope.workloads[1]",
        /unknown workload "endpont".*Did you mean: "endpoint"/s,
      ],
      ["empty workloads", { kind: "workloads", workloads: [] }, "scope.workloads", /non-empty list/],
      [
        "bad workload next to scopes",
        { kind: "scopes", scopes: ["/CloudSet/1"], workloads: ["mdx"] },
        "scope.workloads[0]",
        /unknown workload/,
      ],
      ["unknown kind", { kind: "some" }, "scope.kind", /must be "all", "workloads" or "scopes"/],
      ["a bare string", "all", "scope", /scope must be/],
    ];
    for (const [what, scope, property, reason] of badScopes) {
      it(`RoleAssignment: bad scope (${what}) fails on ${property}`, async () => {
        await assertFailure(
          "RoleAssignment",
          { displayName: "a", roleId: BUILT_IN_GLOBAL_ADMIN, principals: [P1], scope },
          property,
          reason,
        );
      });
    }

    it("RoleAssignment: a role id that does not exist, and a missing displayName", async () => {
      await assertFailure(
        "RoleAssignment",
        { displayName: "a", roleId: "no-such-role", principals: [P1] },
        "roleId",
        /no role with id "no-such-role"/,
      );
      await assertFailure(
        "RoleAssignment",
        { roleId: BUILT_IN_GLOBAL_ADMIN, principals: [P1] },
        "displayName",
        /required/,
      );
    });

    it("ImportedRole: unknown source, and Entra (honoured directly, not imported)", async () => {
      await assertFailure("ImportedRole", { source: "mdx", role: "Security reader" }, "source", /unknown source "mdx"/);
      await assertFailure(
        "ImportedRole",
        { source: "entra", role: "Security reader" },
        "source",
        /Entra roles are not imported/,
      );
    });

    it("ImportedRole: unknown legacy roles fail on role, with suggestions", async () => {
      await assertFailure(
        "ImportedRole",
        { source: "mdo", role: "Secrity reader" },
        "role",
        /Did you mean: "Security reader"/,
      );
      await assertFailure("ImportedRole", { source: "mdi", role: "MDI admn" }, "role", /Did you mean: "MDI admin"/);
      await assertFailure(
        "ImportedRole",
        { source: "mde", role: "Tier 1 analsyt" },
        "role",
        /no Defender for Endpoint role named "Tier 1 analsyt".*"Tier 1 analyst"/s,
      );
      await assertFailure(
        "ImportedRole",
        { source: "mde", permissions: ["View data - Security operatons"] },
        "permissions[0]",
        /Did you mean: "View data - Security operations"/,
      );
      await assertFailure("ImportedRole", { source: "mdo" }, "role", /required/);
    });

    it("ImportedRole: an MDE permission managed in Intune fails unless acceptUnsupported: true", async () => {
      const perms = ["View data - Security operations", "Manage endpoint security settings in Microsoft Intune"];
      await assertFailure(
        "ImportedRole",
        { source: "mde", permissions: perms },
        "permissions",
        /"Manage endpoint security settings in Microsoft Intune".*Intune admin center.*acceptUnsupported: true/s,
      );
      await assertFailure(
        "ImportedRole",
        { source: "mde", permissions: perms, acceptUnsupported: false },
        "permissions",
      );
      const inputs = await checked("ImportedRole", { source: "mde", permissions: perms, acceptUnsupported: true });
      assert.deepEqual(inputs.unsupported, [
        "Manage endpoint security settings in Microsoft Intune: Not supported - this permission is managed in the Microsoft Intune admin center",
      ]);
      assert.deepEqual(Object.keys(inputs.grants), ["microsoft.xdr/secops/securitydata/basics/read"]);
      // the same through a seeded tenant role that holds it
      await assertFailure("ImportedRole", { source: "mde", role: "Endpoint security admin" }, "role", /Intune/);
      await checked("ImportedRole", { source: "mde", role: "Endpoint security admin", acceptUnsupported: true });
    });

    it("ImportedRole: wrongly typed flags fail on their property", async () => {
      await assertFailure(
        "ImportedRole",
        { source: "mdo", role: "Security reader", includeAssignments: "yes" },
        "includeAssignments",
      );
      await assertFailure(
        "ImportedRole",
        { source: "mdo", role: "Security reader", acceptUnsupported: 1 },
        "acceptUnsupported",
      );
    });

    it("WorkloadActivation: unknown workload, wrongly typed active", async () => {
      await assertFailure("WorkloadActivation", { workload: "endpont" }, "workload", /unknown workload "endpont"/);
      await assertFailure("WorkloadActivation", { workload: "endpoint", active: "yes" }, "active", /true or false/);
    });

    it("WorkloadActivation: Exchange Online without Defender for Office 365 active fails on exchangeOnline", async () => {
      await assertFailure(
        "WorkloadActivation",
        { workload: "office365", active: false, exchangeOnline: true },
        "exchangeOnline",
        /only once Defender for Office 365 is active/,
      );
      await assertFailure(
        "WorkloadActivation",
        { workload: "endpoint", active: false, exchangeOnline: true },
        "exchangeOnline",
        /part of Defender for Office 365 activation/,
      );
      await authorizationAssignment({ kind: "all" });
      await checked("WorkloadActivation", { workload: "office365", active: true, exchangeOnline: true });
    });

    it("WorkloadActivation: activating Mde without anyone able to manage authorization fails (lockout)", async () => {
      const lockout = /would leave no principal able to manage authorization/;
      await assertFailure("WorkloadActivation", { workload: "endpoint" }, "active", lockout);
      // a role without Authorization (manage), over all data sources: still locked out
      await authorizationAssignment({ kind: "all" }, [ALERTS]);
      await assertFailure("WorkloadActivation", { workload: "endpoint" }, "active", lockout);
      // Authorization (manage), but only over Office 365: still locked out for Mde
      await authorizationAssignment({ kind: "workloads", workloads: ["office365"] });
      await assertFailure("WorkloadActivation", { workload: "endpoint" }, "active", lockout);
      // over Mde: passes
      const a = await authorizationAssignment({ kind: "workloads", workloads: ["endpoint"] });
      const inputs = await checked("WorkloadActivation", { workload: "endpoint", authorizationAssignments: [a.id] });
      assert.equal(inputs.workloadId, "Mde");
      assert.ok(
        inputs.warnings.some((w: string) => /Security reader and Global reader/.test(w)),
        "the widening is listed",
      );
    });

    it('WorkloadActivation: an Authorization (manage) assignment over all data sources ("/") also unlocks Mde', async () => {
      const a = await authorizationAssignment({ kind: "all" });
      assert.deepEqual(a.outs.appScopeIds, ["/"]);
      await checked("WorkloadActivation", { workload: "endpoint" });
    });

    it("WorkloadActivation: a listed assignment that does not grant Authorization (manage) fails on its index", async () => {
      await authorizationAssignment({ kind: "all" });
      const weak = await authorizationAssignment({ kind: "all" }, [ALERTS]);
      await assertFailure(
        "WorkloadActivation",
        { workload: "endpoint", authorizationAssignments: [weak.id] },
        "authorizationAssignments[0]",
        /does not grant/,
      );
      await assertFailure(
        "WorkloadActivation",
        { workload: "endpoint", authorizationAssignments: ["nope"] },
        "authorizationAssignments[0]",
        /no role assignment with id "nope"/,
      );
    });
  });

  describe("provider handlers: check computes top-level inputs for preview", () => {
    it("UnifiedRole: grants, a map from each canonical key to its label, privileged ones marked", async () => {
      const inputs = await checked("UnifiedRole", {
        displayName: "SOC",
        permissions: [
          "microsoft.xdr/secops/*/read",
          "Authorization (Read and manage)",
          ALERTS,
          "secops.securitydata.basics:read",
        ],
      });
      assert.deepEqual(inputs.grants, {
        [AUTH_MANAGE]: "⚠ Authorization and settings \\ Authorization (manage)",
        "microsoft.xdr/secops/*/read": "microsoft.xdr/secops/*/read (All read-only permissions)",
        "microsoft.xdr/secops/securitydata/alerts/manage": ALERTS,
      });
      assert.deepEqual(inputs.privilegedPermissions, ["Authorization and settings \\ Authorization (manage)"]);
      // the list forms are the tenant's record, in the outputs only: no copy of them in the inputs
      assert.equal(inputs.actions, undefined);
      assert.equal(inputs.resolvedPermissions, undefined);
      assert.equal(inputs.description, "");
      const role = await up("UnifiedRole", { displayName: "SOC", permissions: [ALERTS] });
      assert.deepEqual(role.outs.actions, ["microsoft.xdr/secops/securitydata/alerts/manage"]);
      assert.deepEqual(role.outs.resolvedPermissions, [ALERTS]);
      // the outputs carry grants as the tenant holds them, so a RoleAssignment given the role reads them
      assert.deepEqual(role.outs.grants, { "microsoft.xdr/secops/securitydata/alerts/manage": ALERTS });
    });

    it("RoleAssignment: appScopeIds, default scope, canonical principals", async () => {
      const a = await checked("RoleAssignment", {
        displayName: "a",
        roleId: BUILT_IN_GLOBAL_ADMIN,
        principals: [P2, P1.toUpperCase(), P1],
        scope: { kind: "workloads", workloads: ["office365", "endpoint"] },
      });
      assert.deepEqual(a.appScopeIds, ["Mde", "Mdo"]);
      assert.deepEqual(a.principals, [P2, P1].sort());
      const b = await checked("RoleAssignment", { displayName: "a", roleId: BUILT_IN_GLOBAL_ADMIN, principals: [P1] });
      assert.deepEqual(b.appScopeIds, ["/"]);
      assert.deepEqual(b.scope, { kind: "all" });
      const c = await checked("RoleAssignment", {
        displayName: "a",
        roleId: BUILT_IN_GLOBAL_ADMIN,
        principals: [P1],
        scope: { kind: "scopes", scopes: ["/CloudSet/123"], workloads: ["identity"] },
      });
      assert.deepEqual(c.appScopeIds, ["/CloudSet/123", "Mdi"]);
    });

    it("ImportedRole: grants (a map keyed by permission) and legacy details of what the migration grants", async () => {
      const i = await checked("ImportedRole", { source: "mde", role: "Tier 1 analyst", includeAssignments: true });
      assert.deepEqual(i.grants, {
        "microsoft.xdr/secops/securitydata/alerts/manage": ALERTS,
        "microsoft.xdr/secops/securitydata/basics/read": BASICS,
      });
      // the list forms are the tenant's record, in the outputs only: no list of them in the inputs
      assert.equal(i.actions, undefined);
      assert.equal(i.unifiedPermissions, undefined);
      assert.deepEqual(i.legacyPermissions, ["View data - Security operations", "Alerts investigation"]);
      assert.equal(i.originalId, "mde-role-1");
      assert.equal(i.sourceId, "mde");
      assert.equal(i.displayName, "Tier 1 analyst");
      assert.deepEqual(i.unsupported, []);
      assert.equal(i.legacyMembers.length, 2);
      const o = await checked("ImportedRole", {
        source: "office365",
        role: "Security reader",
        displayName: "Imported readers",
      });
      assert.equal(o.sourceId, "mdo");
      assert.equal(o.displayName, "Imported readers");
      assert.ok(Object.values(o.grants).includes(BASICS));
      const made = await up("ImportedRole", {
        source: "mdo",
        role: "Security reader",
        displayName: "Imported readers",
      });
      assert.deepEqual(made.outs.actions, Object.keys(o.grants));
      assert.deepEqual(made.outs.unifiedPermissions, made.outs.resolvedPermissions);
      assert.deepEqual(made.outs.grants, o.grants);
    });

    it("RoleAssignment: grants (what the role hands out, privileged marked) and principalNames (to whom)", async () => {
      const role = await up("UnifiedRole", { displayName: "Admins", permissions: ["Authorization (manage)", ALERTS] });
      const ADELE = "22222222-2222-4222-8222-000000000001";
      const a = await checked("RoleAssignment", {
        displayName: "admins",
        roleId: role.id,
        principals: [P1, "adele.vance@contoso.example", P2],
      });
      assert.deepEqual(a.grants, {
        [AUTH_MANAGE]: "⚠ Authorization and settings \\ Authorization (manage)",
        "microsoft.xdr/secops/securitydata/alerts/manage": ALERTS,
      });
      assert.deepEqual(a.principalNames, {
        [P2]: "(not in the local directory)",
        [ADELE]: "Adele Vance (adele.vance@contoso.example)",
        [P1]: "SOC analysts (group)",
      });
      // the role resource itself (roleGrants: its check's grants), known before the role exists
      const declared = { [AUTH_MANAGE]: "⚠ Authorization and settings \\ Authorization (manage)" };
      const early = await checked("RoleAssignment", {
        displayName: "admins",
        roleId: U,
        roleGrants: declared,
        principals: [P1],
      });
      assert.deepEqual(early.grants, declared);
      assert.equal(early.roleGrants, undefined, "consumed, never stored");
      assert.equal(early.authorizationManage, true);
      // a role whose state predates grants: its actions output stands in
      const older = await checked("RoleAssignment", {
        displayName: "admins",
        roleId: U,
        roleActions: [AUTH_MANAGE],
        principals: [P1],
      });
      assert.deepEqual(older.grants, declared);
      assert.equal(older.authorizationManage, true);
      assert.equal(older.roleActions, undefined, "consumed, never stored");
      // a role whose permissions are not known at preview: unknown, not guessed
      const unknownRole = await checked("RoleAssignment", {
        displayName: "x",
        roleId: U,
        roleGrants: U,
        principals: [P1],
      });
      assert.equal(unknownRole.grants, U);
      const unknownId = await checked("RoleAssignment", { displayName: "x", roleId: U, principals: [U] });
      assert.equal(unknownId.grants, U);
      assert.equal(unknownId.principalNames, U);
      // created: the outputs keep both, and refresh keeps them
      const made = await up("RoleAssignment", { displayName: "admins", roleId: role.id, principals: [P1] });
      assert.deepEqual(made.outs.grants, a.grants);
      assert.deepEqual(made.outs.principalNames, { [P1]: "SOC analysts (group)" });
      const again = await planned("RoleAssignment", made.id, made, {
        displayName: "admins",
        roleId: role.id,
        principals: [P1],
      });
      assert.equal(again.diff.changes, false);
      assert.deepEqual(again.inputs.principalNames, { [P1]: "SOC analysts (group)" });
    });

    it("WorkloadActivation: accessChange lists, per principal, the access gained and lost if applied now", async () => {
      await authorizationAssignment({ kind: "all" });
      const on = await checked("WorkloadActivation", { workload: "identity" });
      const soc = on.accessChange[`SOC analysts (${P1})`];
      assert.ok(soc, JSON.stringify(on.accessChange, null, 1));
      assert.equal(
        soc["gained ⚠ Authorization and settings \\ Authorization (manage)"],
        'assignment "Break glass admins" → role "Break glass" (all data sources)',
      );
      // legacy MDI role groups stop applying: their members lose what the legacy model gave
      const lost = Object.values(on.accessChange as Record<string, Record<string, string>>).flatMap((m) =>
        Object.entries(m).filter(([k]) => k.startsWith("lost ")),
      );
      assert.ok(lost.length > 0 && lost.every(([, from]) => from.includes("legacy MDI role")), JSON.stringify(lost));
      // nothing switched, nothing listed
      const same = await checked("WorkloadActivation", { workload: "cloud" });
      assert.deepEqual(same.accessChange, {});
    });

    it("WorkloadActivation: workloadId, and warnings of the access that widens", async () => {
      const off = await checked("WorkloadActivation", { workload: "cloud", active: false });
      assert.equal(off.workloadId, "Mdc");
      assert.match(off.warnings[0], /Deactivating Mdc/);
      await authorizationAssignment({ kind: "all" });
      const on = await checked("WorkloadActivation", { workload: "identity" });
      assert.equal(on.workloadId, "Mdi");
      assert.equal(on.active, true, "active defaults to true");
      assert.ok(on.warnings.some((w: string) => w.includes("gains in MDI")));
    });
  });

  describe("provider handlers: unknown values in preview", () => {
    // adopt names objects that exist: adopting a missing id fails at preview
    const adoptable = () => {
      const role = tenant.store.createRole({ displayName: "portal role", description: "", actions: [] });
      const assignment = tenant.store.createAssignment({
        displayName: "portal assignment",
        roleDefinitionId: BUILT_IN_GLOBAL_ADMIN,
        principalIds: [P2],
        appScopeIds: ["/"],
      });
      return { role: role.id, assignment: assignment.id };
    };
    const valid = (): Record<Kind, Props> => ({
      UnifiedRole: { displayName: "SOC", description: "d", permissions: [ALERTS], adopt: adoptable().role },
      RoleAssignment: {
        displayName: "a",
        roleId: BUILT_IN_GLOBAL_ADMIN,
        principals: [P1],
        scope: { kind: "workloads", workloads: ["endpoint"] },
        adopt: adoptable().assignment,
      },
      ImportedRole: {
        source: "mde",
        role: "Endpoint security admin",
        displayName: "I",
        description: "d",
        includeAssignments: true,
        acceptUnsupported: true,
        adopt: adoptable().role,
      },
      WorkloadActivation: {
        workload: "endpoint",
        active: false,
        exchangeOnline: false,
        authorizationAssignments: ["a"],
        deactivateOnDelete: true,
      },
    });
    /** The state of a resource that already adopted its object: its adopt id is not looked up again. */
    const adopted = (kind: Kind): Props => ({ adopt: valid()[kind].adopt });
    /** Computed inputs that must be unknown when the named input is. */
    const dependents: Record<Kind, Record<string, string[]>> = {
      UnifiedRole: { permissions: ["grants", "privilegedPermissions"] },
      RoleAssignment: { scope: ["appScopeIds"] },
      ImportedRole: {
        source: ["grants", "unsupported", "originalId", "sourceId", "legacyPermissions", "legacyMembers"],
        role: ["grants", "unsupported", "originalId", "legacyPermissions", "legacyMembers"],
        includeAssignments: ["legacyMembers"],
      },
      WorkloadActivation: {
        workload: ["workloadId", "warnings", "accessChange"],
        active: ["warnings", "accessChange"],
      },
    };

    for (const kind of Object.keys(dependents) as Kind[]) {
      it(`${kind}: the sentinel in any one input never fails, stays unknown, and makes what derives from it unknown`, async () => {
        assert.deepEqual(await failuresOf(kind, valid()[kind], adopted(kind)), [], "the base input is valid");
        for (const field of Object.keys(valid()[kind])) {
          const r = await check(kind, adopted(kind), { ...valid()[kind], [field]: U });
          assert.deepEqual(r.failures ?? [], [], `${kind}.${field} unknown`);
          assert.equal(r.inputs!.__provider, undefined);
          assert.equal(r.inputs![field], U, `${kind}.${field} stays unknown`);
          for (const d of dependents[kind][field] ?? [])
            assert.equal(r.inputs![d], U, `${kind}.${d} is unknown when ${field} is`);
        }
      });
    }

    it("the sentinel inside lists and objects (a list element, a nested field) counts as unknown", async () => {
      const r = await checked("UnifiedRole", { displayName: "SOC", permissions: [ALERTS, U] });
      assert.equal(r.grants, U);
      const a = await checked("RoleAssignment", {
        displayName: "a",
        roleId: U,
        principals: [P1, U],
        scope: { kind: "workloads", workloads: [U] },
      });
      assert.equal(a.appScopeIds, U);
      const w = await checked("WorkloadActivation", { workload: "endpoint", authorizationAssignments: [U] });
      assert.equal(w.workloadId, "Mde", "the lockout check waits for pending assignments");
    });

    it("any subset of inputs unknown (fast-check): check never throws and never fails on an unknown input", async () => {
      const base = valid();
      const arb = fc
        .constantFrom(...(Object.keys(base) as Kind[]))
        .chain((kind) => fc.subarray(Object.keys(base[kind])).map((fields) => ({ kind, fields })));
      await fc.assert(
        fc.asyncProperty(arb, async ({ kind, fields }) => {
          const news = { ...base[kind], ...Object.fromEntries(fields.map((f) => [f, U])) };
          const r = await check(kind, adopted(kind), news);
          assert.deepEqual(r.failures ?? [], []);
          for (const f of fields) assert.equal(r.inputs![f], U);
        }),
        { numRuns: 60 },
      );
    });
  });

  describe("provider handlers: diff compares canonical forms", () => {
    it("UnifiedRole: reordering, case and wildcard-covered extras are no change", async () => {
      const role = await up("UnifiedRole", {
        displayName: "SOC",
        permissions: ["MICROSOFT.XDR/SECOPS/*/READ", ALERTS],
      });
      for (const permissions of [
        [ALERTS, "microsoft.xdr/secops/*/read"],
        ["security operations \\ security data \\ alerts (MANAGE)", "microsoft.xdr/secops/*/read"],
        ["secops.securitydata.alerts:manage", "microsoft.xdr/secops/*/read", "secops.securitydata.basics:read", BASICS],
      ]) {
        const { diff: d } = await planned("UnifiedRole", role.id, role, { displayName: "SOC", permissions });
        assert.equal(d.changes, false, JSON.stringify(permissions));
      }
    });

    it("UnifiedRole: a rename, a description or a new permission is an update, never a replacement", async () => {
      const role = await up("UnifiedRole", { displayName: "SOC", permissions: [ALERTS] });
      for (const news of [
        { displayName: "SOC tier 1", permissions: [ALERTS] },
        { displayName: "SOC", description: "now described", permissions: [ALERTS] },
        { displayName: "SOC", permissions: [ALERTS, "Authorization (read)"] },
      ]) {
        const { diff: d } = await planned("UnifiedRole", role.id, role, news);
        assert.equal(d.changes, true, JSON.stringify(news));
        assert.deepEqual(d.replaces ?? [], []);
      }
    });

    it("RoleAssignment: principal order/case and equivalent scopes are no change; rename is an update; roleId change replaces", async () => {
      const role = await up("UnifiedRole", { displayName: "SOC", permissions: [ALERTS] });
      const other = await up("UnifiedRole", { displayName: "Other", permissions: [BASICS] });
      const a = await up("RoleAssignment", {
        displayName: "a",
        roleId: role.id,
        principals: [P1, P2],
        scope: { kind: "workloads", workloads: ["endpoint", "office365"] },
      });
      const same = await planned("RoleAssignment", a.id, a, {
        displayName: "a",
        roleId: role.id,
        principals: [P2.toUpperCase(), P1],
        scope: { kind: "workloads", workloads: ["Mdo", "mde"] },
      });
      assert.equal(same.diff.changes, false);
      const all = await up("RoleAssignment", { displayName: "b", roleId: role.id, principals: [P1] });
      assert.equal(
        (
          await planned("RoleAssignment", all.id, all, {
            displayName: "b",
            roleId: role.id,
            principals: [P1],
            scope: { kind: "all" },
          })
        ).diff.changes,
        false,
      );

      const renamed = await planned("RoleAssignment", a.id, a, {
        displayName: "renamed",
        roleId: role.id,
        principals: [P1, P2],
        scope: { kind: "workloads", workloads: ["endpoint", "office365"] },
      });
      assert.equal(renamed.diff.changes, true);
      assert.deepEqual(renamed.diff.replaces, []);
      const moved = await planned("RoleAssignment", a.id, a, {
        displayName: "a",
        roleId: other.id,
        principals: [P1, P2],
        scope: { kind: "workloads", workloads: ["endpoint", "office365"] },
      });
      assert.equal(moved.diff.changes, true);
      assert.deepEqual(moved.diff.replaces, ["roleId"]);
    });

    it("ImportedRole: a rename is an update; importing another legacy role replaces", async () => {
      const r = await up("ImportedRole", { source: "mdo", role: "Security reader" });
      const renamed = await planned("ImportedRole", r.id, r, {
        source: "mdo",
        role: "Security reader",
        displayName: "Readers",
      });
      assert.equal(renamed.diff.changes, true);
      assert.deepEqual(renamed.diff.replaces, []);
      const same = await planned("ImportedRole", r.id, r, { source: "office365", role: "Security reader" });
      assert.equal(same.diff.changes, false);
      const other = await planned("ImportedRole", r.id, r, { source: "mdo", role: "Global reader" });
      assert.ok(other.diff.replaces!.includes("originalId"));
    });

    it("WorkloadActivation: toggling is an update; another workload replaces, deleting first", async () => {
      const w = await up("WorkloadActivation", { workload: "cloud", active: false });
      const d1 = await planned("WorkloadActivation", w.id, w, { workload: "Mdc", active: false });
      assert.equal(d1.diff.changes, false);
      await authorizationAssignment({ kind: "all" });
      const d2 = await planned("WorkloadActivation", w.id, w, { workload: "cloud", active: true });
      assert.equal(d2.diff.changes, true);
      assert.deepEqual(d2.diff.replaces, []);
      const d3 = await planned("WorkloadActivation", w.id, w, { workload: "identity", active: false });
      assert.deepEqual(d3.diff.replaces, ["workload"]);
      assert.equal(d3.diff.deleteBeforeReplace, true);
    });
  });

  describe("provider handlers: create, update, read and delete against the tenant", () => {
    it("UnifiedRole: create stores the canonical actions; update patches in place (rename keeps the id)", async () => {
      const role = await up("UnifiedRole", {
        displayName: "SOC",
        permissions: [ALERTS, "microsoft.xdr/secops/*/read"],
      });
      assert.deepEqual(tenant.store.getRole(role.id)!.actions.sort(), [
        "microsoft.xdr/secops/*/read",
        "microsoft.xdr/secops/securitydata/alerts/manage",
      ]);
      assert.equal(role.outs.roleId, role.id);
      assert.equal(role.outs.isBuiltIn, false);
      const { inputs } = await planned("UnifiedRole", role.id, role, {
        displayName: "SOC tier 2",
        permissions: [ALERTS, "Authorization (read)"],
      });
      const u = await update("UnifiedRole", role.id, role.outs, inputs);
      const stored = tenant.store.getRole(role.id)!;
      assert.equal(stored.displayName, "SOC tier 2");
      assert.deepEqual(stored.actions.sort(), [
        "microsoft.xdr/configuration/authorization/read",
        "microsoft.xdr/secops/securitydata/alerts/manage",
      ]);
      assert.equal(u.outs.displayName, "SOC tier 2");
      assert.equal(tenant.customRoles().length, 1);
    });

    it("UnifiedRole: read with no drift returns the props and no inputs (the engine keeps the stack's); the next plan shows no change", async () => {
      const program = { displayName: "SOC", permissions: [ALERTS] };
      const role = await up("UnifiedRole", program);
      const r = await read("UnifiedRole", role.id, role.outs);
      assert.equal(r.id, role.id);
      const { __provider: _p, ...stored } = role.outs;
      assert.deepEqual(r.props, stored, "what was read back is what state holds");
      assert.equal(r.inputs, undefined, "no second copy of the inputs when nothing drifted");
      const next = await planned("UnifiedRole", role.id, { outs: r.props!, inputs: role.inputs }, program);
      assert.equal(next.diff.changes, false);
      // a field state lacks (a state written before it existed) is drift: the inputs come back
      const { grants: _, ...older } = role.outs;
      assert.ok((await read("UnifiedRole", role.id, older)).inputs, "a read-back field the prior outputs lack");
    });

    it("UnifiedRole: read detects drift made in the tenant, and the next plan corrects it", async () => {
      const program = { displayName: "SOC", permissions: [ALERTS] };
      const role = await up("UnifiedRole", program);
      tenant.store.updateRole(role.id, {
        displayName: "SOC (edited in portal)",
        actions: ["microsoft.xdr/secops/*/read"],
      });
      const r = await read("UnifiedRole", role.id, role.outs);
      assert.equal(r.props!.displayName, "SOC (edited in portal)");
      assert.deepEqual(r.props!.actions, ["microsoft.xdr/secops/*/read"]);
      assert.equal(r.inputs!.displayName, "SOC (edited in portal)");
      // refreshed inputs are references check accepts again (the readable form stays in grants)
      assert.deepEqual(r.inputs!.permissions, ["microsoft.xdr/secops/*/read"]);
      assert.deepEqual(r.inputs!.grants, {
        "microsoft.xdr/secops/*/read": "microsoft.xdr/secops/*/read (All read-only permissions)",
      });
      assert.deepEqual(r.props!.resolvedPermissions, ["microsoft.xdr/secops/*/read (All read-only permissions)"]);
      const recheck = await check("UnifiedRole", r.inputs!, r.inputs!);
      assert.deepEqual(recheck.failures ?? [], []);
      const next = await planned("UnifiedRole", role.id, { outs: r.props!, inputs: r.inputs! }, program);
      assert.equal(next.diff.changes, true);
      await update("UnifiedRole", role.id, r.props!, next.inputs);
      assert.deepEqual(tenant.store.getRole(role.id)!.actions, ["microsoft.xdr/secops/securitydata/alerts/manage"]);
    });

    it('UnifiedRole: read returns id "" after an out-of-band delete; delete is idempotent and spares built-ins', async () => {
      const role = await up("UnifiedRole", { displayName: "SOC", permissions: [ALERTS] });
      tenant.store.deleteRole(role.id);
      assert.equal((await read("UnifiedRole", role.id, role.outs)).id, "");
      await remove("UnifiedRole", role.id, role.outs);
      await remove("UnifiedRole", BUILT_IN_GLOBAL_ADMIN, {});
      assert.ok(tenant.store.getRole(BUILT_IN_GLOBAL_ADMIN), "a built-in role is never deleted");
    });

    it("RoleAssignment: create, drift in principals and scope, out-of-band delete, delete", async () => {
      const role = await up("UnifiedRole", { displayName: "SOC", permissions: [ALERTS] });
      const a = await up("RoleAssignment", {
        displayName: "SOC team",
        roleId: role.id,
        principals: [P1],
        scope: { kind: "workloads", workloads: ["endpoint"] },
      });
      const stored = tenant.store.getAssignment(a.id)!;
      assert.deepEqual([stored.roleDefinitionId, stored.principalIds, stored.appScopeIds], [role.id, [P1], ["Mde"]]);
      assert.deepEqual(a.outs.appScopeIds, ["Mde"]);
      const unchanged = await read("RoleAssignment", a.id, a.outs);
      assert.deepEqual(unchanged.props!.scope, { kind: "workloads", workloads: ["endpoint"] });
      assert.equal(unchanged.inputs, undefined, "nothing drifted: the engine keeps the stack's inputs");

      tenant.store.updateAssignment(a.id, { principalIds: [P1, P2], appScopeIds: ["Mde", "/CloudSet/7"] });
      const r = await read("RoleAssignment", a.id, a.outs);
      assert.deepEqual(r.props!.principals, [P1, P2].sort());
      assert.deepEqual(r.inputs!.principals, [P1, P2].sort());
      assert.deepEqual(r.inputs!.scope, { kind: "scopes", scopes: ["/CloudSet/7"], workloads: ["endpoint"] });
      assert.deepEqual(r.inputs!.appScopeIds, ["/CloudSet/7", "Mde"]);

      tenant.store.deleteAssignment(a.id);
      assert.equal((await read("RoleAssignment", a.id, a.outs)).id, "");
      await remove("RoleAssignment", a.id, a.outs);
    });

    it("RoleAssignment: update patches principals and scope in place", async () => {
      const role = await up("UnifiedRole", { displayName: "SOC", permissions: [ALERTS] });
      const a = await up("RoleAssignment", { displayName: "SOC team", roleId: role.id, principals: [P1] });
      const p = await planned("RoleAssignment", a.id, a, {
        displayName: "SOC team",
        roleId: role.id,
        principals: [P1, P2],
        scope: { kind: "workloads", workloads: ["identity"] },
      });
      const u = await update("RoleAssignment", a.id, a.outs, p.inputs);
      assert.deepEqual(tenant.store.getAssignment(a.id)!.principalIds.sort(), [P1, P2].sort());
      assert.deepEqual(tenant.store.getAssignment(a.id)!.appScopeIds, ["Mdi"]);
      assert.equal(u.outs.assignmentId, a.id);
    });

    it("WorkloadActivation: create activates, read sees the switch flipped in the tenant, delete retains unless deactivateOnDelete", async () => {
      await authorizationAssignment({ kind: "all" });
      const w = await up("WorkloadActivation", { workload: "endpoint" });
      assert.equal(w.id, "activation-Mde");
      assert.equal(tenant.store.getActivation().find((s) => s.workload === "Mde")!.active, true);
      tenant.store.setActivation({ workload: "Mde", active: false });
      const r = await read("WorkloadActivation", w.id, w.outs);
      assert.equal(r.props!.active, false);
      assert.equal(r.inputs!.active, false);
      tenant.store.setActivation({ workload: "Mde", active: true });
      await remove("WorkloadActivation", w.id, w.outs);
      assert.equal(tenant.store.getActivation().find((s) => s.workload === "Mde")!.active, true, "retained by default");
      const c = await up("WorkloadActivation", { workload: "identity", deactivateOnDelete: true });
      await remove("WorkloadActivation", c.id, c.outs);
      assert.equal(tenant.store.getActivation().find((s) => s.workload === "Mdi")!.active, false);
    });

    it("WorkloadActivation: Exchange Online is switched with Defender for Office 365", async () => {
      await authorizationAssignment({ kind: "all" });
      const w = await up("WorkloadActivation", { workload: "office365", exchangeOnline: true });
      assert.deepEqual(
        tenant.store.getActivation().find((s) => s.workload === "Mdo"),
        { workload: "Mdo", active: true, exchangeOnline: true },
      );
      assert.equal(w.outs.exchangeOnline, true);
    });
  });

  describe("provider handlers: adopt", () => {
    it("UnifiedRole: adopt takes over an existing role by id instead of creating one", async () => {
      const existing = tenant.store.createRole({
        displayName: "Portal role",
        description: "",
        actions: ["microsoft.xdr/secops/securitydata/basics/read"],
      });
      const before = tenant.customRoles().length;
      const r = await up("UnifiedRole", { displayName: "SOC", permissions: [ALERTS], adopt: existing.id });
      assert.equal(r.id, existing.id);
      assert.equal(tenant.customRoles().length, before, "nothing new was created");
      const stored = tenant.store.getRole(existing.id)!;
      assert.equal(stored.displayName, "SOC");
      assert.deepEqual(stored.actions, ["microsoft.xdr/secops/securitydata/alerts/manage"]);
    });

    it("UnifiedRole: adopt fails clearly for a missing id or a built-in role, and changes nothing", async () => {
      // refused at preview (check), and again by create if the tenant changed since
      await assertFailure(
        "UnifiedRole",
        { displayName: "SOC", permissions: [ALERTS], adopt: "no-such-role" },
        "adopt",
        /no role with id "no-such-role"/,
      );
      await assertFailure(
        "UnifiedRole",
        { displayName: "SOC", permissions: [ALERTS], adopt: BUILT_IN_GLOBAL_ADMIN },
        "adopt",
        /role "Global administrator".*is built-in/,
      );
      await assert.rejects(
        create("UnifiedRole", { displayName: "SOC", permissions: [ALERTS], actions: [], adopt: "no-such-role" }),
        /adopt: no role with id "no-such-role"/,
      );
      assert.equal(tenant.customRoles().length, 0);
      assert.equal(tenant.store.getRole(BUILT_IN_GLOBAL_ADMIN)!.displayName, "Global administrator");
    });

    it("RoleAssignment: adopt takes over an existing assignment; a different role is refused", async () => {
      const role = await up("UnifiedRole", { displayName: "SOC", permissions: [ALERTS] });
      const existing = tenant.store.createAssignment({
        displayName: "portal",
        roleDefinitionId: role.id,
        principalIds: [P2],
        appScopeIds: ["/"],
      });
      const a = await up("RoleAssignment", {
        displayName: "SOC team",
        roleId: role.id,
        principals: [P1],
        adopt: existing.id,
      });
      assert.equal(a.id, existing.id);
      assert.equal(tenant.store.listAssignments().length, 1);
      assert.deepEqual(tenant.store.getAssignment(existing.id)!.principalIds, [P1]);
      await assert.rejects(
        create(
          "RoleAssignment",
          await checked("RoleAssignment", {
            displayName: "x",
            roleId: BUILT_IN_GLOBAL_ADMIN,
            principals: [P1],
            adopt: existing.id,
          }),
        ),
        /adopt: assignment .* assigns role/,
      );
      await assertFailure(
        "RoleAssignment",
        { displayName: "x", roleId: role.id, principals: [P1], adopt: "nope" },
        "adopt",
        /no role assignment with id "nope"/,
      );
      const inputs = await checked("RoleAssignment", { displayName: "x", roleId: role.id, principals: [P1] });
      await assert.rejects(create("RoleAssignment", { ...inputs, adopt: "nope" }), /adopt: no role assignment/);
    });
  });

  describe("provider handlers: ImportedRole", () => {
    it("is marked imported until edited", async () => {
      const r = await up("ImportedRole", { source: "mdo", role: "Security reader" });
      assert.equal(r.outs.imported, true);
      assert.equal(tenant.store.getRole(r.id)!.imported!.source, "mdo");
      const p = await planned("ImportedRole", r.id, r, {
        source: "mdo",
        role: "Security reader",
        displayName: "Readers",
      });
      const u = await update("ImportedRole", r.id, r.outs, p.inputs);
      assert.equal(u.outs.imported, false);
      assert.equal(tenant.store.getRole(r.id)!.displayName, "Readers");
      assert.equal((await read("ImportedRole", r.id, u.outs)).props!.imported, false);
    });

    it("re-running create on a fresh state adopts the role already imported instead of duplicating it", async () => {
      const program = { source: "mde", role: "Tier 1 analyst" };
      const first = await up("ImportedRole", program);
      assert.equal(tenant.customRoles().length, 1);
      const again = await up("ImportedRole", program); // state lost, or a second stack
      assert.equal(again.id, first.id);
      assert.equal(tenant.customRoles().length, 1, "no duplicate role");
      const other = await up("ImportedRole", { source: "mde", role: "Tier 2 responder" });
      assert.notEqual(other.id, first.id);
      assert.equal(tenant.customRoles().length, 2);
    });

    it("includeAssignments copies the legacy members into an assignment scoped to the source workload; delete removes both", async () => {
      const r = await up("ImportedRole", { source: "mde", role: "Tier 1 analyst", includeAssignments: true });
      const a = tenant.store.getAssignment(r.outs.assignmentId)!;
      assert.equal(a.roleDefinitionId, r.id);
      assert.deepEqual(a.appScopeIds, ["Mde"]);
      assert.deepEqual(
        a.principalIds.sort(),
        tenant.store
          .listLegacyRoles("mde")
          .find((l) => l.name === "Tier 1 analyst")!
          .members.sort(),
      );
      tenant.store.updateAssignment(a.id, { principalIds: [P1] });
      const refreshed = await read("ImportedRole", r.id, r.outs);
      assert.deepEqual(refreshed.inputs!.legacyMembers, [P1], "drift in the copied membership shows on refresh");
      await remove("ImportedRole", r.id, r.outs);
      assert.equal(tenant.store.getRole(r.id), null);
      assert.equal(tenant.store.getAssignment(a.id), null);
    });

    it('read returns id "" once the imported role is deleted out of band', async () => {
      const r = await up("ImportedRole", { source: "mdi", role: "MDI viewer" });
      tenant.store.deleteRole(r.id);
      assert.equal((await read("ImportedRole", r.id, r.outs)).id, "");
    });
  });

  /** A backend that behaves like `inner` except for the methods in `failing`, which throw. */
  function failingBackend(inner: Backend, failing: (keyof Backend)[]): Backend {
    return new Proxy(inner, {
      get(target, p, receiver) {
        if (failing.includes(p as keyof Backend))
          return async () => {
            throw new Error(`injected failure in ${String(p)}`);
          };
        const v = Reflect.get(target, p, receiver);
        return typeof v === "function" ? v.bind(target) : v;
      },
    });
  }

  describe("provider handlers: nothing is recorded as done that was not done", () => {
    let local: LocalBackend;
    const ctx = (failing: (keyof Backend)[]): HandlerContext => ({
      backend: async () => failingBackend(local, failing),
    });
    beforeEach(() => {
      local = LocalBackend.open(tenant.file);
    });
    afterEach(() => local.close());

    it("UnifiedRole: a failing createRole makes create throw and stores nothing", async () => {
      const inputs = await HANDLERS.UnifiedRole.check(ctx([]), {}, { displayName: "SOC", permissions: [ALERTS] });
      await assert.rejects(
        HANDLERS.UnifiedRole.create(ctx(["createRole"]), inputs.inputs!),
        /injected failure in createRole/,
      );
      assert.equal(tenant.customRoles().length, 0);
    });

    it("UnifiedRole: a failing updateRole makes update throw and leaves the role as it was", async () => {
      const role = await up("UnifiedRole", { displayName: "SOC", permissions: [ALERTS] });
      const p = await planned("UnifiedRole", role.id, role, { displayName: "Renamed", permissions: [BASICS] });
      await assert.rejects(
        HANDLERS.UnifiedRole.update(ctx(["updateRole"]), role.id, role.outs, p.inputs),
        /injected failure/,
      );
      const stored = tenant.store.getRole(role.id)!;
      assert.equal(stored.displayName, "SOC");
      assert.deepEqual(stored.actions, ["microsoft.xdr/secops/securitydata/alerts/manage"]);
    });

    it("RoleAssignment: a failing createAssignment makes create throw and stores nothing", async () => {
      const role = await up("UnifiedRole", { displayName: "SOC", permissions: [ALERTS] });
      const inputs = await checked("RoleAssignment", { displayName: "a", roleId: role.id, principals: [P1] });
      await assert.rejects(HANDLERS.RoleAssignment.create(ctx(["createAssignment"]), inputs), /injected failure/);
      assert.equal(tenant.store.listAssignments().length, 0);
    });

    it("ImportedRole: a failure after the role was created throws, and the retry takes over that role (no duplicate)", async () => {
      const inputs = await checked("ImportedRole", { source: "mde", role: "Tier 1 analyst", includeAssignments: true });
      await assert.rejects(HANDLERS.ImportedRole.create(ctx(["createAssignment"]), inputs), /injected failure/);
      const retry = await create("ImportedRole", inputs);
      assert.equal(tenant.customRoles().length, 1);
      assert.equal(retry.id, tenant.customRoles()[0].id);
      assert.equal(tenant.store.listAssignments().length, 1);
    });

    it("ImportedRole: a failure after the role was created is a partial create carrying the role's id; update finishes it", async () => {
      const inputs = await checked("ImportedRole", { source: "mde", role: "Tier 1 analyst", includeAssignments: true });
      const err = await HANDLERS.ImportedRole.create(ctx(["createAssignment"]), inputs).then(
        () => undefined,
        (e) => e,
      );
      assert.ok(err, "create failed");
      const role = tenant.customRoles()[0];
      assert.equal(
        err.id,
        role.id,
        "the error carries the id, so the engine records the role (ErrorResourceInitFailed)",
      );
      assert.equal(err.properties.assignmentId, null);
      assert.deepEqual(err.reasons, [err.message]);
      assert.match(err.message, /injected failure.*pulumi up/s);
      const done = await update("ImportedRole", role.id, err.properties, inputs);
      assert.equal(tenant.store.listAssignments({ roleDefinitionId: role.id }).length, 1);
      assert.equal(done.outs.assignmentId, tenant.store.listAssignments()[0].id);
    });

    it("WorkloadActivation: a failing setActivation makes create throw and the workload stays off", async () => {
      await authorizationAssignment({ kind: "all" });
      const inputs = await checked("WorkloadActivation", { workload: "endpoint" });
      await assert.rejects(HANDLERS.WorkloadActivation.create(ctx(["setActivation"]), inputs), /injected failure/);
      assert.equal(tenant.store.getActivation().find((s) => s.workload === "Mde")!.active, false);
    });

    it("WorkloadActivation: the lockout is re-checked at apply; nothing changes if the safeguard vanished since preview", async () => {
      const a = await authorizationAssignment({ kind: "all" });
      const inputs = await checked("WorkloadActivation", { workload: "endpoint", authorizationAssignments: [a.id] });
      tenant.store.deleteAssignment(a.id);
      await assert.rejects(
        create("WorkloadActivation", inputs),
        /would leave no principal able to manage authorization[\s\S]*Nothing was changed/,
      );
      assert.equal(tenant.store.getActivation().find((s) => s.workload === "Mde")!.active, false);
    });

    it("WorkloadActivation: pending assignments pass preview, but create still refuses a lockout", async () => {
      const inputs = await checked("WorkloadActivation", { workload: "endpoint", authorizationAssignments: U });
      await assert.rejects(
        create("WorkloadActivation", { ...inputs, authorizationAssignments: [] }),
        /Nothing was changed/,
      );
      assert.equal(tenant.store.getActivation().find((s) => s.workload === "Mde")!.active, false);
    });
  });

  describe("provider handlers: no stored record contains __provider", () => {
    it("a 5 KB __provider passed through every method never reaches the store or the outputs", async () => {
      const marker = `LEAKED-PROVIDER-${Math.random().toString(36).slice(2)}`;
      const __provider = `exports.handler = () => "${marker}";\n//${"x".repeat(5 * 1024)}`;
      const withP = (p: Props) => ({ ...p, __provider });
      const noProviderIn = (what: string, p: Props | undefined) =>
        assert.ok(!JSON.stringify(p ?? {}).includes(marker), `${what} carries __provider`);

      const run = async (kind: Kind, program: Props, edited: Props) => {
        const c = await check(kind, withP({}), withP(program));
        assert.deepEqual(c.failures ?? [], []);
        noProviderIn(`${kind} check`, c.inputs);
        const made = await create(kind, withP(c.inputs!));
        noProviderIn(`${kind} create`, made.outs);
        const c2 = await check(kind, withP(c.inputs!), withP(edited));
        const d = await diff(kind, made.id, withP(made.outs), withP(c2.inputs!));
        assert.equal(d.changes, true);
        const u = await update(kind, made.id, withP(made.outs), withP(c2.inputs!));
        noProviderIn(`${kind} update`, u.outs);
        const r = await read(kind, made.id, withP(u.outs));
        noProviderIn(`${kind} read props`, r.props);
        noProviderIn(`${kind} read inputs`, r.inputs);
        return { id: made.id, outs: u.outs };
      };
      const role = await run(
        "UnifiedRole",
        { displayName: "SOC", permissions: [ALERTS] },
        { displayName: "SOC 2", permissions: [ALERTS] },
      );
      await run(
        "RoleAssignment",
        { displayName: "a", roleId: role.id, principals: [P1] },
        { displayName: "b", roleId: role.id, principals: [P1] },
      );
      const auth = await up("UnifiedRole", { displayName: "Break glass", permissions: ["Authorization (manage)"] });
      await up("RoleAssignment", { displayName: "bg", roleId: auth.id, principals: [P2] });
      await run(
        "ImportedRole",
        { source: "mde", role: "Tier 1 analyst", includeAssignments: true },
        { source: "mde", role: "Tier 1 analyst", includeAssignments: true, displayName: "T1" },
      );
      await run("WorkloadActivation", { workload: "identity" }, { workload: "identity", active: false });

      const records = JSON.stringify([
        tenant.store.listRoles(),
        tenant.store.listAssignments(),
        tenant.store.getActivation(),
      ]);
      assert.ok(!records.includes(marker) && !records.includes("__provider"));
      assert.equal(tenant.bytes().indexOf(marker), -1, "the SQLite files hold the serialized provider");
      assert.equal(tenant.bytes().indexOf("__provider"), -1);

      // the byte search does find what is stored (so the assertion above can fail)
      tenant.store.createRole({ displayName: `control-${marker}`, description: "", actions: [] });
      assert.notEqual(tenant.bytes().indexOf(marker), -1);
    });
  });
});
