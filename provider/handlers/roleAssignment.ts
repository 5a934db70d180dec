/**
 * RoleAssignment: one role given to several Entra principals over a data-source scope. `check`
 * validates principals (object ids, or a user's UPN / a group's name that the backend's directory
 * resolves to one id: the id is what is stored) and the scope union and computes the Graph
 * `appScopeIds`; changing the role replaces the assignment, everything else is an update. So that a
 * preview says what it hands out and to whom, check also computes `grants` (the role's permissions:
 * canonical key -> readable label, privileged ones marked, unknown while the role's are) and
 * `principalNames` (object id -> display name, where the backend's directory knows it).
 */
import { z } from "zod";
import { AssignmentRecord, Backend, isNotFound } from "../backend/backend";
import type { DirectoryObject } from "../core/directory";
import { principalIds, principalNames } from "./principals";
import { grantsFor } from "../core/labels";
import type { DataSourceScope } from "../core/scope";
import {
  appScopeIdsToScope,
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
  adoptMissing,
  adoptReplaces,
  isSentinel,
  clean,
  failuresFromIssues,
  isUnknown,
  issuesError,
  noteRole,
  roleKeysKnownOn,
  rolesKnownOn,
  validateKnown,
  plainText,
  adoptMissingFailure,
  issueOf,
  readResult,
} from "./common";
import { grantsAuthorization, lockoutRefusal } from "./lockout";
import { adoption, creating, noteOwner, ownObject, ownerOf, takeBackFailure, warn } from "./ownership";
import type { OwnershipInputs } from "./role";
import { Refusal } from "../core/errors";

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
  takeOver: z.boolean({ error: "takeOver must be true or false." }).optional(),
  managedBy: z.string().optional(),
});

/** The inputs after check: the program's, plus the Graph appScopeIds of the scope. */
export type RoleAssignmentInputs = Omit<z.infer<typeof SCHEMA>, "scope"> &
  OwnershipInputs & {
    scope: DataSourceScope;
    appScopeIds: string[];
    /** Whether the assigned role grants Authorization (manage), as far as preview knows. */
    authorizationManage?: boolean | string;
    /** What the role hands out: canonical key -> readable label, "⚠ " on privileged ones. */
    grants?: Record<string, string> | string;
    /** To whom: each principal's object id -> its display name (or why it has none). */
    principalNames?: Record<string, string> | string;
  };
export type RoleAssignmentOutputs = Omit<RoleAssignmentInputs, "managedBy"> & {
  assignmentId: string;
  backend: string;
  managedBy: string | null;
};

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
    managedBy: record.managedBy ?? null,
    adopts: ((inputs as Raw).adopts as string | undefined) ?? "",
  };
}

/** The refusal for changing or deleting assignment `record` as `change` says, or null. */
async function assignmentRefusal(
  ctx: HandlerContext,
  backend: Backend,
  record: AssignmentRecord,
  edit: { principalIds?: string[]; appScopeIds?: string[] } | "delete",
): Promise<string | null> {
  const role = await backend.getRole(record.roleDefinitionId);
  if (!role || !grantsAuthorization(role.actions)) return null;
  const name = `role assignment "${record.displayName}" (${record.id})`;
  return edit === "delete"
    ? lockoutRefusal(
        ctx,
        backend,
        { deleteAssignments: [record.id] },
        `Deleting ${name}`,
        "Keep the assignment, or first give another assignment a role that grants Authorization (manage) over all data sources or that workload.",
      )
    : lockoutRefusal(
        ctx,
        backend,
        { setAssignments: [{ id: record.id, ...edit }] },
        `Changing the ${edit.principalIds ? "principals" : "scope"} of ${name}`,
        "Keep someone in charge: leave the principals and scope as they are, or first give another assignment Authorization (manage) over that workload.",
      );
}

