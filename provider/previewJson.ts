/**
 * The output of `pulumi preview --json`, read in one place: its shape (steps with their old and new
 * states, diagnostics, the change summary), parsing it with one clear line when it is not a preview's
 * output, and what a step says of this package's resources (the resource name, the value the engine
 * writes for what is not known until apply, a role's permission keys). `defender-rbac review`
 * (cli/preview.ts) reads access from it; the GitOps comment and drift issue (gitops/preview.ts) read
 * changes from it.
 */

/** The value the Pulumi engine writes for a property not known until apply. */
export const UNKNOWN = "04da6b54-80e4-46f7-96ec-b56ff0331ba9";

export interface PreviewState {
  id?: string;
  urn?: string;
  type?: string;
  inputs?: Record<string, any>;
  outputs?: Record<string, any>;
  propertyDependencies?: Record<string, string[]>;
}

export interface PreviewStep {
  op: string;
  urn: string;
  type?: string;
  oldState?: PreviewState;
  newState?: PreviewState;
  diffReasons?: string[];
}

export interface PreviewDiagnostic {
  urn?: string;
  message: string;
  severity?: string;
}

export interface PreviewJson {
  steps?: PreviewStep[];
  diagnostics?: PreviewDiagnostic[];
  changeSummary?: Record<string, number>;
}

/**
 * Parses the JSON text of a preview; throws one line naming `source` and ending with `fix` (how to
 * write the file) when it is not JSON or has no steps. `summaryOnly` also accepts a preview that
 * reports only its change summary (one that failed before planning any step).
 */
export function parsePreviewJson(
  text: string,
  source: string,
  fix: string,
  opts: { summaryOnly?: boolean } = {},
): PreviewJson {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (e) {
    throw new Error(`${source} is not JSON (${(e as Error).message}); ${fix}`);
  }
  const doc = json && typeof json === "object" ? (json as Record<string, unknown>) : undefined;
  if (!doc || !(Array.isArray(doc.steps) || (opts.summaryOnly && "changeSummary" in doc)))
    throw new Error(`${source} has no "steps": ${fix}`);
  return doc as PreviewJson;
}

/** The Pulumi resource name: the last part of the URN. */
export function resourceName(urn: string): string {
  return urn.split("::").pop() ?? urn;
}

/** True for a value the preview knows (neither missing nor UNKNOWN). */
export const known = (v: unknown): boolean => v !== undefined && v !== null && v !== UNKNOWN;

/** A list of known strings, or undefined when it is not one (missing, unknown, or holding an unknown). */
export function knownStrings(v: unknown): string[] | undefined {
  return Array.isArray(v) && v.every((x) => typeof x === "string" && x !== UNKNOWN) ? (v as string[]) : undefined;
}

/**
 * A role's permission keys in a step's properties, when known: the keys of the `grants` map its check
 * computed (canonical key -> label), or, in a state written before grants, its `actions` list.
 */
export function roleKeys(props: Record<string, unknown> | undefined): string[] | undefined {
  const g = props?.grants;
  if (g && typeof g === "object" && !Array.isArray(g)) return known(g) ? Object.keys(g) : undefined;
  return knownStrings(props?.actions);
}
