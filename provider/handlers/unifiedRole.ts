/**
 * UnifiedRole: a custom Defender XDR role. Inputs: displayName, description, permissions (catalogue
 * ids, readable names or action strings) and adopt (take over an existing role by id). `check`
 * computes the canonical `actions` and readable `resolvedPermissions` as top-level inputs, so the
 * preview shows them; `diff` compares canonical forms; a rename is an update.
 */
import { z } from "zod";
import { sameKeySet } from "../core/normalise";
import {
  Raw,
  ResourceHandler,
  UNKNOWN,
  adoptFailure,
  adoptReplaces,
  isSentinel,
  clean,
  failuresFromIssues,
  plainText,
  rolesKnownOn,
  validateKnown,
} from "./common";
import { keyReference } from "../core/labels";
import { resolveForBackend } from "./permissions";
import { RoleState, adoptRole, adoptRoleIssue, bringRoleTo, roleOutputs, updateRoleFields } from "./role";

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
});

/** The inputs after check: the program's, plus what check computes from them. */
export type UnifiedRoleInputs = z.infer<typeof SCHEMA> & {
  description: string;
  /** Canonical permission keys (normalise.ts). */
  actions: string[];
  resolvedPermissions: string[];
  privilegedPermissions: string[];
};
export type UnifiedRoleOutputs = UnifiedRoleInputs & RoleState;

export const unifiedRoleHandler: ResourceHandler<UnifiedRoleInputs, UnifiedRoleOutputs> = {
  async check(ctx, olds, newsIn) {
    const news: Raw = clean(newsIn);
    const { data, failures, unknown } = validateKnown(SCHEMA, news);
    const inputs: Raw = { ...news, ...data };
    if (!failures.some((f) => f.property === "adopt")) {
      const backend = await ctx.backend();
      failures.push(
        ...(await adoptFailure(olds, data, unknown, async (id) =>
          adoptRoleIssue(await backend.getRole(id), id, backend, "create a new role"),
        )),
      );
    }
    if (unknown.has("permissions")) {
      inputs.actions = UNKNOWN;
      inputs.resolvedPermissions = UNKNOWN;
      inputs.privilegedPermissions = UNKNOWN;
    } else if (failures.every((f) => !f.property.startsWith("permissions"))) {
      const backend = await ctx.backend();
      const r = await resolveForBackend(backend, data.permissions ?? [], ["permissions"]);
      if (!r.ok) failures.push(...failuresFromIssues(r.issues));
      else {
        inputs.actions = r.value.actions;
        inputs.resolvedPermissions = r.value.labels;
        inputs.privilegedPermissions = r.value.privileged;
      }
    }
    if (inputs.description === undefined) inputs.description = "";
    const checked = inputs as UnifiedRoleInputs;
    return failures.length ? { inputs: checked, failures } : { inputs: checked };
  },

  async diff(_ctx, id, olds, news) {
    const replaces = adoptReplaces(id, olds, news);
    const changed =
      olds.displayName !== news.displayName ||
      (olds.description ?? "") !== (news.description ?? "") ||
      isSentinel(news.actions) ||
      !sameKeySet(olds.actions ?? [], news.actions ?? []);
    return { changes: changed || replaces.length > 0, replaces };
  },

  async create(ctx, inputsIn) {
    const inputs = clean(inputsIn);
    const backend = await ctx.backend();
    const desired = { displayName: inputs.displayName, description: inputs.description ?? "", actions: inputs.actions };
    if (inputs.adopt) {
      const existing = await adoptRole(backend, inputs.adopt, "create a new role");
      const record = await bringRoleTo(backend, existing, desired);
      rolesKnownOn(backend).add(record.id);
      return { id: record.id, outs: roleOutputs(record, inputs, backend.name) };
    }
    const record = await backend.createRole(desired);
    rolesKnownOn(backend).add(record.id);
    return { id: record.id, outs: roleOutputs(record, inputs, backend.name) };
  },

  async read(ctx, id, propsIn) {
    const props = clean(propsIn);
    const backend = await ctx.backend();
    const record = await backend.getRole(id);
    if (!record) return { id: "" };
    rolesKnownOn(backend).add(record.id);
    const outs = roleOutputs(record, props, backend.name);
    const unchanged = sameKeySet(record.actions, props.actions ?? []);
    const inputs: UnifiedRoleInputs = {
      displayName: record.displayName,
      description: record.description,
      // keep the user's spelling while the permissions match; show what the tenant holds once they drift
      permissions: unchanged && props.permissions ? props.permissions : outs.actions.map(keyReference),
      actions: outs.actions,
      resolvedPermissions: outs.resolvedPermissions,
      privilegedPermissions: outs.privilegedPermissions,
      ...(props.adopt !== undefined ? { adopt: props.adopt } : {}),
    };
    outs.permissions = inputs.permissions;
    return { id, props: outs, inputs };
  },

  async update(ctx, id, olds, newsIn) {
    const news = clean(newsIn);
    const backend = await ctx.backend();
    const record = await updateRoleFields(backend, id, olds, news, "recreate it");
    return { outs: roleOutputs(record, news, backend.name) };
  },

  async delete(ctx, id, props) {
    const backend = await ctx.backend();
    const record = await backend.getRole(id);
    if (record?.isBuiltIn) return; // never delete a built-in role, even if state says so
    void props;
    rolesKnownOn(backend).delete(id);
    await backend.deleteRole(id);
  },
};
