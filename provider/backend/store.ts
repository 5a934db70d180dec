/**
 * The embedded local tenant store: one SQLite file (node:sqlite) under the project.
 *
 * Why SQLite rather than a JSON file with a lock: the engine runs resource operations in parallel,
 * and several processes (the provider, `defender-rbac` commands, the emulator) may share one store.
 * SQLite gives each write an ACID transaction (BEGIN IMMEDIATE: writers queue on the database lock,
 * so there are no lost updates), WAL journaling (readers never block the writer) and crash safety
 * (a write interrupted by a crash rolls back on the next open; the file is never left half-written).
 * `synchronous = NORMAL` with WAL: a commit is durable once the process returns from it (a crash of
 * the process, or of the engine, loses nothing committed), and the file stays consistent through a power
 * loss, which may only forget the last commits before it. FULL would fsync on every commit: 3–9 ms per
 * write, blocking the provider's event loop, the largest cost of an `up` (measured with test/bench).
 * A JSON store would need a hand-made lock file, stale-lock recovery and write-rename: more code with
 * weaker guarantees. node:sqlite ships with Node 22, so there is no native add-on to build.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { randomUUID } from "node:crypto";
import type { DatabaseSync, StatementSync } from "node:sqlite";
import { loadSqlite } from "./sqlite";
import { builtInRoles, legacyRoles, DEFAULT_ACTIVE, directory as seedDirectory } from "./seed";
import type {
  AssignmentInput,
  AssignmentPatch,
  AssignmentRecord,
  LegacyRoleRecord,
  RoleImportInfo,
  RoleInput,
  RolePatch,
  RoleRecord,
  WorkloadState,
} from "./backend";
import { BuiltInRoleError, NotFoundError, RoleInUseError } from "./backend";
import type { LegacySource } from "../core/legacy";
import type { Workload } from "../core/workloads";
import type { Directory, DirectoryObject } from "../core/access";

/**
 * 1: roles, assignments, legacy roles, activation. 2: the directory (users, groups, members, Entra role
 * holders). 3: who manages each role and assignment (managed_by), and assignment descriptions.
 */
const SCHEMA_VERSION = 3;

interface RoleRow {
  id: string;
  display_name: string;
  description: string;
  is_built_in: number;
  actions: string;
  imported: string | null;
  managed_by: string | null;
}
interface AssignmentRow {
  id: string;
  display_name: string;
  description: string;
  managed_by: string | null;
  role_definition_id: string;
  principal_ids: string;
  app_scope_ids: string;
  directory_scope_ids: string;
}

const roleFromRow = (r: RoleRow): RoleRecord => ({
  id: r.id,
  displayName: r.display_name,
  description: r.description,
  isBuiltIn: r.is_built_in === 1,
  actions: JSON.parse(r.actions),
  imported: r.imported ? (JSON.parse(r.imported) as RoleImportInfo) : null,
  managedBy: r.managed_by ?? null,
});

const assignmentFromRow = (r: AssignmentRow): AssignmentRecord => ({
  id: r.id,
  displayName: r.display_name,
  description: r.description ?? "",
  roleDefinitionId: r.role_definition_id,
  principalIds: JSON.parse(r.principal_ids),
  appScopeIds: JSON.parse(r.app_scope_ids),
  directoryScopeIds: JSON.parse(r.directory_scope_ids),
  managedBy: r.managed_by ?? null,
});

export interface StoreOptions {
  /** Seed a new store with built-in roles, legacy roles and default activation (default true). */
  seed?: boolean;
}

export class TenantStore {
  private readonly db: DatabaseSync;
  private closed = false;
  /** Nesting depth of transaction(): 0 outside, 1 in the outer BEGIN IMMEDIATE, more in savepoints. */
  private depth = 0;
  /** Prepared statements by SQL text: each is compiled once per open store, not once per call. */
  private readonly statements = new Map<string, StatementSync>();

