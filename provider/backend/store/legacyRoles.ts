/** The legacy roles of the local tenant store: MDE roles, EOP role groups and MDI role groups, for ImportedRole. */
import type { LegacyRoleRecord } from "../backend";
import type { LegacySource } from "../../core/legacy";
import type { StoreConnection } from "./connection";

export function listLegacyRoles(db: StoreConnection, source: LegacySource): LegacyRoleRecord[] {
  const rows = db.sql("SELECT * FROM legacy_roles WHERE source = ? ORDER BY name").all(source) as unknown as {
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

export function putLegacyRole(db: StoreConnection, role: LegacyRoleRecord): void {
  db.transaction(() => {
    db.sql("INSERT OR REPLACE INTO legacy_roles (source, id, name, permissions, members) VALUES (?, ?, ?, ?, ?)").run(
      role.source,
      role.id,
      role.name,
      JSON.stringify(role.permissions),
      JSON.stringify(role.members),
    );
  });
}
