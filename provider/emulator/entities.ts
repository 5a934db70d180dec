/** Entity JSON: the wire shape of roles, assignments, the microsoft.xdr namespace and the sample custom app scopes. */
import type { AssignmentRecord, RoleRecord } from "../backend/backend";
import { isUnpublishedKey } from "../core/catalogue";
import type { RecordedAction } from "../backend/recorded";

export const CUSTOM_APP_SCOPES = [
  { id: "00567", type: "DeviceGroups", displayName: "TLV1", description: "TLV floor 1 devices", customAttributes: [] },
  { id: "00568", type: "DeviceGroups", displayName: "TLV2", description: "TLV floor 2 devices", customAttributes: [] },
  {
    id: "00612",
    type: "UserGroupIds",
    displayName: "SOC analysts",
    description: "Users of the SOC analyst groups",
    customAttributes: [],
  },
];

export function roleJson(r: RoleRecord): Record<string, unknown> {
  return {
    id: r.id,
    displayName: r.displayName,
    description: r.description,
    isBuiltIn: r.isBuiltIn,
    isEnabled: true,
    templateId: r.id,
    version: null,
    rolePermissions: [
      {
        allowedResourceActions: r.actions.filter((a) => !isUnpublishedKey(a)),
        condition: null,
        excludedResourceActions: [],
      },
    ],
  };
}

export function assignmentJson(a: AssignmentRecord): Record<string, unknown> {
  return {
    id: a.id,
    displayName: a.displayName,
    description: a.description || null,
    roleDefinitionId: a.roleDefinitionId,
    principalIds: a.principalIds,
    directoryScopeIds: a.directoryScopeIds,
    appScopeIds: a.appScopeIds,
    condition: null,
  };
}

/** The one resource namespace, microsoft.xdr; `$expand=resourceActions` adds the catalogue (null: not expanded). */
export function namespaceJson(actions: Required<RecordedAction>[] | null): Record<string, unknown> {
  return {
    id: "microsoft.xdr",
    name: "microsoft.xdr",
    ...(actions
      ? {
          resourceActions: actions.map((a) => ({
            // measured on Defender: the action string is in `id`, display text in `name` (docs/graph-api.md)
            id: a.action,
            name: a.displayName,
            description: a.description,
            actionVerb: null,
            isPrivileged: a.isPrivileged,
            authenticationContextId: null,
            isAuthenticationContextSettable: null,
            resourceScopeId: null,
          })),
        }
      : {}),
  };
}