  constructor(
    readonly file: string,
    opts: StoreOptions = {},
  ) {
    fs.mkdirSync(path.dirname(path.resolve(file)), { recursive: true });
    const { DatabaseSync } = loadSqlite();
    this.db = new DatabaseSync(file);
    try {
      this.db.exec("PRAGMA busy_timeout = 15000");
      this.db.exec("PRAGMA journal_mode = WAL");
      this.db.exec("PRAGMA synchronous = NORMAL");
      this.db.exec("PRAGMA foreign_keys = ON");
      this.migrate(opts.seed ?? true);
    } catch (e) {
      this.db.close(); // a store that refuses to open must not leak its handle
      throw e;
    }
  }

  /**
   * Runs `fn` in one write transaction; the database lock serialises writers across processes.
   * Calls nest (an inner call is a savepoint), so a read-modify-write built from the store's own
   * methods, e.g. `transaction(() => updateRole(id, f(getRole(id))))`, is atomic.
   */
  transaction<T>(fn: () => T): T {
    const outer = this.depth === 0;
    const sp = `sp${this.depth}`;
    this.db.exec(outer ? "BEGIN IMMEDIATE" : `SAVEPOINT ${sp}`);
    this.depth++;
    try {
      const r = fn();
      this.db.exec(outer ? "COMMIT" : `RELEASE ${sp}`);
      return r;
    } catch (e) {
      try {
        this.db.exec(outer ? "ROLLBACK" : `ROLLBACK TO ${sp}; RELEASE ${sp}`);
      } catch {
        // SQLite already rolled the transaction back (e.g. SQLITE_FULL): keep the original error
      }
      throw e;
    } finally {
      this.depth--;
    }
  }

  private sql(text: string): StatementSync {
    let st = this.statements.get(text);
    if (!st) {
      st = this.db.prepare(text);
      this.statements.set(text, st);
    }
    return st;
  }

  /** The schema version recorded in the file, without taking the write lock; null for a new file. */
  private recordedSchema(): number | null {
    try {
      const v = this.sql("SELECT value FROM meta WHERE key = 'schema'").get() as { value: string } | undefined;
      return v ? Number(v.value) : null;
    } catch {
      return null; // no meta table yet
    }
  }

