/**
 * Turns permission references into the keys a backend can store, with the backend's catalogue:
 * readable names resolve through the shipped catalogue; action strings are validated against it and
 * the tenant's live catalogue (Graph); permissions whose action string is unpublished are looked up in
 * the live catalogue by display text, and fail at preview on a backend that cannot store them.
 */
import type { Backend, CatalogueAction } from "../backend/backend";
import { Atom, atomForKey, isUnpublishedKey, knownActionByAction } from "../core/catalogue";
import { atomLabel, grantsFor, keyLabel, labelsFor, privilegedLabels } from "../core/labels";
import type { Issue, Result } from "../core/errors";
import { foldName } from "../core/names";
import { normalizeKeys } from "../core/normalise";
import { resolvePermission } from "../core/resolve";
import { tenantName } from "./common";

export interface BackendPermissions {
  /** Canonical keys (normalise.ts). */
  actions: string[];
  /** Readable labels of the canonical keys, sorted. */
  labels: string[];
  /** Labels of the privileged ones (authorization manage, advanced live response, manage wildcards). */
  privileged: string[];
  /** Each canonical key -> its label, privileged marked (core/labels.ts grantsFor), tenant strings named. */
  grants: Record<string, string>;
}

/**
 * The tenant's action for an atom whose string is unpublished: a literal (no wildcard) action of the
 * atom's level, with a segment of its own under the atom's known path, not claimed by the shipped
 * catalogue, whose display text names the permission as a whole phrase.
 * Exactly one match or none: a guess is worse than a clear failure.
 */
function liveMatch(live: CatalogueAction[], atom: Atom): string | undefined {
  const names = [atom.permission.name, ...atom.permission.formerNames].map(foldName);
  const prefix = atom.permission.scopePath ? `microsoft.xdr/${atom.permission.scopePath.join("/")}/` : "microsoft.xdr/";
  const phrase = (text: string, name: string) =>
    new RegExp(`(^|[^a-z0-9])${name.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}($|[^a-z0-9])`).test(text);
  const hits = live.filter((a) => {
    const action = a.action.toLowerCase();
    if (action.includes("*") || !action.startsWith(prefix) || !action.endsWith(`/${atom.level}`)) return false;
    // at least one segment of its own between the path and the level, and not a string the shipped
    // catalogue already gives to another permission or records as something else
    if (action.slice(prefix.length).split("/").length < 2 || atomForKey(action) || knownActionByAction.has(action))
      return false;
    const text = foldName(`${a.displayName ?? ""} ${a.description ?? ""}`);
    return names.some((n) => phrase(text, n));
  });
  const actions = [...new Set(hits.map((h) => h.action.toLowerCase()))];
  return actions.length === 1 ? actions[0] : undefined;
}

/** The live catalogue's action strings (lower case), built once per catalogue read, not once per role. */
const liveSets = new WeakMap<CatalogueAction[], Set<string>>();
function liveActions(live: CatalogueAction[]): Set<string> {
  let set = liveSets.get(live);
  if (!set) liveSets.set(live, (set = new Set(live.map((a) => a.action.toLowerCase()))));
  return set;
}

/**
 * Resolutions already made in this provider process, per backend and live catalogue read: the answer
 * depends only on the references, the property path and the catalogue, and a program's roles repeat
 * the same permission lists (resolving them again for every role of every preview was a measured cost).
 * A new catalogue read (a new array) or a new backend starts empty.
 */
const resolved = new WeakMap<
  Backend,
  { live: CatalogueAction[] | null; answers: Map<string, Result<BackendPermissions>> }
>();
const RESOLVED_MAX = 10_000;

/** A copy the caller may keep or change without touching the cached answer. */
function copyOf(r: Result<BackendPermissions>): Result<BackendPermissions> {
  return r.ok
    ? {
        ok: true,
        value: {
          actions: [...r.value.actions],
          labels: [...r.value.labels],
          privileged: [...r.value.privileged],
          grants: { ...r.value.grants },
        },
      }
    : { ok: false, issues: r.issues.map((i) => ({ ...i, path: [...i.path] })) };
}

export async function resolveForBackend(
  backend: Backend,
  refs: readonly string[],
  path: (string | number)[],
): Promise<Result<BackendPermissions>> {
  const live = await backend.liveCatalogue();
  let cache = resolved.get(backend);
  if (!cache || cache.live !== live) resolved.set(backend, (cache = { live, answers: new Map() }));
  const key = JSON.stringify([path, refs]);
  let r = cache.answers.get(key);
  if (!r) {
    r = resolveWith(backend, live, refs, path);
    if (cache.answers.size >= RESOLVED_MAX) cache.answers.clear();
    cache.answers.set(key, r);
  }
  return copyOf(r);
}

function resolveWith(
  backend: Backend,
  live: CatalogueAction[] | null,
  refs: readonly string[],
  path: (string | number)[],
): Result<BackendPermissions> {
  const extra = live ? liveActions(live) : undefined;
  const tenant = tenantName(backend);
  const issues: Issue[] = [];
  const found: { key: string; index: number }[] = [];
  refs.forEach((ref, i) => {
    const r = resolvePermission(ref, [...path, i], { extraActions: extra });
    if (r.ok) for (const key of r.value.keys) found.push({ key, index: i });
    else issues.push(...r.issues);
  });
  // Only what survives folding has to be stored: an unpublished read level under its permission's
  // manage string, or anything under a wildcard, needs no string of its own.
  const canonical = new Set(normalizeKeys(found.map((f) => f.key)));
  const keys: string[] = [];
  const canStoreUnpublished = backend.capabilities().unpublishedPermissions;
  const tenantStrings = new Map<string, string>();
  for (const { key, index } of found) {
    const k = key.toLowerCase();
    if (!canonical.has(k)) continue;
    if (!isUnpublishedKey(k)) {
      // a tenant with a live catalogue is the authority on which strings exist there
      if (extra && extra.size > 0 && !extra.has(k)) {
        issues.push({
          code: "unknown_action",
          path: [...path, index],
          message:
            `"${keyLabel(k)}" is not in the ${tenant} tenant's permission catalogue (${k}); the tenant cannot grant it. ` +
            "See what it offers with `defender-rbac catalog --backend graph`.",
        });
      } else keys.push(k);
      continue;
    }
    if (canStoreUnpublished) {
      keys.push(k);
      continue;
    }
    const atom = atomForKey(k)!;
    const match = live ? liveMatch(live, atom) : undefined;
    if (match) {
      keys.push(match);
      tenantStrings.set(match, atomLabel(atom));
    } else {
      issues.push({
        code: "backend_unsupported",
        path: [...path, index],
        message:
          `"${atomLabel(atom)}" has no published Graph action string, and the ${tenant} backend's catalogue does not list one. ` +
          "Use the action string your tenant lists (`defender-rbac catalog --backend graph`), or a wildcard that covers it.",
      });
    }
  }
  if (issues.length) return { ok: false, issues };
  const actions = normalizeKeys(keys);
  return {
    ok: true,
    value: {
      actions,
      labels: labelsFor(actions),
      privileged: privilegedLabels(actions),
      grants: grantsFor(actions, tenantStrings),
    },
  };
}
