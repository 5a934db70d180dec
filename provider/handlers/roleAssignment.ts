/**
 * RoleAssignment: one role given to several Entra principals over a data-source scope. `check`
 * validates principals (object ids, or a user's UPN / a group's name that the backend's directory
 * resolves to one id: the id is what is stored) and the scope union and computes the Graph
 * `appScopeIds`; changing the role replaces the assignment, everything else is an update.
 */
import { z } from "zod";
import { AssignmentRecord, isNotFound } from "../backend/backend";
import type { DataSourceScope } from "../core/scope";
import { resolvePrincipalRef } from "../core/access";
import {
  appScopeIdsToScope,
  isGuid,
  canonicalAppScopes,
  canonicalPrincipals,
  principalSet,
  sameAppScopes,
  samePrincipals,
  scopeToAppScopeIds,
} from "../core/scope";
import {
  CheckFailure,
  HandlerContext,
  Raw,
  ResourceHandler,
  UNKNOWN,
  adoptFailure,
  adoptMissing,
  adoptMissingIssue,
  adoptReplaces,
  isSentinel,
  clean,
  failuresFromIssues,
  issuesError,
  plainText,
  rolesKnownOn,
  validateKnown,
} from "./common";

/** The inputs a program writes; built once (building it per call was a measured hot spot). */
const SCHEMA = z.object({
  roleId: z
    .string({ error: "roleId is required: the id of the role to assign (e.g. role.id)." })
    .trim()
    .min(1, "roleId must not be empty."),
  displayName: z
    .string({ error: "displayName is required: a name for the assignment." })
    .trim()
    .min(1, "displayName must not be empty.")
    .max(256, "displayName must be at most 256 characters.")
    .superRefine(plainText("displayName")),
  principals: z.array(z.string(), {
    error: "principals must be a list of Entra object ids (GUIDs), user principal names or group names.",
  }),
  scope: z.any().optional(),
  adopt: z.string().trim().min(1, "adopt must be the id of an existing assignment.").optional(),
});

/** The inputs after check: the program's, plus the Graph appScopeIds of the scope. */
export type RoleAssignmentInputs = Omit<z.infer<typeof SCHEMA>, "scope"> & {
  scope: DataSourceScope;
  appScopeIds: string[];
};
export type RoleAssignmentOutputs = RoleAssignmentInputs & { assignmentId: string; backend: string };

export function assignmentOutputs<I extends object>(
  record: AssignmentRecord,
  inputs: I,
  backendName: string,
): I & Omit<RoleAssignmentOutputs, "scope" | "adopt"> {
  const appScopeIds = canonicalAppScopes(record.appScopeIds);
  return {
    ...clean(inputs),
    roleId: record.roleDefinitionId,
    displayName: record.displayName,
    principals: principalSet(record.principalIds),
    appScopeIds,
    assignmentId: record.id,
    backend: backendName,
  };
}

/** Principals given by UPN or group name → object ids, through the backend's directory; undefined on failure. */
async function principalIds(ctx: HandlerContext, principals: unknown, failures: CheckFailure[]): Promise<unknown> {
  if (!Array.isArray(principals) || principals.every(isGuid)) return principals;
  const backend = await ctx.backend();
  const out: string[] = [];
  let ok = true;
  for (const [i, p] of principals.entries()) {
    if (isGuid(p) || typeof p !== "string" || p.trim() === "") {
      out.push(p);
      continue;
    }
    if (!backend.findPrincipals) {
      failures.push({
        property: `principals[${i}]`,
        reason: `"${p}" is not an Entra object id, and the ${backend.name} backend cannot look names up; give the user's or group's object id (a GUID).`,
      });
      ok = false;
      continue;
    }
    const hits = await backend.findPrincipals(p);
    const r = resolvePrincipalRef({ objects: hits, members: [], entraRoles: [] }, p, ["principals", i]);
    if (r.ok) out.push(r.value);
    else {
      failures.push(...failuresFromIssues(r.issues));
      ok = false;
    }
  }
  return ok ? out : undefined;
}