  private migrate(seed: boolean): void {
    const recorded = this.recordedSchema();
    if (recorded === SCHEMA_VERSION) return; // an initialised store opens without waiting for writers
    if (recorded !== null && recorded > SCHEMA_VERSION) {
      throw new Error(
        `${this.file} was written by a newer pulumi-defender-rbac (schema ${recorded}); upgrade the package`,
      );
    }
    this.transaction(() => {
      // Check the version before any other DDL: a newer schema may have reshaped these tables.
      this.db.exec("CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)");
      const v = this.sql("SELECT value FROM meta WHERE key = 'schema'").get() as { value: string } | undefined;
      if (v && Number(v.value) > SCHEMA_VERSION) {
        throw new Error(
          `${this.file} was written by a newer pulumi-defender-rbac (schema ${v.value}); upgrade the package`,
        );
      }
      this.db.exec(`
        CREATE TABLE IF NOT EXISTS roles (
          id TEXT PRIMARY KEY, display_name TEXT NOT NULL, description TEXT NOT NULL DEFAULT '',
          is_built_in INTEGER NOT NULL DEFAULT 0, actions TEXT NOT NULL, imported TEXT,
          created_at TEXT NOT NULL, modified_at TEXT NOT NULL);
        CREATE INDEX IF NOT EXISTS roles_by_name ON roles (display_name COLLATE NOCASE);
        CREATE TABLE IF NOT EXISTS assignments (
          id TEXT PRIMARY KEY, display_name TEXT NOT NULL, role_definition_id TEXT NOT NULL REFERENCES roles(id),
          principal_ids TEXT NOT NULL, app_scope_ids TEXT NOT NULL, directory_scope_ids TEXT NOT NULL,
          created_at TEXT NOT NULL, modified_at TEXT NOT NULL);
        CREATE INDEX IF NOT EXISTS assignments_by_role ON assignments (role_definition_id);
        CREATE TABLE IF NOT EXISTS legacy_roles (
          source TEXT NOT NULL, id TEXT NOT NULL, name TEXT NOT NULL, permissions TEXT NOT NULL, members TEXT NOT NULL,
          PRIMARY KEY (source, id));
        CREATE TABLE IF NOT EXISTS activation (
          workload TEXT PRIMARY KEY, active INTEGER NOT NULL, exchange_online INTEGER NOT NULL DEFAULT 0, modified_at TEXT NOT NULL);
        CREATE TABLE IF NOT EXISTS directory_objects (
          id TEXT PRIMARY KEY, kind TEXT NOT NULL CHECK (kind IN ('user', 'group')), display_name TEXT NOT NULL,
          user_principal_name TEXT);
        CREATE TABLE IF NOT EXISTS group_members (
          group_id TEXT NOT NULL, member_id TEXT NOT NULL, PRIMARY KEY (group_id, member_id));
        CREATE TABLE IF NOT EXISTS entra_role_holders (
          role TEXT NOT NULL, principal_id TEXT NOT NULL, PRIMARY KEY (role, principal_id));
      `);
      // schema 3: who manages each object (core/ownership.ts), and assignment descriptions (Graph has them)
      const columns = (table: string) =>
        (this.db.prepare(`PRAGMA table_info(${table})`).all() as { name: string }[]).map((c) => c.name);
      if (!columns("roles").includes("managed_by")) this.db.exec("ALTER TABLE roles ADD COLUMN managed_by TEXT");
      const assignmentColumns = columns("assignments");
      if (!assignmentColumns.includes("managed_by")) this.db.exec("ALTER TABLE assignments ADD COLUMN managed_by TEXT");
      if (!assignmentColumns.includes("description"))
        this.db.exec("ALTER TABLE assignments ADD COLUMN description TEXT NOT NULL DEFAULT ''");
      // not unique: a replacement creates its new object under the same marker before the old one goes
      this.db.exec(`
        CREATE INDEX IF NOT EXISTS roles_by_owner ON roles (managed_by) WHERE managed_by IS NOT NULL;
        CREATE INDEX IF NOT EXISTS assignments_by_owner ON assignments (managed_by) WHERE managed_by IS NOT NULL;
      `);
      if (!v) {
        this.sql("INSERT INTO meta (key, value) VALUES ('schema', ?)").run(String(SCHEMA_VERSION));
        if (seed) this.seedTenant();
        else for (const [workload, active] of DEFAULT_ACTIVE) this.writeActivation({ workload, active });
      } else {
        this.sql("UPDATE meta SET value = ? WHERE key = 'schema'").run(String(SCHEMA_VERSION));
        if (Number(v.value) < 2) {
          // Schema 1 → 2: a seeded tenant (one with built-in roles) gains the seeded directory.
          const seeded = this.sql("SELECT 1 FROM roles WHERE is_built_in = 1 LIMIT 1").get();
          if (seeded) this.seedDirectory();
        }
      }
    });
  }

  private seedDirectory(): void {
    const d = seedDirectory();
    for (const o of d.objects) this.putDirectoryObject(o);
    for (const m of d.members) this.addGroupMember(m.groupId, m.memberId);
    for (const h of d.entraRoles) this.addEntraRoleHolder(h.role, h.principalId);
  }

  private seedTenant(): void {
    const now = new Date().toISOString();
    const insRole = this.db.prepare(
      "INSERT INTO roles (id, display_name, description, is_built_in, actions, imported, created_at, modified_at) VALUES (?, ?, ?, 1, ?, NULL, ?, ?)",
    );
    for (const r of builtInRoles())
      insRole.run(r.id, r.displayName, r.description, JSON.stringify(r.actions), now, now);
    const insLegacy = this.db.prepare(
      "INSERT INTO legacy_roles (source, id, name, permissions, members) VALUES (?, ?, ?, ?, ?)",
    );
    for (const l of legacyRoles())
      insLegacy.run(l.source, l.id, l.name, JSON.stringify(l.permissions), JSON.stringify(l.members));
    for (const [workload, active] of DEFAULT_ACTIVE) this.writeActivation({ workload, active });
    this.seedDirectory();
  }

