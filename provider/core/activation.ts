/**
 * Pre-flight checks for turning Unified RBAC on or off for one workload (pure).
 *
 * Refused (failures):
 *  - activation that would leave no principal able to manage authorization in that workload: no role
 *    assignment reaching the workload grants `Authorization (manage)`;
 *  - Exchange Online permissions without Defender for Office 365 active (activate-defender-rbac).
 * Warned (widening): the Entra roles whose default Unified RBAC permissions start to apply in the
 * workload; for Defender for Endpoint, the mapping page's note that Security reader and Global reader
 * gain access to Defender for Endpoint data.
 */
import { getAtom } from "./catalogue";
import { atomLabel } from "./labels";
import type { Issue } from "./errors";
import { ENTRA_ROLES } from "./legacy";
import { keyCovers } from "./normalise";
import { scopeReachesWorkload } from "./scope";
import { activationWorkloadNamed, Workload, workloadByAppScope } from "./workloads";

/** The appScopeId of a workload whose activation can be switched ("Mde", "Mdo", "Mdi", "Mda", "Mdc"). */
export function activationWorkload(s: unknown): Workload["appScope"] | undefined {
  return activationWorkloadNamed(s)?.appScope;
}

export const AUTHORIZATION_MANAGE = "microsoft.xdr/configuration/authorization/manage";

/** True when a role with these canonical keys can manage authorization (directly or through a wildcard). */
export function grantsAuthorizationManage(actions: readonly string[]): boolean {
  return actions.some((a) => keyCovers(a, AUTHORIZATION_MANAGE));
}

export interface ActivationPlan {
  workload: Workload["appScope"];
  active: boolean;
  exchangeOnline?: boolean;
}

export interface TenantView {
  roles: { id: string; actions: string[] }[];
  assignments: { roleDefinitionId: string; principalIds: string[]; appScopeIds: string[] }[];
}

export interface ActivationAssessment {
  failures: Issue[];
  warnings: string[];
  /** Principals that can manage authorization in the workload after the change. */
  authorizationManagers: string[];
}

/** Principals whose assignments grant Authorization (manage) in `workload`. */
export function authorizationManagers(tenant: TenantView, workload: Workload["appScope"]): string[] {
  const granting = new Set(tenant.roles.filter((r) => grantsAuthorizationManage(r.actions)).map((r) => r.id));
  const out = new Set<string>();
  for (const a of tenant.assignments) {
    if (granting.has(a.roleDefinitionId) && scopeReachesWorkload(a.appScopeIds, workload))
      for (const p of a.principalIds) out.add(p.toLowerCase());
  }
  return [...out].sort();
}

/** Access that widens when `workload` is activated: Entra roles' workload-specific defaults. */
export function wideningWarnings(workload: Workload["appScope"]): string[] {
  const out: string[] = [];
  if (workload === "Mde") {
    out.push(
      "By activating Unified RBAC for Defender for Endpoint, users with the Security reader and Global reader roles will have access to Defender for Endpoint data.",
    );
  }
  const w = workloadByAppScope(workload)?.legacy;
  if (!w) return out;
  for (const role of ENTRA_ROLES) {
    const ids = role.workloadGrants?.[w] ?? [];
    if (ids.length === 0) continue;
    out.push(`Entra ${role.name} gains in ${w.toUpperCase()}: ${ids.map((id) => atomLabel(getAtom(id)!)).join("; ")}.`);
  }
  return out;
}

/**
 * Assesses a planned activation change against the tenant. `pendingAuthorizationAssignments` is true
 * when the program names authorization assignments whose ids are not known yet (preview of a stack
 * that creates them); the lockout check is then re-run before the change is applied.
 */
export function assessActivation(
  plan: ActivationPlan,
  tenant: TenantView,
  pendingAuthorizationAssignments = false,
): ActivationAssessment {
  const failures: Issue[] = [];
  const warnings: string[] = [];
  if (plan.exchangeOnline && (plan.workload !== "Mdo" || !plan.active)) {
    failures.push({
      code: "activation_dependency",
      path: ["exchangeOnline"],
      message:
        plan.workload !== "Mdo"
          ? 'Exchange Online permissions are a part of Defender for Office 365 activation: set exchangeOnline on the workload "office365" (Mdo) activation.'
          : "Exchange Online permissions can be activated only once Defender for Office 365 is active: set active: true, or exchangeOnline: false.",
    });
  }
  const managers = authorizationManagers(tenant, plan.workload);
  if (plan.active) {
    if (managers.length === 0 && !pendingAuthorizationAssignments) {
      failures.push({
        code: "activation_lockout",
        path: ["active"],
        message:
          `activating Unified RBAC for ${workloadByAppScope(plan.workload)?.displayName ?? plan.workload} would leave no principal able to manage authorization there: ` +
          `no role assignment over all data sources or "${plan.workload}" grants "Authorization and settings \\ Authorization (manage)". ` +
          "Assign such a role first (e.g. to a break-glass group) and list that RoleAssignment's id in authorizationAssignments, so the activation waits for it.",
      });
    }
    warnings.push(...wideningWarnings(plan.workload));
  } else {
    warnings.push(
      `Deactivating ${plan.workload}: roles created or edited in Unified RBAC stop taking effect there and the workload falls back to its own RBAC model; ` +
        "legacy grants deleted since activation are not restored.",
    );
  }
  return { failures, warnings, authorizationManagers: managers };
}
