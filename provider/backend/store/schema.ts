/**
 * The local tenant store's schema: its tables, the migrations from earlier versions, and what a new
 * store is seeded with (built-in roles, legacy roles, default activation, the directory).
 */
import { builtInRoles, legacyRoles, DEFAULT_ACTIVE, directory as seedDirectory } from "../seed";
import { writeActivation } from "./activation";
import type { StoreConnection } from "./connection";
import { addEntraRoleHolder, addGroupMember, putDirectoryObject } from "./directory";

/**
 * 1: roles, assignments, legacy roles, activation. 2: the directory (users, groups, members, Entra role
 * holders). 3: who manages each role and assignment (managed_by), and assignment descriptions.
 */
export const SCHEMA_VERSION = 3;

const newer = (file: string, recorded: number | string) =>
  new Error(`${file} was written by a newer pulumi-defender-rbac (schema ${recorded}); upgrade the package`);

/** The schema version recorded in the file, without taking the write lock; null for a new file. */
function recordedSchema(db: StoreConnection): number | null {
  try {
    const v = db.sql("SELECT value FROM meta WHERE key = 'schema'").get() as { value: string } | undefined;
    return v ? Number(v.value) : null;
  } catch {
    return null; // no meta table yet
  }
}

/** Brings the file to SCHEMA_VERSION; a new file is created and, when `seed`, seeded. */
export function migrate(db: StoreConnection, seed: boolean): void {
  const recorded = recordedSchema(db);
  if (recorded === SCHEMA_VERSION) return; // an initialised store opens without waiting for writers
  if (recorded !== null && recorded > SCHEMA_VERSION) throw newer(db.file, recorded);
  db.transaction(() => {
    // Check the version before any other DDL: a newer schema may have reshaped these tables.
    db.exec("CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)");
    const v = db.sql("SELECT value FROM meta WHERE key = 'schema'").get() as { value: string } | undefined;
    if (v && Number(v.value) > SCHEMA_VERSION) throw newer(db.file, v.value);
    db.exec(`
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
      (db.prepare(`PRAGMA table_info(${table})`).all() as { name: string }[]).map((c) => c.name);
    if (!columns("roles").includes("managed_by")) db.exec("ALTER TABLE roles ADD COLUMN managed_by TEXT");
    const assignmentColumns = columns("assignments");
    if (!assignmentColumns.includes("managed_by")) db.exec("ALTER TABLE assignments ADD COLUMN managed_by TEXT");
    if (!assignmentColumns.includes("description"))
      db.exec("ALTER TABLE assignments ADD COLUMN description TEXT NOT NULL DEFAULT ''");
    // not unique: a replacement creates its new object under the same marker before the old one goes
    db.exec(`
      CREATE INDEX IF NOT EXISTS roles_by_owner ON roles (managed_by) WHERE managed_by IS NOT NULL;
      CREATE INDEX IF NOT EXISTS assignments_by_owner ON assignments (managed_by) WHERE managed_by IS NOT NULL;
    `);
    if (!v) {
      db.sql("INSERT INTO meta (key, value) VALUES ('schema', ?)").run(String(SCHEMA_VERSION));
      if (seed) seedTenant(db);
      else for (const [workload, active] of DEFAULT_ACTIVE) writeActivation(db, { workload, active });
    } else {
      db.sql("UPDATE meta SET value = ? WHERE key = 'schema'").run(String(SCHEMA_VERSION));
      if (Number(v.value) < 2) {
        // Schema 1 → 2: a seeded tenant (one with built-in roles) gains the seeded directory.
        const seeded = db.sql("SELECT 1 FROM roles WHERE is_built_in = 1 LIMIT 1").get();
        if (seeded) seedTheDirectory(db);
      }
    }
  });
}

function seedTheDirectory(db: StoreConnection): void {
  const d = seedDirectory();
  for (const o of d.objects) putDirectoryObject(db, o);
  for (const m of d.members) addGroupMember(db, m.groupId, m.memberId);
  for (const h of d.entraRoles) addEntraRoleHolder(db, h.role, h.principalId);
}

function seedTenant(db: StoreConnection): void {
  const now = new Date().toISOString();
  const insRole = db.prepare(
    "INSERT INTO roles (id, display_name, description, is_built_in, actions, imported, created_at, modified_at) VALUES (?, ?, ?, 1, ?, NULL, ?, ?)",
  );
  for (const r of builtInRoles()) insRole.run(r.id, r.displayName, r.description, JSON.stringify(r.actions), now, now);
  const insLegacy = db.prepare(
    "INSERT INTO legacy_roles (source, id, name, permissions, members) VALUES (?, ?, ?, ?, ?)",
  );
  for (const l of legacyRoles())
    insLegacy.run(l.source, l.id, l.name, JSON.stringify(l.permissions), JSON.stringify(l.members));
  for (const [workload, active] of DEFAULT_ACTIVE) writeActivation(db, { workload, active });
  seedTheDirectory(db);
}
