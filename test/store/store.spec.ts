/**
 * The embedded local tenant store (provider/backend/store.ts). What users rely on:
 *  - a fresh store holds the seeded tenant (built-in roles, legacy roles to import, activation);
 *  - it is safe under the engine's parallel operations and under concurrent processes: no lost updates;
 *  - it survives a crash mid-write: never left corrupt, half-written transactions are gone;
 *  - a store written by a newer release is refused with a clear message, not misread.
 * Multi-process cases run test/store/worker.ts as real child processes on the same file.
 */
import assert from "node:assert/strict";
import { ChildProcess, spawn } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { BuiltInRoleError, NotFoundError, RoleInUseError } from "../../provider/backend/backend";
import { TenantStore } from "../../provider/backend/store";
import { LocalBackend } from "../../provider/backend/local";
import { loadSqlite } from "../../provider/backend/sqlite";
import type { RoleImportInfo } from "../../provider/backend/backend";
import { LOOP_ACTIONS, loopActions } from "./worker";

const WORKER = path.join(__dirname, "worker.js");

let dir: string;
const dbFile = (name = "tenant.db") => path.join(dir, name);
const open = (file = dbFile()) => new TenantStore(file);
const customRoles = (s: TenantStore) => s.listRoles().filter((r) => !r.isBuiltIn);

/** A raw read-only connection, for what the store's API does not expose. */
function rawQuery<T>(file: string, sql: string): T[] {
  const { DatabaseSync } = loadSqlite();
  const db = new DatabaseSync(file, { readOnly: true });
  try {
    return db
      .prepare(sql)
      .all()
      .map((row) => ({ ...row })) as T[]; // rows have a null prototype
  } finally {
    db.close();
  }
}
const integrity = (file: string) =>
  rawQuery<{ integrity_check: string }>(file, "PRAGMA integrity_check").map((r) => r.integrity_check);

// ---- child processes --------------------------------------------------------------------------

interface Worker {
  proc: ChildProcess;
  lines: string[];
  stderr: () => string;
  /** Resolves with the first stdout line matching `pred` (rejects if the child exits first). */
  waitFor(pred: (line: string) => boolean): Promise<string>;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

function startWorker(args: string[]): Worker {
  const proc = spawn(process.execPath, [WORKER, ...args], { stdio: ["pipe", "pipe", "pipe"] });
  const lines: string[] = [];
  const waiters: { pred: (l: string) => boolean; resolve: (l: string) => void; reject: (e: Error) => void }[] = [];
  let err = "";
  let partial = "";
  proc.stderr!.on("data", (d) => (err += d));
  proc.stdout!.on("data", (d) => {
    partial += d;
    const parts = partial.split("\n");
    partial = parts.pop()!;
    for (const l of parts) {
      lines.push(l);
      for (const w of waiters.filter((w) => w.pred(l))) {
        waiters.splice(waiters.indexOf(w), 1);
        w.resolve(l);
      }
    }
  });
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    proc.on("close", (code, signal) => {
      for (const w of waiters.splice(0))
        w.reject(new Error(`worker ${args[0]} exited (${code ?? signal}) before the expected line; stderr: ${err}`));
      resolve({ code, signal });
    }),
  );
  return {
    proc,
    lines,
    exited,
    stderr: () => err,
    waitFor: (pred) => {
      const hit = lines.find(pred);
      if (hit !== undefined) return Promise.resolve(hit);
      return new Promise((resolve, reject) => waiters.push({ pred, resolve, reject }));
    },
  };
}

/** Starts workers, waits until every one has opened the store, then releases them together. */
async function runTogether(argsList: string[][]): Promise<unknown[]> {
  const workers = argsList.map(startWorker);
  await Promise.all(workers.map((w) => w.waitFor((l) => l === "ready")));
  for (const w of workers) w.proc.stdin!.end("go\n");
  const results = await Promise.all(
    workers.map(async (w) => {
      const { code } = await w.exited;
      assert.equal(code, 0, `worker failed: ${w.stderr()}`);
      const done = w.lines.find((l) => l.startsWith("done "));
      assert.ok(done, `worker printed no result: ${w.lines.join("|")}`);
      return JSON.parse(done.slice(5));
    }),
  );
  return results;
}

