/** Entity JSON: the wire shape of roles, assignments, the microsoft.xdr namespace and the sample custom app scopes. */
import type { AssignmentRecord, RoleRecord } from "../backend/backend";
import {
  ATOMS,
  CATEGORIES,
  KNOWN_ACTIONS,
  WILDCARDS,
  getCategory,
  getGroup,
  isPrivilegedAction,
  isUnpublishedKey,
} from "../core/catalogue";
import { atomLabel } from "../core/labels";

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

/** Display text of a catalogue action, as Defender's catalogue puts it in `name` (docs/graph-api.md). */
function catalogueEntries(): { id: string; name: string; description: string; isPrivileged: boolean }[] {
  const out = new Map<string, { id: string; name: string; description: string; isPrivileged: boolean }>();
  for (const a of ATOMS)
    if (a.info.action)
      out.set(a.info.action.toLowerCase(), {
        id: a.info.action,
        name: atomLabel(a),
        description: atomLabel(a),
        isPrivileged: isPrivilegedAction(a.info.action),
      });
  for (const w of WILDCARDS) {
    const where = [getCategory(w.category).name, ...(w.group ? [getGroup(w.group)!.name] : [])].join(" \\ ");
    out.set(w.action.toLowerCase(), {
      id: w.action,
      name: `${where} - ${w.label}`,
      description: `${where} - ${w.label}`,
      isPrivileged: isPrivilegedAction(w.action),
    });
  }
  // other literals the sources show: plain display text from the path ("Authorization and settings - security (read)"), never the
  // catalogue's provenance notes, which mention other permissions' names
  for (const k of KNOWN_ACTIONS) {
    if (out.has(k.action.toLowerCase())) continue;
    const [, category, ...rest] = k.action.split("/");
    const verb = rest.pop();
    const cat = CATEGORIES.find((c) => c.id === category)?.name ?? category;
    const name = `${cat}${rest.length ? ` - ${rest.join(" ")}` : ""} (${verb})`;
    out.set(k.action.toLowerCase(), {
      id: k.action,
      name,
      description: name,
      isPrivileged: isPrivilegedAction(k.action),
    });
  }
  return [...out.values()];
}

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

/** The one resource namespace, microsoft.xdr; `$expand=resourceActions` adds the catalogue. */
export function namespaceJson(withActions: boolean): Record<string, unknown> {
  return {
    id: "microsoft.xdr",
    name: "microsoft.xdr",
    ...(withActions
      ? {
          resourceActions: catalogueEntries().map((a) => ({
            // measured on Defender: the action string is in `id`, display text in `name` (docs/graph-api.md)
            id: a.id,
            name: a.name,
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