/** Preview: adoption on create; taking back, and the lockout of a principal or scope edit, on update. */
async function checkAssignmentSafety(
  ctx: HandlerContext,
  backend: Backend,
  oldsIn: object,
  inputsIn: object,
): Promise<CheckFailure[]> {
  const olds = oldsIn as Raw;
  const inputs = inputsIn as Raw;
  const failures: CheckFailure[] = [];
  const { me, takeOver } = ownerOf(inputs);
  const replacing = (inputs.adopt !== undefined && inputs.adopt !== olds.adopt) || inputs.roleId !== olds.roleId;
  if (creating(olds) || replacing) {
    inputs.adopts = "";
    if (typeof inputs.adopt === "string" && inputs.adopt !== UNKNOWN) {
      const existing = await backend.getAssignment(inputs.adopt);
      if (!existing) failures.push(adoptMissingFailure("role assignment", inputs.adopt, backend, "create a new one"));
      else {
        const a = adoption("role assignment", existing, me, takeOver, "adopt");
        if (a.failure) failures.push(a.failure);
        inputs.adopts = a.adopts;
        if (a.adopts) warn(`RoleAssignment ${a.adopts}.`);
      }
    }
    return failures;
  }
  inputs.adopts = olds.adopts ?? "";
  const back = takeBackFailure("role assignment", String(olds.displayName ?? inputs.displayName), olds, inputs);
  if (back) failures.push(back);
  const principals = inputs.principals as string[];
  const appScopeIds = inputs.appScopeIds as string[];
  const principalsChanged = !isUnknown(principals) && !samePrincipals(olds.principals as string[], principals);
  const scopeChanged = !isUnknown(appScopeIds) && !sameAppScopes(olds.appScopeIds as string[], appScopeIds);
  if (me && (principalsChanged || scopeChanged)) {
    const own = ownObject(await backend.listAssignments({ roleDefinitionId: String(olds.roleId) }), me);
    const refusal = own
      ? await assignmentRefusal(ctx, backend, own, {
          ...(principalsChanged ? { principalIds: principals } : {}),
          ...(scopeChanged ? { appScopeIds } : {}),
        })
      : null;
    if (refusal) failures.push({ property: principalsChanged ? "principals" : "scope", reason: refusal });
  }
  return failures;
}

