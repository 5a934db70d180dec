/**
 * ImportedRole: a role migrated from an individual RBAC model (MDE permissions, MDO/EOP role groups and
 * roles, MDI role groups). `check` computes the unified permissions it maps to and returns them as
 * top-level inputs (`grants`: canonical key -> readable label, privileged ones marked, a map so a
 * preview diffs it by permission), so `pulumi preview` shows what the migration grants; the list outputs
 * (`unifiedPermissions`, `actions`) come from the tenant's record. Legacy permissions that map to nothing fail the check unless `acceptUnsupported` is set.
 * The created role is marked as imported until edited; re-running adopts the role already imported
 * from the same legacy role instead of creating a duplicate (the portal would duplicate it).
 * On a backend that cannot read a source's legacy roles (Graph: MDE and MDO), the mapping still works
 * (it is a fixed table); what only a read gives (members, MDE roles by name) fails at preview naming the
 * property and the alternative.
 */
import { z } from "zod";
import type { Backend, RoleRecord } from "../backend/backend";
import { atomKey, getAtom } from "../core/catalogue";
import { SOURCE_NAMES } from "../core/legacy";
import { mapLegacyRoles } from "../core/mapping";
import { canonicalAppScopes, principalSet, samePrincipals } from "../core/scope";
import { sameKeySet } from "../core/normalise";
import { type Workload, workloadOfLegacy } from "../core/workloads";
import {
  CheckFailure,
  HandlerContext,
  PartialCreateError,
  Raw,
  ResourceHandler,
  UNKNOWN,
  adoptReplaces,
  isSentinel,
  clean,
  omit,
  failuresFromIssues,
  forgetRole,
  noteRole,
  validateKnown,
  plainText,
  issueOf,
  readResult,
} from "./common";
import { resolveForBackend } from "./permissions";
import { planImport } from "./importPlan";
import {
  OwnershipInputs,
  RoleState,
  adoptRole,
  bringRoleTo,
  checkRoleSafety,
  deleteRoleSafely,
  descriptionFailure,
  ownRole,
  plannedKeys,
  refuseRoleEdit,
  roleOutputs,
  updateRoleFields,
} from "./role";
import { lockoutRefusal } from "./lockout";
import { adoption, creating, noteOwner, ownObject, ownerOf, warn } from "./ownership";
import { Refusal } from "../core/errors";

/** The inputs a program writes; built once (building it per call was a measured hot spot). */
const SCHEMA = z.object({
  source: z.string({
    error:
      'source is required: "mde" (Defender for Endpoint), "mdo" (Defender for Office 365 / EOP) or "mdi" (Defender for Identity).',
  }),
  role: z.string().trim().min(1, "role must not be empty.").optional(),
  permissions: z.array(z.string()).min(1, "permissions must list at least one legacy permission.").optional(),
  displayName: z
    .string()
    .trim()
    .min(1, "displayName must not be empty.")
    .max(256, "displayName must be at most 256 characters.")
    .superRefine(plainText("displayName"))
    .optional(),
  description: z
    .string()
    .max(1024, "description must be at most 1024 characters.")
    .superRefine(plainText("description", true))
    .optional(),
  includeAssignments: z.boolean({ error: "includeAssignments must be true or false." }).optional(),
  acceptUnsupported: z.boolean({ error: "acceptUnsupported must be true or false." }).optional(),
  adopt: z.string().trim().min(1).optional(),
  takeOver: z.boolean({ error: "takeOver must be true or false." }).optional(),
  managedBy: z.string().optional(),
});

type Declared = z.infer<typeof SCHEMA>;

/** The inputs after check: the program's, plus the migration check computes from them. */
export type ImportedRoleInputs = Declared &
  OwnershipInputs & {
    /** The legacy model: "mde", "mdo" or "mdi". */
    sourceId: NonNullable<Workload["legacy"]>;
    displayName: string;
    description: string;
    legacyPermissions: string[];
    originalId: string;
    /** Canonical permission key (normalise.ts) -> readable label, "⚠ " on privileged ones. */
    grants: Record<string, string>;
    privilegedPermissions: string[];
    unsupported: string[];
    legacyMembers: string[];
  };
export type ImportedRoleOutputs = ImportedRoleInputs &
  RoleState & { assignmentId: string | null; unifiedPermissions: string[] };

