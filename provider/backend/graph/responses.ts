/**
 * Reading Graph JSON into the backend's records (the "state" half of the Terraform provider's
 * construct/state split). Parsing is tolerant: real responses carry more fields than the documented
 * examples (docs/graph-api.md), unknown fields are ignored, missing optional ones take their documented
 * defaults, and `@odata.context` is never trusted (the beta example says v1.0).
 */
import type { DirectoryObject } from "../../core/directory";
import type { AssignmentRecord, CatalogueAction, RoleRecord } from "../backend";
import { splitMarker } from "../../core/ownership";

type Json = Record<string, unknown>;

const isObject = (v: unknown): v is Json => !!v && typeof v === "object" && !Array.isArray(v);
const str = (v: unknown): string | undefined => (typeof v === "string" ? v : undefined);
const strings = (v: unknown): string[] => (Array.isArray(v) ? v.filter((x): x is string => typeof x === "string") : []);

export class UnexpectedResponseError extends Error {
  constructor(what: string, got: unknown) {
    super(`Microsoft Graph returned an unexpected ${what}: ${describe(got)}`);
    this.name = "UnexpectedResponseError";
  }
}

function describe(v: unknown): string {
  if (v === undefined) return "an empty body";
  if (typeof v === "string") return `text "${v.slice(0, 120)}"`;
  if (isObject(v)) return `an object with ${Object.keys(v).slice(0, 8).join(", ") || "no fields"}`;
  return typeof v;
}

/** The `value` array of a collection page (an empty page when absent). */
export function valuesOf(body: unknown): unknown[] {
  if (!isObject(body)) throw new UnexpectedResponseError("collection", body);
  const v = body.value;
  if (v === undefined || v === null) return [];
  if (!Array.isArray(v)) throw new UnexpectedResponseError("collection (value is not a list)", body);
  return v;
}

export function nextLinkOf(body: unknown): string | undefined {
  return isObject(body) ? str(body["@odata.nextLink"]) || undefined : undefined;
}

/**
 * A unifiedRoleDefinition → RoleRecord. Every `rolePermissions` entry's `allowedResourceActions` are
 * flattened into one list (community readers do the same; writers send one entry), de-duplicated
 * case-insensitively in their first spelling. `excludedResourceActions` is "not yet supported" and
 * ignored. Graph has no "imported" marker, so `imported` is always null here.
 */
export function readRole(body: unknown): RoleRecord {
  if (!isObject(body) || typeof body.id !== "string" || body.id === "")
    throw new UnexpectedResponseError("role definition", body);
  const seen = new Set<string>();
  const actions: string[] = [];
  const perms = Array.isArray(body.rolePermissions)
    ? body.rolePermissions
    : isObject(body.rolePermissions)
      ? [body.rolePermissions]
      : [];
  for (const p of perms) {
    if (!isObject(p)) continue;
    for (const a of strings(p.allowedResourceActions)) {
      const k = a.trim().toLowerCase();
      if (k && !seen.has(k)) {
        seen.add(k);
        actions.push(a.trim());
      }
    }
  }
  const { description, managedBy } = splitMarker(str(body.description));
  return {
    id: body.id,
    displayName: str(body.displayName) ?? "",
    description,
    isBuiltIn: body.isBuiltIn === true,
    actions,
    imported: null,
    managedBy,
  };
}

/**
 * A unifiedRoleAssignmentMultiple → AssignmentRecord. An empty `directoryScopeIds` means the tenant
 * ("/"), as EntraOps reads it; an empty `appScopeIds` stays empty (core/scope canonicalises it to "/").
 */
export function readAssignment(body: unknown): AssignmentRecord {
  if (!isObject(body) || typeof body.id !== "string" || body.id === "")
    throw new UnexpectedResponseError("role assignment", body);
  const dirs = strings(body.directoryScopeIds);
  const { description, managedBy } = splitMarker(str(body.description));
  return {
    id: body.id,
    displayName: str(body.displayName) ?? "",
    description,
    managedBy,
    roleDefinitionId:
      str(body.roleDefinitionId) ?? (isObject(body.roleDefinition) ? (str(body.roleDefinition.id) ?? "") : ""),
    principalIds: strings(body.principalIds),
    appScopeIds: strings(body.appScopeIds),
    directoryScopeIds: dirs.length ? dirs : ["/"],
  };
}

/**
 * resourceNamespaces?$expand=resourceActions → the tenant's catalogue. Defender puts the action string
 * in `id` and display text in `name`, the reverse of the documentation (docs/graph-api.md, measured), so
 * the action is `id` when it contains "/", else `name`; the display text is the other field when that
 * one is readable text, and the description otherwise.
 */
