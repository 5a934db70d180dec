/**
 * Seeding an emulator (or any local store) from JSON: the shape `defender-rbac export --format json`
 * prints, so a tenant exported from Graph can be replayed offline.
 *   { "roles": [{ "id"?, "displayName", "description"?, "isBuiltIn"?, "actions": [] }],
 *     "assignments": [{ "id"?, "displayName", "roleDefinitionId", "principalIds": [], "appScopeIds"?: [] }],
 *     "legacyRoles"?: [{ "source": "mdi", "id", "name", "permissions": [], "members": [] }] }
 * Roles and assignments with an id that exists are updated in place; built-in roles are never
 * changed and cannot be added (the store's built-ins are its own model). `permissions` (readable
 * labels) are ignored: `actions` are the data.
 */
import * as fs from "node:fs";
import type { LegacyRoleRecord } from "../backend/backend";
import type { TenantStore } from "../backend/store";
import { normalizeKeys } from "../core/normalise";

export interface SeedData {
  roles?: { id?: string; displayName: string; description?: string; isBuiltIn?: boolean; actions: string[] }[];
  assignments?: {
    id?: string;
    displayName: string;
    roleDefinitionId: string;
    principalIds: string[];
    appScopeIds?: string[];
  }[];
  legacyRoles?: LegacyRoleRecord[];
}

export interface SeedResult {
  roles: number;
  assignments: number;
  legacyRoles: number;
  skipped: string[];
}

export function readSeedFile(file: string): SeedData {
  let data: unknown;
  try {
    data = JSON.parse(fs.readFileSync(file, "utf8"));
  } catch (e) {
    throw new Error(`cannot read the seed file ${file}: ${(e as Error).message}`);
  }
  if (!data || typeof data !== "object" || Array.isArray(data))
    throw new Error(`the seed file ${file} must hold an object with roles and assignments`);
  return data as SeedData;
}

export function applySeed(store: TenantStore, seed: SeedData): SeedResult {
  const result: SeedResult = { roles: 0, assignments: 0, legacyRoles: 0, skipped: [] };
  for (const r of seed.roles ?? []) {
    if (!r || typeof r.displayName !== "string" || !Array.isArray(r.actions)) {
      result.skipped.push(`role ${JSON.stringify(r?.displayName ?? r)}: needs displayName and actions`);
      continue;
    }
    const id = typeof r.id === "string" && r.id ? r.id.toLowerCase() : undefined;
    const cur = id ? store.getRole(id) : null;
    if (cur?.isBuiltIn || (!cur && r.isBuiltIn)) {
      if (!cur) result.skipped.push(`role "${r.displayName}": built-in roles cannot be added`);
      continue;
    }
    const input = { displayName: r.displayName, description: r.description ?? "", actions: normalizeKeys(r.actions) };
    if (cur) store.updateRole(cur.id, input);
    else store.createRole(input, id);
    result.roles++;
  }
  for (const a of seed.assignments ?? []) {
    if (
      !a ||
      typeof a.displayName !== "string" ||
      typeof a.roleDefinitionId !== "string" ||
      !Array.isArray(a.principalIds)
    ) {
      result.skipped.push(
        `assignment ${JSON.stringify(a?.displayName ?? a)}: needs displayName, roleDefinitionId and principalIds`,
      );
      continue;
    }
    const roleId = a.roleDefinitionId.toLowerCase();
    if (!store.getRole(roleId)) {
      result.skipped.push(`assignment "${a.displayName}": role ${a.roleDefinitionId} does not exist`);
      continue;
    }
    const id = typeof a.id === "string" && a.id ? a.id.toLowerCase() : undefined;
    const cur = id ? store.getAssignment(id) : null;
    const input = {
      displayName: a.displayName,
      roleDefinitionId: roleId,
      principalIds: a.principalIds.map((p) => p.toLowerCase()),
      appScopeIds: a.appScopeIds ?? ["/"],
    };
    if (cur) store.updateAssignment(cur.id, input);
    else store.createAssignment(input, id);
    result.assignments++;
  }
  for (const l of seed.legacyRoles ?? []) {
    store.putLegacyRole(l);
    result.legacyRoles++;
  }
  return result;
}