function outputs(
  record: RoleRecord,
  inputs: ImportedRoleInputs,
  backendName: string,
  assignmentId: string | null,
): ImportedRoleOutputs {
  const o = roleOutputs(record, inputs, backendName);
  return { ...o, unifiedPermissions: o.resolvedPermissions, assignmentId };
}

async function syncAssignment(
  backend: Backend,
  roleId: string,
  inputs: ImportedRoleInputs,
  current: string | null,
): Promise<string | null> {
  const want = inputs.includeAssignments && Array.isArray(inputs.legacyMembers) && inputs.legacyMembers.length > 0;
  const existing = current ? await backend.getAssignment(current) : null;
  if (!want) {
    if (existing) await backend.deleteAssignment(existing.id);
    return null;
  }
  const desired = {
    displayName: `${inputs.displayName} (imported)`,
    roleDefinitionId: roleId,
    principalIds: inputs.legacyMembers as string[],
    appScopeIds: canonicalAppScopes([workloadOfLegacy(inputs.sourceId).appScope]),
    managedBy: ownerOf(inputs).me ?? null,
  };
  if (existing) {
    if (
      existing.displayName === desired.displayName &&
      samePrincipals(existing.principalIds, desired.principalIds) &&
      (existing.managedBy ?? null) === desired.managedBy
    )
      return existing.id;
    return (
      await backend.updateAssignment(existing.id, {
        displayName: desired.displayName,
        principalIds: desired.principalIds,
        appScopeIds: desired.appScopeIds,
        managedBy: desired.managedBy,
      })
    ).id;
  }
  // this resource's own assignment (an interrupted create made it), else an unmanaged one of that name
  const mine = await backend.listAssignments({ roleDefinitionId: roleId });
  const found =
    ownObject(mine, desired.managedBy ?? undefined) ??
    mine.find((a) => !a.managedBy && a.displayName === desired.displayName);
  if (found) return found.id;
  return (await backend.createAssignment(desired)).id;
}

/**
 * The role the "never import twice" rule takes over: one already imported from the same legacy role. A
 * backend that cannot record the import link (Graph) is matched on the name and the "Imported from …"
 * description.
 */
async function alreadyImported(
  backend: Backend,
  inputs: Pick<ImportedRoleInputs, "sourceId" | "originalId" | "displayName" | "description">,
): Promise<RoleRecord | undefined> {
  return (
    (await backend.listRoles()).find(
      (r) => r.imported && r.imported.source === inputs.sourceId && r.imported.originalId === inputs.originalId,
    ) ??
    (await backend.findRolesByName(inputs.displayName)).find(
      (r) => !r.isBuiltIn && !r.imported && r.description === inputs.description,
    )
  );
}

/** This resource's own role, left by an interrupted create: same marker and the same legacy role. */
function ownImport(backend: Backend, inputs: ImportedRoleInputs): Promise<RoleRecord | undefined> {
  return ownRole(backend, inputs, (r) =>
    r.imported
      ? r.imported.source === inputs.sourceId && r.imported.originalId === inputs.originalId
      : r.description === inputs.description,
  );
}

/** ImportedRole's preview checks of ownership and lockout, the implicit adoption included. */
async function checkImportSafety(
  ctx: HandlerContext,
  backend: Backend,
  olds: object,
  inputs: Raw,
): Promise<CheckFailure[]> {
  const failures = await checkRoleSafety(ctx, backend, olds, inputs, "ImportedRole", "role");
  if (failures.length || !creating(olds) || inputs.adopt !== undefined) return failures;
  if ([inputs.displayName, inputs.description].some((v) => v === UNKNOWN)) return failures;
  const checked = inputs as ImportedRoleInputs;
  if (await ownImport(backend, checked)) return failures;
  const candidate = await alreadyImported(backend, checked);
  if (!candidate) return failures;
  const { me, takeOver } = ownerOf(inputs);
  const a = adoption("role", candidate, me, takeOver, "role");
  if (a.failure)
    failures.push({
      ...a.failure,
      reason: `${checked.sourceId} role "${checked.legacyPermissions?.join(", ") ?? ""}" is already imported: ${a.failure.reason}`,
    });
  inputs.adopts = a.adopts;
  if (a.adopts) warn(`ImportedRole ${a.adopts} (it was already imported from the same legacy role).`);
  return failures;
}