  // ---- roles ----

  listRoles(): RoleRecord[] {
    return (
      this.sql("SELECT * FROM roles ORDER BY is_built_in DESC, created_at, id").all() as unknown as RoleRow[]
    ).map(roleFromRow);
  }

  getRole(id: string): RoleRecord | null {
    const r = this.sql("SELECT * FROM roles WHERE id = ?").get(id) as RoleRow | undefined;
    return r ? roleFromRow(r) : null;
  }

  findRolesByName(displayName: string): RoleRecord[] {
    return (
      this.sql("SELECT * FROM roles WHERE display_name = ? ORDER BY created_at, id").all(
        displayName,
      ) as unknown as RoleRow[]
    ).map(roleFromRow);
  }

  /** Roles whose marker names `managedBy`. */
  findRolesManagedBy(managedBy: string): RoleRecord[] {
    return (this.sql("SELECT * FROM roles WHERE managed_by = ?").all(managedBy) as unknown as RoleRow[]).map(
      roleFromRow,
    );
  }

  /**
   * Creates a custom role, or returns the one an earlier interrupted create of the same resource made:
   * a role carrying `input.managedBy` with the same name and description (the backend contract).
   */
  createRole(input: RoleInput, id: string = randomUUID()): RoleRecord {
    const now = new Date().toISOString();
    return this.transaction(() => {
      const own = input.managedBy
        ? this.findRolesManagedBy(input.managedBy).find(
            (r) => r.displayName === input.displayName && r.description === (input.description ?? ""),
          )
        : undefined;
      if (own) return own;
      this.sql(
        "INSERT INTO roles (id, display_name, description, is_built_in, actions, imported, managed_by, created_at, modified_at) VALUES (?, ?, ?, 0, ?, ?, ?, ?, ?)",
      ).run(
        id,
        input.displayName,
        input.description ?? "",
        JSON.stringify(input.actions),
        input.imported ? JSON.stringify(input.imported) : null,
        input.managedBy ?? null,
        now,
        now,
      );
      return this.getRole(id)!;
    });
  }

  /** Applies a patch; any edit clears the portal's "Imported" marker (the import link is kept, marked edited). */
  updateRole(id: string, patch: RolePatch): RoleRecord {
    return this.transaction(() => {
      const cur = this.getRole(id);
      if (!cur) throw new NotFoundError("role", id);
      if (cur.isBuiltIn) throw new BuiltInRoleError(id, "changed");
      const next = {
        ...cur,
        ...Object.fromEntries(Object.entries(patch).filter(([, v]) => v !== undefined)),
      } as RoleRecord;
      // only an edit of what the portal shows clears the "Imported" marker; taking over does not
      const edited = patch.displayName !== undefined || patch.description !== undefined || patch.actions !== undefined;
      const imported = cur.imported ? JSON.stringify(edited ? { ...cur.imported, edited: true } : cur.imported) : null;
      this.sql(
        "UPDATE roles SET display_name = ?, description = ?, actions = ?, imported = ?, managed_by = ?, modified_at = ? WHERE id = ?",
      ).run(
        next.displayName,
        next.description,
        JSON.stringify(next.actions),
        imported,
        next.managedBy ?? null,
        new Date().toISOString(),
        id,
      );
      return this.getRole(id)!;
    });
  }

  /**
   * Deletes a custom role. Missing ids succeed. A role that still has assignments is refused
   * (RoleInUseError): deleting it would take them with it (docs/ownership.md, "No cascading loss").
   */
  deleteRole(id: string): void {
    this.transaction(() => {
      const cur = this.getRole(id);
      if (!cur) return;
      if (cur.isBuiltIn) throw new BuiltInRoleError(id, "deleted");
      const left = this.listAssignments({ roleDefinitionId: id });
      if (left.length) throw new RoleInUseError(id, left);
      this.sql("DELETE FROM roles WHERE id = ?").run(id);
    });
  }

