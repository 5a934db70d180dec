/**
 * Turns permission references into the keys a backend can store, with the backend's catalogue:
 * readable names resolve through the shipped catalogue; action strings are validated against it and
 * the tenant's live catalogue (Graph); permissions whose action string is unpublished are looked up in
 * the live catalogue by display text, and fail at preview on a backend that cannot store them.
 */
import type { Backend, CatalogueAction } from "../backend/backend";
import { atomForKey, atomLabel, isUnpublishedKey, knownActionByAction, wildcardByAction } from "../core/catalogue";
import type { Issue, Result } from "../core/errors";
import { foldName } from "../core/names";
import { normalizeKeys } from "../core/normalise";
import { resolvePermission } from "../core/resolve";

export interface BackendPermissions {
  /** Canonical keys (normalise.ts). */
  actions: string[];
  /** Readable labels of the canonical keys, sorted. */
  labels: string[];
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

export function labelsFor(keys: readonly string[]): string[] {
  return [...new Set(keys.map(keyLabel))].sort();
}

function liveMatch(live: CatalogueAction[], label: string, name: string, level: string): string | undefined {
  const want = foldName(name);
  const hits = live.filter((a) => a.action.toLowerCase().endsWith(`/${level}`) && a.displayName && foldName(a.displayName).includes(want));
  return hits.length === 1 ? hits[0].action.toLowerCase() : undefined;
}

export async function resolveForBackend(backend: Backend, refs: readonly string[], path: (string | number)[]): Promise<Result<BackendPermissions>> {
  const live = await backend.liveCatalogue();
  const extra = live ? new Set(live.map((a) => a.action.toLowerCase())) : undefined;
  const issues: Issue[] = [];
  const keys: string[] = [];
  const canStoreUnpublished = backend.capabilities().unpublishedPermissions;
  refs.forEach((ref, i) => {
    const r = resolvePermission(ref, [...path, i], { extraActions: extra });
    if (!r.ok) return void issues.push(...r.issues);
    for (const key of r.value.keys) {
      if (!isUnpublishedKey(key) || canStoreUnpublished) {
        keys.push(key);
        continue;
      }
      const atom = atomForKey(key)!;
      const found = live ? liveMatch(live, atomLabel(atom), atom.permission.name, atom.level) : undefined;
      if (found) keys.push(found);
      else {
        issues.push({
          code: "backend_unsupported", path: [...path, i],
          message: `"${atomLabel(atom)}" has no published Graph action string, and the ${backend.name} backend's catalogue does not list one. ` +
            "Use the action string your tenant shows (`defender-rbac catalog --backend graph`), or a wildcard that covers it.",
        });
      }
    }
  });
  if (issues.length) return { ok: false, issues };
  const actions = normalizeKeys(keys);
  return { ok: true, value: { actions, labels: labelsFor(actions) } };
}
