/**
 * The mapping engine: which Unified RBAC permissions a legacy role gets after migration.
 * Pure functions over the tables in legacy.ts. Nothing is dropped silently: entries that map to
 * nothing by design are returned as `unsupported`, unknown names as issues with suggestions.
 */
import { ATOMS, Atom, atomKey, getAtom, getCategory, getGroup, Level } from "./catalogue";
import { atomLabel } from "./labels";
import { Issue, Result } from "./errors";
import { LEGACY_SOURCES, LEGACY_TABLES, LegacyEntry, LegacySource, SOURCE_NAMES } from "./legacy";
import { foldName, suggest } from "./names";
import { normalizeKeys } from "./normalise";
import { mdiGroupRole, Workload, WORKLOADS } from "./workloads";

/** Where a mapped permission applies: everywhere, or a workload named by its legacy code. */
type Where = "all" | NonNullable<Workload["legacy"]>;

export interface MappedPermission {
  /** Catalogue atom id. */
  id: string;
  category: string;
  group: string | null;
  name: string;
  level: Level;
  action: string | null;
  /** `["all"]`, or the workloads the grant is limited to (Entra workload-specific rows). */
  workloads: Where[];
}

export interface TraceEntry {
  /** The legacy entry, as the seed names it. */
  legacy: string;
  /** The unified permission it produced (readable label). */
  permission: string;
  workloads: Where[];
}

export interface Unsupported {
  legacy: string;
  reason: string;
}

export interface Mapping {
  source: LegacySource;
  /** The legacy entries matched, as the seed names them. */
  roles: string[];
  permissions: MappedPermission[];
  unsupported: Unsupported[];
  trace: TraceEntry[];
  /** Canonical key set (normalise.ts) of the permissions granted in all workloads. */
  keys: string[];
}

export function isLegacySource(s: string): s is LegacySource {
  return (LEGACY_SOURCES as readonly string[]).includes(s);
}

/** Finds the legacy entry a name stands for, tolerating case, dashes and the aliases. */
export function findLegacyEntry(source: LegacySource, name: string): LegacyEntry | undefined {
  const f = foldName(name);
  const table = LEGACY_TABLES[source];
  const hit = table.find((e) => [e.name, ...e.aliases].some((n) => foldName(n) === f));
  if (hit || source !== "mdi") return hit;
  const role = mdiGroupRole(f); // "Azure ATP <workspace> Administrators" is the Entra group behind MDI admin
  return role ? table.find((e) => e.name === role) : undefined;
}

export function legacyNames(source: LegacySource): string[] {
  return LEGACY_TABLES[source].map((e) => e.name);
}

function toMapped(atom: Atom, workloads: Where[]): MappedPermission {
  const p = atom.permission;
  return {
    id: atom.id,
    category: getCategory(p.category).name,
    group: p.group ? getGroup(p.group)!.name : null,
    name: p.name,
    level: atom.level,
    action: atom.info.action,
    workloads,
  };
}

const WORKLOAD_ORDER: Where[] = ["all", ...WORKLOADS.flatMap((w) => (w.legacy ? [w.legacy] : [])).sort()];

/**
 * Maps legacy roles to Unified RBAC. For `mde`, the names are the legacy permissions of one custom
 * role and the result is their union; for the others, the union of the named role groups or roles.
 */
export function mapLegacyRoles(
  source: string,
  roles: readonly string[],
  path: (string | number)[] = [],
): Result<Mapping> {
  if (!isLegacySource(source)) {
    return {
      ok: false,
      issues: [
        {
          code: "unknown_source",
          path,
          message: `unknown source "${source}"; use one of: ${LEGACY_SOURCES.join(", ")}.`,
          suggestions: suggest(source, [...LEGACY_SOURCES], 1),
        },
      ],
    };
  }
  if (roles.length === 0) {
    return {
      ok: false,
      issues: [
        {
          code: "invalid_value",
          path,
          message: `name at least one ${source === "mde" ? "legacy permission" : "role"} of ${SOURCE_NAMES[source]}.`,
        },
      ],
    };
  }
  const issues: Issue[] = [];
  const entries: LegacyEntry[] = [];
  roles.forEach((r, i) => {
    const e = typeof r === "string" ? findLegacyEntry(source, r) : undefined;
    if (!e) {
      issues.push({
        code: "unknown_legacy_role",
        path: roles.length > 1 || path.length ? [...path, i] : path,
        message: `"${r}" is not a known ${source === "mde" ? "permission" : "role"} of ${SOURCE_NAMES[source]}.`,
        suggestions: suggest(String(r), legacyNames(source)),
      });
    } else if (!entries.includes(e)) entries.push(e);
  });
  if (issues.length) return { ok: false, issues };

  // atom id → workloads, in first-seen order
  const grants = new Map<string, Set<Where>>();
  const trace: TraceEntry[] = [];
  const unsupported: Unsupported[] = [];
  for (const e of entries) {
    if (e.unsupported) unsupported.push({ legacy: e.name, reason: e.unsupported });
    const add = (id: string, w: Where) => {
      const set = grants.get(id) ?? new Set<Where>();
      set.add(w);
      grants.set(id, set);
      trace.push({ legacy: e.name, permission: atomLabel(getAtom(id)!), workloads: [w] });
    };
    for (const id of e.grants) add(id, "all");
    for (const [w, ids] of Object.entries(e.workloadGrants ?? {}) as [Where, string[]][])
      for (const id of ids) add(id, w);
  }
  const permissions = [...grants.entries()].map(([id, ws]) => {
    const workloads: Where[] = ws.has("all") ? ["all"] : WORKLOAD_ORDER.filter((w) => ws.has(w));
    return toMapped(getAtom(id)!, workloads);
  });
  const order = new Map(ATOMS.map((a, i) => [a.id, i]));
  permissions.sort((a, b) => order.get(a.id)! - order.get(b.id)!); // catalogue order
  const keys = normalizeKeys(permissions.filter((p) => p.workloads[0] === "all").map((p) => atomKey(getAtom(p.id)!)));
  return { ok: true, value: { source, roles: entries.map((e) => e.name), permissions, unsupported, trace, keys } };
}
