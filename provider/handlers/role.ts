/**
 * What UnifiedRole and ImportedRole share: a role's outputs, PATCHing only the fields that changed, and
 * bringing an adopted or re-found role to the desired fields.
 */
import type { Backend, RoleRecord } from "../backend/backend";
import { CATALOGUE_VERSION } from "../core/catalogue";
import { grantsFor, labelsFor, privilegedLabels } from "../core/labels";
import { normalizeKeys, sameKeySet } from "../core/normalise";
import { isNotFound } from "../backend/backend";
import { markerLength } from "../core/ownership";
import { CheckFailure, HandlerContext, Raw, UNKNOWN, clean, isSentinel, adoptMissingFailure, issueOf } from "./common";
import { grantsAuthorization, roleEditRefusal } from "./lockout";
import { adoption, cascadeRefusal, creating, ownObject, ownerOf, takeBackFailure, warn } from "./ownership";
import { Refusal } from "../core/errors";

/** The role fields a program sets (after check). */
export interface RoleFields {
  displayName: string;
  description?: string;
  actions: string[];
  /** The ownership marker: the resource's URN (core/ownership.ts). */
  managedBy?: string | null;
}

/** What every role resource adds for ownership (docs/ownership.md). */
export type OwnershipInputs = {
  managedBy?: string;
  takeOver?: boolean;
  /** At preview of a create: the existing object taken over, or "". */
  adopts?: string;
};

/** What every role resource reports from the tenant, on top of its inputs. */
export interface RoleState extends RoleFields {
  description: string;
  resolvedPermissions: string[];
  privilegedPermissions: string[];
  /** The tenant's permissions as a map: canonical key -> label (as check named them), privileged marked. */
  grants: Record<string, string>;
  roleId: string;
  isBuiltIn: boolean;
  imported: boolean;
  backend: string;
  catalogueVersion: string;
  /** The marker the tenant object carries (null: none). */
  managedBy: string | null;
  adopts: string;
}

export function roleOutputs<I extends object>(record: RoleRecord, inputs: I, backendName: string): I & RoleState {
  const actions = normalizeKeys(record.actions);
  const named = (inputs as Raw).grants;
  return {
    ...clean(inputs),
    displayName: record.displayName,
    description: record.description,
    actions,
    resolvedPermissions: labelsFor(actions),
    privilegedPermissions: privilegedLabels(actions),
    // labels check gave (a tenant's own strings named there) are kept for the keys the tenant holds
    grants: grantsFor(actions, new Map(named && typeof named === "object" ? Object.entries(named) : [])),
    roleId: record.id,
    isBuiltIn: record.isBuiltIn,
    imported: !!record.imported && !record.imported.edited,
    backend: backendName,
    catalogueVersion: CATALOGUE_VERSION,
    managedBy: record.managedBy ?? null,
    adopts: ((inputs as Raw).adopts as string | undefined) ?? "",
  };
}

/** PATCHes only what changed between the old outputs and the new inputs; shared with ImportedRole. */
export async function updateRoleFields(
  backend: Backend,
  id: string,
  olds: Partial<RoleFields>,
  news: RoleFields,
  gone: string,
): Promise<RoleRecord> {
  const patch = {
    ...(olds.displayName !== news.displayName ? { displayName: news.displayName } : {}),
    ...((olds.description ?? "") !== (news.description ?? "") ? { description: news.description ?? "" } : {}),
    ...(!sameKeySet(olds.actions ?? [], news.actions) ? { actions: news.actions } : {}),
    ...(news.managedBy && olds.managedBy !== news.managedBy ? { managedBy: news.managedBy } : {}),
  };
  const record = await (Object.keys(patch).length ? backend.updateRole(id, patch) : backend.getRole(id)).catch((e) => {
    if (isNotFound(e)) return null;
    throw e;
  });
  if (!record)
    throw new Refusal(
      `role ${id} no longer exists in the ${backend.name} tenant; run \`pulumi refresh\` to forget it, then \`pulumi up\` to ${gone}.`,
    );
  return record;
}

/** What is wrong with adopting role `id` (read as `existing`): it must exist and be a custom role. */
function adoptRoleFailure(
  existing: RoleRecord | null,
  id: string,
  backend: Backend,
  instead: string,
): CheckFailure | undefined {
  if (!existing) return adoptMissingFailure("role", id, backend, instead);
  if (existing.isBuiltIn)
    return {
      property: "adopt",
      reason: `role "${existing.displayName}" (${existing.id}) is built-in and cannot be managed; copy its permissions into a custom role instead.`,
    };
  return undefined;
}

/** The role `adopt` names: it must exist and be a custom role (a built-in one cannot be managed). */
export async function adoptRole(backend: Backend, id: string, instead: string): Promise<RoleRecord> {
  const existing = await backend.getRole(id);
  const failure = adoptRoleFailure(existing, id, backend, instead);
  if (failure) throw issueOf(failure);
  return existing!;
}

/** Brings an existing (adopted) role to the desired fields, touching it only when it differs. */
export async function bringRoleTo(
  backend: Backend,
  record: RoleRecord,
  desired: { displayName: string; description: string; actions: string[]; managedBy?: string | null },
): Promise<RoleRecord> {
  const same =
    record.displayName === desired.displayName &&
    record.description === desired.description &&
    (desired.managedBy === undefined || (record.managedBy ?? null) === desired.managedBy) &&
    sameKeySet(record.actions, desired.actions);
  return same ? record : backend.updateRole(record.id, desired);
}

