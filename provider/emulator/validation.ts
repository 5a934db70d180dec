/** Request-body validation of role and assignment writes: the properties, values and action strings the service accepts. */
import type { TenantStore } from "../backend/store";
import { isUnpublishedKey } from "../core/catalogue";
import { normalizeKeys } from "../core/normalise";
import { SCOPE_PATH, isGuid } from "../core/scope";
import { WORKLOADS } from "../core/workloads";
import type { EmulatorBehaviour } from "./behaviour";
import { HttpError } from "./http";

const ROLE_PROPS = new Set([
  "@odata.type",
  "id",
  "displayName",
  "description",
  "rolePermissions",
  "isEnabled",
  "isBuiltIn",
  "templateId",
  "version",
  "resourceScopes",
]);
const ASSIGNMENT_PROPS = new Set([
  "@odata.type",
  "id",
  "displayName",
  "description",
  "roleDefinitionId",
  "principalIds",
  "directoryScopeIds",
  "appScopeIds",
  "condition",
]);

const WORKLOAD_IDS = new Set(WORKLOADS.map((w) => w.appScope.toLowerCase()));

function object(body: unknown): Record<string, unknown> {
  if (!body || typeof body !== "object" || Array.isArray(body))
    throw new HttpError(400, "BadRequest", "The request body must be a JSON object.");
  return body as Record<string, unknown>;
}

function checkActions(behaviour: EmulatorBehaviour, valid: ReadonlySet<string>, actions: string[]): void {
  for (const a of actions) {
    const k = a.trim().toLowerCase();
    if (isUnpublishedKey(k))
      throw new HttpError(
        400,
        "BadRequest",
        `The resource action '${a}' is not valid: urn:defender-rbac keys are local to pulumi-defender-rbac and are not Graph action strings.`,
      );
    if (!valid.has(k))
      throw new HttpError(
        400,
        "BadRequest",
        `The resource action '${a}' is not a valid action of the microsoft.xdr namespace.`,
      );
    if (behaviour.rejectDataops && k.startsWith("microsoft.xdr/dataops/"))
      throw new HttpError(400, "BadRequest", `${a} is not a valid permission for storage`);
  }
}

/** Every property of a write body must be one the entity declares. */
function checkProps(b: Record<string, unknown>, declared: Set<string>): void {
  for (const k of Object.keys(b))
    if (!declared.has(k))
      throw new HttpError(
        400,
        "BadRequest",
        `Property '${k}' does not exist as a declared property or extension property.`,
      );
}

export function roleFields(
  behaviour: EmulatorBehaviour,
  valid: ReadonlySet<string>,
  body: unknown,
  creating: boolean,
): { displayName?: string; description?: string; actions?: string[] } {
  const b = object(body);
  checkProps(b, ROLE_PROPS);
  const out: { displayName?: string; description?: string; actions?: string[] } = {};
  if (creating || "displayName" in b) {
    if (typeof b.displayName !== "string" || b.displayName.trim() === "")
      throw new HttpError(400, "BadRequest", "displayName is required and must be a non-empty string.");
    out.displayName = b.displayName;
  }
  if ("description" in b && b.description !== null) {
    if (typeof b.description !== "string") throw new HttpError(400, "BadRequest", "description must be a string.");
    out.description = b.description;
  }
  if (creating || "rolePermissions" in b) {
    if (!Array.isArray(b.rolePermissions))
      throw new HttpError(
        400,
        "BadRequest",
        "rolePermissions is required and must be a list of { allowedResourceActions }.",
      );
    const actions: string[] = [];
    for (const p of b.rolePermissions) {
      const pa = object(p);
      if (!Array.isArray(pa.allowedResourceActions) || pa.allowedResourceActions.some((x) => typeof x !== "string")) {
        throw new HttpError(400, "BadRequest", "rolePermissions[].allowedResourceActions must be a list of strings.");
      }
      if (Array.isArray(pa.excludedResourceActions) && pa.excludedResourceActions.length)
        throw new HttpError(400, "BadRequest", "excludedResourceActions is not supported.");
      actions.push(...(pa.allowedResourceActions as string[]));
    }
    checkActions(behaviour, valid, actions);
    out.actions = normalizeKeys(actions); // the service prunes what a wildcard covers
  }
  return out;
}