export const roleAssignmentHandler: ResourceHandler<RoleAssignmentInputs, RoleAssignmentOutputs> = {
  async check(ctx, olds, newsIn) {
    const news: Raw = clean(newsIn);
    const { data, failures, unknown } = validateKnown(SCHEMA, news);
    const inputs: Raw = { ...news, ...data };
    if (!unknown.has("principals") && !failures.some((f) => f.property.startsWith("principals"))) {
      const ids = await principalIds(ctx, data.principals, failures);
      if (ids !== undefined) {
        const p = canonicalPrincipals(ids, ["principals"]);
        if (p.ok) inputs.principals = p.value;
        else failures.push(...failuresFromIssues(p.issues));
      }
    }
    if (unknown.has("scope")) inputs.appScopeIds = UNKNOWN;
    else {
      const s = scopeToAppScopeIds(news.scope ?? { kind: "all" }, ["scope"]);
      if (s.ok) {
        inputs.appScopeIds = s.value;
        if (news.scope === undefined) inputs.scope = { kind: "all" };
      } else failures.push(...failuresFromIssues(s.issues));
    }
    const backend = await ctx.backend();
    if (backend.capabilities().assignments && !failures.some((f) => f.property === "adopt"))
      failures.push(
        ...(await adoptFailure(olds, data, unknown, async (id) =>
          (await backend.getAssignment(id))
            ? undefined
            : adoptMissingIssue("role assignment", id, backend, "create a new one"),
        )),
      );
    if (!backend.capabilities().assignments)
      failures.push({ property: "", reason: `the "${backend.name}" backend cannot manage role assignments.` });
    else if (
      !unknown.has("roleId") &&
      typeof data.roleId === "string" &&
      failures.length === 0 &&
      olds.roleId !== data.roleId &&
      !rolesKnownOn(backend).has(data.roleId)
    ) {
      // only a new roleId is checked: a role that vanished since the last update is left to refresh
      // (so a preview reads nothing per assignment), and a role created in this update is unknown in
      // preview and known to exist (rolesKnownOn) when the assignment is created
      const role = await backend.getRole(data.roleId);
      if (role) rolesKnownOn(backend).add(role.id);
      else
        failures.push({
          property: "roleId",
          reason: `no role with id "${data.roleId}" exists in the ${backend.name} tenant; pass the id of a UnifiedRole or ImportedRole (e.g. role.id).`,
        });
    }
    const checked = inputs as RoleAssignmentInputs;
    return failures.length ? { inputs: checked, failures } : { inputs: checked };
  },

  async diff(_ctx, id, olds, news) {
    const replaces = [
      ...(news.roleId === UNKNOWN || news.roleId !== olds.roleId ? ["roleId"] : []),
      ...adoptReplaces(id, olds, news),
    ];
    const changed =
      replaces.length > 0 ||
      olds.displayName !== news.displayName ||
      isSentinel(news.principals) ||
      !samePrincipals(olds.principals, news.principals) ||
      isSentinel(news.appScopeIds) ||
      !sameAppScopes(olds.appScopeIds, news.appScopeIds);
    return { changes: changed, replaces };
  },

  async create(ctx, inputsIn) {
    const inputs = clean(inputsIn);
    const backend = await ctx.backend();
    const desired = {
      displayName: inputs.displayName,
      roleDefinitionId: inputs.roleId,
      principalIds: inputs.principals,
      appScopeIds: inputs.appScopeIds,
    };
    if (inputs.adopt) {
      const existing = await backend.getAssignment(inputs.adopt);
      if (!existing) throw adoptMissing("role assignment", inputs.adopt, backend, "create a new one");
      if (existing.roleDefinitionId !== desired.roleDefinitionId) {
        throw issuesError([
          {
            code: "invalid_value",
            path: ["adopt"],
            message: `assignment ${existing.id} assigns role ${existing.roleDefinitionId}, not ${desired.roleDefinitionId}; set roleId to the assignment's role to adopt it.`,
          },
        ]);
      }
      const same =
        existing.displayName === desired.displayName &&
        samePrincipals(existing.principalIds, desired.principalIds) &&
        sameAppScopes(existing.appScopeIds, desired.appScopeIds);
      const record = same
        ? existing
        : await backend.updateAssignment(existing.id, {
            displayName: desired.displayName,
            principalIds: desired.principalIds,
            appScopeIds: desired.appScopeIds,
          });
      return { id: record.id, outs: assignmentOutputs(record, inputs, backend.name) };
    }
    const record = await backend.createAssignment(desired);
    return { id: record.id, outs: assignmentOutputs(record, inputs, backend.name) };
  },

  async read(ctx, id, propsIn) {
    const props = clean(propsIn);
    const backend = await ctx.backend();
    const record = await backend.getAssignment(id);
    if (!record) return { id: "" };
    const scope =
      sameAppScopes(record.appScopeIds, props.appScopeIds) && props.scope
        ? props.scope
        : appScopeIdsToScope(record.appScopeIds);
    const outs: RoleAssignmentOutputs = { ...assignmentOutputs(record, props, backend.name), scope };
    const inputs: RoleAssignmentInputs = {
      roleId: outs.roleId,
      displayName: outs.displayName,
      principals: outs.principals,
      scope,
      appScopeIds: outs.appScopeIds,
      ...(props.adopt !== undefined ? { adopt: props.adopt } : {}),
    };
    return { id, props: outs, inputs };
  },

  async update(ctx, id, olds, newsIn) {
    const news = clean(newsIn);
    const backend = await ctx.backend();
    const patch = {
      ...(olds.displayName !== news.displayName ? { displayName: news.displayName } : {}),
      ...(!samePrincipals(olds.principals, news.principals) ? { principalIds: news.principals } : {}),
      ...(!sameAppScopes(olds.appScopeIds, news.appScopeIds) ? { appScopeIds: news.appScopeIds } : {}),
    };
    const record = await (
      Object.keys(patch).length ? backend.updateAssignment(id, patch) : backend.getAssignment(id)
    ).catch((e) => {
      if (isNotFound(e)) return null;
      throw e;
    });
    if (!record)
      throw new Error(
        `role assignment ${id} no longer exists in the ${backend.name} tenant; run \`pulumi refresh\`, then \`pulumi up\` to recreate it.`,
      );
    return { outs: assignmentOutputs(record, news, backend.name) };
  },

  async delete(ctx, id) {
    const backend = await ctx.backend();
    await backend.deleteAssignment(id);
  },
};