export function readCatalogue(namespaces: unknown[]): CatalogueAction[] {
  const out = new Map<string, CatalogueAction>();
  for (const ns of namespaces) {
    if (!isObject(ns)) continue;
    const actions = Array.isArray(ns.resourceActions) ? ns.resourceActions : [];
    for (const a of actions) {
      const parsed = readResourceAction(a);
      if (parsed && !out.has(parsed.action.toLowerCase())) out.set(parsed.action.toLowerCase(), parsed);
    }
  }
  return [...out.values()];
}

export function readResourceAction(a: unknown): CatalogueAction | undefined {
  if (!isObject(a)) return undefined;
  const id = str(a.id)?.trim() ?? "";
  const name = str(a.name)?.trim() ?? "";
  const description = str(a.description)?.trim() || undefined;
  let action: string;
  let other: string;
  if (id.includes("/")) [action, other] = [id, name];
  else if (name.includes("/"))
    [action, other] = [name, ""]; // documented shape: id is a dashed key, not display text
  else return undefined;
  const displayName =
    other && !other.includes("/") && other.toLowerCase() !== action.toLowerCase() ? other : description;
  return { action, ...(displayName ? { displayName } : {}), ...(description ? { description } : {}) };
}

export interface CustomAppScopeRecord {
  id: string;
  type: string;
  displayName: string;
  description: string;
}

/** A customAppScope (device groups and the like; read-only for Defender). customAttributes is ignored: docs and example disagree on its type. */
export function readCustomAppScope(body: unknown): CustomAppScopeRecord {
  if (!isObject(body) || typeof body.id !== "string") throw new UnexpectedResponseError("custom app scope", body);
  return {
    id: body.id,
    type: str(body.type) ?? "",
    displayName: str(body.displayName) ?? "",
    description: str(body.description) ?? "",
  };
}

export interface GroupRecord {
  id: string;
  displayName: string;
}

export function readGroup(body: unknown): GroupRecord | undefined {
  if (!isObject(body) || typeof body.id !== "string") return undefined;
  return { id: body.id, displayName: str(body.displayName) ?? "" };
}

/**
 * A user or group (`@odata.type` #microsoft.graph.user / .group, or `kind` when the collection says);
 * undefined for other directory objects (service principals, devices) and unreadable bodies.
 */
export function readDirectoryObject(body: unknown, kind?: "user" | "group"): DirectoryObject | undefined {
  if (!isObject(body) || typeof body.id !== "string") return undefined;
  const t = str(body["@odata.type"])?.toLowerCase();
  const k = t === "#microsoft.graph.user" ? "user" : t === "#microsoft.graph.group" ? "group" : t ? undefined : kind;
  if (!k) return undefined;
  const upn = str(body.userPrincipalName);
  return {
    id: body.id.toLowerCase(),
    kind: k,
    displayName: str(body.displayName) ?? body.id,
    ...(k === "user" && upn ? { userPrincipalName: upn } : {}),
  };
}

/** An Entra role assignment: the principal (expanded) holding the role. */
export function readEntraRoleAssignment(
  body: unknown,
): { principalId: string; principal?: DirectoryObject } | undefined {
  if (!isObject(body) || typeof body.principalId !== "string") return undefined;
  return { principalId: body.principalId.toLowerCase(), principal: readDirectoryObject(body.principal) };
}

/** Object ids of a group's members (users, groups, service principals alike). */
export function readMemberIds(values: unknown[]): string[] {
  return values
    .filter(isObject)
    .map((m) => str(m.id))
    .filter((x): x is string => !!x);
}

export interface GraphErrorBody {
  code?: string;
  message?: string;
  requestId?: string;
  clientRequestId?: string;
  date?: string;
}

/** The standard Graph error envelope (docs/graph-api.md), with header fallbacks for the ids. */
export function readGraphError(body: unknown, headers?: Headers): GraphErrorBody {
  const e = isObject(body) && isObject(body.error) ? body.error : undefined;
  const inner = e && (isObject(e.innerError) ? e.innerError : isObject(e.innererror) ? e.innererror : undefined);
  return {
    code: (e && str(e.code)) || undefined,
    message: (e && str(e.message)) || undefined,
    requestId: (inner && str(inner["request-id"])) || headers?.get("request-id") || undefined,
    clientRequestId: (inner && str(inner["client-request-id"])) || headers?.get("client-request-id") || undefined,
    date: (inner && str(inner.date)) || headers?.get("date") || undefined,
  };
}