export function assignmentFields(
  emu: { behaviour: EmulatorBehaviour; store: TenantStore },
  body: unknown,
  creating: boolean,
): {
  displayName?: string;
  description?: string;
  roleDefinitionId?: string;
  principalIds?: string[];
  appScopeIds?: string[];
} {
  const b = object(body);
  if (creating && emu.behaviour.strict && "@odata.type" in b) {
    throw new HttpError(
      400,
      "BadRequest",
      "The input was not valid. roleAssignment: The roleAssignment field is required.",
    );
  }
  checkProps(b, ASSIGNMENT_PROPS);
  const out: {
    displayName?: string;
    description?: string;
    roleDefinitionId?: string;
    principalIds?: string[];
    appScopeIds?: string[];
  } = {};
  if (creating || "displayName" in b) {
    if (typeof b.displayName !== "string" || b.displayName.trim() === "")
      throw new HttpError(400, "BadRequest", "displayName is required and must be a non-empty string.");
    out.displayName = b.displayName;
  }
  if ("description" in b && b.description !== null) {
    if (typeof b.description !== "string") throw new HttpError(400, "BadRequest", "description must be a string.");
    out.description = b.description;
  }
  if (creating) {
    if (typeof b.roleDefinitionId !== "string" || !b.roleDefinitionId)
      throw new HttpError(400, "BadRequest", "roleDefinitionId is required.");
    if (!emu.store.getRole(b.roleDefinitionId.toLowerCase()))
      throw new HttpError(
        400,
        "BadRequest",
        `roleDefinitionId '${b.roleDefinitionId}' does not refer to an existing role definition.`,
      );
    out.roleDefinitionId = b.roleDefinitionId.toLowerCase();
  } else if ("roleDefinitionId" in b) {
    throw new HttpError(400, "BadRequest", "roleDefinitionId cannot be changed; create a new assignment.");
  }
  if (creating || "principalIds" in b) {
    if (!Array.isArray(b.principalIds) || b.principalIds.length === 0 || b.principalIds.some((p) => !isGuid(p))) {
      throw new HttpError(400, "BadRequest", "principalIds must be a non-empty list of object ids (GUIDs).");
    }
    out.principalIds = [...new Set((b.principalIds as string[]).map((p) => p.toLowerCase()))];
  }
  if ("directoryScopeIds" in b && b.directoryScopeIds !== null) {
    if (!Array.isArray(b.directoryScopeIds) || b.directoryScopeIds.some((d) => d !== "/"))
      throw new HttpError(400, "BadRequest", 'directoryScopeIds supports only "/" for the Defender provider.');
  }
  if ("appScopeIds" in b && b.appScopeIds !== null) {
    if (!Array.isArray(b.appScopeIds)) throw new HttpError(400, "BadRequest", "appScopeIds must be a list of strings.");
    for (const s of b.appScopeIds) {
      if (typeof s !== "string" || !(s === "/" || WORKLOAD_IDS.has(s.toLowerCase()) || SCOPE_PATH.test(s))) {
        throw new HttpError(
          400,
          "BadRequest",
          `'${s}' is not a valid app scope id; use "/", a workload (Mde, Mdo, Mdi, Mda, Mdc, SecureScoreExternal) or "/<ScopeType>/<ScopeId>".`,
        );
      }
    }
    out.appScopeIds = [...(b.appScopeIds as string[])];
  } else if (creating && !Array.isArray(b.directoryScopeIds)) {
    throw new HttpError(400, "BadRequest", "Either directoryScopeIds or appScopeIds is required.");
  }
  return out;
}
