/**
 * The shapes of the permission catalogue (core/catalogue.ts): categories, groups, permissions and their
 * levels, each level's action string with its provenance, wildcards, and the constructors the catalogue
 * data uses for a level's action string.
 */

export type Level = "read" | "manage";
export const LEVELS: readonly Level[] = ["read", "manage"];
export type Provenance = "documented" | "community" | "unknown";
export type CategoryId = "secops" | "securityposture" | "configuration" | "dataops";

export interface ActionInfo {
  /** The Graph action string, or null where no source gives one (NOT FOUND). */
  action: string | null;
  provenance: Provenance;
  /** Source codes (docs/permissions.md), e.g. ["D22", "Ef"]. */
  sources: string[];
  note?: string;
}

export interface CategoryDef {
  id: CategoryId;
  name: string;
  formerNames: string[];
}

export interface GroupDef {
  id: string;
  category: CategoryId;
  name: string;
  formerNames: string[];
}

export interface PermissionDef {
  /** Stable id: `<category>.<group or "-">.<permission>` in lower case. */
  id: string;
  category: CategoryId;
  /** Group id, or null for permissions that sit directly under their category. */
  group: string | null;
  /** The current display name (Learn custom-permissions-details). */
  name: string;
  /** Older names and spellings found in Microsoft's pages (docs/mapping.md, docs/permissions.md). */
  formerNames: string[];
  levels: Partial<Record<Level, ActionInfo>>;
  /**
   * The known leading segments of this permission's action strings (after `microsoft.xdr/`), used only
   * to decide whether a wildcard such as `microsoft.xdr/secops/*\/read` covers a level whose exact
   * string is unknown. Null where even that is unknown.
   */
  scopePath: string[] | null;
  note?: string;
}

/** A wildcard grant, e.g. "All read-only permissions" of a group. */
export interface WildcardDef {
  action: string;
  category: CategoryId;
  group: string | null;
  level: Level;
  label: string;
  provenance: Provenance;
  sources: string[];
}

/** Literal action strings that sources show but that are not (or no longer) one catalogue atom. */
export interface KnownActionDef {
  action: string;
  provenance: Provenance;
  sources: string[];
  note: string;
}

export interface Atom {
  /** `<permission id>:<level>` */
  id: string;
  permission: PermissionDef;
  level: Level;
  info: ActionInfo;
}

export const doc = (action: string, sources: string[], note?: string): ActionInfo => ({
  action,
  provenance: "documented",
  sources,
  note,
});
export const comm = (action: string, sources: string[], note?: string): ActionInfo => ({
  action,
  provenance: "community",
  sources,
  note,
});
export const notFound = (note?: string): ActionInfo => ({
  action: null,
  provenance: "unknown",
  sources: [],
  note: note ?? "NOT FOUND: no source gives this action string",
});
