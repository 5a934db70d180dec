/**
 * What every resource handler shares: the context (backend access), the preview sentinel, failures
 * from issues and zod errors, and stripping of the serialized provider from everything stored.
 */
import { isDeepStrictEqual } from "node:util";
import type { z } from "zod";
import type {
  CheckFailure,
  CheckResult,
  CreateResult,
  DiffResult,
  ReadResult,
  ResourceProvider,
  UpdateResult,
} from "@pulumi/pulumi/dynamic";
import type { Backend } from "../backend/backend";
import { Issue, formatPath, Refusal } from "../core/errors";

/** The value an unknown input has during preview, whatever its declared type (runtime/rpc.ts). */
export const UNKNOWN = "04da6b54-80e4-46f7-96ec-b56ff0331ba9";

/** Property values as the engine passes them in: untyped until a handler's schema has read them. */
export type Raw = Record<string, unknown>;

export type { CheckFailure, CheckResult, CreateResult, DiffResult, ReadResult, UpdateResult };

export interface HandlerContext {
  backend(): Promise<Backend>;
  /** The stack's `defender-rbac:*` settings (e.g. `allowLockout`); absent in contexts that have none. */
  settings?(): Record<string, string>;
}

type Method = "check" | "diff" | "create" | "update" | "delete";
type WithContext<F> = F extends (...args: infer A) => infer R
  ? (ctx: HandlerContext, ...args: Required<A>) => R
  : never;

/**
 * A resource kind's provider methods: the SDK's dynamic `ResourceProvider`, every method present, each
 * taking the handler context first (engine.ts passes it; the serialized shell never holds a backend).
 */
export type ResourceHandler<Inputs = Raw, Outputs = Raw> = {
  [K in Method]-?: WithContext<NonNullable<ResourceProvider<Inputs, Outputs>[K]>>;
} & {
  /** The SDK types read's `inputs` as Outputs; they are the inputs the next diff compares against. */
  read(
    ctx: HandlerContext,
    id: string,
    props: Outputs,
  ): Promise<Omit<ReadResult<Outputs>, "inputs"> & { inputs?: Inputs }>;
};

/**
 * The one adopt rule of diff: naming a different object to adopt than the one this resource already is
 * replaces the resource (an unknown adopt in preview changes nothing until it is known).
 */
export function adoptReplaces(id: string, olds: { adopt?: string }, news: { adopt?: string }): string[] {
  return news.adopt !== undefined && news.adopt !== UNKNOWN && news.adopt !== id && news.adopt !== olds.adopt
    ? ["adopt"]
    : [];
}

/**
 * Role ids this provider process has seen exist on a backend (created, adopted, updated or read by a
 * role handler, or found by RoleAssignment.check), so that checking an assignment's roleId does not
 * read the role again within the run; a delete forgets the id. Keyed by backend instance, so a new
 * configuration starts empty.
 */
const knownRoles = new WeakMap<Backend, Set<string>>();
export function rolesKnownOn(backend: Backend): Set<string> {
  let ids = knownRoles.get(backend);
  if (!ids) knownRoles.set(backend, (ids = new Set()));
  return ids;
}

/**
 * The permission keys of the roles this provider process has written or read on a backend (by id, lower
 * case), so that an assignment's check names what its role grants without reading the role again.
 */
const roleKeys = new WeakMap<Backend, Map<string, string[]>>();
export function roleKeysKnownOn(backend: Backend): Map<string, string[]> {
  let m = roleKeys.get(backend);
  if (!m) roleKeys.set(backend, (m = new Map()));
  return m;
}

/** Notes that role `record` exists on `backend` with its permission keys (rolesKnownOn, roleKeysKnownOn). */
export function noteRole(backend: Backend, record: { id: string; actions: string[] }): void {
  rolesKnownOn(backend).add(record.id);
  roleKeysKnownOn(backend).set(record.id.toLowerCase(), record.actions);
}

/** Forgets a deleted role. */
export function forgetRole(backend: Backend, id: string): void {
  rolesKnownOn(backend).delete(id);
  roleKeysKnownOn(backend).delete(id.toLowerCase());
}

/** True when a value is, or contains, the preview sentinel. Compares whole values only. */
export function isUnknown(v: unknown): boolean {
  if (v === UNKNOWN) return true;
  if (Array.isArray(v)) return v.some(isUnknown);
  if (v && typeof v === "object") return Object.values(v).some(isUnknown);
  return false;
}

/** A copy of `o` without `keys`. */
export function omit<T extends object, K extends keyof T>(o: T, keys: readonly K[]): Omit<T, K> {
  const out = { ...o };
  for (const k of keys) delete out[k];
  return out;
}

/** True when a value is the preview sentinel itself (not a list or object holding it). */
export function isSentinel(v: unknown): boolean {
  return v === UNKNOWN;
}

/** Removes `__provider` and undefined values: nothing the provider stores may carry the serialized code. */
export function clean<T extends object>(props: T | undefined): T {
  const out: Raw = {};
  for (const [k, v] of Object.entries(props ?? {})) if (k !== "__provider" && v !== undefined) out[k] = v;
  return out as T;
}

