/**
 * Building Graph requests from the backend's model (the "construct" half of the Terraform provider's
 * construct/state split): paths, OData query strings and request bodies. Pure functions.
 *
 * Bodies follow what is known to work on live tenants (docs/graph-api.md, "Requests the backend sends"):
 *   - a role sends displayName, description and every action in ONE rolePermissions[0] entry;
 *   - an assignment POST omits `@odata.type` (its presence was answered 400 "roleAssignment field is
 *     required") and sends directoryScopeIds ["/"] next to appScopeIds;
 *   - local `urn:defender-rbac:permission:` keys are never valid Graph strings and are refused here,
 *     before anything is sent.
 */
import { isUnpublishedKey } from "../../core/catalogue";
import { withMarker } from "../../core/ownership";
import type { AssignmentInput, AssignmentPatch, RoleInput, RolePatch } from "../backend";

export const DEFENDER = "/beta/roleManagement/defender";

const seg = (id: string) => encodeURIComponent(id);

export const paths = {
  roleDefinitions: `${DEFENDER}/roleDefinitions`,
  role: (id: string) => `${DEFENDER}/roleDefinitions/${seg(id)}`,
  roleAssignments: `${DEFENDER}/roleAssignments`,
  assignment: (id: string) => `${DEFENDER}/roleAssignments/${seg(id)}`,
  /** The catalogue read that works; never `resourceNamespaces/microsoft.xdr/resourceActions` (404 on Defender). */
  catalogue: `${DEFENDER}/resourceNamespaces${query({ $expand: "resourceActions" })}`,
  customAppScopes: `${DEFENDER}/customAppScopes`,
  /** Defender for Identity role groups are Entra groups "Azure ATP <workspace> Administrators/Users/Viewers". */
  mdiGroups: `/v1.0/groups${query({ $filter: `startswith(displayName,${odataString("Azure ATP ")})`, $select: "id,displayName" })}`,
  groupMembers: (id: string) => `/v1.0/groups/${seg(id)}/members${query({ $select: "id" })}`,
  // The directory, for effective access (docs/graph-api.md, "The directory"): Entra role holders,
  // transitive group members and display names.
  entraRoleDefinitions: `/v1.0/roleManagement/directory/roleDefinitions${query({ $select: "id,displayName" })}`,
  entraRoleAssignments: (roleDefinitionId: string) =>
    `/v1.0/roleManagement/directory/roleAssignments${query({ $filter: `roleDefinitionId eq ${odataString(roleDefinitionId)}`, $expand: "principal" })}`,
  transitiveMembers: (id: string) =>
    `/v1.0/groups/${seg(id)}/transitiveMembers${query({ $select: "id,displayName,userPrincipalName" })}`,
  user: (id: string) => `/v1.0/users/${seg(id)}${query({ $select: "id,displayName,userPrincipalName" })}`,
  group: (id: string) => `/v1.0/groups/${seg(id)}${query({ $select: "id,displayName" })}`,
  usersByUpn: (upn: string) =>
    `/v1.0/users${query({ $filter: `userPrincipalName eq ${odataString(upn)}`, $select: "id,displayName,userPrincipalName" })}`,
  groupsByName: (name: string) =>
    `/v1.0/groups${query({ $filter: `displayName eq ${odataString(name)}`, $select: "id,displayName" })}`,
};

/** An OData string literal: single quotes, with embedded quotes doubled (O'Brien → 'O''Brien'). */
export function odataString(s: string): string {
  return `'${s.replace(/'/g, "''")}'`;
}

/** `?$filter=…&$select=…` with every value percent-encoded (the `$` names stay literal). */
export function query(params: Record<string, string | undefined>): string {
  const parts = Object.entries(params)
    .filter(([, v]) => v !== undefined && v !== "")
    .map(([k, v]) => `${k}=${encodeURIComponent(v!)}`);
  return parts.length ? `?${parts.join("&")}` : "";
}

export const filters = {
  roleByName: (displayName: string) =>
    `${paths.roleDefinitions}${query({ $filter: `displayName eq ${odataString(displayName)}` })}`,
  assignmentsOfRole: (roleId: string) =>
    `${paths.roleAssignments}${query({ $filter: `roleDefinitionId eq ${odataString(roleId)}` })}`,
};

/** Refuses anything that is not a Graph action string, with the reason. */
export function graphActions(actions: readonly string[]): string[] {
  const bad = actions.filter((a) => typeof a !== "string" || a.trim() === "" || isUnpublishedKey(a));
  if (bad.length) {
    throw new Error(
      `the graph backend cannot store ${bad.map((b) => JSON.stringify(b)).join(", ")}: ` +
        "a local urn:defender-rbac:permission key stands for a permission whose Graph action string is not published. " +
        "Use the action string your tenant lists (`defender-rbac catalog`), or a wildcard that covers it.",
    );
  }
  return actions.map((a) => a.trim());
}

export interface RoleBody {
  displayName?: string;
  description?: string;
  rolePermissions?: { allowedResourceActions: string[] }[];
}

export function roleCreateBody(input: RoleInput): RoleBody {
  return {
    displayName: input.displayName,
    description: withMarker(input.description ?? "", input.managedBy),
    rolePermissions: [{ allowedResourceActions: graphActions(input.actions) }],
  };
}

export function rolePatchBody(patch: RolePatch): RoleBody {
  return {
    ...(patch.displayName !== undefined ? { displayName: patch.displayName } : {}),
    // the caller sends description and managedBy together (the wire field holds both)
    ...(patch.description !== undefined || patch.managedBy !== undefined
      ? { description: withMarker(patch.description ?? "", patch.managedBy) }
      : {}),
    ...(patch.actions !== undefined
      ? { rolePermissions: [{ allowedResourceActions: graphActions(patch.actions) }] }
      : {}),
  };
}

export interface AssignmentBody {
  displayName?: string;
  description?: string;
  roleDefinitionId?: string;
  principalIds?: string[];
  directoryScopeIds?: string[];
  appScopeIds?: string[];
}

export function assignmentCreateBody(input: AssignmentInput): AssignmentBody {
  return {
    displayName: input.displayName,
    // sent only when there is something to say: no documented Defender example sets it
    ...(input.managedBy || input.description
      ? { description: withMarker(input.description ?? "", input.managedBy) }
      : {}),
    roleDefinitionId: input.roleDefinitionId,
    principalIds: [...input.principalIds],
    directoryScopeIds: ["/"],
    appScopeIds: input.appScopeIds.length ? [...input.appScopeIds] : ["/"],
  };
}

export function assignmentPatchBody(patch: AssignmentPatch): AssignmentBody {
  return {
    ...(patch.displayName !== undefined ? { displayName: patch.displayName } : {}),
    ...(patch.description !== undefined || patch.managedBy !== undefined
      ? { description: withMarker(patch.description ?? "", patch.managedBy) }
      : {}),
    ...(patch.principalIds !== undefined ? { principalIds: [...patch.principalIds] } : {}),
    ...(patch.appScopeIds !== undefined
      ? { appScopeIds: patch.appScopeIds.length ? [...patch.appScopeIds] : ["/"] }
      : {}),
  };
}
