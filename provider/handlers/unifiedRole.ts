/**
 * UnifiedRole: a custom Defender XDR role. Inputs: displayName, description, permissions (catalogue
 * ids, readable names or action strings) and adopt (take over an existing role by id). `check`
 * computes `grants` (canonical key -> readable label, privileged ones marked) and
 * `privilegedPermissions` as top-level inputs, so the preview shows them, diffed by permission;
 * `diff` compares canonical forms; a rename is an update. The list outputs (`actions`,
 * `resolvedPermissions`) come from the tenant's record.
 */
import { z } from "zod";
import { sameKeySet } from "../core/normalise";
import {
  Raw,
  ResourceHandler,
  UNKNOWN,
  adoptReplaces,
  isSentinel,
  clean,
  failuresFromIssues,
  forgetRole,
  noteRole,
  validateKnown,
  plainText,
  readResult,
} from "./common";
import { keyReference } from "../core/labels";
import { resolveForBackend } from "./permissions";
import {
  OwnershipInputs,
  RoleState,
  adoptOwnedRole,
  bringRoleTo,
  checkRoleSafety,
  deleteRoleSafely,
  descriptionFailure,
  refuseRoleEdit,
  roleOutputs,
  updateRoleFields,
} from "./role";
import { noteOwner, ownerOf } from "./ownership";

/** The inputs a program writes; built once (building it per call was a measured hot spot). */
const SCHEMA = z.object({
  displayName: z
    .string({ error: 'displayName is required: a name for the role, e.g. "SOC analyst".' })
    .trim()
    .min(1, "displayName must not be empty.")
    .max(256, "displayName must be at most 256 characters.")
    .superRefine(plainText("displayName")),
  description: z
    .string()
    .max(1024, "description must be at most 1024 characters.")
    .superRefine(plainText("description", true))
    .optional(),
  permissions: z
    .array(z.string(), { error: "permissions must be a list of catalogue ids, readable names or action strings." })
    .min(
      1,
      'permissions must hold at least one permission, e.g. "Security operations \\ Security data \\ Security data basics (read)".',
    ),
  adopt: z.string().trim().min(1, "adopt must be the id of an existing role.").optional(),
  takeOver: z.boolean({ error: "takeOver must be true or false." }).optional(),
  managedBy: z.string().optional(),
});

/** The inputs after check: the program's, plus what check computes from them. */
export type UnifiedRoleInputs = z.infer<typeof SCHEMA> &
  OwnershipInputs & {
    description: string;
    /** Canonical permission key (normalise.ts) -> readable label, "⚠ " on privileged ones. */
    grants: Record<string, string>;
    privilegedPermissions: string[];
  };
export type UnifiedRoleOutputs = UnifiedRoleInputs & RoleState;

/** The canonical keys check resolved. */
const keysOf = (inputs: Pick<UnifiedRoleInputs, "grants">): string[] => Object.keys(inputs.grants ?? {});

export const unifiedRoleHandler: ResourceHandler<UnifiedRoleInputs, UnifiedRoleOutputs> = {
  async check(ctx, _olds, newsIn) {
    const news: Raw = clean(newsIn);
    const { data, failures, unknown } = validateKnown(SCHEMA, news);
    const inputs: Raw = { ...news, ...data };
    if (unknown.has("permissions")) {
      inputs.grants = UNKNOWN;
      inputs.privilegedPermissions = UNKNOWN;
    } else if (failures.every((f) => !f.property.startsWith("permissions"))) {
      const backend = await ctx.backend();
      const r = await resolveForBackend(backend, data.permissions ?? [], ["permissions"]);
      if (!r.ok) failures.push(...failuresFromIssues(r.issues));
      else {
        inputs.grants = r.value.grants;
        inputs.privilegedPermissions = r.value.privileged;
      }
    }
    if (inputs.description === undefined) inputs.description = "";
    const tooLong = descriptionFailure(inputs);
    if (tooLong) failures.push(tooLong);
    if (!failures.length)
      failures.push(
        ...(await checkRoleSafety(ctx, await ctx.backend(), clean(_olds), inputs, "UnifiedRole", "permissions")),
      );
    const checked = inputs as UnifiedRoleInputs;
    return failures.length ? { inputs: checked, failures } : { inputs: checked };
  },

  async diff(_ctx, id, olds, news) {
    const replaces = adoptReplaces(id, olds, news);
    const changed =
      olds.displayName !== news.displayName ||
      (olds.description ?? "") !== (news.description ?? "") ||
      (!!news.managedBy && olds.managedBy !== news.managedBy) ||
      isSentinel(news.grants) ||
      !sameKeySet(olds.actions ?? [], keysOf(news));
    return { changes: changed || replaces.length > 0, replaces };
  },

  async create(ctx, inputsIn) {
    const inputs = clean(inputsIn);
    const backend = await ctx.backend();
    const desired = {
      displayName: inputs.displayName,
      description: inputs.description ?? "",
      actions: keysOf(inputs),
      managedBy: ownerOf(inputs).me ?? null,
    };
    if (inputs.adopt) {
      const existing = await adoptOwnedRole(backend, inputs.adopt, "create a new role", inputs);
      const record = await bringRoleTo(backend, existing, desired);
      noteRole(backend, record);
      return { id: record.id, outs: roleOutputs(record, inputs, backend.name) };
    }
    // the backend returns the role an earlier, interrupted create of this resource made (its marker),
    // which is then brought to the desired fields (docs/ownership.md)
    const record = await bringRoleTo(backend, await backend.createRole(desired), desired);
    noteRole(backend, record);
    return { id: record.id, outs: roleOutputs(record, inputs, backend.name) };
  },

  async read(ctx, id, propsIn) {
    const props = clean(propsIn);
    const backend = await ctx.backend();
    const record = await backend.getRole(id);
    if (!record) return { id: "" };
    noteRole(backend, record);
    const outs = roleOutputs(record, props, backend.name);
    const unchanged = sameKeySet(record.actions, props.actions ?? []);
    const inputs: UnifiedRoleInputs = {
      displayName: record.displayName,
      description: record.description,
      // keep the user's spelling while the permissions match; show what the tenant holds once they drift
      permissions: unchanged && props.permissions ? props.permissions : outs.actions.map(keyReference),
      grants: outs.grants,
      privilegedPermissions: outs.privilegedPermissions,
      ...(props.adopt !== undefined ? { adopt: props.adopt } : {}),
      ...(props.takeOver !== undefined ? { takeOver: props.takeOver } : {}),
      ...(record.managedBy ? { managedBy: record.managedBy } : {}),
      adopts: props.adopts ?? "",
    };
    outs.permissions = inputs.permissions;
    noteOwner("role", record, props);
    return readResult(id, outs, props, inputs);
  },

  async update(ctx, id, olds, newsIn) {
    const news = clean(newsIn);
    const backend = await ctx.backend();
    await refuseRoleEdit(ctx, backend, id, keysOf(news));
    const record = await updateRoleFields(backend, id, olds, { ...news, actions: keysOf(news) }, "recreate it");
    noteRole(backend, record);
    return { outs: roleOutputs(record, news, backend.name) };
  },

  async delete(ctx, id) {
    const backend = await ctx.backend();
    await deleteRoleSafely(backend, id);
    forgetRole(backend, id);
  },
};
