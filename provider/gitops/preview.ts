/**
 * Reads the JSON that `pulumi preview --json` prints (also with `--refresh`) and says what changes, in
 * words, for this provider's resources: which permissions a role gains or loses, whose access an
 * assignment gives or takes, which workload turns on. Pure: no IO.
 *
 * For a drift check (`pulumi preview --refresh --expect-no-changes`), the old state is what the refresh
 * read from the tenant and the new inputs are what the program declares, so each change reads as "the
 * tenant has X; the program declares Y" and `pulumi up` would put the declared value back. The JSON
 * itself is read by previewJson.ts.
 */
import { keyLabel } from "../core/labels";
import { normalizeKeys } from "../core/normalise";
import { appScopeIdsToScope, canonicalAppScopes, principalSet } from "../core/scope";
import { PreviewDiagnostic, PreviewJson, parsePreviewJson, resourceName, roleKeys } from "../previewJson";
import { kindOf as resourceKind } from "../resources/shell";

/** One change of the preview, described. */
export interface Change {
  op: string;
  urn: string;
  /** The Pulumi resource name (last part of the URN). */
  name: string;
  /** UnifiedRole, RoleAssignment, ...; or the raw type of any other resource. */
  kind: string;
  /** Sentences saying what changes; empty for resources of other providers. */
  details: string[];
}

/** Steps that change nothing. */
const QUIET = new Set(["same", "read", "refresh"]);

/** Parses the JSON text; a clear error when it is not a preview's output. */
export function parsePreview(text: string, source = "the preview file"): PreviewJson {
  return parsePreviewJson(text, source, "write it with `pulumi preview --json > file`.", { summaryOnly: true });
}

function kindOf(type: string | undefined): string {
  return resourceKind(type) ?? type ?? "resource";
}

const list = (xs: string[]) => xs.map((x) => `"${x}"`).join(", ");

function added(before: string[], after: string[]): string[] {
  const b = new Set(before.map((x) => x.toLowerCase()));
  return after.filter((x) => !b.has(x.toLowerCase()));
}

function scopeWords(ids: string[] | undefined): string {
  const scope = appScopeIdsToScope(canonicalAppScopes(ids ?? []));
  if (scope.kind === "all") return "all data sources";
  if (scope.kind === "workloads") return `workloads ${scope.workloads.join(", ")}`;
  return [
    ...(scope.workloads?.length ? [`workloads ${scope.workloads.join(", ")}`] : []),
    scope.scopes.join(", "),
  ].join(" and ");
}

function keysOf(props: Record<string, any> | undefined): string[] | undefined {
  const keys = roleKeys(props);
  return keys ? normalizeKeys(keys) : undefined;
}

/**
 * How a change is told. `plan`: what applying the program does (a pull request's preview). `drift`:
 * the old state is the tenant as refreshed, so each difference is something changed in the tenant that
 * `pulumi up` would put back.
 */
export type Voice = "plan" | "drift";

/** One difference between what is there (before) and what the program declares (after). */
type Delta =
  | { field: "permissions" | "principals"; gained: string[]; lost: string[] }
  | { field: "scope" | "displayName" | "description"; from: string; to: string }
  | { field: "active"; to: boolean }
  | { field: "exchangeOnline"; to: boolean };

function roleDeltas(before: Record<string, any> | undefined, after: Record<string, any> | undefined): Delta[] {
  const out: Delta[] = [];
  const b = keysOf(before) ?? [];
  const a = keysOf(after);
  if (a) {
    const gained = added(b, a).map(keyLabel);
    const lost = added(a, b).map(keyLabel);
    if (gained.length || lost.length) out.push({ field: "permissions", gained, lost });
  }
  if (before && after?.displayName !== undefined && before.displayName !== after.displayName)
    out.push({ field: "displayName", from: String(before.displayName ?? ""), to: String(after.displayName) });
  if (before && after?.description !== undefined && (before.description ?? "") !== after.description)
    out.push({ field: "description", from: String(before.description ?? ""), to: String(after.description) });
  return out;
}

function assignmentDeltas(before: Record<string, any> | undefined, after: Record<string, any> | undefined): Delta[] {
  const out: Delta[] = [];
  const b = principalSet(before?.principals);
  if (Array.isArray(after?.principals)) {
    const a = principalSet(after!.principals);
    const gained = added(b, a);
    const lost = added(a, b);
    if (gained.length || lost.length) out.push({ field: "principals", gained, lost });
  }
  if (Array.isArray(after?.appScopeIds)) {
    const from = before ? scopeWords(before.appScopeIds) : "";
    const to = scopeWords(after!.appScopeIds);
    if (from !== to) out.push({ field: "scope", from, to });
  }
  if (before && after?.displayName !== undefined && before.displayName !== after.displayName)
    out.push({ field: "displayName", from: String(before.displayName ?? ""), to: String(after.displayName) });
  return out;
}

function activationDeltas(before: Record<string, any> | undefined, after: Record<string, any> | undefined): Delta[] {
  const out: Delta[] = [];
  if (!after) return out;
  const is = after.active !== false;
  if (!before || (before.active !== false) !== is) out.push({ field: "active", to: is });
  if (before && !!after.exchangeOnline !== !!before.exchangeOnline)
    out.push({ field: "exchangeOnline", to: !!after.exchangeOnline });
  return out;
}

