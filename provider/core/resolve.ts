/**
 * Resolution of the permission references users write: catalogue atom ids
 * (`secops.securitydata.alerts:manage`), readable names in any of the spellings Microsoft's pages use
 * ("Security operations \ Security data \ Alerts (manage)", "Email message headers (read)",
 * "Authorization and settings \ Security setting (All permissions)"), and raw action strings
 * (`microsoft.xdr/secops/*\/read`), which are validated against the catalogue.
 */
import {
  ATOMS,
  Atom,
  CATEGORIES,
  CategoryDef,
  GROUPS,
  GroupDef,
  Level,
  PERMISSIONS,
  PermissionDef,
  atomKey,
  getAtom,
  getPermission,
  knownActionByAction,
  knownActionStrings,
  wildcardByAction,
  atomForKey,
  UNPUBLISHED_PREFIX,
} from "./catalogue";
import { atomLabel } from "./labels";
import { Issue, Result } from "./errors";
import { foldName, suggest } from "./names";

/** What a level suffix asks for. "all" = every level; for a permission, "(Read and manage)" too. */
type LevelSpec = { kind: "level"; level: Level } | { kind: "all" } | { kind: "allRead" };

const LEVEL_SPEC_TEXT: Record<string, LevelSpec> = {
  read: { kind: "level", level: "read" },
  "read-only": { kind: "level", level: "read" },
  "read only": { kind: "level", level: "read" },
  manage: { kind: "level", level: "manage" },
  "read and manage": { kind: "all" },
  "read & manage": { kind: "all" },
  "all permissions": { kind: "all" },
  "all read and manage permissions": { kind: "all" },
  all: { kind: "all" },
  "all read-only permissions": { kind: "allRead" },
  "all read permissions": { kind: "allRead" },
};

/** Looked up by folded text, so "(Read-only)" and "(All read-only permissions)" match however they are spelled. */
const LEVEL_SPECS: Record<string, LevelSpec> = Object.fromEntries(
  Object.entries(LEVEL_SPEC_TEXT).map(([k, v]) => [foldName(k), v]),
);

export interface ResolvedPermission {
  /** The keys (action strings, or unpublished-atom keys) this reference grants. */
  keys: string[];
  /** The catalogue atoms it stands for (empty for a raw action string the catalogue has no atom for). */
  atoms: Atom[];
}

export interface ResolveOptions {
  /** Extra action strings known to be valid (the tenant's live catalogue). */
  extraActions?: ReadonlySet<string>;
}

const foldedNames = (names: string[]) => names.map(foldName);
const categoryMatches = (c: CategoryDef, s: string) => foldedNames([c.name, ...c.formerNames, c.id]).includes(s);
const groupMatches = (g: GroupDef, s: string) => foldedNames([g.name, ...g.formerNames]).includes(s);
const permissionMatches = (p: PermissionDef, s: string) => foldedNames([p.name, ...p.formerNames]).includes(s);

/** Every readable label a user may write, for suggestions. */
export function readableLabels(): string[] {
  const labels = ATOMS.map(atomLabel);
  for (const p of PERMISSIONS) labels.push(p.name);
  for (const g of GROUPS)
    labels.push(`${CATEGORIES.find((c) => c.id === g.category)!.name} \\ ${g.name} (All permissions)`);
  return labels;
}

function levelsOf(p: PermissionDef): Level[] {
  return (["read", "manage"] as Level[]).filter((l) => p.levels[l]);
}

function atomsOfPermission(
  p: PermissionDef,
  spec: LevelSpec | null,
  path: (string | number)[],
  raw: string,
): Result<Atom[]> {
  const levels = levelsOf(p);
  let chosen: Level[];
  if (spec === null) {
    if (levels.length !== 1) {
      return fail({
        code: "ambiguous_permission",
        path,
        message: `"${raw}" has several levels (${levels.join(", ")}); write "${p.name} (${levels[0]})", "${p.name} (${levels[1]})" or "${p.name} (Read and manage)".`,
      });
    }
    chosen = levels;
  } else if (spec.kind === "level") {
    if (!levels.includes(spec.level)) {
      return fail({
        code: "invalid_level",
        path,
        message: `"${p.name}" has no ${spec.level} level; its levels are: ${levels.join(", ")}. Write "${p.name} (${levels[0]})".`,
      });
    }
    chosen = [spec.level];
  } else if (spec.kind === "allRead") {
    chosen = levels.filter((l) => l === "read");
  } else chosen = levels;
  return { ok: true, value: chosen.map((l) => getAtom(`${p.id}:${l}`)!) };
}

function fail<T>(issue: Issue): Result<T> {
  return { ok: false, issues: [issue] };
}

