/**
 * Tenant safety end to end through the real `pulumi` CLI: ownership (no silent adoption, nothing lost
 * when one of two stacks on a tenant is destroyed), no cascading loss, and the lockout invariant on
 * every change, on the local tenant and on Graph (the emulator). Each scenario reproduces one that
 * went wrong before markers existed (docs/ownership.md, docs/lockout.md) and asserts it now ends safely:
 * refused at preview where Pulumi calls the provider at preview, at the start of the delete otherwise,
 * with nothing changed in the tenant.
 *
 * Set DEFENDER_RBAC_E2E_TRANSCRIPT=<file> to collect the output of each refusal.
 */
import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import { LocalWorkspace, Stack } from "@pulumi/pulumi/automation";
import { TenantStore } from "../../provider/backend/store";
import { RunningEmulator, startEmulator } from "../../provider/emulator";
import { HOOK_TIMEOUT, Project, REPO, STEP_TIMEOUT, addProgram, stackIn, useTarballProject } from "./project";
const PROGRAM = path.join(REPO, "test", "e2e", "programs", "safety");

type Config = Record<string, string | boolean | string[]>;

/** Replaces the stack's `safety:` config by `config` (keys without namespace), keeping other keys. */
async function configure(stack: Stack, config: Config): Promise<void> {
  const all = await stack.getAllConfig();
  for (const k of Object.keys(all)) if (k.startsWith("safety:")) await stack.removeConfig(k);
  for (const [k, v] of Object.entries(config))
    await stack.setConfig(k.includes(":") ? k : `safety:${k}`, {
      value: Array.isArray(v) ? JSON.stringify(v) : String(v),
    });
}

/** Asserts that `run` fails with output matching every pattern; returns (and records) the output. */
async function refused(label: string, run: () => Promise<unknown>, ...patterns: RegExp[]): Promise<string> {
  let out: string | undefined;
  try {
    await run();
  } catch (e) {
    out = String((e as Error).message ?? e);
  }
  assert.ok(out !== undefined, `${label}: expected a refusal, but it succeeded`);
  record(label, out!);
  for (const p of patterns) assert.match(out!, p, `${label}: output does not match ${p}`);
  return out!;
}

function record(label: string, text: string): void {
  const file = process.env.DEFENDER_RBAC_E2E_TRANSCRIPT;
  if (file) fs.appendFileSync(file, `\n===== ${label} =====\n${text}\n`);
}

/** A comparable picture of a tenant: every custom role and assignment with its owner. */
function snapshot(store: TenantStore) {
  return JSON.stringify({
    roles: store
      .listRoles()
      .filter((r) => !r.isBuiltIn)
      .map((r) => [r.id, r.displayName, r.description, [...r.actions].sort(), r.managedBy ?? null]),
    assignments: store
      .listAssignments()
      .map((a) => [
        a.id,
        a.roleDefinitionId,
        [...a.principalIds].sort(),
        [...a.appScopeIds].sort(),
        a.managedBy ?? null,
      ]),
    activation: store.getActivation(),
  });
}

function withStore<T>(file: string, fn: (s: TenantStore) => T): T {
  const s = new TenantStore(file);
  try {
    return fn(s);
  } finally {
    s.close();
  }
}

