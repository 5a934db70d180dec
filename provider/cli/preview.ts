/**
 * Reads the output of `pulumi preview --json`: for each of this package's resources (type
 * `pulumi-nodejs:dynamic/defender-rbac:<Kind>`), the roles, assignments and activations the stack holds
 * before the change and after it. Properties come from the checked inputs (so a role's `actions` and an
 * assignment's `appScopeIds` are the canonical ones `check` computed); a value not known until apply
 * (an assignment's `roleId` of a role being created) is followed through the step's property
 * dependencies to the role's resource, which stands in for it as `pending:<urn>`. The JSON itself is
 * read by previewJson.ts.
 */
import type { AccessAssignment, AccessRole, AccessWorkload } from "../core/access";
import { activationWorkload } from "../core/activation";
import {
  PreviewState,
  PreviewStep,
  known,
  knownStrings,
  parsePreviewJson,
  resourceName,
  roleKeys,
} from "../previewJson";
import { kindOf } from "../resources/shell";

export interface StackSide {
  roles: AccessRole[];
  assignments: AccessAssignment[];
  activation: { workload: AccessWorkload; active: boolean }[];
}

export interface ResourceChange {
  op: string;
  kind: string;
  name: string;
  urn: string;
}

export interface PreviewChange {
  before: StackSide;
  after: StackSide;
  /** The package's resources the preview creates, updates, replaces or deletes. */
  resources: ResourceChange[];
  notes: string[];
}

// A replacement is reported as "replace" (old and new state) plus its two halves: count it once.
const BEFORE_OPS = new Set(["same", "update", "delete", "replace", "refresh", "read", "discard"]);
const AFTER_OPS = new Set(["same", "update", "create", "replace", "refresh", "read", "import"]);
const SHOWN_OPS = new Set(["create", "update", "delete", "replace"]);

/** Parses `pulumi preview --json` output; throws one line naming what is wrong. */
export function readPreview(text: string, source = "the preview"): PreviewChange {
  const steps = parsePreviewJson(
    text,
    source,
    "give the output of `pulumi preview --json` (of a preview that succeeded)",
  ).steps!;
  const notes: string[] = [];
  const resources: ResourceChange[] = [];
  const sides = { before: empty(), after: empty() };
  // urn → role id on each side, for assignments whose roleId is not known yet
  const roleIds = { before: new Map<string, string>(), after: new Map<string, string>() };
  const pending: { side: "before" | "after"; state: PreviewState; step: PreviewStep }[] = [];

  for (const step of steps) {
    const st = step.newState ?? step.oldState;
    const kind = kindOf(st?.type);
    if (!kind) continue;
    const urn = step.urn ?? st?.urn ?? "";
    const op = step.op ?? "same";
    if (SHOWN_OPS.has(op)) resources.push({ op, kind, name: resourceName(urn), urn });
    // the engine leaves the id out of an update's new state: the object keeps its id (a replacement gets a new one)
    const keepsId = op !== "create" && op !== "replace" && known(step.oldState?.id) && step.oldState?.id;
    const idOf = (state: PreviewState) =>
      known(state.id) && state.id ? state.id : keepsId ? String(step.oldState!.id) : `pending:${urn}`;
    const put = (side: "before" | "after", state: PreviewState | undefined) => {
      if (!state) return;
      const props = { ...(state.inputs ?? {}), ...(side === "before" ? (state.outputs ?? {}) : {}) };
      if (kind === "UnifiedRole" || kind === "ImportedRole") {
        const id = idOf(state);
        roleIds[side].set(urn, id);
        const actions = roleKeys(props);
        if (!actions) notes.push(`${kind} ${resourceName(urn)}: its permissions are not known at preview`);
        sides[side].roles.push({
          id,
          displayName: typeof props.displayName === "string" ? props.displayName : resourceName(urn),
          actions: actions ?? [],
        });
      } else if (kind === "RoleAssignment")
        pending.push({ side, state: { ...state, id: idOf(state), inputs: props }, step });
      else if (kind === "WorkloadActivation") {
        const w = activationWorkload(props.workload) as AccessWorkload | undefined;
        if (w) sides[side].activation.push({ workload: w, active: props.active !== false });
      }
    };
    if (BEFORE_OPS.has(op)) put("before", step.oldState ?? (op === "same" ? step.newState : undefined));
    if (AFTER_OPS.has(op)) put("after", step.newState ?? (op === "same" ? step.oldState : undefined));
  }

  for (const { side, state, step } of pending) {
    const p = state.inputs ?? {};
    const urn = step.urn ?? state.urn ?? "";
    const name = resourceName(urn);
    let roleId = known(p.roleId) ? String(p.roleId) : undefined;
    if (!roleId) {
      const dep = state.propertyDependencies?.roleId?.[0];
      roleId = dep ? roleIds[side].get(dep) : undefined;
    }
    const principals = knownStrings(p.principals);
    const scopes = knownStrings(p.appScopeIds);
    if (!roleId || !principals || !scopes) {
      notes.push(
        `RoleAssignment ${name}: its ${!roleId ? "role" : !principals ? "principals" : "scope"} is not known at preview; its access is not counted`,
      );
      continue;
    }
    sides[side].assignments.push({
      id: known(state.id) && state.id ? state.id : `pending:${urn}`,
      displayName: typeof p.displayName === "string" ? p.displayName : name,
      roleDefinitionId: roleId,
      principalIds: principals,
      appScopeIds: scopes,
    });
  }
  return { ...sides, resources, notes };
}

function empty(): StackSide {
  return { roles: [], assignments: [], activation: [] };
}
