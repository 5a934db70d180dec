/**
 * The lockout invariant applied to one planned change (core/lockout.ts, docs/lockout.md): reads the tenant
 * and its active workloads, and returns the refusal text, or null when the change is safe. On a backend
 * that cannot read activation (Graph), every workload counts as possibly active. The escape hatch
 * `defender-rbac:allowLockout true` turns the refusal into a warning.
 */
import type { Backend } from "../backend/backend";
import { AUTHORIZATION_MANAGE } from "../core/activation";
import { keyCovers } from "../core/normalise";
import { ACTIVATION_WORKLOADS, ActivationWorkload, PlannedChange, lockoutMessage, lockouts } from "../core/lockout";
import type { HandlerContext } from "./common";
import { warn } from "./ownership";

async function activeWorkloads(backend: Backend): Promise<ActivationWorkload[]> {
  if (backend.capabilities().activation === "none") return [...ACTIVATION_WORKLOADS];
  return (await backend.getActivation()).filter((s) => s.active).map((s) => s.workload);
}

/**
 * The escape hatch: stack config `defender-rbac:allowLockout true`, or the environment variable
 * DEFENDER_RBAC_ALLOW_LOCKOUT=true. `pulumi destroy` configures the provider with the config of the last
 * `up` (it does not run the program), so a teardown uses the environment variable.
 */
export function lockoutAllowed(ctx: HandlerContext): boolean {
  const v = ctx.settings?.().allowLockout ?? process.env.DEFENDER_RBAC_ALLOW_LOCKOUT ?? "";
  return String(v).toLowerCase() === "true";
}

/**
 * The refusal for `change` (described as `what`, with `fix`), or null. Reads roles, assignments and
 * activation once.
 */
export async function lockoutRefusal(
  ctx: HandlerContext,
  backend: Backend,
  change: PlannedChange,
  what: string,
  fix: string,
): Promise<string | null> {
  const [roles, assignments, active] = await Promise.all([
    backend.listRoles(),
    backend.listAssignments(),
    activeWorkloads(backend),
  ]);
  const found = lockouts({ roles, assignments }, change, active);
  if (!found.length) return null;
  const message = lockoutMessage(found, what, fix);
  if (lockoutAllowed(ctx)) {
    warn(`defender-rbac:allowLockout is set, so this goes ahead: ${message}`);
    return null;
  }
  return message;
}

/** Whether a set of permission keys grants Authorization (manage). */
export function grantsAuthorization(actions: unknown): boolean {
  return Array.isArray(actions) && actions.some((a) => typeof a === "string" && keyCovers(a, AUTHORIZATION_MANAGE));
}

/**
 * The refusal for giving role `id` (named `name`) the permissions `actions`, or null. Only an edit that
 * drops Authorization (manage) can lock anyone out, so the tenant is read only then.
 */
export async function roleEditRefusal(
  ctx: HandlerContext,
  backend: Backend,
  role: { id: string; displayName: string; actions: string[] },
  actions: string[],
): Promise<string | null> {
  if (!grantsAuthorization(role.actions) || grantsAuthorization(actions)) return null;
  return lockoutRefusal(
    ctx,
    backend,
    { setRoleActions: [{ id: role.id, actions }] },
    `Removing Authorization (manage) from role "${role.displayName}" (${role.id})`,
    'Keep "Authorization and settings \\ Authorization (Read and manage)" in its permissions, or first assign a role that grants it over all data sources or that workload.',
  );
}