export const roleAssignmentHandler: ResourceHandler<RoleAssignmentInputs, RoleAssignmentOutputs> = {
  async check(ctx, olds, newsIn) {
    const news: Raw = clean(newsIn);
    const prior: Raw = clean(olds);
    const { data, failures, unknown } = validateKnown(SCHEMA, news);
    const inputs: Raw = { ...news, ...data };
    const found: DirectoryObject[] = [];
    if (!unknown.has("principals") && !failures.some((f) => f.property.startsWith("principals"))) {
      const ids = await principalIds(ctx, data.principals, failures, found);
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
    // the role's grants as the program declares them (roleId: role), consumed here: known at preview
    // even before the role exists (the role's check computed them); its actions output stands in for a
    // role whose state was written before grants existed
    const givenGrants = news.roleGrants;
    const givenActions = news.roleActions;
    delete inputs.roleGrants;
    delete inputs.roleActions;
    const grantsKnown =
      !!givenGrants && typeof givenGrants === "object" && !Array.isArray(givenGrants) && !isUnknown(givenGrants);
    const declared: string[] | undefined = grantsKnown
      ? Object.keys(givenGrants)
      : Array.isArray(givenActions) && !isUnknown(givenActions)
        ? givenActions
        : undefined;
    // (left out when the role is given by an id whose role this check does not read)
    if (declared) {
      inputs.authorizationManage = grantsAuthorization(declared);
      inputs.grants = grantsKnown ? givenGrants : grantsFor(declared); // the role's check labelled them
    } else {
      delete inputs.authorizationManage;
      delete inputs.grants;
      // the role itself, its permissions not known yet (they come from another resource's output)
      if (givenGrants !== undefined || givenActions !== undefined || unknown.has("roleId")) inputs.grants = UNKNOWN;
    }
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
      if (role) {
        noteRole(backend, role);
        if (inputs.authorizationManage === undefined) inputs.authorizationManage = grantsAuthorization(role.actions);
        if (inputs.grants === undefined) inputs.grants = grantsFor(role.actions);
      } else
        failures.push({
          property: "roleId",
          reason: `no role with id "${data.roleId}" exists in the ${backend.name} tenant; pass the id of a UnifiedRole or ImportedRole (e.g. role.id).`,
        });
    }
    if (!failures.length && inputs.grants === undefined && typeof data.roleId === "string") {
      // the same role, given by its id: what the last update recorded (a preview reads nothing per
      // assignment), read once for a state written before grants were recorded
      const keys = roleKeysKnownOn(backend).get(data.roleId.toLowerCase());
      if (keys) inputs.grants = grantsFor(keys);
      else if (prior.grants && typeof prior.grants === "object" && prior.roleId === data.roleId)
        inputs.grants = prior.grants;
      else if (!creating(prior)) {
        const role = await backend.getRole(data.roleId);
        if (role) {
          noteRole(backend, role);
          inputs.grants = grantsFor(role.actions);
        }
      }
    }
    if (isUnknown(inputs.principals)) inputs.principalNames = UNKNOWN;
    else if (Array.isArray(inputs.principals) && !failures.some((f) => f.property.startsWith("principals"))) {
      // named when the principals change (or a state has no names yet): a no-change preview reads nothing
      inputs.principalNames =
        prior.principalNames &&
        typeof prior.principalNames === "object" &&
        samePrincipals(prior.principals as string[] | undefined, inputs.principals)
          ? prior.principalNames
          : await principalNames(backend, inputs.principals as ReadonlyArray<string>, found);
    }
    if (!failures.length && backend.capabilities().assignments)
      failures.push(...(await checkAssignmentSafety(ctx, backend, prior, inputs)));
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
      !sameAppScopes(olds.appScopeIds, news.appScopeIds) ||
      (!!news.managedBy && olds.managedBy !== news.managedBy);
    return { changes: changed, replaces };
  },

  async create(ctx, inputsIn) {
    const inputs = clean(inputsIn);
    const backend = await ctx.backend();
    const { me, takeOver } = ownerOf(inputs);
    const desired = {
      displayName: inputs.displayName,
      roleDefinitionId: inputs.roleId,
      principalIds: inputs.principals,
      appScopeIds: inputs.appScopeIds,
      managedBy: me ?? null,
    };
    // the backend returns the assignment an earlier, interrupted create of this resource made (its
    // marker, on the same role), which is then brought to the desired fields (docs/ownership.md)
    {
      const existing = inputs.adopt
        ? await backend.getAssignment(inputs.adopt)
        : await backend.createAssignment(desired);
      if (!existing) throw adoptMissing("role assignment", inputs.adopt!, backend, "create a new one");
      if (existing.roleDefinitionId !== desired.roleDefinitionId) {
        throw issuesError([
          {
            code: "invalid_value",
            path: ["adopt"],
            message: `assignment ${existing.id} assigns role ${existing.roleDefinitionId}, not ${desired.roleDefinitionId}; set roleId to the assignment's role to adopt it.`,
          },
        ]);
      }
      const a = adoption("role assignment", existing, me, takeOver, "adopt");
      if (a.failure) throw issueOf(a.failure);
      const same =
        existing.displayName === desired.displayName &&
        (existing.managedBy ?? null) === desired.managedBy &&
        samePrincipals(existing.principalIds, desired.principalIds) &&
        sameAppScopes(existing.appScopeIds, desired.appScopeIds);
      const record = same
        ? existing
        : await backend.updateAssignment(existing.id, {
            displayName: desired.displayName,
            principalIds: desired.principalIds,
            appScopeIds: desired.appScopeIds,
            managedBy: desired.managedBy,
          });
      return { id: record.id, outs: assignmentOutputs(record, inputs, backend.name) };
    }
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
      ...(props.takeOver !== undefined ? { takeOver: props.takeOver } : {}),
      ...(props.authorizationManage !== undefined ? { authorizationManage: props.authorizationManage } : {}),
      ...(props.grants !== undefined && props.roleId === record.roleDefinitionId ? { grants: props.grants } : {}),
      // names of the principals state knew; drifted principals are named again by the next check
      ...(props.principalNames !== undefined && samePrincipals(props.principals, outs.principals)
        ? { principalNames: props.principalNames }
        : {}),
      ...(record.managedBy ? { managedBy: record.managedBy } : {}),
      adopts: props.adopts ?? "",
    };
    if (inputs.principalNames === undefined) delete (outs as Raw).principalNames;
    noteOwner("role assignment", record, props);
    return readResult(id, outs, props, inputs);
  },

  async update(ctx, id, olds, newsIn) {
    const news = clean(newsIn);
    const backend = await ctx.backend();
    const patch = {
      ...(olds.displayName !== news.displayName ? { displayName: news.displayName } : {}),
      ...(!samePrincipals(olds.principals, news.principals) ? { principalIds: news.principals } : {}),
      ...(!sameAppScopes(olds.appScopeIds, news.appScopeIds) ? { appScopeIds: news.appScopeIds } : {}),
      ...(news.managedBy && olds.managedBy !== news.managedBy ? { managedBy: news.managedBy } : {}),
    };
    // the lockout check again when the change is applied: the tenant may have changed since the preview
    if (patch.principalIds || patch.appScopeIds) {
      const current = await backend.getAssignment(id);
      const refusal = current
        ? await assignmentRefusal(ctx, backend, current, {
            ...(patch.principalIds ? { principalIds: patch.principalIds } : {}),
            ...(patch.appScopeIds ? { appScopeIds: patch.appScopeIds } : {}),
          })
        : null;
      if (refusal) throw new Refusal(`${refusal} Nothing was changed.`);
    }
    const record = await (
      Object.keys(patch).length ? backend.updateAssignment(id, patch) : backend.getAssignment(id)
    ).catch((e) => {
      if (isNotFound(e)) return null;
      throw e;
    });
    if (!record)
      throw new Refusal(
        `role assignment ${id} no longer exists in the ${backend.name} tenant; run \`pulumi refresh\`, then \`pulumi up\` to recreate it.`,
      );
    return { outs: assignmentOutputs(record, news, backend.name) };
  },

  async delete(ctx, id) {
    const backend = await ctx.backend();
    // Pulumi does not call the provider at preview for a delete: refuse here, before anything is removed
    const current = await backend.getAssignment(id);
    const refusal = current ? await assignmentRefusal(ctx, backend, current, "delete") : null;
    if (refusal) throw new Refusal(`${refusal} Nothing was deleted.`);
    await backend.deleteAssignment(id);
  },
};
