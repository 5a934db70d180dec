/**
 * The lockout invariant (pure): for every workload where Unified RBAC is active, after a change someone
 * must still hold Authorization (manage) over it through a Unified RBAC assignment. Entra Global and
 * Security Administrators keep their access whatever Unified RBAC says (documented), so they are not
 * counted: the invariant is about the people the program put in charge.
 *
 * Who holds Authorization (manage) in a workload has one home, `authorizationManagers` (activation.ts);
 * this file applies it before and after a planned change. A change is refused only when it takes a
 * workload from "someone can manage authorization" to "nobody can": a tenant that was already without a
 * manager is not made worse by an unrelated edit, and activation itself is checked by assessActivation.
 */
import { TenantView, authorizationManagers } from "./activation";
import { WORKLOADS, Workload, workloadByAppScope } from "./workloads";

/** A workload whose Unified RBAC can be active (its appScopeId, "Mde" …). */
export type ActivationWorkload = Workload["appScope"];
/** Every workload whose activation can be switched. */
export const ACTIVATION_WORKLOADS: readonly ActivationWorkload[] = WORKLOADS.filter((w) => w.activation).map(
  (w) => w.appScope,
);

export type RoleView = TenantView["roles"][number];
export type AssignmentView = TenantView["assignments"][number] & { id: string; displayName?: string };

export interface TenantSnapshot {
  roles: RoleView[];
  assignments: AssignmentView[];
}

/** A planned change to roles and assignments, as the tenant will be once it is applied. */
export interface PlannedChange {
  /** Roles whose permissions become these. */
  setRoleActions?: { id: string; actions: string[] }[];
  /** Roles deleted (their assignments go with them in this view). */
  deleteRoles?: string[];
  /** Assignments whose principals or scope become these. */
  setAssignments?: { id: string; principalIds?: string[]; appScopeIds?: string[] }[];
  deleteAssignments?: string[];
}

/** The tenant as it will be once `change` is applied. */
export function applyChange(tenant: TenantSnapshot, change: PlannedChange): TenantSnapshot {
  const lower = (xs: string[] | undefined) => new Set((xs ?? []).map((x) => x.toLowerCase()));
  const goneRoles = lower(change.deleteRoles);
  const goneAssignments = lower(change.deleteAssignments);
  const roleActions = new Map((change.setRoleActions ?? []).map((r) => [r.id.toLowerCase(), r.actions]));
  const assignmentEdits = new Map((change.setAssignments ?? []).map((a) => [a.id.toLowerCase(), a]));
  return {
    roles: tenant.roles
      .filter((r) => !goneRoles.has(r.id.toLowerCase()))
      .map((r) => ({ ...r, actions: roleActions.get(r.id.toLowerCase()) ?? r.actions })),
    assignments: tenant.assignments
      .filter((a) => !goneAssignments.has(a.id.toLowerCase()) && !goneRoles.has(a.roleDefinitionId.toLowerCase()))
      .map((a) => {
        const e = assignmentEdits.get(a.id.toLowerCase());
        return e
          ? { ...a, principalIds: e.principalIds ?? a.principalIds, appScopeIds: e.appScopeIds ?? a.appScopeIds }
          : a;
      }),
  };
}

export interface Lockout {
  workload: ActivationWorkload;
  /** Who can manage authorization there today (and nobody will after the change). */
  managersBefore: string[];
}

/** The active workloads a change would leave with nobody able to manage authorization. */
export function lockouts(
  before: TenantSnapshot,
  change: PlannedChange,
  activeWorkloads: readonly ActivationWorkload[],
): Lockout[] {
  const after = applyChange(before, change);
  const out: Lockout[] = [];
  for (const w of activeWorkloads) {
    const managersBefore = authorizationManagers(before, w);
    if (managersBefore.length > 0 && authorizationManagers(after, w).length === 0)
      out.push({ workload: w, managersBefore });
  }
  return out;
}

/** The refusal: the change, each workload it locks out with who holds the permission today, and the fix. */
export function lockoutMessage(found: Lockout[], change: string, fix: string): string {
  const where = found
    .map(
      (l) =>
        `in ${workloadByAppScope(l.workload)?.displayName ?? l.workload} (${l.workload}), last held by ${l.managersBefore.join(", ")}`,
    )
    .join("; ");
  return (
    `${change} would leave nobody able to manage authorization ("Authorization (manage)") where Unified RBAC is active: ${where}. ` +
    `${fix} Only for a break-glass procedure: set \`defender-rbac:allowLockout true\` in the stack config (for \`pulumi destroy\`: DEFENDER_RBAC_ALLOW_LOCKOUT=true).`
  );
}