function resolveReadable(raw: string, path: (string | number)[]): Result<Atom[]> {
  let text = raw.trim();
  let spec: LevelSpec | null = null;
  const m = /\(([^()]*)\)\s*$/.exec(text);
  if (m) {
    const s = LEVEL_SPECS[foldName(m[1])];
    if (s) {
      spec = s;
      text = text.slice(0, m.index).trim();
    }
  }
  let segs = text
    .split("\\")
    .map((s) => foldName(s))
    .filter((s) => s.length > 0);
  let category: CategoryDef | undefined;
  while (segs.length > 0) {
    const c = CATEGORIES.find((cat) => categoryMatches(cat, segs[0]));
    if (!c || (category && c !== category)) break;
    category = c;
    segs = segs.slice(1); // the seeds sometimes repeat the category ("Security operations\ Security operations \ …")
  }
  const inCategory = <T extends { category: string }>(xs: readonly T[]) =>
    category ? xs.filter((x) => x.category === category!.id) : [...xs];
  const unknown = (): Result<Atom[]> =>
    fail({
      code: "unknown_permission",
      path,
      message: `unknown permission "${raw}".`,
      suggestions: suggest(raw, readableLabels()),
    });

  const expand = (atoms: Atom[], what: string): Result<Atom[]> => {
    if (spec === null) {
      return fail({
        code: "ambiguous_permission",
        path,
        message: `"${raw}" names ${what}; add "(All permissions)" or "(All read-only permissions)".`,
      });
    }
    const picked =
      (spec.kind === "level" && spec.level === "read") || spec.kind === "allRead"
        ? atoms.filter((a) => a.level === "read")
        : atoms;
    return { ok: true, value: picked };
  };

  if (segs.length === 0) {
    if (!category) return unknown();
    return expand(
      ATOMS.filter((a) => a.permission.category === category!.id),
      `the whole ${category.name} category`,
    );
  }
  if (segs.length > 2) return unknown();
  const last = segs[segs.length - 1];
  const groupSeg = segs.length === 2 ? segs[0] : undefined;
  const groups = groupSeg === undefined ? undefined : inCategory(GROUPS).filter((g) => groupMatches(g, groupSeg));
  if (groups !== undefined && groups.length === 0) return unknown();

  const perms = inCategory(PERMISSIONS).filter(
    (p) => permissionMatches(p, last) && (groups === undefined || groups.some((g) => g.id === p.group)),
  );
  if (perms.length > 1) {
    return fail({
      code: "ambiguous_permission",
      path,
      message: `"${raw}" matches several permissions: ${perms.map((p) => p.id).join(", ")}; add the category and group.`,
    });
  }
  if (perms.length === 1) return atomsOfPermission(perms[0], spec, path, raw);
  if (groupSeg === undefined) {
    const gs = inCategory(GROUPS).filter((g) => groupMatches(g, last));
    if (gs.length === 1)
      return expand(
        ATOMS.filter((a) => a.permission.group === gs[0].id),
        `the ${gs[0].name} group`,
      );
  }
  return unknown();
}

/** Resolves one permission reference. `path` is the property path used in issues. */
export function resolvePermission(
  input: string,
  path: (string | number)[] = [],
  opts: ResolveOptions = {},
): Result<ResolvedPermission> {
  if (typeof input !== "string" || input.trim() === "") {
    return fail({
      code: "invalid_value",
      path,
      message: "a permission must be a non-empty string: a catalogue id, a readable name or an action string.",
    });
  }
  const raw = input.trim();
  const lower = raw.toLowerCase();
  if (lower.startsWith("microsoft.xdr/")) {
    const atom = atomForKey(lower);
    if (atom) return { ok: true, value: { keys: [atomKey(atom)], atoms: [atom] } };
    if (wildcardByAction.has(lower) || knownActionByAction.has(lower) || opts.extraActions?.has(lower)) {
      return { ok: true, value: { keys: [lower], atoms: [] } };
    }
    const known = [...knownActionStrings(), ...(opts.extraActions ?? [])];
    return fail({
      code: "unknown_action",
      path,
      message: `"${raw}" is not an action string the catalogue knows. Use a readable name (see \`defender-rbac catalog\`), or an action string from your tenant's catalogue.`,
      suggestions: suggest(lower, known),
    });
  }
  if (lower.startsWith(UNPUBLISHED_PREFIX)) {
    const atom = atomForKey(lower);
    if (atom && !atom.info.action) return { ok: true, value: { keys: [atomKey(atom)], atoms: [atom] } };
    return fail({ code: "unknown_permission", path, message: `"${raw}" is not a valid unpublished-permission key.` });
  }
  if (/^[a-z]+\.[a-z0-9.-]+(:[a-z]*)?$/.test(lower)) {
    const [pid, level] = lower.split(":");
    const p = getPermission(pid);
    if (p && level !== undefined && level !== "read" && level !== "manage") {
      return fail({
        code: "invalid_level",
        path,
        message: `"${raw}": the level after ":" must be read or manage.`,
        suggestions: suggest(
          lower,
          ATOMS.filter((a) => a.permission === p).map((a) => a.id),
        ),
      });
    }
    if (p) {
      const r = atomsOfPermission(p, level ? { kind: "level", level: level as Level } : null, path, raw);
      return r.ok ? { ok: true, value: { keys: r.value.map(atomKey), atoms: r.value } } : r;
    }
    return fail({
      code: "unknown_permission",
      path,
      message: `unknown permission id "${raw}".`,
      suggestions: suggest(
        lower,
        ATOMS.map((a) => a.id),
      ),
    });
  }
  const r = resolveReadable(raw, path);
  return r.ok ? { ok: true, value: { keys: r.value.map(atomKey), atoms: r.value } } : r;
}

/** Resolves a list of references; issues carry `[...basePath, index]`. */
export function resolvePermissions(
  inputs: readonly string[],
  basePath: (string | number)[] = [],
  opts: ResolveOptions = {},
): Result<ResolvedPermission> {
  const issues: Issue[] = [];
  const keys: string[] = [];
  const atoms: Atom[] = [];
  inputs.forEach((input, i) => {
    const r = resolvePermission(input, [...basePath, i], opts);
    if (r.ok) {
      keys.push(...r.value.keys);
      for (const a of r.value.atoms) if (!atoms.includes(a)) atoms.push(a);
    } else issues.push(...r.issues);
  });
  return issues.length ? { ok: false, issues } : { ok: true, value: { keys, atoms } };
}
