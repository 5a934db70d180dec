/**
 * Readable labels of permissions: the one format "Category \ Group \ Permission (level)" used by
 * previews, outputs, exports and the emulator's catalogue, and the labels of stored keys (atoms,
 * wildcards, known literals, or the raw string).
 */
import {
  Atom,
  atomForKey,
  getCategory,
  getGroup,
  isPrivilegedAction,
  knownActionByAction,
  wildcardByAction,
} from "./catalogue";

/** "Security operations \ Security data \ Alerts (manage)" */
export function atomLabel(atom: Atom): string {
  const parts = [getCategory(atom.permission.category).name];
  if (atom.permission.group) parts.push(getGroup(atom.permission.group)!.name);
  parts.push(atom.permission.name);
  return `${parts.join(" \\ ")} (${atom.level})`;
}

/** Readable label for a key: the catalogue label, the wildcard's label, or the raw string. */
export function keyLabel(key: string): string {
  const atom = atomForKey(key);
  if (atom) return atomLabel(atom);
  const w = wildcardByAction.get(key.toLowerCase());
  if (w) return `${w.action} (${w.label})`;
  const k = knownActionByAction.get(key.toLowerCase());
  if (k) return `${k.action} (${k.note})`;
  return key;
}

/** Labels of a key set, de-duplicated and sorted. */
export function labelsFor(keys: readonly string[]): string[] {
  return [...new Set(keys.map(keyLabel))].sort();
}

/** Labels of the privileged keys in a set, sorted: previews flag them (the EntraOps tiering idea). */
export function privilegedLabels(keys: readonly string[]): string[] {
  return labelsFor(keys.filter(isPrivilegedAction));
}

/** A reference `resolvePermission` accepts for a key: the catalogue label of an atom, else the key itself. */
export function keyReference(key: string): string {
  const atom = atomForKey(key);
  return atom ? atomLabel(atom) : key;
}

/**
 * A key set as a map from each canonical key to its readable label, privileged ones marked "⚠ ":
 * the shape previews show, because the CLI diffs a map by key (adding one permission is one added
 * line) where it diffs a list by position. `names` labels keys the shipped catalogue does not know
 * (a tenant's own string for an unpublished permission); an earlier grants map may serve as `names`.
 */
export function grantsFor(keys: readonly string[], names?: ReadonlyMap<string, string>): Record<string, string> {
  const grants: Record<string, string> = {};
  for (const key of [...keys].sort())
    grants[key] = `${isPrivilegedAction(key) ? "⚠ " : ""}${names?.get(key)?.replace(/^⚠ /, "") ?? keyLabel(key)}`;
  return grants;
}
