/**
 * WorkloadActivation: whether Unified RBAC governs one workload. Preview refuses an activation that
 * would leave nobody able to manage authorization, and Exchange Online permissions without Defender for
 * Office 365; it lists the access that widens as `warnings`. Deleting the resource leaves the workload
 * as it is unless `deactivateOnDelete` is set: activation is a tenant-wide switch, not something a
 * `pulumi destroy` should flip by accident.
 *
 * `managedIn: "portal"` is for tenants where no API can flip the switch (Graph has none,
 * docs/activation.md): the resource declares the state the operator sets in the Defender portal, runs
 * every check against the live tenant's roles and assignments at preview (and again at up), never calls
 * an activation API, and says in `portalStep` and `warnings` that the switch is done in the portal.
 * The current state cannot be read there, so the checks always run as for a change.
 *
 * A change also lists, in `accessChange`, per principal, the access gained and lost if it were applied
 * now (core/access.ts `activationChange`, as `defender-rbac activation-plan` shows it).
 */
import { z } from "zod";
import type { Backend, WorkloadState } from "../backend/backend";
import { activationWorkload, assessActivation, AUTHORIZATION_MANAGE } from "../core/activation";
import { orList, type Workload, WORKLOADS, workloadByAppScope } from "../core/workloads";
import { keyCovers } from "../core/normalise";
import { scopeReachesWorkload } from "../core/scope";
import { sourceText } from "../core/access";
import { type AccessChange, activationChange } from "../core/accessChange";
import type { Directory } from "../core/directory";
import { readTenantAccess } from "../backend/access";
import {
  CheckFailure,
  Raw,
  ResourceHandler,
  UNKNOWN,
  clean,
  failuresFromIssues,
  isSentinel,
  isUnknown,
  unsupportedFailure,
  validateKnown,
  readResult,
} from "./common";
import { Refusal } from "../core/errors";

const SWITCHABLE = WORKLOADS.filter((w) => w.activation);

/** The inputs a program writes; built once (building it per call was a measured hot spot). */
const SCHEMA = z.object({
  workload: z.string({ error: `workload is required: ${orList(SWITCHABLE.map((w) => w.name))}.` }),
  active: z.boolean({ error: "active must be true or false." }).optional(),
  exchangeOnline: z.boolean({ error: "exchangeOnline must be true or false." }).optional(),
  authorizationAssignments: z
    .array(z.string(), { error: "authorizationAssignments must be a list of RoleAssignment ids." })
    .optional(),
  deactivateOnDelete: z.boolean({ error: "deactivateOnDelete must be true or false." }).optional(),
  managedIn: z
    .enum(["api", "portal"], {
      error:
        'managedIn must be "api" (the backend switches the workload) or "portal" (you switch it in the Defender portal).',
    })
    .optional(),
});

/** The inputs after check: the program's, plus the workload's appScopeId, the widening warnings and, portal mode, the step. */
export type WorkloadActivationInputs = z.infer<typeof SCHEMA> & {
  active: boolean;
  workloadId: Workload["appScope"];
  warnings: string[];
  portalStep?: string | null;
  /** Per principal ("name (id)", or the id), each permission gained or lost if applied now -> its source. */
  accessChange?: Record<string, Record<string, string>>;
};
export type WorkloadActivationOutputs = WorkloadActivationInputs & { backend: string };
type Planned = Pick<
  WorkloadActivationInputs,
  "workloadId" | "active" | "exchangeOnline" | "authorizationAssignments" | "managedIn"
>;

const PORTAL_PATH = "Settings > Microsoft Defender XDR > Permissions and roles";

/** What the operator does in the portal, said plainly (the resource never switches anything in this mode). */
export function portalStep(workload: Workload["appScope"], active: boolean, exchangeOnline?: boolean): string {
  const name = workloadByAppScope(workload)?.displayName ?? workload;
  const what = active
    ? `turn Unified RBAC on for ${name}${workload === "Mdo" && exchangeOnline ? ", with Exchange Online permissions," : ""}`
    : `turn Unified RBAC off for ${name}`;
  return `Not switched by Pulumi (managedIn: "portal"): ${what} yourself in the Defender portal (${PORTAL_PATH}) once this update has run; the checks above ran against the live tenant.`;
}