describe("tenant safety end to end through the pulumi CLI", function () {
  this.timeout(STEP_TIMEOUT);
  let project: Project;

  before(function () {
    this.timeout(HOOK_TIMEOUT);
    project = useTarballProject();
  });

  describe("two stacks on one local tenant", () => {
    let dir: string;
    let a: Stack;
    let b: Stack;
    let storeFile: string;
    let analystRoleId: string;
    const A: Config = { breakGlass: true, analyst: true, activateEndpoint: true, importRole: "mdo:Security reader" };

    before(async () => {
      dir = addProgram(project, PROGRAM, "safety-local");
      storeFile = path.join(dir, ".defender-rbac", "tenant.db");
      a = await stackIn(project, dir, "a");
      b = await stackIn(project, dir, "b");
      await configure(a, A);
      const up = await a.up();
      assert.equal(up.summary.result, "succeeded");
      analystRoleId = String(up.outputs.analystRoleId.value);
    });
    after(async () => {
      // tearing down the only authorization manager of active workloads is a break-glass procedure
      (a.workspace as LocalWorkspace).envVars.DEFENDER_RBAC_ALLOW_LOCKOUT = "true";
      await b.destroy().catch(() => undefined);
      await a.destroy();
      withStore(storeFile, (s) => {
        assert.deepEqual(
          s.listRoles().filter((r) => !r.isBuiltIn),
          [],
          "no orphan role",
        );
        assert.deepEqual(s.listAssignments(), [], "no orphan assignment");
      });
    });

    it("every object stack A made carries its owner", () => {
      withStore(storeFile, (s) => {
        const custom = s.listRoles().filter((r) => !r.isBuiltIn);
        assert.equal(custom.length, 3);
        for (const r of [...custom, ...s.listAssignments()])
          assert.match(String(r.managedBy), /^urn:pulumi:a::safety::pulumi-nodejs:dynamic\/defender-rbac:/);
      });
    });

    it("stack B importing (implicitly) or adopting (by id) what A manages is refused at preview, naming A", async () => {
      const before = withStore(storeFile, snapshot);
      await configure(b, { importRole: "mdo:Security reader" });
      await refused(
        "local: stack B imports a role stack A manages (preview)",
        () => b.preview(),
        /property role .*: mdo role "Security reader" is already imported: role .* is managed by resource "imported" \(ImportedRole\) of stack "safety\/a"/,
        /takeOver: true/,
      );
      await configure(b, { adoptRole: analystRoleId });
      await refused(
        "local: stack B adopts stack A's role by id (preview)",
        () => b.preview(),
        /property adopt .*: role "Safety analyst" .* is managed by resource "analyst" \(UnifiedRole\) of stack "safety\/a"/,
      );
      assert.equal(withStore(storeFile, snapshot), before, "the tenant is unchanged");
    });

    it("an object nobody manages is taken over with a warning at preview that names it, and no duplicate", async () => {
      // a role imported in the portal: no owner
      const portal = withStore(storeFile, (s) =>
        s.createRole({
          displayName: "Security administrator",
          description: "Imported in the portal",
          actions: ["microsoft.xdr/secops/securitydata/read"],
          imported: { source: "mdo", legacyRoles: ["Security administrator"], originalId: "Security administrator" },
        }),
      );
      // B also assigns A's role: allowed, B manages the assignment
      await configure(b, { importRole: "mdo:Security administrator", assignToRole: analystRoleId });
      const preview = await b.preview({ diff: true });
      record("local: stack B's preview of an implicit adoption", preview.stdout);
      record("local: stack B's preview of an implicit adoption (stderr)", preview.stderr);
      // the diff shows the adoption apart from the creation: `adopts` names the object taken over
      const adopts = [...preview.stdout.matchAll(/adopts +: "(.+)"/g)].map((m) => m[1].replace(/\\"/g, '"'));
      assert.deepEqual(adopts, [
        `takes over existing role "Security administrator" (${portal.id}), which no stack manages`,
      ]);
      await b.up();
      withStore(storeFile, (s) => {
        assert.match(String(s.getRole(portal.id)!.managedBy), /^urn:pulumi:b::safety::/);
        assert.equal(
          s.listRoles().filter((r) => !r.isBuiltIn && r.displayName === "Security administrator").length,
          1,
          "no duplicate",
        );
      });
    });

    it("A deleting its role while B's assignment uses it is refused with the list; B loses nothing", async () => {
      const foreign = withStore(storeFile, (s) =>
        s.listAssignments({ roleDefinitionId: analystRoleId }).find((x) => /^urn:pulumi:b::/.test(String(x.managedBy))),
      );
      assert.ok(foreign, "stack B assigned A's role");
      // (a destroy would stop first at A's break-glass assignment, the last authorization manager)
      await configure(a, { ...A, analyst: false });
      await refused(
        "local: stack A deletes its role while stack B's assignment uses it (up)",
        () => a.up(),
        /role "Safety analyst" .* still has role assignments this stack does not manage/,
        new RegExp(
          `"Assignment on another stack's role" \\(${foreign!.id}, managed by resource "on-foreign-role" \\(RoleAssignment\\) of stack "safety/b"\\)`,
        ),
        /retainOnDelete/,
      );
      withStore(storeFile, (s) => {
        assert.ok(s.getRole(analystRoleId), "the role is still there");
        assert.ok(s.getAssignment(foreign!.id), "stack B's assignment is still there");
      });
    });

    it("destroying B leaves what A still manages whole: A's refresh shows no changes", async () => {
      await b.destroy();
      await a.refresh({ expectNoChanges: true });
      withStore(storeFile, (s) => assert.ok(s.getRole(analystRoleId)));
    });
  });

  describe("the lockout invariant on every change (local tenant, Endpoint and Identity active)", () => {
    let dir: string;
    let stack: Stack;
    let storeFile: string;
    // the break-glass assignment is the only authorization manager over Endpoint; the imported MDI
    // admin role's assignment the only one over Identity
    const BASE: Config = {
      breakGlass: true,
      breakGlassScope: "endpoint",
      activateEndpoint: true,
      importRole: "mdi:MDI admin",
      importAssignments: true,
      activateIdentity: true,
    };
    const unchanged = async (label: string, config: Config, run: () => Promise<unknown>, ...patterns: RegExp[]) => {
      await configure(stack, config);
      const before = withStore(storeFile, snapshot);
      const out = await refused(label, run, ...patterns);
      assert.equal(withStore(storeFile, snapshot), before, `${label}: the tenant is unchanged`);
      return out;
    };

    before(async () => {
      dir = addProgram(project, PROGRAM, "safety-lockout");
      storeFile = path.join(dir, ".defender-rbac", "tenant.db");
      stack = await stackIn(project, dir, "lock");
      await configure(stack, BASE);
      await stack.up();
      withStore(storeFile, (s) => {
        const active = s
          .getActivation()
          .filter((w) => w.active)
          .map((w) => w.workload);
        assert.ok(active.includes("Mde") && active.includes("Mdi"));
      });
    });
    after(async () => {
      (stack.workspace as LocalWorkspace).envVars.DEFENDER_RBAC_ALLOW_LOCKOUT = "true";
      await stack.destroy();
    });

    // Pulumi stops a preview at the first failing resource: one change per preview
    const ROLE_EDIT: Config = {
      ...BASE,
      breakGlassPermissions: ["Security operations \\ Security data \\ Security data basics (read)"],
    };

    it("a role edit that removes Authorization (manage) is refused at preview and by up", async () => {
      await unchanged(
        "lockout: role edit (preview)",
        ROLE_EDIT,
        () => stack.preview(),
        /property permissions .* has a problem: Removing Authorization \(manage\) from role "Break-glass authorization" .* in Microsoft Defender for Endpoint .*\(Mde\), last held by/,
        /allowLockout/,
      );
      await unchanged("lockout: role edit (up)", ROLE_EDIT, () => stack.up(), /Removing Authorization \(manage\)/);
    });

    it("an assignment scope edit that moves the last manager off Endpoint is refused at preview", async () => {
      await unchanged(
        "lockout: assignment scope edit (preview)",
        { ...BASE, breakGlassScope: "identity" },
        () => stack.preview(),
        /property scope .* has a problem: Changing the scope of role assignment "Break-glass" .*\(Mde\)/,
      );
    });

    it("authorizationAssignments naming a reader-only assignment fails at preview, before anything exists", async () => {
      await unchanged(
        "lockout: authorizationAssignments names a reader-only assignment (preview)",
        { ...BASE, readerActivation: true },
        () => stack.preview(),
        /authorizationAssignments\[0\].*: assignment "Authorization readers" does not grant "Authorization \(manage\)" over Mdo/,
      );
    });

    it("deleting the last authorization assignment, and a role whose own assignment is the last, are refused at the start of the delete", async () => {
      await unchanged(
        "lockout: assignment delete and role delete (up)",
        { ...BASE, breakGlassAssignment: false, importRole: "", importAssignments: false, activateIdentity: false },
        () => stack.up(),
        /Deleting role assignment "Break-glass" .* would leave nobody able to manage authorization .*\(Mde\)/,
        /Deleting imported role "MDI admin" .* and its assignment would leave nobody able to manage authorization .*\(Mdi\)/,
        /Nothing was deleted/,
      );
    });

    it("the escape hatch lets a break-glass procedure through", async () => {
      await configure(stack, { ...BASE, breakGlassAssignment: false, "defender-rbac:allowLockout": "true" });
      const up = await stack.up();
      assert.equal(up.summary.result, "succeeded");
      record("lockout: the escape hatch (up)", up.stdout);
      assert.match(up.stdout, /allowLockout is set, so this goes ahead/);
      withStore(storeFile, (s) =>
        assert.equal(s.listAssignments().filter((x) => x.displayName === "Break-glass").length, 0),
      );
    });
  });

  describe("two stacks on one Graph tenant (the emulator)", () => {
    let dir: string;
    let a: Stack;
    let b: Stack;
    let emu: RunningEmulator;
    let roleId: string;
    // (ImportedRole is left out here: every MDI role group maps to a permission with no published Graph string)
    const A: Config = { analyst: true };
    const picture = () => JSON.stringify([emu.store.listRoles(), emu.store.listAssignments()]);

    before(async () => {
      dir = addProgram(project, PROGRAM, "safety-graph");
      emu = await startEmulator({ store: path.join(dir, "graph-tenant.db"), faults: "lag:ms=100;seed=3" });
      const env = { DEFENDER_RBAC_GRAPH_TOKEN: "e2e-static-token" };
      a = await stackIn(project, dir, "ga", env);
      b = await stackIn(project, dir, "gb", env);
      for (const s of [a, b])
        await s.setAllConfig({
          "defender-rbac:backend": { value: "graph" },
          "defender-rbac:graphUrl": { value: emu.url },
          "defender-rbac:graphRetryBaseMs": { value: "5" },
          "defender-rbac:graphConsistencyWaitMs": { value: "1000" },
        });
      await configure(a, A);
      roleId = String((await a.up()).outputs.analystRoleId.value);
    });
    after(async () => {
      await b.destroy().catch(() => undefined);
      await a.destroy().catch(() => undefined);
      await emu?.close();
    });

    it("the owner is in the description Graph stores; the provider reads it back as the owner", () => {
      const roles = emu.store.listRoles().filter((r) => !r.isBuiltIn);
      assert.equal(roles.length, 1);
      for (const r of [...roles, ...emu.store.listAssignments()])
        assert.match(String(r.description), /\[managed by Pulumi: urn:pulumi:ga::safety::[^\]]+\]$/);
      assert.match(roles[0].description, /^analysts of the safety suite \[managed by Pulumi: /);
    });

    it("stack B adopting A's role is refused at preview, naming A", async () => {
      const before = picture();
      await configure(b, { adoptRole: roleId });
      await refused(
        "graph: stack B adopts stack A's role by id (preview)",
        () => b.preview(),
        /role "Safety analyst" .* is managed by resource "analyst" \(UnifiedRole\) of stack "safety\/ga"/,
      );
      assert.equal(picture(), before);
    });

    it("destroying A refuses to delete its role while B's assignment uses it; destroying B then A leaves nothing", async () => {
      await configure(b, { assignToRole: roleId });
      await b.up();
      await refused(
        "graph: stack A is destroyed while stack B's assignment uses its role (destroy)",
        () => a.destroy(),
        /still has role assignments this stack does not manage: "Assignment on another stack's role" .* of stack "safety\/gb"/,
      );
      assert.ok(emu.store.getRole(roleId), "A's role survived");
      assert.equal(emu.store.listAssignments({ roleDefinitionId: roleId }).length, 1, "B's assignment survived");
      await b.destroy();
      await a.refresh({ expectNoChanges: true });
      await a.destroy();
      assert.deepEqual(
        emu.store.listRoles().filter((r) => !r.isBuiltIn),
        [],
        "no orphan role",
      );
      assert.deepEqual(emu.store.listAssignments(), [], "no orphan assignment");
    });
  });
});
