/**
 * Data-source scopes of a role assignment, as a typed union, and their Graph `appScopeIds` form.
 *   all        → ["/"]: every data source, including ones added later (the portal's "Choose all data
 *                sources" / "Include future data sources automatically").
 *   workloads  → ["Mde", "Mdo", …]: whole workloads.
 *   scopes     → ["/CloudSet/123", …]: specific scopes `/<ScopeType>/<ScopeId>`, optionally with workloads.
 * Graph compares appScopeIds as a case-insensitive set and treats an empty list as ["/"] (docs/graph-api.md);
 * `canonicalAppScopes` does the same so that diffs never flap.
 */
import type { Issue, Result } from "./errors";
import { suggest } from "./names";
import { Workload, WORKLOADS, workloadByAppScope, workloadNamed } from "./workloads";

const WORKLOAD_NAMES: string[] = WORKLOADS.map((w) => w.name);
const APP_SCOPE_IDS: string[] = WORKLOADS.map((w) => w.appScope);

export type DataSourceScope =
  | { kind: "all" }
  | { kind: "workloads"; workloads: (Workload["name"] | string)[] }
  | { kind: "scopes"; scopes: string[]; workloads?: (Workload["name"] | string)[] };

/** A specific scope `/<ScopeType>/<ScopeId>`, e.g. "/CloudSet/123". */
export const SCOPE_PATH = /^\/[A-Za-z][A-Za-z0-9]*\/[^/\s]+$/;

/** "endpoint" or "Mde" (any case) → "Mde". */
export function workloadAppScope(w: string): string | undefined {
  return workloadNamed(w)?.appScope;
}

export function scopeToAppScopeIds(scope: unknown, path: (string | number)[] = ["scope"]): Result<string[]> {
  const fail = (issue: Omit<Issue, "code"> & { code?: Issue["code"] }): Result<string[]> => ({
    ok: false,
    issues: [{ code: issue.code ?? "invalid_scope", ...issue } as Issue],
  });
  if (!scope || typeof scope !== "object") {
    return fail({
      path,
      message:
        'scope must be { kind: "all" }, { kind: "workloads", workloads: [...] } or { kind: "scopes", scopes: ["/<ScopeType>/<ScopeId>"] }.',
    });
  }
  const s = scope as Record<string, unknown>;
  const workloads = (list: unknown, p: (string | number)[]): Result<string[]> => {
    if (!Array.isArray(list) || list.length === 0)
      return fail({
        path: p,
        message: `workloads must be a non-empty list of: ${WORKLOAD_NAMES.join(", ")}.`,
      });
    const out: string[] = [];
    const issues: Issue[] = [];
    list.forEach((w, i) => {
      const id = workloadAppScope(w as string);
      if (id) out.push(id);
      else
        issues.push({
          code: "invalid_scope",
          path: [...p, i],
          message: `unknown workload "${w}"; use one of: ${WORKLOAD_NAMES.join(", ")}.`,
          suggestions: suggest(String(w), [...WORKLOAD_NAMES, ...APP_SCOPE_IDS]),
        });
    });
    return issues.length ? { ok: false, issues } : { ok: true, value: out };
  };
  switch (s.kind) {
    case "all":
      return { ok: true, value: ["/"] };
    case "workloads": {
      const w = workloads(s.workloads, [...path, "workloads"]);
      return w.ok ? { ok: true, value: canonicalAppScopes(w.value) } : w;
    }
    case "scopes": {
      const list = s.scopes;
      if (!Array.isArray(list) || list.length === 0)
        return fail({
          path: [...path, "scopes"],
          message: 'scopes must be a non-empty list of "/<ScopeType>/<ScopeId>" strings, e.g. "/CloudSet/123".',
        });
      const issues: Issue[] = [];
      list.forEach((x, i) => {
        if (typeof x !== "string" || !SCOPE_PATH.test(x))
          issues.push({
            code: "invalid_scope",
            path: [...path, "scopes", i],
            message: `"${x}" is not a specific scope; write "/<ScopeType>/<ScopeId>", e.g. "/CloudSet/123".`,
          });
      });
      let extra: string[] = [];
      if (s.workloads !== undefined) {
        const w = workloads(s.workloads, [...path, "workloads"]);
        if (!w.ok) issues.push(...w.issues);
        else extra = w.value;
      }
      return issues.length
        ? { ok: false, issues }
        : { ok: true, value: canonicalAppScopes([...extra, ...(list as string[])]) };
    }
    default:
      return fail({
        path: [...path, "kind"],
        message: `scope.kind must be "all", "workloads" or "scopes" (got ${JSON.stringify(s.kind)}).`,
      });
  }
}

