/** The assignments table of the local tenant store: who holds which role over which scopes. */
import { randomUUID } from "node:crypto";
import type { AssignmentInput, AssignmentPatch, AssignmentRecord } from "../backend";
import { NotFoundError } from "../backend";
import type { StoreConnection } from "./connection";

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

export function listAssignments(db: StoreConnection, filter: { roleDefinitionId?: string } = {}): AssignmentRecord[] {
  const rows = filter.roleDefinitionId
    ? db
        .sql("SELECT * FROM assignments WHERE role_definition_id = ? ORDER BY created_at, id")
        .all(filter.roleDefinitionId)
    : db.sql("SELECT * FROM assignments ORDER BY created_at, id").all();
  return (rows as unknown as AssignmentRow[]).map(assignmentFromRow);
}

export function getAssignment(db: StoreConnection, id: string): AssignmentRecord | null {
  const r = db.sql("SELECT * FROM assignments WHERE id = ?").get(id) as AssignmentRow | undefined;
  return r ? assignmentFromRow(r) : null;
}

/** Assignments whose marker names `managedBy`. */
export function findAssignmentsManagedBy(db: StoreConnection, managedBy: string): AssignmentRecord[] {
  return (db.sql("SELECT * FROM assignments WHERE managed_by = ?").all(managedBy) as unknown as AssignmentRow[]).map(
    assignmentFromRow,
  );
}

export function createAssignment(
  db: StoreConnection,
  input: AssignmentInput,
  id: string = randomUUID(),
): AssignmentRecord {
  const now = new Date().toISOString();
  return db.transaction(() => {
    if (!db.sql("SELECT 1 FROM roles WHERE id = ?").get(input.roleDefinitionId))
      throw new NotFoundError("role", input.roleDefinitionId);
    // the one an earlier interrupted create of the same resource made, on the same role (the backend contract)
    const own = input.managedBy
      ? findAssignmentsManagedBy(db, input.managedBy).find((a) => a.roleDefinitionId === input.roleDefinitionId)
      : undefined;
    if (own) return own;
    db.sql(
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
    return getAssignment(db, id)!;
  });
}

export function updateAssignment(db: StoreConnection, id: string, patch: AssignmentPatch): AssignmentRecord {
  return db.transaction(() => {
    const cur = getAssignment(db, id);
    if (!cur) throw new NotFoundError("assignment", id);
    const next = {
      ...cur,
      ...Object.fromEntries(Object.entries(patch).filter(([, v]) => v !== undefined)),
    } as AssignmentRecord;
    db.sql(
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
    return getAssignment(db, id)!;
  });
}

export function deleteAssignment(db: StoreConnection, id: string): void {
  db.transaction(() => {
    db.sql("DELETE FROM assignments WHERE id = ?").run(id);
  });
}