  // ---- assignments ----

  listAssignments(filter: { roleDefinitionId?: string } = {}): AssignmentRecord[] {
    const rows = filter.roleDefinitionId
      ? this.sql("SELECT * FROM assignments WHERE role_definition_id = ? ORDER BY created_at, id").all(
          filter.roleDefinitionId,
        )
      : this.sql("SELECT * FROM assignments ORDER BY created_at, id").all();
    return (rows as unknown as AssignmentRow[]).map(assignmentFromRow);
  }

  getAssignment(id: string): AssignmentRecord | null {
    const r = this.sql("SELECT * FROM assignments WHERE id = ?").get(id) as AssignmentRow | undefined;
    return r ? assignmentFromRow(r) : null;
  }

  createAssignment(input: AssignmentInput, id: string = randomUUID()): AssignmentRecord {
    const now = new Date().toISOString();
    return this.transaction(() => {
      if (!this.getRole(input.roleDefinitionId)) throw new NotFoundError("role", input.roleDefinitionId);
      // the one an earlier interrupted create of the same resource made, on the same role (the backend contract)
      const own = input.managedBy
        ? this.findAssignmentsManagedBy(input.managedBy).find((a) => a.roleDefinitionId === input.roleDefinitionId)
        : undefined;
      if (own) return own;
      this.sql(
        "INSERT INTO assignments (id, display_name, description, role_definition_id, principal_ids, app_scope_ids, directory_scope_ids, managed_by, created_at, modified_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
      ).run(
        id,
        input.displayName,
        input.description ?? "",
        input.roleDefinitionId,
        JSON.stringify(input.principalIds),
        JSON.stringify(input.appScopeIds),
        JSON.stringify(["/"]),
        input.managedBy ?? null,
        now,
        now,
      );
      return this.getAssignment(id)!;
    });
  }

  /** Assignments whose marker names `managedBy`. */
  findAssignmentsManagedBy(managedBy: string): AssignmentRecord[] {
    return (
      this.sql("SELECT * FROM assignments WHERE managed_by = ?").all(managedBy) as unknown as AssignmentRow[]
    ).map(assignmentFromRow);
  }

  updateAssignment(id: string, patch: AssignmentPatch): AssignmentRecord {
    return this.transaction(() => {
      const cur = this.getAssignment(id);
      if (!cur) throw new NotFoundError("assignment", id);
      const next = {
        ...cur,
        ...Object.fromEntries(Object.entries(patch).filter(([, v]) => v !== undefined)),
      } as AssignmentRecord;
      this.sql(
        "UPDATE assignments SET display_name = ?, description = ?, principal_ids = ?, app_scope_ids = ?, managed_by = ?, modified_at = ? WHERE id = ?",
      ).run(
        next.displayName,
        next.description ?? "",
        JSON.stringify(next.principalIds),
        JSON.stringify(next.appScopeIds),
        next.managedBy ?? null,
        new Date().toISOString(),
        id,
      );
      return this.getAssignment(id)!;
    });
  }

  deleteAssignment(id: string): void {
    this.transaction(() => {
      this.sql("DELETE FROM assignments WHERE id = ?").run(id);
    });
  }

  // ---- legacy roles and activation ----

  listLegacyRoles(source: LegacySource): LegacyRoleRecord[] {
    const rows = this.sql("SELECT * FROM legacy_roles WHERE source = ? ORDER BY name").all(source) as unknown as {
      source: LegacySource;
      id: string;
      name: string;
      permissions: string;
      members: string;
    }[];
    return rows.map((r) => ({
      source: r.source,
      id: r.id,
      name: r.name,
      permissions: JSON.parse(r.permissions),
      members: JSON.parse(r.members),
    }));
  }