export const importedRoleHandler: ResourceHandler<ImportedRoleInputs, ImportedRoleOutputs> = {
  async check(ctx, _olds, newsIn) {
    const news: Raw = clean(newsIn);
    const { data, failures, unknown } = validateKnown(SCHEMA, news);
    const inputs: Raw = { ...news, ...data };
    const computed = [
      "grants",
      "privilegedPermissions",
      "unsupported",
      "legacyMembers",
      "originalId",
      "sourceId",
      "legacyPermissions",
    ];
    if (["source", "role", "permissions"].some((k) => unknown.has(k)) || failures.length) {
      for (const k of computed) inputs[k] = UNKNOWN;
      return failures.length
        ? { inputs: inputs as ImportedRoleInputs, failures }
        : { inputs: inputs as ImportedRoleInputs };
    }
    const backend = await ctx.backend();
    const plan = await planImport(backend, data, failures);
    if (!plan) return { inputs: inputs as ImportedRoleInputs, failures };
    const mapping = mapLegacyRoles(plan.source, plan.legacyNames, [
      plan.source === "mde" && data.permissions ? "permissions" : "role",
    ]);
    if (!mapping.ok) return { inputs: inputs as ImportedRoleInputs, failures: failuresFromIssues(mapping.issues) };
    const m = mapping.value;
    if (m.unsupported.length && !data.acceptUnsupported && !unknown.has("acceptUnsupported")) {
      failures.push({
        property: plan.source === "mde" && data.permissions ? "permissions" : "role",
        reason: `${m.unsupported.map((u) => `"${u.legacy}": ${u.reason}`).join("; ")}. Set acceptUnsupported: true to import the role without ${m.unsupported.length === 1 ? "it" : "them"}.`,
      });
    }
    // Entra-style workload limits never apply to imports: every mapped permission is granted in all workloads.
    const keys = m.permissions.map((p) => atomKey(getAtom(p.id)!));
    const r = await resolveForBackend(backend, keys, ["role"]);
    if (!r.ok) failures.push(...failuresFromIssues(r.issues));
    Object.assign(inputs, {
      sourceId: plan.source,
      displayName: plan.displayName,
      description: data.description ?? `Imported from ${SOURCE_NAMES[plan.source]}: ${plan.label}`,
      legacyPermissions: plan.legacyNames,
      originalId: plan.originalId,
      grants: r.ok ? r.value.grants : {},
      privilegedPermissions: r.ok ? r.value.privileged : [],
      unsupported: m.unsupported.map((u) => `${u.legacy}: ${u.reason}`),
      legacyMembers: data.includeAssignments ? principalSet(plan.legacy?.members) : [],
    });
    // inputs still unknown in preview stay unknown (not replaced by defaults derived without them)
    for (const k of ["displayName", "description"]) if (unknown.has(k)) inputs[k] = UNKNOWN;
    if (unknown.has("includeAssignments")) inputs.legacyMembers = UNKNOWN;
    if (data.includeAssignments && !plan.legacy) {
      failures.push({
        property: "includeAssignments",
        reason: `the ${backend.name} tenant has no ${plan.source} role "${data.role ?? ""}" to copy assignments from; set includeAssignments: false.`,
      });
    }
    const tooLong = descriptionFailure(inputs);
    if (tooLong) failures.push(tooLong);
    if (!failures.length) failures.push(...(await checkImportSafety(ctx, backend, clean(_olds), inputs)));
    return failures.length
      ? { inputs: inputs as ImportedRoleInputs, failures }
      : { inputs: inputs as ImportedRoleInputs };
  },

  async diff(_ctx, id, olds, news) {
    const replaces = [
      ...(["sourceId", "originalId"] as const).filter((k) => isSentinel(news[k]) || olds[k] !== news[k]),
      ...adoptReplaces(id, olds, news),
    ];
    const changed =
      replaces.length > 0 ||
      olds.displayName !== news.displayName ||
      (olds.description ?? "") !== (news.description ?? "") ||
      isSentinel(news.grants) ||
      !sameKeySet(olds.actions ?? [], plannedKeys(news) ?? []) ||
      !!olds.includeAssignments !== !!news.includeAssignments ||
      isSentinel(news.legacyMembers) ||
      !samePrincipals(olds.legacyMembers, news.legacyMembers);
    return { changes: changed, replaces };
  },

  async create(ctx, inputsIn) {
    const inputs = clean(inputsIn);
    const backend = await ctx.backend();
    const { me, takeOver } = ownerOf(inputs);
    const desired = {
      displayName: inputs.displayName,
      description: inputs.description,
      actions: plannedKeys(inputs) ?? [],
      managedBy: me ?? null,
    };
    // an earlier, interrupted create of this resource may have made the role: take it over (docs/ownership.md)
    let record: RoleRecord | null = (await ownImport(backend, inputs)) ?? null;
    if (!record && inputs.adopt) {
      record = await adoptRole(backend, inputs.adopt, "import a new role");
    } else if (!record) {
      // never import twice: a role already imported from this legacy role is taken over
      record = (await alreadyImported(backend, inputs)) ?? null;
    }
    if (record) {
      const a = adoption("role", record, me, takeOver, inputs.adopt ? "adopt" : "role");
      if (a.failure) throw issueOf(a.failure);
      record = await bringRoleTo(backend, record, desired);
    } else {
      record = await backend.createRole({
        ...desired,
        imported: { source: inputs.sourceId, legacyRoles: inputs.legacyPermissions, originalId: inputs.originalId },
      });
    }
    noteRole(backend, record);
    let assignmentId: string | null;
    try {
      assignmentId = await syncAssignment(backend, record.id, inputs, null);
    } catch (e) {
      throw new PartialCreateError(record.id, outputs(record, inputs, backend.name, null), e);
    }
    return { id: record.id, outs: outputs(record, inputs, backend.name, assignmentId) };
  },

  async read(ctx, id, propsIn) {
    const props = clean(propsIn);
    const backend = await ctx.backend();
    const record = await backend.getRole(id);
    if (!record) return { id: "" };
    noteRole(backend, record);
    const assignment = props.assignmentId ? await backend.getAssignment(props.assignmentId) : null;
    const outs = outputs(record, props, backend.name, assignment ? assignment.id : null);
    const inputs: ImportedRoleInputs = {
      ...omit(props, [
        "roleId",
        "resolvedPermissions",
        "isBuiltIn",
        "imported",
        "backend",
        "catalogueVersion",
        "assignmentId",
        "actions",
        "unifiedPermissions",
      ]),
      displayName: record.displayName,
      description: record.description,
      grants: outs.grants,
      privilegedPermissions: outs.privilegedPermissions,
    };
    if (props.includeAssignments) inputs.legacyMembers = assignment ? principalSet(assignment.principalIds) : [];
    outs.legacyMembers = inputs.legacyMembers ?? outs.legacyMembers;
    if (record.managedBy) inputs.managedBy = record.managedBy;
    else delete inputs.managedBy;
    noteOwner("role", record, props);
    return readResult(id, outs, props, inputs);
  },

  async update(ctx, id, olds, newsIn) {
    const news = clean(newsIn);
    const backend = await ctx.backend();
    const keys = plannedKeys(news) ?? [];
    await refuseRoleEdit(ctx, backend, id, keys);
    const record = await updateRoleFields(backend, id, olds, { ...news, actions: keys }, "import it again");
    noteRole(backend, record);
    const assignmentId = await syncAssignment(backend, record.id, news, olds.assignmentId ?? null);
    return { outs: outputs(record, news, backend.name, assignmentId) };
  },

  async delete(ctx, id, props) {
    const backend = await ctx.backend();
    const own = props.assignmentId ? [String(props.assignmentId)] : [];
    // Pulumi does not call the provider at preview for a delete: refuse here, before anything is removed
    const refusal = await lockoutRefusal(
      ctx,
      backend,
      { deleteRoles: [id], deleteAssignments: own },
      `Deleting imported role "${props.displayName ?? id}" (${id})${own.length ? " and its assignment" : ""}`,
      "Keep the role, or first assign another role that grants Authorization (manage) over all data sources or that workload.",
    );
    if (refusal) throw new Refusal(`${refusal} Nothing was deleted.`);
    await deleteRoleSafely(backend, id, own);
    forgetRole(backend, id);
  },
};