/**
 * What a read returns: the properties read back, and the inputs the next diff starts from only when the
 * read-back differs from the prior outputs (drift, or a field the prior outputs had and the read-back has
 * not). Without drift the engine keeps the stack's inputs as they are (Pulumi's refresh does that when a
 * provider returns no inputs), so a refresh sends the engine no second copy of each resource's inputs,
 * with the serialized provider the SDK adds to them: that copy was most of what a refresh of an unchanged
 * stack serialized.
 */
export function readResult<P extends object, I>(
  id: string,
  props: P,
  priorProps: object,
  inputs: I,
): { id: string; props: P; inputs?: I } {
  const now = props as Raw;
  const prior = priorProps as Raw;
  const drifted =
    Object.entries(now).some(([k, v]) => v !== undefined && !isDeepStrictEqual(v, prior[k])) ||
    Object.keys(prior).some((k) => k !== "__provider" && prior[k] !== undefined && now[k] === undefined);
  return drifted ? { id, props, inputs } : { id, props };
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

/** `schema` without some keys, built once per schema and key set (zod compiles each schema it builds). */
const omits = new WeakMap<z.ZodObject, Map<string, z.ZodObject>>();
function omitting(schema: z.ZodObject, keys: string[]): z.ZodObject {
  let bySet = omits.get(schema);
  if (!bySet) omits.set(schema, (bySet = new Map()));
  const id = keys.join("\0");
  let s = bySet.get(id);
  if (!s) bySet.set(id, (s = schema.omit(Object.fromEntries(keys.map((k) => [k, true])) as never)));
  return s;
}

/**
 * Validates the known part of `news` with `schema` (a zod object): inputs that are unknown in preview
 * are left out of validation, as are the keys in `computed` (outputs of check).
 */
export function validateKnown<S extends z.ZodObject>(
  schema: S,
  news: Raw,
): { data: Partial<z.infer<S>>; failures: CheckFailure[]; unknown: Set<string> } {
  const unknown = new Set(Object.keys(news).filter((k) => isUnknown(news[k])));
  const omitted = [...unknown].filter((k) => k in schema.shape).sort();
  const s = omitted.length ? omitting(schema, omitted) : schema;
  const known = Object.fromEntries(Object.entries(news).filter(([k]) => !unknown.has(k) && k in schema.shape));
  const r = s.safeParse(known);
  if (r.success) return { data: r.data as unknown as Partial<z.infer<S>>, failures: [], unknown };
  return { data: known as unknown as Partial<z.infer<S>>, failures: failuresFromZod(r.error), unknown };
}

/**
 * A create that made its object but failed a later step: the dynamic-provider server turns an error
 * carrying `id` into ErrorResourceInitFailed, so the engine records the object (nothing is orphaned)
 * and the next `up` finishes the job through update.
 */
export class PartialCreateError extends Error {
  constructor(
    readonly id: string,
    readonly properties: object,
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

/** The one failure for adopting an id the tenant does not hold, whatever the resource kind: check reports it. */
export function adoptMissingFailure(
  what: "role" | "role assignment",
  id: string,
  backend: Backend,
  instead: string,
): CheckFailure {
  return {
    property: "adopt",
    reason: `no ${what} with id "${id}" exists in the ${backend.name} tenant; remove adopt to ${instead}.`,
  };
}

/** The same failure thrown by create, when the tenant changed since check. */
export function adoptMissing(what: "role" | "role assignment", id: string, backend: Backend, instead: string): Error {
  return issueOf(adoptMissingFailure(what, id, backend, instead));
}

/** A check failure as an error for create (after preview passed but the tenant changed since). */
export function issueOf(f: CheckFailure): Error {
  return new Refusal(`${f.property ? `${f.property}: ` : ""}${f.reason}`);
}

/**
 * Refuses control characters (C0, DEL and C1; tab, line feed and carriage return too unless `lines`)
 * in a name or description: the stores keep such text truncated or altered (a NUL ends a string), so
 * the resource would never match what the program declares and every preview would show a change.
 * For zod's superRefine.
 */
export function plainText(field: string, lines = false) {
  const bad = lines ? /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f]/ : /[\u0000-\u001f\u007f-\u009f]/;
  return (value: string, ctx: z.RefinementCtx): void => {
    const m = bad.exec(value);
    if (m)
      ctx.addIssue({
        code: "custom",
        message: `${field} must not contain control characters (U+${m[0].charCodeAt(0).toString(16).toUpperCase().padStart(4, "0")} at position ${m.index}); remove it.`,
      });
  };
}

/** An Error whose message lists issues, for create/update/delete (after check passed). */
export function issuesError(issues: Issue[]): Error {
  return new Refusal(
    failuresFromIssues(issues)
      .map((f) => (f.property ? `${f.property}: ${f.reason}` : f.reason))
      .join("\n"),
  );
}

/** The backend a message names: the one this backend reproduces in parity mode, else itself. */
export function tenantName(backend: Backend): string {
  return backend.capabilities().behavesAs ?? backend.name;
}

/** Failure text for a backend that lacks a capability. */
export function unsupportedFailure(property: string, backend: Backend, what: string, note?: string): CheckFailure {
  return { property, reason: `the "${tenantName(backend)}" backend cannot ${what}${note ? `: ${note}` : "."}` };
}
