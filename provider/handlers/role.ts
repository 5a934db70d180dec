/**
 * What UnifiedRole and ImportedRole share: a role's outputs, PATCHing only the fields that changed, and
 * bringing an adopted or re-found role to the desired fields.
 */
import type { Backend, RoleRecord } from "../backend/backend";
import { CATALOGUE_VERSION } from "../core/catalogue";
import { labelsFor, privilegedLabels } from "../core/labels";
import { normalizeKeys, sameKeySet } from "../core/normalise";
import { isNotFound } from "../backend/backend";
import type { Issue } from "../core/errors";
import { adoptMissingIssue, clean, issuesError } from "./common";

/** The role fields a program sets (after check). */
export interface RoleFields {
  displayName: string;
  description?: string;
  actions: string[];
}

/** What every role resource reports from the tenant, on top of its inputs. */
export interface RoleState extends RoleFields {
  description: string;
  resolvedPermissions: string[];
  privilegedPermissions: string[];
  roleId: string;
  isBuiltIn: boolean;
  imported: boolean;
  backend: string;
  catalogueVersion: string;
}

export function roleOutputs<I extends object>(record: RoleRecord, inputs: I, backendName: string): I & RoleState {
  const actions = normalizeKeys(record.actions);
  return {
    ...clean(inputs),
    displayName: record.displayName,
    description: record.description,
    actions,
    resolvedPermissions: labelsFor(actions),
    privilegedPermissions: privilegedLabels(actions),
    roleId: record.id,
    isBuiltIn: record.isBuiltIn,
    imported: !!record.imported && !record.imported.edited,
    backend: backendName,
    catalogueVersion: CATALOGUE_VERSION,
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
  };
  const record = await (Object.keys(patch).length ? backend.updateRole(id, patch) : backend.getRole(id)).catch((e) => {
    if (isNotFound(e)) return null;
    throw e;
  });
  if (!record)
    throw new Error(
      `role ${id} no longer exists in the ${backend.name} tenant; run \`pulumi refresh\` to forget it, then \`pulumi up\` to ${gone}.`,
    );
  return record;
}

/** The role `adopt` names: it must exist and be a custom role (a built-in one cannot be managed). */
export async function adoptRole(backend: Backend, id: string, instead: string): Promise<RoleRecord> {
  const existing = await backend.getRole(id);
  const issue = adoptRoleIssue(existing, id, backend, instead);
  if (issue) throw issuesError([issue]);
  return existing!;
}

/** What is wrong with adopting `existing` (the role read for `id`), if anything: check and create share it. */
export function adoptRoleIssue(
  existing: RoleRecord | null,
  id: string,
  backend: Backend,
  instead: string,
): Issue | undefined {
  if (!existing) return adoptMissingIssue("role", id, backend, instead);
  if (existing.isBuiltIn)
    return {
      code: "invalid_value",
      path: ["adopt"],
      message: `role "${existing.displayName}" (${existing.id}) is built-in and cannot be managed; copy its permissions into a custom role instead.`,
    };
  return undefined;
}

/** Brings an existing (adopted) role to the desired fields, touching it only when it differs. */
export async function bringRoleTo(
  backend: Backend,
  record: RoleRecord,
  desired: { displayName: string; description: string; actions: string[] },
): Promise<RoleRecord> {
  const same =
    record.displayName === desired.displayName &&
    record.description === desired.description &&
    sameKeySet(record.actions, desired.actions);
  return same ? record : backend.updateRole(record.id, desired);
}