/** Canonical appScopeIds: known workload ids in their Graph case, de-duplicated case-insensitively, sorted; [] → ["/"]. */
export function canonicalAppScopes(ids: readonly string[] | undefined | null): string[] {
  if (!ids || ids.length === 0) return ["/"];
  const byKey = new Map<string, string>();
  for (const id of ids) {
    const canon = id === "/" ? "/" : (workloadAppScope(id) ?? id);
    const key = canon.toLowerCase();
    if (!byKey.has(key)) byKey.set(key, canon);
  }
  if (byKey.has("/")) return ["/"]; // all data sources covers everything else
  return [...byKey.values()].sort((a, b) => a.toLowerCase().localeCompare(b.toLowerCase()));
}

export function sameAppScopes(a: readonly string[] | undefined, b: readonly string[] | undefined): boolean {
  const x = canonicalAppScopes(a).map((s) => s.toLowerCase());
  const y = canonicalAppScopes(b).map((s) => s.toLowerCase());
  return x.length === y.length && x.every((v, i) => v === y[i]);
}

/** The scope union for a stored appScopeIds list (used by read, export and refresh). */
export function appScopeIdsToScope(ids: readonly string[]): DataSourceScope {
  const canon = canonicalAppScopes(ids);
  if (canon.length === 1 && canon[0] === "/") return { kind: "all" };
  const toName = (id: string) => workloadByAppScope(id)?.name ?? id;
  const workloads = canon.filter((s) => !s.startsWith("/")).map(toName);
  const scopes = canon.filter((s) => s.startsWith("/"));
  if (scopes.length === 0) return { kind: "workloads", workloads };
  return workloads.length ? { kind: "scopes", scopes, workloads } : { kind: "scopes", scopes };
}

/** Does an assignment with these appScopeIds reach the given workload (e.g. "Mde")? */
export function scopeReachesWorkload(ids: readonly string[], workload: string): boolean {
  const canon = canonicalAppScopes(ids).map((s) => s.toLowerCase());
  return canon.includes("/") || canon.includes(workload.toLowerCase());
}

const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
export function isGuid(s: unknown): s is string {
  return typeof s === "string" && GUID.test(s);
}

/** Principal ids as a set: lower-cased, de-duplicated, sorted (Entra object ids compare case-insensitively). */
export function principalSet(ids: readonly string[] | undefined): string[] {
  return [...new Set((ids ?? []).map((s) => s.toLowerCase()))].sort();
}

/** True when two principal lists name the same principals. */
export function samePrincipals(a: readonly string[] | undefined, b: readonly string[] | undefined): boolean {
  const x = principalSet(a);
  const y = principalSet(b);
  return x.length === y.length && x.every((v, i) => v === y[i]);
}

/** Principals: Entra object ids, validated as GUIDs, lower-cased, de-duplicated, sorted. */
export function canonicalPrincipals(ids: unknown, path: (string | number)[] = ["principals"]): Result<string[]> {
  if (!Array.isArray(ids) || ids.length === 0) {
    return {
      ok: false,
      issues: [
        {
          code: "invalid_principal",
          path,
          message: "principals must be a non-empty list of Entra object ids (GUIDs) of users or groups.",
        },
      ],
    };
  }
  const issues: Issue[] = [];
  ids.forEach((id, i) => {
    if (!isGuid(id))
      issues.push({
        code: "invalid_principal",
        path: [...path, i],
        message: `"${id}" is not an Entra object id; give the user's or group's object id, a GUID such as 8e811502-2c2a-4d1b-9c5e-1f0b2e4f9a10.`,
      });
  });
  if (issues.length) return { ok: false, issues };
  return { ok: true, value: principalSet(ids as string[]) };
}