/** adoptRole, and the owner's consent: a role another resource manages needs `takeOver: true`. */
export async function adoptOwnedRole(
  backend: Backend,
  id: string,
  instead: string,
  inputs: OwnershipInputs,
): Promise<RoleRecord> {
  const existing = await adoptRole(backend, id, instead);
  const { me, takeOver } = ownerOf(inputs as Raw);
  const a = adoption("role", existing, me, takeOver, "adopt");
  if (a.failure) throw issueOf(a.failure);
  return existing;
}

/** The description and its marker must fit the 1,024 characters a description may hold (docs/ownership.md). */
export function descriptionFailure(inputsIn: object): CheckFailure | undefined {
  const inputs = inputsIn as Raw;
  const d = typeof inputs.description === "string" ? inputs.description : "";
  const m = typeof inputs.managedBy === "string" ? inputs.managedBy : "";
  if (!m || d.length + markerLength(m) <= 1024) return undefined;
  return {
    property: "description",
    reason: `description must be at most ${1024 - markerLength(m)} characters here: the rest holds the managed-by marker (${markerLength(m)} characters).`,
  };
}

/**
 * Check of a role resource's ownership and lockout at preview (UnifiedRole and ImportedRole): on a
 * create with `adopt`, whether the role may be taken over (the `adopts` output); on an update, whether
 * it may be taken back from another stack, and whether a permission edit would lock anyone out.
 */
export async function checkRoleSafety(
  ctx: HandlerContext,
  backend: Backend,
  oldsIn: object,
  inputsIn: object,
  kind: string,
  permissionsProperty: string,
): Promise<CheckFailure[]> {
  const olds = oldsIn as Raw;
  const inputs = inputsIn as Raw;
  const failures: CheckFailure[] = [];
  const { me, takeOver } = ownerOf(inputs);
  const replacing = inputs.adopt !== undefined && inputs.adopt !== olds.adopt;
  if (creating(olds) || replacing) {
    inputs.adopts = "";
    if (typeof inputs.adopt === "string" && inputs.adopt !== UNKNOWN) {
      const existing = await backend.getRole(inputs.adopt);
      const failure = adoptRoleFailure(existing, inputs.adopt, backend, "create a new role");
      if (failure) failures.push(failure);
      else {
        const a = adoption("role", existing!, me, takeOver, "adopt");
        if (a.failure) failures.push(a.failure);
        inputs.adopts = a.adopts;
      }
    }
    if (inputs.adopts) warn(`${kind} ${inputs.adopts}.`);
    return failures;
  }
  inputs.adopts = olds.adopts ?? "";
  const back = takeBackFailure("role", String(olds.displayName ?? inputs.displayName), olds, inputs);
  if (back) failures.push(back);
  // only an edit that drops Authorization (manage) can lock anyone out: read the tenant only then
  // check's olds are the last inputs: grants (a state written before grants existed: actions)
  const before = plannedKeys(olds) ?? olds.actions;
  const next = plannedKeys(inputs);
  if (me && grantsAuthorization(before) && next && !grantsAuthorization(next)) {
    const own = ownObject(await backend.listRoles(), me);
    const refusal = own ? await roleEditRefusal(ctx, backend, own, next) : null;
    if (refusal) failures.push({ property: permissionsProperty, reason: refusal });
  }
  return failures;
}

/**
 * A role resource's planned permission set from its checked inputs: the keys of `grants` (canonical
 * key -> readable label, the map previews diff by key); undefined while unknown at preview.
 */
export function plannedKeys(inputs: object): string[] | undefined {
  const g = (inputs as Raw).grants;
  return g && typeof g === "object" && !Array.isArray(g) && !isSentinel(g) ? Object.keys(g) : undefined;
}

/** The lockout check again when the edit is applied (the tenant may have changed since the preview). */
export async function refuseRoleEdit(
  ctx: HandlerContext,
  backend: Backend,
  id: string,
  actions: unknown,
): Promise<void> {
  if (!Array.isArray(actions)) return;
  const current = await backend.getRole(id);
  const refusal = current ? await roleEditRefusal(ctx, backend, current, actions) : null;
  if (refusal) throw new Refusal(`${refusal} Nothing was changed.`);
}

/** Delete of a role resource: refused while assignments other than `own` use it; `own` go first. */
export async function deleteRoleSafely(backend: Backend, id: string, ownAssignments: string[] = []): Promise<void> {
  const record = await backend.getRole(id);
  if (!record) return;
  if (record.isBuiltIn) return; // never delete a built-in role, even if state says so
  const own = new Set(ownAssignments.map((a) => a.toLowerCase()));
  const left = (await backend.listAssignments({ roleDefinitionId: id })).filter((a) => !own.has(a.id.toLowerCase()));
  if (left.length) throw cascadeRefusal(record, left);
  for (const a of own) await backend.deleteAssignment(a);
  await backend.deleteRole(id);
}

/** The create of a role resource: this resource's own role, left by an interrupted create, if any. */
export async function ownRole(
  backend: Backend,
  inputs: OwnershipInputs,
  same?: (r: RoleRecord) => boolean,
): Promise<RoleRecord | undefined> {
  return ownObject(await backend.listRoles(), ownerOf(inputs as Raw).me, same);
}
