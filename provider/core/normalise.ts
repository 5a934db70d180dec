/**
 * Canonical form of a permission set, used for every diff and drift decision.
 *
 * The service stores `allowedResourceActions` pruned: an action that a wildcard already covers is
 * dropped (PIM4EntraPS measured `[secops/*\/manage, secops/rawdata/quarantineemailcontent/read]` stored
 * as `[secops/*\/manage]`). The observed coverage rule, applied here to desired and actual sets alike:
 *   - action strings compare case-insensitively;
 *   - a `*` segment matches one or more path segments;
 *   - `manage` covers `read` (on the same path, or under a wildcard).
 * The canonical form is: lower-cased, de-duplicated, every covered key removed, sorted.
 */
import { atomForKey, atomKey, coveragePath, getAtom, isUnpublishedKey } from "./catalogue";

function split(action: string): { path: string[]; verb: string } {
  const segs = action.split("/");
  return { path: segs.slice(0, -1), verb: segs[segs.length - 1] };
}

/** Does pattern path `p` (may hold `*`) match target path `t` (whose `*`/`?` are only matched by `*`)? */
function pathMatches(p: string[], t: string[]): boolean {
  const memo = new Map<string, boolean>();
  const go = (i: number, j: number): boolean => {
    const key = `${i},${j}`;
    const hit = memo.get(key);
    if (hit !== undefined) return hit;
    let r: boolean;
    if (i === p.length) r = j === t.length;
    else if (j === t.length) r = false;
    else if (p[i] === "*") {
      r = false;
      for (let k = j + 1; k <= t.length && !r; k++) r = go(i + 1, k);
    } else r = p[i] === t[j] && t[j] !== "*" && t[j] !== "?" && go(i + 1, j + 1);
    memo.set(key, r);
    return r;
  };
  return go(0, 0);
}

function verbCovers(a: string, b: string): boolean {
  return a === b || (a === "manage" && b === "read");
}

/** Does action string `a` cover action string `b` under the service's rule? Pure string logic. */
export function actionCovers(a: string, b: string): boolean {
  const x = split(a.toLowerCase());
  const y = split(b.toLowerCase());
  return verbCovers(x.verb, y.verb) && pathMatches(x.path, y.path);
}

/** For the unpublished read level of a permission that also has a manage level: that level's key. */
function manageSibling(key: string): string | undefined {
  if (!isUnpublishedKey(key)) return undefined;
  const atom = atomForKey(key);
  if (!atom || atom.level !== "read" || !atom.permission.levels.manage) return undefined;
  return atomKey(getAtom(`${atom.permission.id}:manage`)!).toLowerCase();
}

/**
 * Catalogue-aware coverage between two keys (action strings or unpublished-atom keys): the string rule
 * on their coverage paths, plus "manage covers read" within one catalogue permission even when the
 * read level's string is unpublished: whatever covers a permission's manage level covers its read
 * level too. Defined that way the relation stays transitive, so folding never loses a permission.
 */
export function keyCovers(a: string, b: string): boolean {
  const ka = a.toLowerCase();
  const kb = b.toLowerCase();
  if (ka === kb) return true;
  const sibling = manageSibling(kb);
  if (sibling !== undefined && keyCovers(ka, sibling)) return true;
  const pa = coveragePath(ka);
  const pb = coveragePath(kb);
  if (pa === null || pb === null) return false;
  return actionCovers(pa, pb);
}

/**
 * The canonical form of a permission-key set: idempotent, independent of order and case, and it never
 * loses a permission (every input key is covered by some output key).
 */
export function normalizeKeys(keys: Iterable<string>, covers: (a: string, b: string) => boolean = keyCovers): string[] {
  const unique = [...new Set([...keys].map((k) => k.trim().toLowerCase()).filter((k) => k.length > 0))].sort();
  // Only a key with a wildcard, or one on the same path with a stronger verb, can cover another key:
  // test those candidates instead of every pair (roles hold tens of keys, tenant-wide sets thousands).
  const wild = unique.filter((k) => k.includes("*"));
  const present = new Set(unique);
  const samePathCoverers = (k: string): string[] => {
    const out: string[] = [];
    if (k.endsWith("/read")) {
      const m = `${k.slice(0, -"/read".length)}/manage`;
      if (present.has(m)) out.push(m);
    }
    const sibling = manageSibling(k);
    if (sibling !== undefined && present.has(sibling)) out.push(sibling);
    return out;
  };
  const coveredBy = (k: string, j: string) => j !== k && covers(j, k) && (!covers(k, j) || j < k);
  const candidates = covers === keyCovers ? (k: string) => [...wild, ...samePathCoverers(k)] : () => unique;
  return unique.filter((k) => !candidates(k).some((j) => coveredBy(k, j)));
}

/** True when two key sets have the same canonical form. */
export function sameKeySet(a: Iterable<string>, b: Iterable<string>): boolean {
  const x = normalizeKeys(a);
  const y = normalizeKeys(b);
  return x.length === y.length && x.every((k, i) => k === y[i]);
}
