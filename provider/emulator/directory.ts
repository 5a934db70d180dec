/**
 * The directory routes of Microsoft Graph v1.0 the effective-access reads use, served from the store's
 * directory (users, groups, members, Entra role holders): /v1.0/users (+ /{id}),
 * /v1.0/roleManagement/directory/roleDefinitions and /roleAssignments (with $filter and
 * $expand=principal), and for /v1.0/groups the directory's groups with /{id}/transitiveMembers.
 */
import { createHash } from "node:crypto";
import type { TenantStore } from "../backend/store";
import type { Directory, DirectoryObject } from "../core/directory";
import { ENTRA_ROLES } from "../core/legacy";
import type { EmulatorBehaviour } from "./behaviour";
import { HttpError, Reply, allow, notFound } from "./http";
import { page, select } from "./paging";

type Emu = { store: TenantStore; behaviour: EmulatorBehaviour };

/** A stable GUID for a name (v5-style, from a hash). */
export function stableGuid(kind: string, s: string): string {
  const h = createHash("sha1").update(`${kind}:${s}`).digest("hex");
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-5${h.slice(13, 16)}-8${h.slice(17, 20)}-${h.slice(20, 32)}`;
}

export function objectJson(o: DirectoryObject): Record<string, unknown> {
  return o.kind === "user"
    ? {
        "@odata.type": "#microsoft.graph.user",
        id: o.id,
        displayName: o.displayName,
        userPrincipalName: o.userPrincipalName ?? null,
      }
    : {
        "@odata.type": "#microsoft.graph.group",
        id: o.id,
        displayName: o.displayName,
        securityEnabled: true,
        mailEnabled: false,
      };
}

/** Members of `groupId`, transitively (each once; cycles tolerated). */
export function transitiveMembers(d: Directory, groupId: string): string[] {
  const out: string[] = [];
  const queue = [groupId.toLowerCase()];
  const seen = new Set(queue);
  while (queue.length) {
    const g = queue.shift()!;
    for (const m of d.members.filter((x) => x.groupId === g)) {
      if (seen.has(m.memberId)) continue;
      seen.add(m.memberId);
      out.push(m.memberId);
      queue.push(m.memberId);
    }
  }
  return out;
}

export function users(emu: Emu, method: string, url: URL, rest: string[], origin: string): Reply {
  allow(method, ["GET"]);
  const list = emu.store
    .getDirectory()
    .objects.filter((o) => o.kind === "user")
    .map(objectJson);
  const ctx = `${origin}/v1.0/$metadata#users`;
  const [id, nav] = rest;
  if (!id) return page(url, list, origin, ctx, emu.behaviour.pageSize);
  if (nav) throw new HttpError(404, "NotFound", `Resource not found for the segment '${nav}'.`);
  const u = list.find((x) => x.id === id.toLowerCase());
  if (!u) throw notFound(id);
  return { status: 200, body: { "@odata.context": `${ctx}/$entity`, ...select(u, url) } };
}

export function entraRoleManagement(emu: Emu, method: string, url: URL, rest: string[], origin: string): Reply {
  allow(method, ["GET"]);
  const [collection, id] = rest;
  if (id) throw new HttpError(404, "NotFound", `Resource not found for the segment '${id}'.`);
  const ctx = `${origin}/v1.0/$metadata#roleManagement/directory/${collection}`;
  const defs = ENTRA_ROLES.map((r) => ({ id: stableGuid("entra-role", r.name), displayName: r.name, isBuiltIn: true }));
  switch ((collection ?? "").toLowerCase()) {
    case "roledefinitions":
      return page(url, defs, origin, ctx, emu.behaviour.pageSize);
    case "roleassignments": {
      const d = emu.store.getDirectory();
      const expand = (url.searchParams.get("$expand") ?? "").toLowerCase() === "principal";
      const list = d.entraRoles.map((h) => {
        const principal = d.objects.find((o) => o.id === h.principalId);
        return {
          id: stableGuid("entra-role-assignment", `${h.role}|${h.principalId}`),
          principalId: h.principalId,
          roleDefinitionId: stableGuid("entra-role", h.role),
          directoryScopeId: "/",
          ...(expand ? { principal: principal ? objectJson(principal) : { id: h.principalId } } : {}),
        };
      });
      return page(url, list, origin, ctx, emu.behaviour.pageSize);
    }
    default:
      throw new HttpError(404, "NotFound", `Resource not found for the segment '${collection ?? "directory"}'.`);
  }
}