describe("local store", () => {
  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), "defender-rbac-store-"));
  });
  afterEach(() => {
    fs.rmSync(dir, { recursive: true, force: true });
  });

  // ---- the seeded tenant --------------------------------------------------------------------------

  describe("a fresh store is seeded", () => {
    // The Entra roles whose "permissions for all workloads" column is not "not applicable" (the mapping page, docs/mapping.md).
    const BUILT_IN = [
      "Global administrator",
      "Security administrator",
      "Global reader",
      "Security reader",
      "Security operator",
      "Exchange Administrator",
      "SharePoint Administrator",
      "Service Support Administrator",
      "User Administrator",
      "HelpDesk Administrator",
    ];
    // Every row of the seed's "Defender for Office (EOP) role group" table.
    const MDO = [
      "Security reader",
      "Global reader",
      "Security administrator",
      "Organization Management",
      "View-Only Recipients",
      "Preview",
      "Search and Purge",
      "View-Only Manage Alerts",
      "Manage Alerts",
      "View-only Audit Logs",
      "Audit Logs",
      "Quarantine",
      "Role Management",
    ];

    it("holds the built-in roles, marked built-in, with stable ids across fresh stores", () => {
      const a = open(dbFile("a.db"));
      const b = open(dbFile("b.db"));
      try {
        const builtIns = a.listRoles().filter((r) => r.isBuiltIn);
        assert.deepEqual(builtIns.map((r) => r.displayName).sort(), [...BUILT_IN].sort());
        assert.equal(a.listRoles().length, builtIns.length, "a fresh store has no custom roles");
        for (const r of builtIns) {
          assert.ok(r.actions.length > 0, `${r.displayName} grants something`);
          assert.equal(r.imported, null);
        }
        assert.deepEqual(
          b
            .listRoles()
            .filter((r) => r.isBuiltIn)
            .map((r) => [r.displayName, r.id])
            .sort(),
          builtIns.map((r) => [r.displayName, r.id]).sort(),
        );
      } finally {
        a.close();
        b.close();
      }
    });

    it("gives Global reader exactly its all-workload permissions from the mapping page", () => {
      const s = open();
      try {
        const [gr] = s.findRolesByName("Global reader");
        // Security data basics (read) and Secure Score (read), the latter with no published action string
        assert.deepEqual(gr.actions, [
          "microsoft.xdr/secops/securitydata/basics/read",
          "urn:defender-rbac:permission:securityposture.posturemanagement.exposuremanagement:read",
        ]);
      } finally {
        s.close();
      }
    });

    it("refuses to update or delete a built-in role, leaving it unchanged", async () => {
      const backend = LocalBackend.open(dbFile());
      try {
        const [ga] = await backend.findRolesByName("Global administrator");
        assert.equal(ga.isBuiltIn, true);
        assert.throws(() => backend.store.updateRole(ga.id, { description: "mine now" }), BuiltInRoleError);
        await assert.rejects(
          backend.updateRole(ga.id, { actions: [] }),
          (e: Error) => e instanceof BuiltInRoleError && /built-in/.test(e.message) && e.message.includes(ga.id),
        );
        await assert.rejects(backend.deleteRole(ga.id), BuiltInRoleError);
        assert.deepEqual(await backend.getRole(ga.id), ga);
        // built-in roles can still be assigned
        const a = await backend.createAssignment({
          displayName: "admins",
          roleDefinitionId: ga.id,
          principalIds: ["p1"],
          appScopeIds: ["/"],
        });
        assert.equal(a.roleDefinitionId, ga.id);
      } finally {
        await backend.close();
      }
    });

    it("holds legacy roles for mde, all 13 MDO role groups/roles and the 3 MDI groups, each with members", () => {
      const s = open();
      try {
        const mdo = s.listLegacyRoles("mdo");
        assert.deepEqual(mdo.map((r) => r.name).sort(), [...MDO].sort());
        const mdi = s.listLegacyRoles("mdi");
        assert.deepEqual(mdi.map((r) => r.name).sort(), ["MDI admin", "MDI user", "MDI viewer"]);
        const mde = s.listLegacyRoles("mde");
        assert.ok(mde.length > 0);
        for (const r of mde) assert.ok(r.permissions.length > 0, `MDE custom role ${r.name} holds legacy permissions`);
        for (const r of [...mdo, ...mdi]) assert.deepEqual(r.permissions, [], "role groups carry no permission list");
        const all = [...mde, ...mdo, ...mdi];
        for (const r of all) assert.ok(r.members.length > 0, `${r.source} ${r.name} has members`);
        assert.equal(new Set(all.map((r) => `${r.source}/${r.id}`)).size, all.length, "ids unique per source");
        assert.deepEqual(s.listLegacyRoles("entra"), [], "Entra roles are not imported from the local store");
      } finally {
        s.close();
      }
    });

    it("has Defender for Cloud active and the other workloads inactive", () => {
      const s = open();
      try {
        const byWorkload = Object.fromEntries(s.getActivation().map((w) => [w.workload, w]));
        assert.deepEqual(byWorkload, {
          Mdc: { workload: "Mdc", active: true },
          Mde: { workload: "Mde", active: false },
          Mdi: { workload: "Mdi", active: false },
          Mda: { workload: "Mda", active: false },
          Mdo: { workload: "Mdo", active: false, exchangeOnline: false },
        });
      } finally {
        s.close();
      }
    });

    it("seeds once: reopening keeps changes and does not duplicate the seed", () => {
      let s = open();
      const builtIns = s.listRoles().length;
      s.setActivation({ workload: "Mde", active: true });
      const r = s.createRole({
        displayName: "Tier 1",
        description: "",
        actions: ["microsoft.xdr/secops/securitydata/basics/read"],
      });
      s.close();
      s = open();
      try {
        assert.equal(s.listRoles().length, builtIns + 1);
        assert.deepEqual(s.getRole(r.id), r);
        assert.equal(s.getActivation().find((w) => w.workload === "Mde")!.active, true);
        assert.equal(s.listLegacyRoles("mdo").length, 13);
      } finally {
        s.close();
      }
    });

    it("with seed: false holds no roles but still the default activation", () => {
      const s = new TenantStore(dbFile(), { seed: false });
      try {
        assert.deepEqual(s.listRoles(), []);
        assert.deepEqual(s.listLegacyRoles("mdo"), []);
        assert.equal(s.getActivation().find((w) => w.workload === "Mdc")!.active, true);
      } finally {
        s.close();
      }
    });
  });

  // ---- roles, imports and transactions ----------------------------------------------------------

  describe("roles and transactions", () => {
    it("marks an imported role edited on update and keeps the import link", async () => {
      const backend = LocalBackend.open(dbFile());
      const imported: RoleImportInfo = {
        source: "mdo",
        legacyRoles: ["Security reader"],
        originalId: "Security reader",
      };
      try {
        const r = await backend.createRole({
          displayName: "Security reader (imported)",
          description: "",
          actions: ["microsoft.xdr/secops/securitydata/basics/read"],
          imported,
        });
        assert.deepEqual(r.imported, imported);
        assert.equal(r.imported!.edited, undefined, "a fresh import is unedited");
        const u = await backend.updateRole(r.id, { description: "tuned" });
        assert.equal(u.id, r.id);
        assert.equal(u.description, "tuned");
        assert.deepEqual(u.actions, r.actions, "fields not in the patch are kept");
        assert.deepEqual(u.imported, { ...imported, edited: true });
        await backend.updateRole(r.id, { displayName: "SecReader" });
        assert.deepEqual((await backend.getRole(r.id))!.imported, { ...imported, edited: true }, "stays edited");
      } finally {
        await backend.close();
      }
      const reopened = open();
      try {
        const [r] = reopened.findRolesByName("SecReader");
        assert.deepEqual(r.imported, { ...imported, edited: true }, "persisted");
      } finally {
        reopened.close();
      }
    });

    it("reports missing roles and assignments as NotFoundError, and deletes idempotently", () => {
      const s = open();
      try {
        assert.equal(s.getRole("nope"), null);
        assert.throws(() => s.updateRole("nope", { description: "x" }), NotFoundError);
        assert.throws(
          () =>
            s.createAssignment({ displayName: "a", roleDefinitionId: "nope", principalIds: [], appScopeIds: ["/"] }),
          NotFoundError,
        );
        assert.throws(() => s.updateAssignment("nope", { displayName: "x" }), NotFoundError);
        s.deleteRole("nope");
        s.deleteAssignment("nope");
      } finally {
        s.close();
      }
    });

    it("refuses to delete a role that still has assignments, and deletes it once they are gone", () => {
      const s = open();
      try {
        const r = s.createRole({ displayName: "r", description: "", actions: [] });
        const other = s.createRole({ displayName: "o", description: "", actions: [] });
        const a1 = s.createAssignment({
          displayName: "a1",
          roleDefinitionId: r.id,
          principalIds: ["p"],
          appScopeIds: ["/"],
        });
        const a2 = s.createAssignment({
          displayName: "a2",
          roleDefinitionId: r.id,
          principalIds: ["q"],
          appScopeIds: ["/"],
        });
        const keep = s.createAssignment({
          displayName: "b",
          roleDefinitionId: other.id,
          principalIds: ["p"],
          appScopeIds: ["/"],
        });
        assert.throws(
          () => s.deleteRole(r.id),
          (e: Error) => e instanceof RoleInUseError && /"a1"/.test(e.message) && /"a2"/.test(e.message),
        );
        assert.ok(s.getRole(r.id), "nothing was deleted");
        assert.equal(s.listAssignments().length, 3);
        s.deleteAssignment(a1.id);
        s.deleteAssignment(a2.id);
        s.deleteRole(r.id);
        assert.equal(s.getRole(r.id), null);
        assert.deepEqual(s.listAssignments(), [keep]);
      } finally {
        s.close();
      }
    });

    it("a create under an owner marker returns the object an earlier create of that resource made", () => {
      const s = open();
      try {
        const me = "urn:pulumi:dev::p::pulumi-nodejs:dynamic/defender-rbac:UnifiedRole::r";
        const r = s.createRole({ displayName: "r", description: "d", actions: [], managedBy: me });
        assert.equal(s.getRole(r.id)!.managedBy, me);
        assert.deepEqual(
          s.findRolesManagedBy(me).map((x) => x.id),
          [r.id],
        );
        const again = s.createRole({ displayName: "r", description: "d", actions: ["x"], managedBy: me });
        assert.equal(again.id, r.id, "no second role for the same resource");
        // a replacement (another name or description under the same marker) is a new object
        const replacement = s.createRole({ displayName: "r2", description: "d", actions: [], managedBy: me });
        assert.notEqual(replacement.id, r.id);
        const other = s.createRole({ displayName: "o", description: "", actions: [] });
        const a = s.createAssignment({
          displayName: "a",
          roleDefinitionId: r.id,
          principalIds: ["p"],
          appScopeIds: ["/"],
          managedBy: me,
        });
        assert.equal(s.getAssignment(a.id)!.managedBy, me, "roles and assignments are separate namespaces");
        const same = s.createAssignment({
          displayName: "b",
          roleDefinitionId: r.id,
          principalIds: ["q"],
          appScopeIds: ["/"],
          managedBy: me,
        });
        assert.equal(same.id, a.id);
        const moved = s.createAssignment({
          displayName: "a",
          roleDefinitionId: other.id,
          principalIds: ["p"],
          appScopeIds: ["/"],
          managedBy: me,
        });
        assert.notEqual(moved.id, a.id, "an assignment replaced onto another role is a new object");
        s.updateRole(r.id, { managedBy: null });
        assert.equal(s.getRole(r.id)!.managedBy, null);
      } finally {
        s.close();
      }
    });

    it("rolls a failed transaction back entirely, nested writes included", () => {
      const s = open();
      try {
        const before = s.listRoles();
        assert.throws(
          () =>
            s.transaction(() => {
              s.createRole({ displayName: "doomed", description: "", actions: [] });
              s.setActivation({ workload: "Mdo", active: true, exchangeOnline: true });
              throw new Error("boom");
            }),
          /boom/,
        );
        assert.deepEqual(s.listRoles(), before);
        assert.equal(s.getActivation().find((w) => w.workload === "Mdo")!.active, false);
      } finally {
        s.close();
      }
    });

    it("composes the store's own methods into one atomic read-modify-write", () => {
      const s = open();
      try {
        const r = s.createRole({ displayName: "counter", description: "0", actions: [] });
        const kept = s.transaction(() => {
          const cur = s.getRole(r.id)!;
          s.updateRole(r.id, { description: String(Number(cur.description) + 1) });
          // a failing inner step, caught by the caller, undoes only itself
          assert.throws(
            () =>
              s.transaction(() => {
                s.createRole({ displayName: "inner", description: "", actions: [] });
                throw new Error("inner failure");
              }),
            /inner failure/,
          );
          return s.createRole({ displayName: "outer", description: "", actions: [] });
        });
        assert.equal(s.getRole(r.id)!.description, "1");
        assert.deepEqual(s.findRolesByName("inner"), []);
        assert.deepEqual(s.findRolesByName("outer"), [kept]);
        // the store is usable afterwards: no transaction was left open
        s.createRole({ displayName: "after", description: "", actions: [] });
        assert.equal(s.findRolesByName("after").length, 1);
      } finally {
        s.close();
      }
    });
  });

  // ---- parallel operations in one process ------------------------------------------------------

  describe("the engine's parallel operations", () => {
    it("keeps every concurrent create, update and assignment (Promise.all through LocalBackend)", async () => {
      const N = 60;
      // two backends on one file, as when the provider and a CLI command share a process
      const a = LocalBackend.open(dbFile());
      const b = LocalBackend.open(dbFile());
      try {
        const pick = (i: number) => (i % 2 ? a : b);
        const builtIns = (await a.listRoles()).length;
        const roles = await Promise.all(
          Array.from({ length: N }, (_, i) =>
            pick(i).createRole({
              displayName: `role-${i}`,
              description: "v0",
              actions: [`urn:defender-rbac:test:${i}`],
            }),
          ),
        );
        assert.equal(new Set(roles.map((r) => r.id)).size, N, "ids unique");

        const [updated, assignments] = await Promise.all([
          Promise.all(roles.map((r, i) => pick(i + 1).updateRole(r.id, { description: `v1-${i}` }))),
          Promise.all(
            roles.flatMap((r, i) =>
              [0, 1].map((k) =>
                pick(i + k).createAssignment({
                  displayName: `asg-${i}-${k}`,
                  roleDefinitionId: r.id,
                  principalIds: [`p-${i}-${k}`],
                  appScopeIds: ["/"],
                }),
              ),
            ),
          ),
        ]);
        assert.equal(updated.length, N);
        assert.equal(assignments.length, 2 * N);

        const all = await b.listRoles();
        assert.equal(all.length, builtIns + N);
        for (const [i, r] of roles.entries()) {
          const got = (await a.getRole(r.id))!;
          assert.equal(got.description, `v1-${i}`);
          assert.deepEqual(got.actions, [`urn:defender-rbac:test:${i}`]);
          assert.equal((await b.listAssignments({ roleDefinitionId: r.id })).length, 2);
        }
        assert.equal((await a.listAssignments()).length, 2 * N);
        assert.equal(new Set((await a.listAssignments()).map((x) => x.id)).size, 2 * N);
      } finally {
        await a.close();
        await b.close();
      }
    });
  });

  // ---- concurrent processes --------------------------------------------------------------------

  describe("concurrent processes", function () {
    this.timeout(30_000);
    const N = 4;

    it("loses no read-modify-write update when processes increment the same role", async () => {
      const M = 30;
      const s = open();
      const r = s.createRole({ displayName: "shared counter", description: "0", actions: [] });
      s.close();
      await runTogether(Array.from({ length: N }, (_, p) => ["increment", dbFile(), r.id, String(M), `w${p}`]));

      const after = open();
      try {
        const got = after.getRole(r.id)!;
        assert.equal(got.description, String(N * M), "every increment counted");
        assert.equal(got.actions.length, N * M, "every append kept");
        assert.equal(new Set(got.actions).size, N * M);
        for (let p = 0; p < N; p++) {
          const mine = got.actions.filter((x) => x.startsWith(`urn:defender-rbac:test:w${p}:`));
          assert.deepEqual(
            mine,
            Array.from({ length: M }, (_, i) => `urn:defender-rbac:test:w${p}:${i}`),
            `worker ${p}'s appends, in order`,
          );
        }
        assert.deepEqual(integrity(dbFile()), ["ok"]);
      } finally {
        after.close();
      }
    });

    it("keeps every role created concurrently by several processes, with no duplicate ids", async () => {
      const K = 40;
      const results = (await runTogether(
        Array.from({ length: N }, (_, p) => ["create", dbFile(), String(K), `c${p}`]),
      )) as { ids: string[] }[];
      const reported = results.flatMap((r) => r.ids);
      assert.equal(reported.length, N * K);
      assert.equal(new Set(reported).size, N * K, "no duplicate ids");

      const s = open();
      try {
        const custom = customRoles(s);
        assert.equal(custom.length, N * K, "exact count");
        assert.deepEqual(custom.map((r) => r.id).sort(), [...reported].sort());
        assert.equal(new Set(custom.map((r) => r.displayName)).size, N * K);
        assert.equal(s.listRoles().filter((r) => r.isBuiltIn).length, 10, "the seed was not repeated");
      } finally {
        s.close();
      }
    });

    it("seeds exactly once when several processes open a new store at the same moment", async () => {
      const workers = Array.from({ length: N }, () => startWorker(["open", dbFile("fresh.db")]));
      for (const w of workers) assert.equal((await w.exited).code, 0, w.stderr());
      const s = open(dbFile("fresh.db"));
      try {
        assert.equal(s.listRoles().length, 10);
        assert.equal(s.listLegacyRoles("mdo").length, 13);
        assert.equal(s.getActivation().length, 5);
      } finally {
        s.close();
      }
    });
  });

  // ---- crashes ---------------------------------------------------------------------------------

  describe("a crash mid-write", function () {
    this.timeout(30_000);

    it("rolls back a transaction killed before COMMIT and keeps earlier committed data", async () => {
      const s = open();
      const committed = s.createRole({
        displayName: "committed before",
        description: "",
        actions: ["microsoft.xdr/secops/securitydata/alerts/manage"],
      });
      const asg = s.createAssignment({
        displayName: "committed assignment",
        roleDefinitionId: committed.id,
        principalIds: ["p"],
        appScopeIds: ["/"],
      });
      s.close();

      const w = startWorker(["hold", dbFile(), "25"]);
      await w.waitFor((l) => l === "inserted");
      // while the writer holds its transaction, readers see only committed data (WAL)
      assert.deepEqual(rawQuery(dbFile(), "SELECT id FROM roles WHERE display_name LIKE 'half-%'"), []);
      w.proc.kill("SIGKILL");
      const { signal } = await w.exited;
      assert.equal(signal, "SIGKILL");
      assert.ok(!w.lines.includes("committed-unexpectedly"));

      const after = open();
      try {
        assert.deepEqual(integrity(dbFile()), ["ok"]);
        assert.deepEqual(
          after.listRoles().filter((r) => r.displayName.startsWith("half-")),
          [],
          "half-written roles are absent",
        );
        assert.equal(
          after.getActivation().find((x) => x.workload === "Mde")!.active,
          false,
          "half-written activation is absent",
        );
        assert.deepEqual(after.getRole(committed.id), committed);
        assert.deepEqual(after.getAssignment(asg.id), asg);
        // and the store takes new writes (the dead writer's lock is gone)
        const next = after.createRole({ displayName: "after crash", description: "", actions: [] });
        assert.deepEqual(after.getRole(next.id), next);
        assert.equal(customRoles(after).length, 2);
      } finally {
        after.close();
      }
    });

    it("is whole after a writer is killed at a random moment of a stream of commits", async () => {
      const rounds = 3;
      const reported = new Map<string, { tag: string; n: number }>();
      for (let round = 0; round < rounds; round++) {
        const tag = `loop${round}`;
        const w = startWorker(["loop", dbFile(), tag]);
        await w.waitFor((l) => l.startsWith("committed "));
        await new Promise((r) => setTimeout(r, 50 + Math.random() * 300));
        w.proc.kill("SIGKILL");
        assert.equal((await w.exited).signal, "SIGKILL");
        for (const l of w.lines.filter((x) => x.startsWith("committed "))) {
          const [, n, id] = l.split(" ");
          reported.set(id, { tag, n: Number(n) });
        }
        assert.deepEqual(integrity(dbFile()), ["ok"], `round ${round}`);
      }

      const s = open();
      try {
        const rows = customRoles(s);
        // every commit the writers reported survived
        for (const [id, { tag, n }] of reported) assert.equal(s.getRole(id)?.displayName, `${tag}-${n}`);
        // every row is whole: its actions are exactly the ones written with it, and each writer's rows are gap-free
        const byTag = new Map<string, number[]>();
        for (const r of rows) {
          const m = /^(loop\d+)-(\d+)$/.exec(r.displayName);
          assert.ok(m, `unexpected row ${r.displayName}`);
          const [tag, n] = [m[1], Number(m[2])];
          assert.equal(r.description, `${tag}:${n}:${LOOP_ACTIONS}`);
          assert.deepEqual(r.actions, loopActions(tag, n));
          byTag.set(tag, [...(byTag.get(tag) ?? []), n]);
        }
        assert.equal(byTag.size, rounds);
        for (const ns of byTag.values())
          assert.deepEqual(
            [...ns].sort((x, y) => x - y),
            ns.map((_, i) => i),
          );
        assert.ok(
          rows.length >= reported.size && rows.length <= reported.size + rounds,
          "at most the in-flight row per kill beyond the reported ones",
        );
        const next = s.createRole({ displayName: "after crashes", description: "", actions: [] });
        assert.deepEqual(s.getRole(next.id), next);
      } finally {
        s.close();
      }
    });
  });

  // ---- schema guard ----------------------------------------------------------------------------

  describe("schema guard", () => {
    it("refuses a store written by a newer release with a clear message, and leaves it untouched", () => {
      const file = dbFile("newer.db");
      const { DatabaseSync } = loadSqlite();
      const db = new DatabaseSync(file);
      // a future schema: a higher version, and a reshaped roles table
      db.exec(`
        CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
        INSERT INTO meta (key, value) VALUES ('schema', '4');
        CREATE TABLE roles (id TEXT PRIMARY KEY, name TEXT NOT NULL, definition TEXT NOT NULL);
      `);
      db.close();
      const tablesBefore = rawQuery<{ name: string }>(file, "SELECT name FROM sqlite_master ORDER BY name");

      assert.throws(
        () => new TenantStore(file),
        (e: Error) => {
          assert.match(e.message, /newer pulumi-defender-rbac/);
          assert.match(e.message, /schema 4/);
          assert.match(e.message, /upgrade/);
          assert.ok(e.message.includes(file), "names the file");
          return true;
        },
      );
      assert.deepEqual(
        rawQuery(file, "SELECT name FROM sqlite_master ORDER BY name"),
        tablesBefore,
        "no table or index added",
      );
      assert.deepEqual(rawQuery(file, "SELECT value FROM meta"), [{ value: "4" }]);
    });

    it("upgrades a schema-1 store: a seeded tenant gains the seeded directory, its data kept", () => {
      const file = dbFile("v1.db");
      const s = new TenantStore(file);
      const role = s.createRole({ displayName: "kept", description: "", actions: [] });
      s.close();
      // make it a schema-1 store: no directory tables
      const { DatabaseSync } = loadSqlite();
      const db = new DatabaseSync(file);
      db.exec(`DROP TABLE directory_objects; DROP TABLE group_members; DROP TABLE entra_role_holders;
        UPDATE meta SET value = '1' WHERE key = 'schema';`);
      db.close();
      const again = new TenantStore(file);
      try {
        assert.deepEqual(rawQuery(file, "SELECT value FROM meta WHERE key = 'schema'"), [{ value: "3" }]);
        assert.equal(again.getRole(role.id)?.displayName, "kept");
        const d = again.getDirectory();
        assert.ok(d.objects.some((o) => o.displayName === "SOC analysts"));
        assert.ok(d.entraRoles.length > 0);
      } finally {
        again.close();
      }
    });

    it("migrates a schema 1 store: its objects keep their data and carry no owner", () => {
      const file = dbFile("v1.db");
      const { DatabaseSync } = loadSqlite();
      const db = new DatabaseSync(file);
      db.exec(`
        CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
        INSERT INTO meta (key, value) VALUES ('schema', '1');
        CREATE TABLE roles (id TEXT PRIMARY KEY, display_name TEXT NOT NULL, description TEXT NOT NULL DEFAULT '',
          is_built_in INTEGER NOT NULL DEFAULT 0, actions TEXT NOT NULL, imported TEXT, created_at TEXT NOT NULL, modified_at TEXT NOT NULL);
        CREATE TABLE assignments (id TEXT PRIMARY KEY, display_name TEXT NOT NULL, role_definition_id TEXT NOT NULL REFERENCES roles(id),
          principal_ids TEXT NOT NULL, app_scope_ids TEXT NOT NULL, directory_scope_ids TEXT NOT NULL, created_at TEXT NOT NULL, modified_at TEXT NOT NULL);
        CREATE TABLE legacy_roles (source TEXT NOT NULL, id TEXT NOT NULL, name TEXT NOT NULL, permissions TEXT NOT NULL, members TEXT NOT NULL, PRIMARY KEY (source, id));
        CREATE TABLE activation (workload TEXT PRIMARY KEY, active INTEGER NOT NULL, exchange_online INTEGER NOT NULL DEFAULT 0, modified_at TEXT NOT NULL);
        INSERT INTO roles VALUES ('r1', 'old role', 'kept', 0, '["microsoft.xdr/secops/securitydata/read"]', NULL, 't', 't');
        INSERT INTO assignments VALUES ('a1', 'old assignment', 'r1', '["p"]', '["/"]', '["/"]', 't', 't');
      `);
      db.close();
      const s = new TenantStore(file);
      try {
        assert.deepEqual(
          { ...s.getRole("r1")!, imported: undefined },
          {
            id: "r1",
            displayName: "old role",
            description: "kept",
            isBuiltIn: false,
            actions: ["microsoft.xdr/secops/securitydata/read"],
            imported: undefined,
            managedBy: null,
          },
        );
        assert.equal(s.getAssignment("a1")!.managedBy, null);
        assert.equal(s.getAssignment("a1")!.description, "");
      } finally {
        s.close();
      }
      assert.deepEqual(rawQuery(file, "SELECT value FROM meta WHERE key = 'schema'"), [{ value: "3" }]);
    });

    it("opens a store of the current schema written earlier", () => {
      open().close();
      assert.deepEqual(rawQuery(dbFile(), "SELECT value FROM meta WHERE key = 'schema'"), [{ value: "3" }]);
      const s = open();
      try {
        assert.equal(s.listRoles().length, 10);
      } finally {
        s.close();
      }
    });
  });

  // ---- directory ------------------------------------------------------------------------------

  describe("directory", () => {
    it("a new tenant names the quickstart's group, nested members, Entra role holders and every legacy member", () => {
      const s = open();
      try {
        const d = s.getDirectory();
        const soc = d.objects.find((o) => o.id === "8e811502-2c2a-4d1b-9c5e-1f0b2e4f9a10");
        assert.deepEqual(soc, {
          id: "8e811502-2c2a-4d1b-9c5e-1f0b2e4f9a10",
          kind: "group",
          displayName: "SOC analysts",
        });
        const nested = d.members
          .filter((m) => m.groupId === soc!.id)
          .map((m) => d.objects.find((o) => o.id === m.memberId)!);
        assert.ok(
          nested.some((o) => o.kind === "group"),
          "a nested group",
        );
        assert.deepEqual(
          d.entraRoles.map((h) => h.role),
          ["Global administrator", "Security reader"],
        );
        const known = new Set(d.objects.map((o) => o.id));
        for (const src of ["mde", "mdo", "mdi"] as const)
          for (const r of s.listLegacyRoles(src))
            for (const m of r.members) assert.ok(known.has(m), `${r.name} member ${m}`);
      } finally {
        s.close();
      }
    });

    it("finds users by UPN and groups by display name, case-insensitively; writes are idempotent", () => {
      const s = open();
      try {
        assert.deepEqual(
          s.findPrincipals("ADELE.VANCE@contoso.example").map((o) => o.displayName),
          ["Adele Vance"],
        );
        assert.deepEqual(
          s.findPrincipals("soc analysts").map((o) => o.id),
          ["8e811502-2c2a-4d1b-9c5e-1f0b2e4f9a10"],
        );
        assert.deepEqual(s.findPrincipals("Adele Vance"), [], "users are found by UPN, not display name");
        s.putDirectoryObject({
          id: "44444444-4444-4444-8444-000000000001",
          kind: "group",
          displayName: "SOC analysts",
        });
        assert.equal(s.findPrincipals("SOC analysts").length, 2, "display names are not unique: ambiguous");
        const before = s.getDirectory().members.length;
        s.addGroupMember("44444444-4444-4444-8444-000000000001", "22222222-2222-4222-8222-000000000001");
        s.addGroupMember("44444444-4444-4444-8444-000000000001", "22222222-2222-4222-8222-000000000001");
        assert.equal(s.getDirectory().members.length, before + 1);
      } finally {
        s.close();
      }
    });

    it("reads the objects of given ids alone, case-insensitively, as the whole directory has them", () => {
      const s = open();
      try {
        const all = s.getDirectory().objects;
        const pick = [all[2].id.toUpperCase(), all[0].id, "99999999-9999-4999-8999-999999999999"];
        assert.deepEqual(s.directoryObjects(pick), [all[0], all[2]], "in the directory's order; unknown ids left out");
        assert.deepEqual(s.directoryObjects([]), []);
        assert.deepEqual(s.directoryObjects(all.map((o) => o.id)), all);
      } finally {
        s.close();
      }
    });
  });
});