const isPortal = (p: { managedIn?: string }) => p.managedIn === "portal";

/** The declared state (portal mode): what the operator sets, never read from or written to the tenant. */
const declared = (inputs: Planned): WorkloadState => ({
  workload: inputs.workloadId,
  active: inputs.active,
  ...(inputs.workloadId === "Mdo" ? { exchangeOnline: !!inputs.exchangeOnline } : {}),
});

async function tenantView(backend: Backend) {
  const [roles, assignments] = await Promise.all([backend.listRoles(), backend.listAssignments()]);
  return { roles, assignments };
}

/** Checks the listed assignments exist and grant Authorization (manage) in the workload. */
async function checkListed(backend: Backend, ids: string[], workload: Workload["appScope"]): Promise<CheckFailure[]> {
  const failures: CheckFailure[] = [];
  for (const [i, id] of ids.entries()) {
    const a = await backend.getAssignment(id);
    const role = a ? await backend.getRole(a.roleDefinitionId) : null;
    if (!a)
      failures.push({
        property: `authorizationAssignments[${i}]`,
        reason: `no role assignment with id "${id}" exists.`,
      });
    else if (
      !role ||
      !role.actions.some((x) => keyCovers(x, AUTHORIZATION_MANAGE)) ||
      !scopeReachesWorkload(a.appScopeIds, workload)
    ) {
      failures.push({
        property: `authorizationAssignments[${i}]`,
        reason: `assignment "${a.displayName}" does not grant "Authorization (manage)" over ${workload}; assign a role holding it over all data sources or ${workload}.`,
      });
    }
  }
  return failures;
}

/**
 * Checks, at preview, the listed assignments the program passed as resources: each must grant
 * Authorization (manage) over the workload. `grants` is true when one is known to; `unknown` when one
 * cannot be judged yet (its role given only by an id not known at preview).
 */
function plannedAssignments(plan: unknown, workload: Workload["appScope"]) {
  const failures: CheckFailure[] = [];
  let grants = false;
  let unknown = !Array.isArray(plan);
  for (const [i, p] of (Array.isArray(plan) ? plan : []).entries()) {
    if (!p || typeof p !== "object" || typeof p.authorizationManage !== "boolean" || isUnknown(p.appScopeIds)) {
      unknown = true;
      continue;
    }
    if (p.authorizationManage === true && scopeReachesWorkload(p.appScopeIds, workload)) grants = true;
    else
      failures.push({
        property: `authorizationAssignments[${i}]`,
        reason: `assignment "${isUnknown(p.displayName) ? `#${i}` : p.displayName}" does not grant "Authorization (manage)" over ${workload}; assign a role holding it over all data sources or ${workload}.`,
      });
  }
  return { failures, grants, unknown };
}

/**
 * Per principal ("name (id)", or the id), each permission gained or lost ("gained ⚠ <label>") -> where
 * it comes from (or came from). A map of short values: the CLI cuts a long string in its display.
 */
export function accessChangeOf(
  changes: readonly AccessChange[],
  directory?: Directory,
): Record<string, Record<string, string>> {
  const names = new Map((directory?.objects ?? []).map((o) => [o.id.toLowerCase(), o.displayName]));
  const name = (id: string) => names.get(id.toLowerCase()) ?? id;
  const out: Record<string, Record<string, string>> = {};
  for (const c of changes) {
    const who = names.has(c.principalId.toLowerCase()) ? `${name(c.principalId)} (${c.principalId})` : c.principalId;
    const from = c.sources.map((s) => sourceText(s, name)).join("; ");
    (out[who] ??= {})[`${c.change} ${c.privileged ? "⚠ " : ""}${c.label}`] = from;
  }
  return out;
}

