/**
 * The directory effective access reads (core/access.ts): users and groups with their names, direct group
 * memberships and Entra role holders, and principals given by name rather than object id.
 */
import type { Result } from "./errors";
import { suggest } from "./names";
import { isGuid } from "./scope";

export interface DirectoryObject {
  /** Entra object id. */
  id: string;
  kind: "user" | "group";
  displayName: string;
  /** Users: the sign-in name. */
  userPrincipalName?: string;
}

export interface Directory {
  objects: DirectoryObject[];
  /** Direct memberships (a member may be a user or a group); transitive membership is derived. */
  members: { groupId: string; memberId: string }[];
  /** Who holds which Entra role; `role` is the Entra table's name (or an alias, e.g. "Security admin"). */
  entraRoles: { role: string; principalId: string }[];
}

export const EMPTY_DIRECTORY: Directory = { objects: [], members: [], entraRoles: [] };

/**
 * A principal given as an object id, a user principal name or a group display name → its object id
 * (lower case). Names are matched case-insensitively against the directory; a name that matches no
 * principal, or several, is an `invalid_principal` issue that says how to fix it.
 */
export function resolvePrincipalRef(
  directory: Directory,
  ref: string,
  path: (string | number)[] = ["principal"],
): Result<string> {
  if (isGuid(ref)) return { ok: true, value: ref.toLowerCase() };
  const n = String(ref).trim().toLowerCase();
  const names = (o: DirectoryObject) => (o.kind === "user" ? o.userPrincipalName : o.displayName);
  const hits = directory.objects.filter((o) => names(o)?.toLowerCase() === n);
  if (hits.length === 1) return { ok: true, value: hits[0].id.toLowerCase() };
  if (hits.length > 1)
    return {
      ok: false,
      issues: [
        {
          code: "invalid_principal",
          path,
          message: `${hits.length} principals are named "${ref}" (${hits.map((h) => `${h.kind} ${h.id}`).join(", ")}); give the object id of the one you mean.`,
        },
      ],
    };
  return {
    ok: false,
    issues: [
      {
        code: "invalid_principal",
        path,
        message: `"${ref}" is neither an Entra object id nor a user principal name or group name the directory knows; give the object id (a GUID), a user's UPN or a group's display name.`,
        suggestions: suggest(
          String(ref),
          directory.objects.map(names).filter((x): x is string => !!x),
        ),
      },
    ],
  };
}
