/**
 * The Unified RBAC permission catalogue, as typed data.
 *
 * Structure: categories → groups → permissions → levels (read / manage). A permission's *atom* is one
 * (permission, level) pair, with a stable id such as `secops.securitydata.alerts:manage`.
 *
 * Microsoft publishes the permission names (Learn `custom-permissions-details`) but no catalogue of
 * Graph action strings. Each level therefore carries the action string only where a source gives one,
 * with its provenance, exactly as docs/permissions.md records it:
 *   documented — Microsoft documents it now or did on an older page (DOC, DOC-OLD);
 *   community  — community code that calls the real API uses it (COMM, COMM-MEASURED);
 *   unknown    — no source gives it (NOT FOUND). Never filled in by guessing: the Graph backend
 *                discovers it from the tenant's live catalogue, or fails at preview.
 * Source codes: D22 (old compare doc, 2022), DMDI (old MDI role-groups doc), DG (Graph create-role
 * example), E (EntraOps), Ef (EntraOps fork), P (PIM4EntraPS), M (Microsoft365DSC), N (nathanmcnulty).
 */
import { Atom, CategoryDef, CategoryId, GroupDef, LEVELS, PermissionDef } from "./catalogue/types";
import { CATEGORIES, GROUPS, PERMISSIONS } from "./catalogue/permissions";
import { KNOWN_ACTIONS, WILDCARDS } from "./catalogue/wildcards";

export { LEVELS } from "./catalogue/types";
export type {
  ActionInfo,
  Atom,
  CategoryDef,
  CategoryId,
  GroupDef,
  KnownActionDef,
  Level,
  PermissionDef,
  Provenance,
  WildcardDef,
} from "./catalogue/types";
export { CATEGORIES, GROUPS, PERMISSIONS } from "./catalogue/permissions";
export { KNOWN_ACTIONS, WILDCARDS } from "./catalogue/wildcards";

/** A wildcard that grants manage, e.g. `microsoft.xdr/secops/*\/manage`. */
export function isManageWildcard(action: string): boolean {
  const a = action.toLowerCase();
  return a.includes("/*/") && a.endsWith("/manage");
}

/** Actions whose grant is privileged enough to flag in previews (EntraOps tiering idea). */
export function isPrivilegedAction(action: string): boolean {
  const a = action.toLowerCase();
  return (
    a === "microsoft.xdr/configuration/authorization/manage" ||
    a === "microsoft.xdr/secops/securitydata/liveresponse-advanced/manage" ||
    isManageWildcard(a)
  );
}

// ---- derived indexes --------------------------------------------------------------------------

export const ATOMS: readonly Atom[] = PERMISSIONS.flatMap((p) =>
  LEVELS.filter((l) => p.levels[l]).map((level) => ({
    id: `${p.id}:${level}`,
    permission: p,
    level,
    info: p.levels[level]!,
  })),
);

const atomById = new Map(ATOMS.map((a) => [a.id, a]));
const permissionById = new Map(PERMISSIONS.map((p) => [p.id, p]));
const groupById = new Map(GROUPS.map((g) => [g.id, g]));
const categoryById = new Map(CATEGORIES.map((c) => [c.id, c]));

export function getAtom(id: string): Atom | undefined {
  return atomById.get(id.toLowerCase());
}
export function getPermission(id: string): PermissionDef | undefined {
  return permissionById.get(id.toLowerCase());
}
export function getGroup(id: string): GroupDef | undefined {
  return groupById.get(id);
}
export function getCategory(id: CategoryId): CategoryDef {
  return categoryById.get(id)!;
}

/** Prefix of the local-only keys that stand for atoms whose Graph action string is unknown. */
export const UNPUBLISHED_PREFIX = "urn:defender-rbac:permission:";

/**
 * The key under which an atom is stored and compared: its Graph action string where one is known;
 * otherwise a local-only `urn:defender-rbac:permission:<atom id>` key. That key is never sent to
 * Graph: the Graph backend must resolve it through the tenant's live catalogue or fail at preview.
 */
export function atomKey(atom: Atom): string {
  return atom.info.action ?? `${UNPUBLISHED_PREFIX}${atom.id}`;
}

export function isUnpublishedKey(key: string): boolean {
  return key.toLowerCase().startsWith(UNPUBLISHED_PREFIX);
}

const atomByAction = new Map<string, Atom>(
  ATOMS.filter((a) => a.info.action).map((a) => [a.info.action!.toLowerCase(), a]),
);

/** The atom a key stands for, if it is one atom's key. */
export function atomForKey(key: string): Atom | undefined {
  const k = key.toLowerCase();
  if (k.startsWith(UNPUBLISHED_PREFIX)) return getAtom(k.slice(UNPUBLISHED_PREFIX.length));
  return atomByAction.get(k);
}

export const wildcardByAction = new Map(WILDCARDS.map((w) => [w.action, w]));
export const knownActionByAction = new Map(KNOWN_ACTIONS.map((k) => [k.action, k]));

/** All action strings the shipped catalogue knows (atoms with strings, wildcards, known literals). */
export function knownActionStrings(): string[] {
  return [...atomByAction.keys(), ...wildcardByAction.keys(), ...knownActionByAction.keys()];
}

/**
 * The path used for wildcard coverage of a key: the action itself, or for an unpublished atom its
 * known scope path followed by the `?` placeholder segment (matched only by a `*`). Null when not known.
 */
export function coveragePath(key: string): string | null {
  const k = key.toLowerCase();
  if (!k.startsWith(UNPUBLISHED_PREFIX)) return k;
  const atom = getAtom(k.slice(UNPUBLISHED_PREFIX.length));
  if (!atom || !atom.permission.scopePath) return null;
  return `microsoft.xdr/${atom.permission.scopePath.join("/")}/?/${atom.level}`;
}

/** FNV-1a hash of the catalogue data, so plans and exports can name the catalogue version. */
function fnv1a(s: string): string {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h.toString(16).padStart(8, "0");
}

export const CATALOGUE_VERSION = `2026-05-25+${fnv1a(JSON.stringify([CATEGORIES, GROUPS, PERMISSIONS, WILDCARDS, KNOWN_ACTIONS]))}`;