/** The access change of setting the workload to `active` now; what could not be read is said, not hidden. */
async function accessChangeNow(
  backend: Backend,
  workload: Workload["appScope"],
  active: boolean,
): Promise<Record<string, Record<string, string>>> {
  try {
    const { input, assumptions } = await readTenantAccess(backend);
    const w = workload as Parameters<typeof activationChange>[1];
    const out = accessChangeOf(activationChange(input, w, active), input.directory);
    return assumptions.length
      ? { "(assumed)": Object.fromEntries(assumptions.map((a, i) => [`${i + 1}`, a])), ...out }
      : out;
  } catch (e) {
    return {
      "(not computed)": { reason: `reading the tenant's access failed: ${e instanceof Error ? e.message : String(e)}` },
    };
  }
}

function stateOf(states: WorkloadState[], w: Workload["appScope"]): WorkloadState {
  return states.find((s) => s.workload === w) ?? { workload: w, active: false };
}

async function assess(backend: Backend, inputs: Planned, pending: boolean) {
  // in the portal mode the state cannot be read (and is never asked for): check as for a change
  const current = isPortal(inputs)
    ? { workload: inputs.workloadId, active: !inputs.active }
    : stateOf(await backend.getActivation(), inputs.workloadId);
  const turningOn = inputs.active && !current.active;
  const a = assessActivation(
    { workload: inputs.workloadId, active: inputs.active, exchangeOnline: inputs.exchangeOnline },
    await tenantView(backend),
    pending || !turningOn,
  );
  return { current, turningOn, ...a };
}

function outputs(
  state: WorkloadState,
  inputs: WorkloadActivationInputs,
  backendName: string,
): WorkloadActivationOutputs {
  return {
    ...clean(inputs),
    workloadId: state.workload,
    active: state.active,
    ...(state.workload === "Mdo" ? { exchangeOnline: !!state.exchangeOnline } : {}),
    managedIn: isPortal(inputs) ? "portal" : "api",
    portalStep: isPortal(inputs) ? portalStep(state.workload, state.active, state.exchangeOnline) : null,
    backend: backendName,
  };
}

async function apply(backend: Backend, inputs: Planned): Promise<WorkloadState> {
  const a = await assess(backend, inputs, false);
  const listed =
    a.turningOn && inputs.authorizationAssignments?.length
      ? await checkListed(backend, inputs.authorizationAssignments, inputs.workloadId)
      : [];
  if (a.failures.length || listed.length) {
    throw new Refusal(
      [...failuresFromIssues(a.failures), ...listed].map((f) => `${f.property}: ${f.reason}`).join("\n") +
        "\nNothing was changed.",
    );
  }
  if (isPortal(inputs)) return declared(inputs); // never switched here: the operator does it in the portal
  return backend.setActivation({
    workload: inputs.workloadId,
    active: inputs.active,
    ...(inputs.workloadId === "Mdo" ? { exchangeOnline: !!inputs.exchangeOnline } : {}),
  });
}