  putLegacyRole(role: LegacyRoleRecord): void {
    this.transaction(() => {
      this.sql(
        "INSERT OR REPLACE INTO legacy_roles (source, id, name, permissions, members) VALUES (?, ?, ?, ?, ?)",
      ).run(role.source, role.id, role.name, JSON.stringify(role.permissions), JSON.stringify(role.members));
    });
  }

  getActivation(): WorkloadState[] {
    const rows = this.sql("SELECT * FROM activation ORDER BY workload").all() as unknown as {
      workload: Workload["appScope"];
      active: number;
      exchange_online: number;
    }[];
    return rows.map((r) => ({
      workload: r.workload,
      active: r.active === 1,
      ...(r.workload === "Mdo" ? { exchangeOnline: r.exchange_online === 1 } : {}),
    }));
  }

  setActivation(state: WorkloadState): WorkloadState {
    return this.transaction(() => {
      this.writeActivation(state);
      return this.getActivation().find((s) => s.workload === state.workload)!;
    });
  }

  private writeActivation(state: WorkloadState): void {
    this.sql(
      "INSERT OR REPLACE INTO activation (workload, active, exchange_online, modified_at) VALUES (?, ?, ?, ?)",
    ).run(state.workload, state.active ? 1 : 0, state.exchangeOnline ? 1 : 0, new Date().toISOString());
  }

  // ---- directory (the local tenant's Entra stand-in) ----

  /** Users and groups with display names, direct memberships and Entra role holders. */
  getDirectory(): Directory {
    const objects = (
      this.sql("SELECT * FROM directory_objects ORDER BY display_name, id").all() as unknown as {
        id: string;
        kind: "user" | "group";
        display_name: string;
        user_principal_name: string | null;
      }[]
    ).map((r): DirectoryObject => ({
      id: r.id,
      kind: r.kind,
      displayName: r.display_name,
      ...(r.user_principal_name ? { userPrincipalName: r.user_principal_name } : {}),
    }));
    const members = (
      this.sql("SELECT group_id, member_id FROM group_members ORDER BY group_id, member_id").all() as unknown as {
        group_id: string;
        member_id: string;
      }[]
    ).map((r) => ({ groupId: r.group_id, memberId: r.member_id }));
    const entraRoles = (
      this.sql("SELECT role, principal_id FROM entra_role_holders ORDER BY role, principal_id").all() as unknown as {
        role: string;
        principal_id: string;
      }[]
    ).map((r) => ({ role: r.role, principalId: r.principal_id }));
    return { objects, members, entraRoles };
  }

  /** Users whose user principal name, or groups whose display name, is `name` (case-insensitive). */
  findPrincipals(name: string): DirectoryObject[] {
    const n = name.trim().toLowerCase();
    return this.getDirectory().objects.filter((o) =>
      o.kind === "user" ? o.userPrincipalName?.toLowerCase() === n : o.displayName.toLowerCase() === n,
    );
  }

  putDirectoryObject(o: DirectoryObject): void {
    this.transaction(() => {
      this.sql(
        "INSERT OR REPLACE INTO directory_objects (id, kind, display_name, user_principal_name) VALUES (?, ?, ?, ?)",
      ).run(o.id.toLowerCase(), o.kind, o.displayName, o.userPrincipalName ?? null);
    });
  }

  addGroupMember(groupId: string, memberId: string): void {
    this.transaction(() => {
      this.sql("INSERT OR IGNORE INTO group_members (group_id, member_id) VALUES (?, ?)").run(
        groupId.toLowerCase(),
        memberId.toLowerCase(),
      );
    });
  }

  addEntraRoleHolder(role: string, principalId: string): void {
    this.transaction(() => {
      this.sql("INSERT OR IGNORE INTO entra_role_holders (role, principal_id) VALUES (?, ?)").run(
        role,
        principalId.toLowerCase(),
      );
    });
  }

  close(): void {
    if (!this.closed) {
      this.closed = true;
      this.db.close();
    }
  }
}
