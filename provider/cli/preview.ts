/**
 * Reads the output of `pulumi preview --json`: for each of this package's resources (type
 * `pulumi-nodejs:dynamic/defender-rbac:<Kind>`), the roles, assignments and activations the stack holds
 * before the change and after it. Properties come from the checked inputs (so a role's `actions` and an
 * assignment's `appScopeIds` are the canonical ones `check` computed); a value not known until apply
 * (an assignment's `roleId` of a role being created) is followed through the step's property
 * dependencies to the role's resource, which stands in for it as `pending:<urn>`.
 */
import type { AccessAssignment, AccessRole } from "../core/access";
import { activationWorkload } from "../core/activation";
import type { AccessWorkload } from "../core/access";

/** The value the Pulumi engine writes for a property not known until apply. */
export const UNKNOWN = "04da6b54-80e4-46f7-96ec-b56ff0331ba9";
const TYPE_PREFIX = "pulumi-nodejs:dynamic/defender-rbac:";

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

interface State {
  id?: string;
  urn?: string;
  type?: string;
  inputs?: Record<string, unknown>;
  outputs?: Record<string, unknown>;
  propertyDependencies?: Record<string, string[]>;
}
interface Step {
  op?: string;
  urn?: string;
  oldState?: State;
  newState?: State;
}

// A replacement is reported as "replace" (old and new state) plus its two halves: count it once.
const BEFORE_OPS = new Set(["same", "update", "delete", "replace", "refresh", "read", "discard"]);
const AFTER_OPS = new Set(["same", "update", "create", "replace", "refresh", "read", "import"]);
const SHOWN_OPS = new Set(["create", "update", "delete", "replace"]);

const known = (v: unknown) => v !== undefined && v !== null && v !== UNKNOWN;
const strings = (v: unknown): string[] | undefined =>
  Array.isArray(v) && v.every((x) => typeof x === "string" && x !== UNKNOWN) ? (v as string[]) : undefined;

/** Parses `pulumi preview --json` output; throws one line naming what is wrong. */
export function readPreview(text: string, source = "the preview"): PreviewChange {
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch (e) {
    throw new Error(`${source} is not JSON (${(e as Error).message}); give the output of \`pulumi preview --json\``);
  }
  const steps = (doc as { steps?: unknown }).steps;
  if (!Array.isArray(steps))
    throw new Error(
      `${source} has no "steps": give the output of \`pulumi preview --json\` (of a preview that succeeded)`,
    );
  const notes: string[] = [];
  const resources: ResourceChange[] = [];
  const sides = { before: empty(), after: empty() };
  // urn → role id on each side, for assignments whose roleId is not known yet
  const roleIds = { before: new Map<string, string>(), after: new Map<string, string>() };
  const pending: { side: "before" | "after"; state: State; step: Step }[] = [];

  for (const step of steps as Step[]) {
    const st = step.newState ?? step.oldState;
    const type = st?.type ?? "";
    if (!type.startsWith(TYPE_PREFIX)) continue;
    const kind = type.slice(TYPE_PREFIX.length);
    const urn = step.urn ?? st?.urn ?? "";
    const op = step.op ?? "same";
    if (SHOWN_OPS.has(op)) resources.push({ op, kind, name: urn.split("::").pop() ?? urn, urn });
    const put = (side: "before" | "after", state: State | undefined) => {
      if (!state) return;
      const props = { ...(state.inputs ?? {}), ...(side === "before" ? (state.outputs ?? {}) : {}) };
      if (kind === "UnifiedRole" || kind === "ImportedRole") {
        const id = known(state.id) && state.id ? state.id : `pending:${urn}`;
        roleIds[side].set(urn, id);
        const actions = strings(props.actions);
        if (!actions) notes.push(`${kind} ${urn.split("::").pop()}: its permissions are not known at preview`);
        sides[side].roles.push({
          id,
          displayName: typeof props.displayName === "string" ? props.displayName : (urn.split("::").pop() ?? id),
          actions: actions ?? [],
        });
      } else if (kind === "RoleAssignment") pending.push({ side, state: { ...state, inputs: props }, step });
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
    const name = urn.split("::").pop() ?? urn;
    let roleId = known(p.roleId) ? String(p.roleId) : undefined;
    if (!roleId) {
      const dep = state.propertyDependencies?.roleId?.[0];
      roleId = dep ? roleIds[side].get(dep) : undefined;
    }
    const principals = strings(p.principals);
    const scopes = strings(p.appScopeIds);
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
