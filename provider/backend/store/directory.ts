/** The directory of the local tenant store: its Entra stand-in (users, groups, members, Entra role holders). */
import type { Directory, DirectoryObject } from "../../core/directory";
import type { StoreConnection } from "./connection";

interface ObjectRow {
  id: string;
  kind: "user" | "group";
  display_name: string;
  user_principal_name: string | null;
}

const objectOf = (r: ObjectRow): DirectoryObject => ({
  id: r.id,
  kind: r.kind,
  displayName: r.display_name,
  ...(r.user_principal_name ? { userPrincipalName: r.user_principal_name } : {}),
});

/** Users and groups with display names, direct memberships and Entra role holders. */
export function getDirectory(db: StoreConnection): Directory {
  const objects = (
    db.sql("SELECT * FROM directory_objects ORDER BY display_name, id").all() as unknown as ObjectRow[]
  ).map(objectOf);
  const members = (
    db.sql("SELECT group_id, member_id FROM group_members ORDER BY group_id, member_id").all() as unknown as {
      group_id: string;
      member_id: string;
    }[]
  ).map((r) => ({ groupId: r.group_id, memberId: r.member_id }));
  const entraRoles = (
    db.sql("SELECT role, principal_id FROM entra_role_holders ORDER BY role, principal_id").all() as unknown as {
      role: string;
      principal_id: string;
    }[]
  ).map((r) => ({ role: r.role, principalId: r.principal_id }));
  return { objects, members, entraRoles };
}

/** The users and groups among `ids` (case-insensitive), without reading the rest of the directory. */
export function directoryObjects(db: StoreConnection, ids: readonly string[]): DirectoryObject[] {
  if (ids.length === 0) return [];
  const rows = db
    .sql(
      "SELECT * FROM directory_objects WHERE lower(id) IN (SELECT lower(value) FROM json_each(?)) ORDER BY display_name, id",
    )
    .all(JSON.stringify(ids)) as unknown as ObjectRow[];
  return rows.map(objectOf);
}

/** Users whose user principal name, or groups whose display name, is `name` (case-insensitive). */
export function findPrincipals(db: StoreConnection, name: string): DirectoryObject[] {
  const n = name.trim().toLowerCase();
  return getDirectory(db).objects.filter((o) =>
    o.kind === "user" ? o.userPrincipalName?.toLowerCase() === n : o.displayName.toLowerCase() === n,
  );
}

export function putDirectoryObject(db: StoreConnection, o: DirectoryObject): void {
  db.transaction(() => {
    db.sql(
      "INSERT OR REPLACE INTO directory_objects (id, kind, display_name, user_principal_name) VALUES (?, ?, ?, ?)",
    ).run(o.id.toLowerCase(), o.kind, o.displayName, o.userPrincipalName ?? null);
  });
}

export function addGroupMember(db: StoreConnection, groupId: string, memberId: string): void {
  db.transaction(() => {
    db.sql("INSERT OR IGNORE INTO group_members (group_id, member_id) VALUES (?, ?)").run(
      groupId.toLowerCase(),
      memberId.toLowerCase(),
    );
  });
}

export function addEntraRoleHolder(db: StoreConnection, role: string, principalId: string): void {
  db.transaction(() => {
    db.sql("INSERT OR IGNORE INTO entra_role_holders (role, principal_id) VALUES (?, ?)").run(
      role,
      principalId.toLowerCase(),
    );
  });
}
