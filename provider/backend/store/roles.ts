/** The roles table of the local tenant store: custom and built-in roles, with their managed-by marker. */
import { randomUUID } from "node:crypto";
import type { RoleImportInfo, RoleInput, RolePatch, RoleRecord } from "../backend";
import { BuiltInRoleError, NotFoundError, RoleInUseError } from "../backend";
import { listAssignments } from "./assignments";
import type { StoreConnection } from "./connection";

interface RoleRow {
  id: string;
  display_name: string;
  description: string;
  is_built_in: number;
  actions: string;
  imported: string | null;
  managed_by: string | null;
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

export function listRoles(db: StoreConnection): RoleRecord[] {
  return (db.sql("SELECT * FROM roles ORDER BY is_built_in DESC, created_at, id").all() as unknown as RoleRow[]).map(
    roleFromRow,
  );
}

export function getRole(db: StoreConnection, id: string): RoleRecord | null {
  const r = db.sql("SELECT * FROM roles WHERE id = ?").get(id) as RoleRow | undefined;
  return r ? roleFromRow(r) : null;
}

export function findRolesByName(db: StoreConnection, displayName: string): RoleRecord[] {
  return (
    db
      .sql("SELECT * FROM roles WHERE display_name = ? ORDER BY created_at, id")
      .all(displayName) as unknown as RoleRow[]
  ).map(roleFromRow);
}

/** Roles whose marker names `managedBy`. */
export function findRolesManagedBy(db: StoreConnection, managedBy: string): RoleRecord[] {
  return (db.sql("SELECT * FROM roles WHERE managed_by = ?").all(managedBy) as unknown as RoleRow[]).map(roleFromRow);
}

/**
 * Creates a custom role, or returns the one an earlier interrupted create of the same resource made:
 * a role carrying `input.managedBy` with the same name and description (the backend contract).
 */
export function createRole(db: StoreConnection, input: RoleInput, id: string = randomUUID()): RoleRecord {
  const now = new Date().toISOString();
  return db.transaction(() => {
    const own = input.managedBy
      ? findRolesManagedBy(db, input.managedBy).find(
          (r) => r.displayName === input.displayName && r.description === (input.description ?? ""),
        )
      : undefined;
    if (own) return own;
    db.sql(
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
    return getRole(db, id)!;
  });
}

/** Applies a patch; any edit clears the portal's "Imported" marker (the import link is kept, marked edited). */
export function updateRole(db: StoreConnection, id: string, patch: RolePatch): RoleRecord {
  return db.transaction(() => {
    const cur = getRole(db, id);
    if (!cur) throw new NotFoundError("role", id);
    if (cur.isBuiltIn) throw new BuiltInRoleError(id, "changed");
    const next = {
      ...cur,
      ...Object.fromEntries(Object.entries(patch).filter(([, v]) => v !== undefined)),
    } as RoleRecord;
    // only an edit of what the portal shows clears the "Imported" marker; taking over does not
    const edited = patch.displayName !== undefined || patch.description !== undefined || patch.actions !== undefined;
    const imported = cur.imported ? JSON.stringify(edited ? { ...cur.imported, edited: true } : cur.imported) : null;
    db.sql(
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
    return getRole(db, id)!;
  });
}

/**
 * Deletes a custom role. Missing ids succeed. A role that still has assignments is refused
 * (RoleInUseError): deleting it would take them with it (docs/ownership.md, "No cascading loss").
 */
export function deleteRole(db: StoreConnection, id: string): void {
  db.transaction(() => {
    const cur = getRole(db, id);
    if (!cur) return;
    if (cur.isBuiltIn) throw new BuiltInRoleError(id, "deleted");
    const left = listAssignments(db, { roleDefinitionId: id });
    if (left.length) throw new RoleInUseError(id, left);
    db.sql("DELETE FROM roles WHERE id = ?").run(id);
  });
}
