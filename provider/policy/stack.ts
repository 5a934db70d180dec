/**
 * The stack as the policy pack sees it: this provider's resources read from what the engine hands an
 * analyzer (checked inputs, or outputs of resources already deployed), with the links between them.
 *
 * During a preview some values are unknown (the id of a role created in the same update, an input
 * computed from another resource). Reading one throws @pulumi/policy's UnknownValueError; `known`
 * turns that into `undefined` where the policy has another way to tell (a role is then found through
 * the assignment's property dependency on it), and a policy that cannot decide lets the error go: the
 * framework then reports that the policy could not run during preview, instead of a false verdict.
 */
import type { PolicyResource } from "@pulumi/policy";
import { UnknownValueError } from "@pulumi/policy";
import { activationWorkload, grantsAuthorizationManage } from "../core/activation";
import type { Workload } from "../core/workloads";
import { canonicalAppScopes } from "../core/scope";
import { kindOf } from "../resources/shell";

/** The value `read` returns, or undefined when it is unknown during preview. */
export function known<T>(read: () => T): T | undefined {
  try {
    return read();
  } catch (e) {
    if (e instanceof UnknownValueError) return undefined;
    throw e;
  }
}

export interface StackRole {
  resource: PolicyResource;
  /** The role's id in the tenant, when known (not yet during the preview that creates it). */
  id?: string;
  displayName?: string;
  /** Canonical keys computed by the provider's check. */
  actions: string[];
  grantsAuthorizationManage: boolean;
}

export interface StackAssignment {
  resource: PolicyResource;
  displayName?: string;
  /** The assigned role, when it is a role of this stack. */
  role?: StackRole;
  /** The role id, when known. */
  roleId?: string;
  principals: string[];
  appScopeIds: string[];
}

export interface StackActivation {
  resource: PolicyResource;
  workload: Workload["appScope"];
  active: boolean;
}

export interface StackView {
  roles: StackRole[];
  assignments: StackAssignment[];
  activations: StackActivation[];
}

function roleOf(r: PolicyResource): StackRole {
  const actions: string[] = plannedActions(r.props);
  return {
    resource: r,
    id: known(() => r.props.roleId),
    displayName: known(() => r.props.displayName),
    actions: [...actions],
    grantsAuthorizationManage: grantsAuthorizationManage(actions),
  };
}

/** Roles, assignments and activations of the stack after its changes, linked. */
export function stackView(resources: readonly PolicyResource[]): StackView {
  const roles: StackRole[] = [];
  const pending: PolicyResource[] = [];
  const activations: StackActivation[] = [];
  for (const r of resources) {
    const kind = kindOf(r.type);
    if (kind === "UnifiedRole" || kind === "ImportedRole") roles.push(roleOf(r));
    else if (kind === "RoleAssignment") pending.push(r);
    else if (kind === "WorkloadActivation") {
      const workload = activationWorkload(r.props.workload);
      if (workload) activations.push({ resource: r, workload, active: r.props.active !== false });
    }
  }
  const byUrn = new Map(roles.map((role) => [role.resource.urn, role]));
  const assignments = pending.map((r): StackAssignment => {
    const roleId = known(() => r.props.roleId as string);
    const role =
      (roleId !== undefined ? roles.find((x) => x.id !== undefined && x.id === roleId) : undefined) ??
      (r.propertyDependencies.roleId ?? []).map((d) => byUrn.get(d.urn)).find((x) => x !== undefined);
    if (roleId === undefined && !role) void r.props.roleId; // neither known nor linked: the framework says so
    return {
      resource: r,
      displayName: known(() => r.props.displayName),
      role,
      roleId,
      principals: [...(r.props.principals ?? [])],
      appScopeIds: canonicalAppScopes(r.props.appScopeIds ?? ["/"]),
    };
  });
  return { roles, assignments, activations };
}

/** True when `names` lists the resource's Pulumi name or its display name (case-insensitive). */
export function listed(
  names: readonly string[] | undefined,
  resource: { name: string },
  displayName?: string,
): boolean {
  const wanted = new Set((names ?? []).map((n) => n.trim().toLowerCase()));
  return wanted.has(resource.name.toLowerCase()) || (!!displayName && wanted.has(displayName.trim().toLowerCase()));
}

/** A role's planned permission set: `actions`, or the keys of a UnifiedRole's `grants` (canonical key -> label). */
export function plannedActions(props: Record<string, any>): string[] {
  if (Array.isArray(props.actions)) return props.actions;
  const g = props.grants;
  return g && typeof g === "object" && !Array.isArray(g) ? Object.keys(g) : [];
}
