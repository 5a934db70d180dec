/**
 * What every resource handler shares: the context (backend access), the preview sentinel, failures
 * from issues and zod errors, and stripping of the serialized provider from everything stored.
 */
import type { z } from "zod";
import type { Backend } from "../backend/backend";
import { Issue, formatPath } from "../core/errors";

/** The value an unknown input has during preview, whatever its declared type (runtime/rpc.ts). */
export const UNKNOWN = "04da6b54-80e4-46f7-96ec-b56ff0331ba9";

export type Props = Record<string, any>;

export interface CheckFailure {
  property: string;
  reason: string;
}
export interface CheckResult {
  inputs?: Props;
  failures?: CheckFailure[];
}
export interface DiffResult {
  changes?: boolean;
  replaces?: string[];
  deleteBeforeReplace?: boolean;
}
export interface CreateResult {
  id: string;
  outs: Props;
}
export interface ReadResult {
  id: string;
  props?: Props;
  inputs?: Props;
}
export interface UpdateResult {
  outs: Props;
}

export interface HandlerContext {
  backend(): Promise<Backend>;
}

export interface ResourceHandler {
  check(ctx: HandlerContext, olds: Props, news: Props): Promise<CheckResult>;
  diff(ctx: HandlerContext, id: string, olds: Props, news: Props): Promise<DiffResult>;
  create(ctx: HandlerContext, inputs: Props): Promise<CreateResult>;
  read(ctx: HandlerContext, id: string, props: Props): Promise<ReadResult>;
  update(ctx: HandlerContext, id: string, olds: Props, news: Props): Promise<UpdateResult>;
  delete(ctx: HandlerContext, id: string, props: Props): Promise<void>;
}

/** True when a value is, or contains, the preview sentinel. Compares whole values only. */
export function isUnknown(v: unknown): boolean {
  if (v === UNKNOWN) return true;
  if (Array.isArray(v)) return v.some(isUnknown);
  if (v && typeof v === "object") return Object.values(v).some(isUnknown);
  return false;
}

/** Removes `__provider` and undefined values: nothing the provider stores may carry the serialized code. */
export function clean(props: Props | undefined): Props {
  const out: Props = {};
  for (const [k, v] of Object.entries(props ?? {})) if (k !== "__provider" && v !== undefined) out[k] = v;
  return out;
}

export function failuresFromIssues(issues: Issue[]): CheckFailure[] {
  return issues.map((i) => ({
    property: formatPath(i.path),
    reason:
      i.suggestions && i.suggestions.length
        ? `${i.message} Did you mean: ${i.suggestions.map((s) => `"${s}"`).join(", ")}?`
        : i.message,
  }));
}

export function failuresFromZod(error: z.ZodError): CheckFailure[] {
  return error.issues.map((i) => ({ property: formatPath(i.path as (string | number)[]), reason: i.message }));
}

/**
 * Validates the known part of `news` with `schema` (a zod object): inputs that are unknown in preview
 * are left out of validation, as are the keys in `computed` (outputs of check).
 */
export function validateKnown<S extends z.ZodObject>(
  schema: S,
  news: Props,
): { data: Props; failures: CheckFailure[]; unknown: Set<string> } {
  const unknown = new Set(Object.keys(news).filter((k) => isUnknown(news[k])));
  const mask = Object.fromEntries([...unknown].filter((k) => k in schema.shape).map((k) => [k, true]));
  const s = Object.keys(mask).length ? schema.omit(mask as never) : schema;
  const known = Object.fromEntries(Object.entries(news).filter(([k]) => !unknown.has(k) && k in schema.shape));
  const r = s.safeParse(known);
  if (r.success) return { data: r.data as Props, failures: [], unknown };
  return { data: known, failures: failuresFromZod(r.error), unknown };
}

/**
 * A create that made its object but failed a later step: the dynamic-provider server turns an error
 * carrying `id` into ErrorResourceInitFailed, so the engine records the object (nothing is orphaned)
 * and the next `up` finishes the job through update.
 */
export class PartialCreateError extends Error {
  constructor(
    readonly id: string,
    readonly properties: Props,
    cause: unknown,
  ) {
    super(
      `created ${id}, but a later step failed: ${(cause as Error)?.message ?? String(cause)}. Run \`pulumi up\` again to finish it.`,
    );
    this.name = "PartialCreateError";
  }
  get reasons(): string[] {
    return [this.message];
  }
}

/** An Error whose message lists issues, for create/update/delete (after check passed). */
export function issuesError(issues: Issue[]): Error {
  return new Error(
    failuresFromIssues(issues)
      .map((f) => (f.property ? `${f.property}: ${f.reason}` : f.reason))
      .join("\n"),
  );
}

/** Failure text for a backend that lacks a capability. */
export function unsupportedFailure(property: string, backend: Backend, what: string, note?: string): CheckFailure {
  return { property, reason: `the "${backend.name}" backend cannot ${what}${note ? `: ${note}` : "."}` };
}
