/**
 * The directory facts effective access needs, read from Microsoft Graph v1.0 (docs/graph-api.md, "The
 * directory"): who holds the Entra roles of the mapping page's Entra table (role definitions matched by
 * display name, then their assignments with the principal expanded), the transitive members of every
 * group involved, and the display names of the principals named. Least-privilege application
 * permissions: RoleManagement.Read.Directory, GroupMember.Read.All, User.ReadBasic.All.
 */
import type { Directory, DirectoryObject } from "../../core/directory";
import { findLegacyEntry } from "../../core/mapping";
import type { GraphClient } from "./client";
import { paths } from "./requests";
import { readDirectoryObject, readEntraRoleAssignment, readGroup } from "./responses";

/** One user or group by id (users first), or undefined when it is neither (or not readable). */
async function lookUp(client: GraphClient, id: string): Promise<DirectoryObject | undefined> {
  const u = await client.get(paths.user(id));
  if (u) return readDirectoryObject(u, "user");
  const g = await client.get(paths.group(id));
  return g ? readDirectoryObject(g, "group") : undefined;
}

export async function readDirectory(client: GraphClient, principalIds: readonly string[]): Promise<Directory> {
  const objects = new Map<string, DirectoryObject>();
  const entraRoles: Directory["entraRoles"] = [];
  const members: Directory["members"] = [];
  // 1. Entra role holders, for the roles the Entra table gives Defender permissions.
  for (const def of (await client.list(paths.entraRoleDefinitions)).map(readGroup)) {
    const entry = def && findLegacyEntry("entra", def.displayName);
    if (!def || !entry) continue;
    for (const a of (await client.list(paths.entraRoleAssignments(def.id))).map(readEntraRoleAssignment)) {
      if (!a) continue;
      entraRoles.push({ role: entry.name, principalId: a.principalId });
      if (a.principal) objects.set(a.principal.id, a.principal);
    }
  }
  // 2. Every principal named, by id.
  const wanted = new Set([...principalIds.map((p) => p.toLowerCase()), ...entraRoles.map((h) => h.principalId)]);
  for (const id of wanted) {
    if (objects.has(id)) continue;
    const o = await lookUp(client, id);
    if (o) objects.set(o.id, o);
  }
  // 3. The transitive members of each group (Graph flattens nesting: each member is listed under the group).
  for (const g of [...objects.values()].filter((o) => o.kind === "group")) {
    for (const m of (await client.list(paths.transitiveMembers(g.id))).map((b) => readDirectoryObject(b))) {
      if (!m) continue;
      members.push({ groupId: g.id, memberId: m.id });
      if (!objects.has(m.id)) objects.set(m.id, m);
    }
  }
  return { objects: [...objects.values()], members, entraRoles };
}

/** Users whose UPN is `name` (when it has an @), else groups whose display name is `name`. */
export async function findPrincipals(client: GraphClient, name: string): Promise<DirectoryObject[]> {
  const n = name.trim();
  const list = n.includes("@")
    ? (await client.list(paths.usersByUpn(n))).map((b) => readDirectoryObject(b, "user"))
    : (await client.list(paths.groupsByName(n))).map((b) => readDirectoryObject(b, "group"));
  return list.filter((o): o is DirectoryObject => !!o);
}
