/**
 * Effective access (pure): the model. What the engine (effectiveAccess.ts) reads, a tenant's roles,
 * assignments, activation, directory and legacy roles, and the report it writes: every (principal,
 * workload, permission) grant with its provenance; and the questions a report answers (who holds
 * what, in which order, from where). What changes between two reports is accessChange.ts.
 */
import { ATOMS } from "./catalogue";
import type { Directory } from "./directory";
import { WORKLOADS, Workload } from "./workloads";

/** The workloads effective access is computed for: those with an activation switch (core/workloads.ts), by appScopeId. */
export type AccessWorkload = Extract<Workload, { activation: true }>["appScope"];
export const ACCESS_WORKLOADS: readonly AccessWorkload[] = WORKLOADS.filter((w) => w.activation).map(
  (w) => w.appScope as AccessWorkload,
);

// ---- input ------------------------------------------------------------------------------------

export interface AccessRole {
  id: string;
  displayName: string;
  /** Permission keys: action strings or unpublished-atom keys, wildcards allowed. */
  actions: string[];
}

export interface AccessAssignment {
  id: string;
  displayName: string;
  roleDefinitionId: string;
  principalIds: string[];
  appScopeIds: string[];
}

export interface AccessLegacyRole {
  source: "mde" | "mdo" | "mdi";
  id: string;
  /** The role group or role name the mapping tables know, or an MDE custom role's name. */
  name: string;
  /** MDE custom roles: their legacy permissions. Others: empty (the name is the role). */
  permissions: string[];
  members: string[];
}

export interface AccessInput {
  roles: readonly AccessRole[];
  assignments: readonly AccessAssignment[];
  /** Workload activation; a workload missing here counts as not active (others than ACCESS_WORKLOADS are ignored). */
  activation: readonly { workload: Workload["appScope"]; active: boolean }[];
  directory?: Directory;
  legacyRoles?: readonly AccessLegacyRole[];
}

// ---- output -----------------------------------------------------------------------------------

export type GrantSource = (
  | {
      kind: "assignment";
      assignmentId: string;
      assignment: string;
      roleId: string;
      role: string;
      /** The role's key that covers the permission. */
      key: string;
      /** The appScopeIds entry that reaches the workload ("/", "Mde", "/CloudSet/1"). */
      scope: string;
    }
  | { kind: "entraRole"; role: string }
  | {
      kind: "legacyRole";
      source: "mde" | "mdo" | "mdi";
      roleId: string;
      role: string;
      /** The legacy permission or role group the mapping tables map. */
      legacy: string;
    }
) & {
  /** Groups the principal holds the grant through, nearest first; empty when held directly. */
  via: string[];
};

export interface AccessGrant {
  principalId: string;
  workload: AccessWorkload;
  /** Catalogue atom id, or the key itself for an action the catalogue has no atom for. */
  permission: string;
  /** "Authorization and settings \ Authorization (manage)". */
  label: string;
  privileged: boolean;
  /** True when every source reaches only specific scopes of the workload (e.g. one cloud scope). */
  partial: boolean;
  sources: GrantSource[];
}

export interface AccessPrincipal {
  id: string;
  kind: "user" | "group" | "unknown";
  /** The directory's display name; the id when the directory does not know the principal. */
  displayName: string;
  userPrincipalName?: string;
}

export interface AccessReport {
  workloads: { workload: AccessWorkload; active: boolean }[];
  principals: AccessPrincipal[];
  grants: AccessGrant[];
  /**
   * What a reader should know that is not a grant: assignments not in effect anywhere (their workloads
   * are not active), scopes of no known workload, legacy roles the tables do not map.
   */
  notes: string[];
}

/** Catalogue atoms in catalogue order; a key with no atom sorts after them. */
const ATOM_ORDER = new Map(ATOMS.map((a, i) => [a.id, i]));

/** The order reports list grants in: by workload (ACCESS_WORKLOADS order), then permission (catalogue order). */
export function comparePlace(
  a: { workload: AccessWorkload; permission: string },
  b: { workload: AccessWorkload; permission: string },
): number {
  const wOrder = (w: AccessWorkload) => ACCESS_WORKLOADS.indexOf(w);
  return (
    wOrder(a.workload) - wOrder(b.workload) ||
    (ATOM_ORDER.get(a.permission) ?? 1e9) - (ATOM_ORDER.get(b.permission) ?? 1e9) ||
    a.permission.localeCompare(b.permission)
  );
}

// ---- questions --------------------------------------------------------------------------------

/** One line of provenance, e.g. `assignment "sec-admins-all" → role "Security admins" (/)`, via groups. */
export function sourceText(s: GrantSource, name: (id: string) => string = (id) => id): string {
  const base =
    s.kind === "assignment"
      ? `assignment "${s.assignment}" → role "${s.role}" (${s.scope === "/" ? "all data sources" : s.scope})`
      : s.kind === "entraRole"
        ? `Entra role ${s.role}`
        : `legacy ${s.source.toUpperCase()} role "${s.role}"${s.legacy !== s.role ? ` (${s.legacy})` : ""}`;
  return s.via.length ? `${base} via ${s.via.map((g) => `group ${name(g)}`).join(" ← ")}` : base;
}

export interface AccessFilter {
  /** Principal ids (lower case). */
  principals?: readonly string[];
  workloads?: readonly AccessWorkload[];
  /** Permission ids (catalogue atom ids or keys). */
  permissions?: readonly string[];
  privileged?: boolean;
}

export function filterGrants(grants: readonly AccessGrant[], f: AccessFilter): AccessGrant[] {
  const principals = f.principals && new Set(f.principals.map((p) => p.toLowerCase()));
  const permissions = f.permissions && new Set(f.permissions.map((p) => p.toLowerCase()));
  return grants.filter(
    (g) =>
      (!principals || principals.has(g.principalId)) &&
      (!f.workloads || f.workloads.includes(g.workload)) &&
      (!permissions || permissions.has(g.permission)) &&
      (!f.privileged || g.privileged),
  );
}

/** Principals holding `permission` (default Authorization (manage)) in `workload`: the lockout question. */
export function holders(
  report: AccessReport,
  workload: AccessWorkload,
  permission = "configuration.-.authorization:manage",
): string[] {
  return [
    ...new Set(
      report.grants.filter((g) => g.workload === workload && g.permission === permission).map((g) => g.principalId),
    ),
  ].sort();
}