export const workloadActivationHandler: ResourceHandler<WorkloadActivationInputs, WorkloadActivationOutputs> = {
  async check(ctx, _olds, newsIn) {
    const news: Raw = clean(newsIn);
    const { data, failures, unknown } = validateKnown(SCHEMA, news);
    const inputs = { ...news, ...data } as WorkloadActivationInputs;
    if (inputs.active === undefined) inputs.active = true;
    if (unknown.has("workload") || unknown.has("active")) {
      Object.assign(inputs, {
        workloadId: unknown.has("workload") ? UNKNOWN : activationWorkload(data.workload),
        warnings: UNKNOWN,
        accessChange: UNKNOWN,
      });
      return failures.length ? { inputs, failures } : { inputs };
    }
    const w = activationWorkload(data.workload);
    if (!w) {
      failures.push({
        property: "workload",
        reason: `unknown workload "${data.workload}"; use ${orList(SWITCHABLE.map((w) => `${w.name} (${w.appScope})`))}.`,
      });
      return { inputs, failures };
    }
    inputs.workloadId = w;
    if (failures.length) return { inputs, failures };
    const backend = await ctx.backend();
    const caps = backend.capabilities();
    const portal = isPortal(data);
    if (!portal && caps.activation !== "read-write") {
      failures.push(
        unsupportedFailure(
          "workload",
          backend,
          "change Unified RBAC activation",
          `${caps.notes.activation ?? ""} Or set managedIn: "portal": the resource then declares the state you set in the portal and runs every check against the tenant at preview.`.trim(),
        ),
      );
      return { inputs, failures };
    }
    if (portal && data.deactivateOnDelete) {
      failures.push({
        property: "deactivateOnDelete",
        reason:
          'with managedIn: "portal" nothing is switched by Pulumi, so nothing can be switched off on delete; deactivate in the portal, and remove deactivateOnDelete.',
      });
      return { inputs, failures };
    }
    // what preview knows of listed assignments that do not exist yet (the resources were passed)
    const planned = plannedAssignments(news.authorizationPlan, w);
    const pending = isUnknown(news.authorizationAssignments) && (planned.grants || planned.unknown);
    // an exchangeOnline still unknown in preview is not "true" (the sentinel is a truthy string)
    const a = await assess(
      backend,
      unknown.has("exchangeOnline") ? { ...inputs, exchangeOnline: undefined } : inputs,
      pending,
    );
    failures.push(...failuresFromIssues(a.failures));
    if (a.turningOn) failures.push(...planned.failures);
    if (a.turningOn && !isUnknown(news.authorizationAssignments) && data.authorizationAssignments?.length)
      failures.push(...(await checkListed(backend, data.authorizationAssignments, w)));
    inputs.warnings = a.turningOn || !inputs.active ? a.warnings : [];
    inputs.accessChange = a.current.active !== inputs.active ? await accessChangeNow(backend, w, !!inputs.active) : {};
    if (pending && Object.keys(inputs.accessChange).length)
      inputs.accessChange = {
        "(not counted yet)": {
          authorizationAssignments: "created in this update; the change is computed from the tenant as it is now",
        },
        ...inputs.accessChange,
      };
    if (portal) {
      inputs.managedIn = "portal";
      inputs.portalStep = portalStep(w, !!inputs.active, !!inputs.exchangeOnline && !unknown.has("exchangeOnline"));
      inputs.warnings = [inputs.portalStep, ...inputs.warnings];
    }
    return failures.length ? { inputs, failures } : { inputs };
  },

  async diff(_ctx, _id, olds, news) {
    const replaces = isSentinel(news.workloadId) || news.workloadId !== olds.workloadId ? ["workload"] : [];
    const changed =
      replaces.length > 0 ||
      olds.active !== news.active ||
      (olds.managedIn ?? "api") !== (news.managedIn ?? "api") ||
      !!olds.exchangeOnline !== !!news.exchangeOnline ||
      !!olds.deactivateOnDelete !== !!news.deactivateOnDelete;
    return { changes: changed, replaces, deleteBeforeReplace: replaces.length > 0 };
  },

  async create(ctx, inputsIn) {
    const inputs = clean(inputsIn);
    const backend = await ctx.backend();
    const state = await apply(backend, inputs);
    return { id: `activation-${state.workload}`, outs: outputs(state, inputs, backend.name) };
  },

  async read(ctx, id, propsIn) {
    const props = clean(propsIn);
    const backend = await ctx.backend();
    // portal mode: the state cannot be read; what was declared stands
    const state = isPortal(props) ? declared(props) : stateOf(await backend.getActivation(), props.workloadId);
    const outs = outputs(state, props, backend.name);
    const inputs: WorkloadActivationInputs & { backend?: string } = {
      ...clean(props),
      active: state.active,
      ...(state.workload === "Mdo" ? { exchangeOnline: !!state.exchangeOnline } : {}),
    };
    delete inputs.backend;
    delete inputs.portalStep;
    return readResult(id, outs, props, inputs);
  },

  async update(ctx, _id, _olds, newsIn) {
    const news = clean(newsIn);
    const backend = await ctx.backend();
    const state = await apply(backend, news);
    return { outs: outputs(state, news, backend.name) };
  },

  async delete(ctx, _id, props) {
    if (!props.deactivateOnDelete || isPortal(props)) return; // retained: see the header comment
    const backend = await ctx.backend();
    await backend.setActivation({
      workload: props.workloadId,
      active: false,
      ...(props.workloadId === "Mdo" ? { exchangeOnline: false } : {}),
    });
  },
};
