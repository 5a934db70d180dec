/**
 * A RoleAssignment's principals: given by UPN or group name, resolved to object ids through the
 * backend's directory at preview; and each principal's display name for the preview
 * (`principalNames`), from the objects a name lookup found or the backend's directory.
 */
import type { Backend } from "../backend/backend";
import type { DirectoryObject } from "../core/directory";
import { resolvePrincipalRef } from "../core/directory";
import { isGuid } from "../core/scope";
import { CheckFailure, HandlerContext, failuresFromIssues } from "./common";

/** How a principal is named in a preview: "SOC analysts (group)", "Ada (ada@contoso.com)". */
function principalLabel(o: DirectoryObject): string {
  return o.kind === "group" ? `${o.displayName} (group)` : `${o.displayName} (${o.userPrincipalName ?? "user"})`;
}

/**
 * Each principal's id -> display name: from the objects a name lookup found, else from the backend's
 * directory (`directoryObjects`), else a word on why no name is shown.
 */
export async function principalNames(
  backend: Backend,
  ids: readonly string[],
  found: readonly DirectoryObject[],
): Promise<Record<string, string>> {
  const known = new Map(found.map((o) => [o.id.toLowerCase(), o]));
  const missing = ids.filter((id) => !known.has(id.toLowerCase()));
  if (missing.length && backend.directoryObjects)
    for (const o of await backend.directoryObjects(missing)) known.set(o.id.toLowerCase(), o);
  const none = backend.directoryObjects
    ? `(not in the ${backend.name} directory)`
    : `(name not looked up: the ${backend.name} backend reads names only for principals given by name)`;
  const out: Record<string, string> = {};
  for (const id of ids) {
    const o = known.get(id.toLowerCase());
    out[id] = o ? principalLabel(o) : none;
  }
  return out;
}

/** Principals given by UPN or group name → object ids, through the backend's directory; undefined on failure. */
export async function principalIds(
  ctx: HandlerContext,
  principals: unknown,
  failures: CheckFailure[],
  found: DirectoryObject[] = [],
): Promise<unknown> {
  if (!Array.isArray(principals) || principals.every(isGuid)) return principals;
  const backend = await ctx.backend();
  const out: string[] = [];
  let ok = true;
  for (const [i, p] of principals.entries()) {
    if (isGuid(p) || typeof p !== "string" || p.trim() === "") {
      out.push(p);
      continue;
    }
    if (!backend.findPrincipals) {
      failures.push({
        property: `principals[${i}]`,
        reason: `"${p}" is not an Entra object id, and the ${backend.name} backend cannot look names up; give the user's or group's object id (a GUID).`,
      });
      ok = false;
      continue;
    }
    const hits = await backend.findPrincipals(p);
    const r = resolvePrincipalRef({ objects: hits, members: [], entraRoles: [] }, p, ["principals", i]);
    if (r.ok) {
      out.push(r.value);
      found.push(...hits);
    } else {
      failures.push(...failuresFromIssues(r.issues));
      ok = false;
    }
  }
  return ok ? out : undefined;
}
