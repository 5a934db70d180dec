/**
 * A recorded catalogue: a tenant's permission catalogue (Graph resourceNamespaces?$expand=resourceActions)
 * written down so the rest can replay it offline. `defender-rbac catalog --backend graph --json` writes
 * one; `defender-rbac emulator --catalogue FILE` serves one; the local backend's parity mode
 * (`defender-rbac:parity`) resolves and refuses against one exactly as the graph backend does against
 * the live tenant. Reading the file is the caller's business; the hash needs node:crypto, hence not in core.
 *
 * Shape (JSON): { format, backend, recordedAt, source?, sha256, actions: [{ action, displayName?,
 * description?, isPrivileged?, shipped? }] }. `sha256` covers the sorted actions and their texts, so a
 * replay says which catalogue it used and an edited file is noticed (docs/real-tenant.md).
 *
 * Also here: the catalogue a tenant would show if it listed exactly the strings the shipped catalogue
 * gives (published atoms, wildcards, other strings seen in sources): what the emulator serves without
 * a recorded catalogue, and what parity mode assumes without one. It never invents a string.
 */
import { createHash } from "node:crypto";
import {
  ATOMS,
  CATEGORIES,
  KNOWN_ACTIONS,
  WILDCARDS,
  getCategory,
  getGroup,
  isPrivilegedAction,
} from "../core/catalogue";
import { atomLabel } from "../core/labels";

export const RECORDED_FORMAT = "defender-rbac.recorded-catalogue/v1";

export interface RecordedAction {
  action: string;
  displayName?: string;
  description?: string;
  isPrivileged?: boolean;
}

export interface RecordedCatalogue {
  format: typeof RECORDED_FORMAT;
  backend: string;
  recordedAt: string;
  /** Where it was read from (a Graph root, a file, "shipped catalogue"). */
  source?: string;
  sha256: string;
  actions: (RecordedAction & Record<string, unknown>)[];
}

/** Hash of the actions (sorted, lower-cased) and their display texts. */
export function catalogueHash(actions: readonly RecordedAction[]): string {
  const rows = actions
    .map((a) => [a.action.toLowerCase(), a.displayName ?? "", a.description ?? ""])
    .sort((x, y) => (x[0] < y[0] ? -1 : x[0] > y[0] ? 1 : 0));
  return createHash("sha256").update(JSON.stringify(rows)).digest("hex");
}

/** Records a catalogue read from a tenant. */
export function recordCatalogue(
  actions: readonly (RecordedAction & Record<string, unknown>)[],
  meta: { backend: string; source?: string; recordedAt?: Date },
): RecordedCatalogue {
  return {
    format: RECORDED_FORMAT,
    backend: meta.backend,
    recordedAt: (meta.recordedAt ?? new Date()).toISOString(),
    ...(meta.source ? { source: meta.source } : {}),
    sha256: catalogueHash(actions),
    actions: actions.map((a) => ({ ...a })),
  };
}

/**
 * Reads a recorded catalogue back. Throws one line naming the file and what is wrong: a file that is
 * not a recorded catalogue, an action without a Graph action string, or a hash that no longer matches.
 */
export function parseRecordedCatalogue(text: string, file: string): RecordedCatalogue {
  const bad = (what: string) =>
    new Error(
      `${file} is not a usable recorded catalogue: ${what}. Record one with \`defender-rbac catalog --backend graph --json > ${file}\`.`,
    );
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch (e) {
    throw bad(`it is not JSON (${(e as Error).message})`);
  }
  if (!doc || typeof doc !== "object" || Array.isArray(doc)) throw bad("it is not a JSON object");
  const d = doc as Record<string, unknown>;
  if (d.format !== RECORDED_FORMAT) throw bad(`"format" must be "${RECORDED_FORMAT}"`);
  if (!Array.isArray(d.actions) || d.actions.length === 0) throw bad('"actions" must be a non-empty list');
  const actions: (RecordedAction & Record<string, unknown>)[] = [];
  d.actions.forEach((a, i) => {
    const r = a as Record<string, unknown>;
    if (!r || typeof r !== "object" || typeof r.action !== "string" || !/^microsoft\.xdr\/\S+$/i.test(r.action))
      throw bad(`actions[${i}].action must be a microsoft.xdr/… action string`);
    for (const k of ["displayName", "description"])
      if (r[k] !== undefined && r[k] !== null && typeof r[k] !== "string") throw bad(`actions[${i}].${k} must be text`);
    actions.push({
      ...r,
      action: r.action,
      ...(typeof r.displayName === "string" ? { displayName: r.displayName } : { displayName: undefined }),
      ...(typeof r.description === "string" ? { description: r.description } : { description: undefined }),
    });
  });
  for (const a of actions) {
    if (a.displayName === undefined) delete a.displayName;
    if (a.description === undefined) delete a.description;
  }
  const sha256 = catalogueHash(actions);
  if (typeof d.sha256 !== "string" || d.sha256 !== sha256)
    throw bad(`"sha256" does not match its actions (expected ${sha256}); it was edited after recording`);
  return {
    format: RECORDED_FORMAT,
    backend: typeof d.backend === "string" ? d.backend : "graph",
    recordedAt: typeof d.recordedAt === "string" ? d.recordedAt : "",
    ...(typeof d.source === "string" ? { source: d.source } : {}),
    sha256,
    actions,
  };
}

/**
 * The shipped catalogue's strings as a tenant would list them, with Defender's display text
 * (docs/graph-api.md): every published atom under its readable label, every wildcard, and
 * the other literal strings the sources show under plain text derived from their path (never the
 * provenance notes, which mention other permissions' names).
 */
export function shippedTenantCatalogue(): Required<RecordedAction>[] {
  const out = new Map<string, Required<RecordedAction>>();
  for (const a of ATOMS)
    if (a.info.action)
      out.set(a.info.action.toLowerCase(), {
        action: a.info.action,
        displayName: atomLabel(a),
        description: atomLabel(a),
        isPrivileged: isPrivilegedAction(a.info.action),
      });
  for (const w of WILDCARDS) {
    const where = [getCategory(w.category).name, ...(w.group ? [getGroup(w.group)!.name] : [])].join(" \\ ");
    out.set(w.action.toLowerCase(), {
      action: w.action,
      displayName: `${where} - ${w.label}`,
      description: `${where} - ${w.label}`,
      isPrivileged: isPrivilegedAction(w.action),
    });
  }
  for (const k of KNOWN_ACTIONS) {
    if (out.has(k.action.toLowerCase())) continue;
    const [, category, ...rest] = k.action.split("/");
    const verb = rest.pop();
    const cat = CATEGORIES.find((c) => c.id === category)?.name ?? category;
    const name = `${cat}${rest.length ? ` - ${rest.join(" ")}` : ""} (${verb})`;
    out.set(k.action.toLowerCase(), {
      action: k.action,
      displayName: name,
      description: name,
      isPrivileged: isPrivilegedAction(k.action),
    });
  }
  return [...out.values()];
}