function words(d: Delta, voice: Voice, created: boolean): string[] {
  const plan = voice === "plan";
  switch (d.field) {
    case "permissions":
      return [
        ...(d.gained.length
          ? [plan ? `grants ${list(d.gained)}` : `lost ${list(d.gained)} in the tenant (up grants it again)`]
          : []),
        ...(d.lost.length
          ? [plan ? `no longer grants ${list(d.lost)}` : `was given ${list(d.lost)} in the tenant (up removes it)`]
          : []),
      ];
    case "principals":
      return [
        ...(d.gained.length
          ? [
              plan
                ? `gives access to ${list(d.gained)}`
                : `${list(d.gained)} removed in the tenant (up gives access back)`,
            ]
          : []),
        ...(d.lost.length
          ? [plan ? `takes access from ${list(d.lost)}` : `${list(d.lost)} added in the tenant (up removes them)`]
          : []),
      ];
    case "scope":
      if (created) return [`over ${d.to}`];
      return [plan ? `scope ${d.from} becomes ${d.to}` : `scope changed to ${d.from} in the tenant (up sets ${d.to})`];
    case "displayName":
    case "description": {
      const what = d.field === "displayName" ? "name" : "description";
      return [
        plan
          ? `${what} "${d.from}" becomes "${d.to}"`
          : `${what} changed to "${d.from}" in the tenant (up sets "${d.to}")`,
      ];
    }
    case "active":
      if (plan || created) return [d.to ? "turns Unified RBAC on" : "turns Unified RBAC off"];
      return [d.to ? "turned off in the tenant (up turns it on again)" : "turned on in the tenant (up turns it off)"];
    case "exchangeOnline":
      if (plan) return [d.to ? "adds Exchange Online permissions" : "removes Exchange Online permissions"];
      return [
        d.to
          ? "Exchange Online permissions turned off in the tenant (up turns them on)"
          : "Exchange Online permissions turned on in the tenant (up turns them off)",
      ];
  }
}

/** The described changes of a preview (steps that change nothing are left out). */
export function changesOf(preview: PreviewJson, voice: Voice = "plan"): Change[] {
  const steps = preview.steps ?? [];
  const replaced = new Set(steps.filter((s) => s.op === "replace").map((s) => s.urn));
  const out: Change[] = [];
  for (const step of steps) {
    if (QUIET.has(step.op)) continue;
    // a replacement shows as replace, create-replacement and delete-replaced: tell it once
    if ((step.op === "create-replacement" || step.op === "delete-replaced") && replaced.has(step.urn)) continue;
    const type = step.newState?.type ?? step.oldState?.type ?? step.urn.split("::")[2];
    if (type === "pulumi:pulumi:Stack") continue;
    const kind = kindOf(type);
    // what is there now (state, or the tenant as refreshed) and what the program declares
    const created = step.op === "create";
    const before = created ? undefined : (step.oldState?.outputs ?? step.oldState?.inputs);
    const after = step.op === "delete" ? undefined : step.newState?.inputs;
    let deltas: Delta[] = [];
    if (kind === "UnifiedRole" || kind === "ImportedRole") deltas = roleDeltas(before, after);
    else if (kind === "RoleAssignment") deltas = assignmentDeltas(before, after);
    else if (kind === "WorkloadActivation") deltas = activationDeltas(before, after);
    let details = deltas.flatMap((d) => words(d, voice, created));
    if (voice === "drift" && created) details = ["deleted in the tenant (up creates it again)", ...details];
    if (step.op === "delete") {
      details = voice === "drift" ? ["in the stack's state but not in the program (up deletes it)"] : [];
      if (kind === "RoleAssignment" && before?.principals)
        details.push(`takes access from ${list(principalSet(before.principals))}`);
    }
    out.push({ op: step.op, urn: step.urn, name: resourceName(step.urn), kind, details });
  }
  return out;
}

/** Errors the preview reported (failed checks, policy violations, ...). */
export function errorsOf(preview: PreviewJson): PreviewDiagnostic[] {
  return (preview.diagnostics ?? []).filter((d) => d.severity === "error");
}

const VERB: Record<string, string> = {
  create: "create",
  update: "update",
  delete: "delete",
  replace: "replace",
  "create-replacement": "replace",
  "delete-replaced": "replace",
};

/** The change as one Markdown line. */
export function changeLine(c: Change): string {
  const what = `${VERB[c.op] ?? c.op} ${c.kind} \`${c.name}\``;
  return c.details.length ? `- **${what}**: ${c.details.join("; ")}` : `- **${what}**`;
}

/** A policy violation, from the engine's event log (`pulumi preview --event-log <file>`). */
export interface PolicyViolation {
  policy: string;
  pack: string;
  /** "mandatory" fails the preview; "advisory" only reports. */
  level: "mandatory" | "advisory";
  urn?: string;
  message: string;
}

/**
 * The policy violations of an event log (one JSON event a line). `pulumi preview --json` leaves them out of
 * its output (it reports only "preview failed"), so the workflows also write the event log.
 */
export function policyViolationsOf(eventLog: string): PolicyViolation[] {
  const out: PolicyViolation[] = [];
  for (const line of eventLog.split("\n")) {
    if (!line.trim()) continue;
    let e: any;
    try {
      e = JSON.parse(line);
    } catch {
      continue; // a line cut by a crash: the rest still counts
    }
    const p = e?.policyEvent;
    if (!p || typeof p.policyName !== "string") continue;
    // the engine sends the policy's description, then the violation's own message
    const lines = String(p.message ?? "")
      .split("\n")
      .map((l: string) => l.trim())
      .filter(Boolean);
    out.push({
      policy: p.policyName,
      pack: p.policyPackName ?? "",
      level: p.enforcementLevel === "mandatory" ? "mandatory" : "advisory",
      urn: p.resourceUrn || undefined,
      message: lines.at(-1) ?? "",
    });
  }
  const seen = new Set<string>();
  return out.filter((v) => {
    const key = `${v.policy}|${v.urn}|${v.message}`;
    return seen.has(key) ? false : (seen.add(key), true);
  });
}
