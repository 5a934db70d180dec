/**
 * A faithful local emulator of Microsoft Graph beta /roleManagement/defender, served on 127.0.0.1 from
 * the local tenant store (backend/store.ts). It answers what the reference documents and what has been
 * measured on live tenants (shared/reference/defender-urbac.md §2.3–§5), so the graph backend, the
 * provider and `defender-rbac export` can be tested end to end without a tenant.
 *
 * Surface (paths under /beta/roleManagement/defender):
 *   roleDefinitions     GET list / GET {id} / POST (201) / PATCH {id} (204, or 200 + entity) / DELETE {id} (204)
 *   roleAssignments     the same
 *   resourceNamespaces  GET list (`$expand=resourceActions` adds the actions) / GET {ns};
 *                       GET {ns}/resourceActions answers 404, as measured on Defender
 *   customAppScopes     GET list / GET {id}: a small read-only sample (device groups, user groups)
 *   the bare container → 404; any /v1.0/roleManagement/defender path → 400 (beta only, measured)
 *   /v1.0/groups (+ /{id}/members): the Defender for Identity role groups ("Azure ATP …") of the store
 * Query options: $filter (odata.ts), $select, $top, $count, $skiptoken paging with @odata.nextLink
 * (default page size 3, so every client pages).
 *
 * Behaviour that mirrors the service:
 *   - action strings are checked against the shipped catalogue (known strings and wildcards); unknown
 *     strings and local `urn:defender-rbac:` keys are answered 400; stored sets are pruned like the
 *     service prunes them (normalizeKeys: a wildcard swallows what it covers);
 *   - display names are not unique (two POSTs make two roles);
 *   - with `strict`, an assignment POST carrying `@odata.type` gets the measured 400
 *     "The input was not valid. roleAssignment: The roleAssignment field is required.";
 *   - with `rejectDataops`, dataops actions get the measured 400 "… is not a valid permission for storage";
 *   - with `inactive`, roleDefinitions and roleAssignments answer 403, as before Unified RBAC is activated;
 *   - every error is the Graph envelope { error: { code, message, innerError: { date, request-id, client-request-id } } }.
 * Choices of the emulator where the service's behaviour is NOT FOUND (reference §12):
 *   - PATCH or DELETE of a built-in role: 403 Forbidden "Built-in role definitions cannot be modified or deleted."
 *   - deleting a role deletes its assignments (as the local store does);
 *   - an assignment naming a role that does not exist: 400 BadRequest;
 *   - string $filter comparisons ignore case; customAppScopes writes: 405.
 * Built-in roles of the local store may hold local keys for permissions with no published action
 * string; those keys are never shown over Graph (they are not Graph strings).
 *
 * Authentication: any non-empty `Authorization: Bearer …` is accepted; anything else is 401.
 * Fault injection (faults.ts) is set at start and at run time through POST /_emulator/faults.
 * Control endpoints (no auth, no faults): GET /_emulator/health, GET|POST /_emulator/faults,
 * GET|POST /_emulator/options, GET /_emulator/stats.
 */
import * as http from "node:http";
import type { AddressInfo } from "node:net";
import { createHash, randomUUID } from "node:crypto";
import type { AssignmentRecord, RoleRecord } from "../backend/backend";
import { BuiltInRoleError, NotFoundError, TenantStore } from "../backend/store";
import {
  ATOMS,
  CATEGORIES,
  KNOWN_ACTIONS,
  WILDCARDS,
  atomLabel,
  getCategory,
  getGroup,
  isPrivilegedAction,
  isUnpublishedKey,
  knownActionStrings,
} from "../core/catalogue";
import { normalizeKeys } from "../core/normalise";
import { WORKLOAD_APP_SCOPE, isGuid } from "../core/scope";
import { FaultEngine, FaultSpec, FaultStats } from "./faults";
import { FilterError, compileFilter } from "./odata";
import { SeedData, applySeed, readSeedFile } from "./seed";

export interface EmulatorBehaviour {
  /** Default page size of every collection (default 3). */
  pageSize: number;
  /** What a successful PATCH answers: 204 (Graph convention, default), 200 with the entity, or alternately. */
  patchResponse: "204" | "200" | "alternate";
  /** Reject `@odata.type` on assignment POST with the measured 400. */
  strict: boolean;
  /** Answer dataops actions with the measured 400 "… is not a valid permission for storage". */
  rejectDataops: boolean;
  /** A tenant where Unified RBAC is not active: roleDefinitions and roleAssignments answer 403 (measured). */
  inactive: boolean;
}

export interface EmulatorOptions extends Partial<EmulatorBehaviour> {
  /** Port on 127.0.0.1; 0 or absent picks a free one. */
  port?: number;
  /** A store to serve (left open on close), or a store file (opened and closed here). Default: in memory. */
  store?: TenantStore | string;
  /** Seed data, or a JSON seed file, applied at start. */
  seed?: SeedData | string;
  faults?: FaultSpec | string;
  /** One line per request (method, path, status, fault). */
  log?: (line: string) => void;
}

export interface RunningEmulator {
  /** The Graph root to give clients, e.g. http://127.0.0.1:4010 (no version segment). */
  url: string;
  port: number;
  store: TenantStore;
  close(): Promise<void>;
  setFaults(spec: FaultSpec | string | null): void;
  setOptions(options: Partial<EmulatorBehaviour>): void;
  stats(): EmulatorStats;
}

export interface EmulatorStats extends FaultStats {
  byRoute: Record<string, number>;
}

interface Reply {
  status: number;
  body?: unknown;
  headers?: Record<string, string>;
  written?: { kind: "created" | "patched"; id: string; previous?: unknown; location?: string };
}

const BASE = "/beta/roleManagement/defender";
const MAX_BODY = 1 << 20;

const CUSTOM_APP_SCOPES = [
  { id: "00567", type: "DeviceGroups", displayName: "TLV1", description: "TLV floor 1 devices", customAttributes: [] },
  { id: "00568", type: "DeviceGroups", displayName: "TLV2", description: "TLV floor 2 devices", customAttributes: [] },
  {
    id: "00612",
    type: "UserGroupIds",
    displayName: "SOC analysts",
    description: "Users of the SOC analyst groups",
    customAttributes: [],
  },
];

const ROLE_PROPS = new Set([
  "@odata.type",
  "id",
  "displayName",
  "description",
  "rolePermissions",
  "isEnabled",
  "isBuiltIn",
  "templateId",
  "version",
  "resourceScopes",
]);
const ASSIGNMENT_PROPS = new Set([
  "@odata.type",
  "id",
  "displayName",
  "description",
  "roleDefinitionId",
  "principalIds",
  "directoryScopeIds",
  "appScopeIds",
  "condition",
]);

const APP_SCOPE = /^\/[A-Za-z][A-Za-z0-9]*\/[^/\s]+$/;
const WORKLOAD_IDS = new Set(Object.values(WORKLOAD_APP_SCOPE).map((w) => w.toLowerCase()));

/** Display text of a catalogue action, as Defender's catalogue puts it in `name` (reference §3.4). */
function catalogueEntries(): { id: string; name: string; description: string; isPrivileged: boolean }[] {
  const out = new Map<string, { id: string; name: string; description: string; isPrivileged: boolean }>();
  for (const a of ATOMS)
    if (a.info.action)
      out.set(a.info.action.toLowerCase(), {
        id: a.info.action,
        name: atomLabel(a),
        description: atomLabel(a),
        isPrivileged: isPrivilegedAction(a.info.action),
      });
  for (const w of WILDCARDS) {
    const where = [getCategory(w.category).name, ...(w.group ? [getGroup(w.group)!.name] : [])].join(" \\ ");
    out.set(w.action.toLowerCase(), {
      id: w.action,
      name: `${where} - ${w.label}`,
      description: `${where} - ${w.label}`,
      isPrivileged: isPrivilegedAction(w.action),
    });
  }
  // other literals the sources show: plain display text from the path ("Authorization and settings - security (read)"), never the
  // catalogue's provenance notes, which mention other permissions' names
  for (const k of KNOWN_ACTIONS) {
    if (out.has(k.action.toLowerCase())) continue;
    const [, category, ...rest] = k.action.split("/");
    const verb = rest.pop();
    const cat = CATEGORIES.find((c) => c.id === category)?.name ?? category;
    const name = `${cat}${rest.length ? ` - ${rest.join(" ")}` : ""} (${verb})`;
    out.set(k.action.toLowerCase(), {
      id: k.action,
      name,
      description: name,
      isPrivileged: isPrivilegedAction(k.action),
    });
  }
  return [...out.values()];
}

/** A stable GUID for a legacy group id that is not one. */
function guidFor(s: string): string {
  if (isGuid(s)) return s.toLowerCase();
  const h = createHash("sha1").update(`mdi-group:${s}`).digest("hex");
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-5${h.slice(13, 16)}-8${h.slice(17, 20)}-${h.slice(20, 32)}`;
}

class Emulator {
  readonly faults: FaultEngine;
  readonly byRoute = new Map<string, number>();
  private readonly known = new Set(knownActionStrings().map((s) => s.toLowerCase()));
  private readonly lag = new Map<string, { until: number; kind: "created" | "patched"; previous?: unknown }>();
  private patchCount = 0;

  constructor(
    readonly store: TenantStore,
    public behaviour: EmulatorBehaviour,
    faults: FaultSpec | string | undefined,
    private readonly log?: (line: string) => void,
  ) {
    this.faults = new FaultEngine(faults);
  }

  // ---- HTTP plumbing --------------------------------------------------------------------------------

  async handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const method = (req.method ?? "GET").toUpperCase();
    const host = req.headers.host ?? "127.0.0.1";
    const url = new URL(req.url ?? "/", `http://${host}`);
    const requestId = randomUUID();
    const clientRequestId =
      typeof req.headers["client-request-id"] === "string" ? req.headers["client-request-id"] : randomUUID();
    const ids = { requestId, clientRequestId };
    let raw: string;
    try {
      raw = await readBody(req);
    } catch {
      return this.send(
        req,
        res,
        method,
        url,
        this.error(413, "RequestEntityTooLarge", "The request body is too large.", ids),
        ids,
      );
    }
    if (url.pathname.startsWith("/_emulator/"))
      return this.send(req, res, method, url, this.control(method, url.pathname, raw), ids, true);

    this.faults.countRequest();
    const route = `${method} ${routeKey(url.pathname)}`;
    this.byRoute.set(route, (this.byRoute.get(route) ?? 0) + 1);
    const auth = req.headers.authorization;
    if (typeof auth !== "string" || !/^Bearer\s+\S+/i.test(auth)) {
      return this.send(
        req,
        res,
        method,
        url,
        this.error(401, "InvalidAuthenticationToken", "Access token is empty.", ids),
        ids,
      );
    }
    if (this.faults.fires("drop", method)) return this.destroy(req, method, url, "drop");
    if (this.faults.fires("throttle", method)) {
      const t = this.faults.current.throttle!;
      const secs = t.retryAfter ?? 1;
      const retryAfter = t.retryAfterDate ? new Date(Date.now() + secs * 1000).toUTCString() : String(secs);
      return this.send(
        req,
        res,
        method,
        url,
        { ...this.error(429, "TooManyRequests", "Too many requests.", ids), headers: { "Retry-After": retryAfter } },
        ids,
        false,
        "throttle",
      );
    }
    if (this.faults.fires("unavailable", method)) {
      const r = this.faults.current.unavailable!.retryAfter;
      return this.send(
        req,
        res,
        method,
        url,
        {
          ...this.error(503, "ServiceUnavailable", "The service is temporarily unavailable.", ids),
          ...(r !== undefined ? { headers: { "Retry-After": String(r) } } : {}),
        },
        ids,
        false,
        "unavailable",
      );
    }
    if (this.faults.fires("echoAuth", method)) {
      return this.send(
        req,
        res,
        method,
        url,
        this.error(400, "BadRequest", `Malformed request; received Authorization: ${auth}`, ids),
        ids,
        false,
        "echoAuth",
      );
    }

    let reply: Reply;
    try {
      let body: unknown = undefined;
      if (raw.trim() !== "") {
        try {
          body = JSON.parse(raw);
        } catch {
          throw new HttpError(
            400,
            "BadRequest",
            "Unable to read JSON request payload. Please ensure Content-Type header is set and payload is of valid JSON format.",
          );
        }
      }
      reply = this.route(method, url, body, `http://${host}`);
    } catch (e) {
      if (e instanceof HttpError) reply = this.error(e.status, e.code, e.message, ids);
      else if (e instanceof NotFoundError) reply = this.error(404, "NotFound", e.message, ids);
      else if (e instanceof BuiltInRoleError)
        reply = this.error(403, "Forbidden", "Built-in role definitions cannot be modified or deleted.", ids);
      else reply = this.error(500, "InternalServerError", `emulator error: ${(e as Error).message}`, ids);
    }
    if (reply.status >= 400 && reply.body === undefined) reply = this.error(reply.status, "Error", "", ids);

    if (reply.written && this.faults.lagMs > 0) {
      this.lag.set(reply.written.id.toLowerCase(), {
        until: Date.now() + this.faults.lagMs,
        kind: reply.written.kind,
        previous: reply.written.previous,
      });
    }
    let fault: string | undefined;
    if (reply.written?.kind === "created" && method === "POST" && this.faults.fires("ambiguousPost", method)) {
      fault = "ambiguousPost";
      reply =
        this.faults.ambiguousMode() === "redirect"
          ? { status: 302, headers: { Location: reply.written.location ?? `http://${host}${url.pathname}` } }
          : this.error(500, "InternalServerError", "An internal server error occurred.", ids);
    } else if (reply.written && this.faults.fires("dropAfterWrite", method)) {
      return this.destroy(req, method, url, "dropAfterWrite");
    }
    if (this.faults.fires("slow", method)) {
      fault = fault ? `${fault}+slow` : "slow";
      await new Promise((r) => setTimeout(r, this.faults.current.slow?.ms ?? 1000));
    }
    return this.send(req, res, method, url, reply, ids, false, fault);
  }

  private destroy(req: http.IncomingMessage, method: string, url: URL, fault: string): void {
    this.log?.(`${method} ${url.pathname}${url.search} → connection dropped [${fault}]`);
    req.socket.destroy();
  }

  private send(
    req: http.IncomingMessage,
    res: http.ServerResponse,
    method: string,
    url: URL,
    reply: Reply,
    ids: { requestId: string; clientRequestId: string },
    control = false,
    fault?: string,
  ): void {
    if (control && reply.status >= 400) this.log?.(`${method} ${url.pathname} → ${reply.status} (control)`);
    else if (!control)
      this.log?.(`${method} ${url.pathname}${url.search} → ${reply.status}${fault ? ` [${fault}]` : ""}`);
    if (res.destroyed || req.socket.destroyed) return;
    const headers: Record<string, string> = {
      "request-id": ids.requestId,
      "client-request-id": ids.clientRequestId,
      ...(reply.headers ?? {}),
    };
    if (reply.body !== undefined) {
      const text = JSON.stringify(reply.body);
      headers["Content-Type"] =
        "application/json;odata.metadata=minimal;odata.streaming=true;IEEE754Compatible=false;charset=utf-8";
      res.writeHead(reply.status, headers);
      res.end(text);
    } else {
      res.writeHead(reply.status, headers);
      res.end();
    }
  }

  private error(
    status: number,
    code: string,
    message: string,
    ids: { requestId: string; clientRequestId: string },
  ): Reply {
    return {
      status,
      body: {
        error: {
          code,
          message,
          innerError: {
            date: new Date().toISOString().replace(/\.\d+Z$/, ""),
            "request-id": ids.requestId,
            "client-request-id": ids.clientRequestId,
          },
        },
      },
    };
  }

  // ---- control ------------------------------------------------------------------------------------

  /** Replaces the faults; counters, statistics and pending lag start afresh. */
  setFaults(spec: FaultSpec | string | null): void {
    this.faults.set(spec ?? {});
    this.byRoute.clear();
    this.lag.clear();
  }

  private control(method: string, path: string, raw: string): Reply {
    const json = (): unknown => (raw.trim() ? JSON.parse(raw) : {});
    try {
      switch (`${method} ${path.replace(/\/+$/, "")}`) {
        case "GET /_emulator/health":
          return { status: 200, body: { ok: true } };
        case "GET /_emulator/faults":
          return { status: 200, body: this.faults.current };
        case "POST /_emulator/faults":
        case "PUT /_emulator/faults": {
          const b = json() as { spec?: string } | FaultSpec;
          this.setFaults(
            typeof (b as { spec?: unknown }).spec === "string" ? (b as { spec: string }).spec : (b as FaultSpec),
          );
          return { status: 200, body: this.faults.current };
        }
        case "DELETE /_emulator/faults":
          this.setFaults({});
          return { status: 200, body: {} };
        case "GET /_emulator/options":
          return { status: 200, body: this.behaviour };
        case "POST /_emulator/options":
          this.behaviour = checkBehaviour({ ...this.behaviour, ...(json() as Partial<EmulatorBehaviour>) });
          return { status: 200, body: this.behaviour };
        case "GET /_emulator/stats":
          return { status: 200, body: { ...this.faults.stats(), byRoute: Object.fromEntries(this.byRoute) } };
        default:
          return {
            status: 404,
            body: { error: { code: "NotFound", message: `no control endpoint ${method} ${path}` } },
          };
      }
    } catch (e) {
      return { status: 400, body: { error: { code: "BadRequest", message: (e as Error).message } } };
    }
  }

  // ---- routing ------------------------------------------------------------------------------------

  private route(method: string, url: URL, body: unknown, origin: string): Reply {
    const segs = url.pathname
      .split("/")
      .filter(Boolean)
      .map((s) => decodeURIComponent(s));
    const [version, ...rest] = segs;
    const lowerRest = rest.map((s) => s.toLowerCase());
    if (version === "v1.0" && lowerRest[0] === "rolemanagement" && lowerRest[1] === "defender") {
      throw new HttpError(400, "BadRequest", "Resource not found for the segment 'defender'.");
    }
    if (version === "v1.0" && lowerRest[0] === "groups") return this.groups(method, url, rest.slice(1), origin);
    if (version !== "beta" || lowerRest[0] !== "rolemanagement" || lowerRest[1] !== "defender") {
      throw new HttpError(404, "NotFound", `Resource not found for the segment '${segs[segs.length - 1] ?? ""}'.`);
    }
    const [collection, id, nav, ...more] = rest.slice(2);
    if (!collection) throw new HttpError(404, "NotFound", "Resource not found for the segment 'defender'.");
    const ctx = `${origin}/beta/$metadata#roleManagement/defender/${collection}`;
    if (this.behaviour.inactive && ["roledefinitions", "roleassignments"].includes(collection.toLowerCase())) {
      throw new HttpError(403, "Forbidden", "Access to the requested resource is forbidden.");
    }
    switch (collection.toLowerCase()) {
      case "roledefinitions":
        if (more.length || (nav && nav.toLowerCase() !== "inheritspermissionsfrom"))
          throw new HttpError(404, "NotFound", `Resource not found for the segment '${nav}'.`);
        if (nav) {
          allow(method, ["GET"]);
          if (!this.store.getRole(id.toLowerCase())) throw notFound(id);
          return { status: 200, body: { "@odata.context": `${ctx}('${id}')/inheritsPermissionsFrom`, value: [] } };
        }
        return id ? this.role(method, id, body, ctx, url) : this.roles(method, url, body, origin, ctx);
      case "roleassignments":
        if (more.length || (nav && nav.toLowerCase() !== "roledefinition"))
          throw new HttpError(404, "NotFound", `Resource not found for the segment '${nav}'.`);
        if (nav) {
          allow(method, ["GET"]);
          const a = this.store.getAssignment(id.toLowerCase());
          const r = a && this.store.getRole(a.roleDefinitionId);
          if (!r) throw notFound(id);
          return {
            status: 200,
            body: {
              "@odata.context": `${origin}/beta/$metadata#roleManagement/defender/roleDefinitions/$entity`,
              ...roleJson(r),
            },
          };
        }
        return id ? this.assignment(method, id, body, ctx, url) : this.assignments(method, url, body, origin, ctx);
      case "resourcenamespaces":
        return this.namespaces(method, url, id, nav, origin, ctx);
      case "customappscopes": {
        allow(method, ["GET"]);
        if (nav) throw new HttpError(404, "NotFound", `Resource not found for the segment '${nav}'.`);
        if (id) {
          const s = CUSTOM_APP_SCOPES.find((x) => x.id === id);
          if (!s) throw notFound(id);
          return { status: 200, body: { "@odata.context": `${ctx}/$entity`, ...select(s, url) } };
        }
        return this.page(url, CUSTOM_APP_SCOPES, origin, ctx);
      }
      default:
        throw new HttpError(404, "NotFound", `Resource not found for the segment '${collection}'.`);
    }
  }

  /** Filter, count, page and select a collection. */
  private page(url: URL, items: Record<string, unknown>[], origin: string, ctx: string): Reply {
    const q = url.searchParams;
    let list = items;
    const filter = q.get("$filter");
    if (filter) {
      let pred: (e: Record<string, unknown>) => boolean;
      try {
        pred = compileFilter(filter);
      } catch (e) {
        if (e instanceof FilterError) throw new HttpError(400, "BadRequest", `Invalid filter clause: ${e.message}`);
        throw e;
      }
      list = list.filter(pred);
    }
    const top = q.get("$top");
    let size = this.behaviour.pageSize;
    if (top !== null) {
      const n = Number(top);
      if (!Number.isInteger(n) || n < 0)
        throw new HttpError(400, "BadRequest", `Invalid value '${top}' for $top query option.`);
      size = Math.max(1, n);
    }
    const skipRaw = q.get("$skiptoken");
    const skip = skipRaw === null ? 0 : Number(Buffer.from(skipRaw, "base64url").toString("utf8"));
    if (!Number.isInteger(skip) || skip < 0) throw new HttpError(400, "BadRequest", "Invalid $skiptoken.");
    const slice = list.slice(skip, skip + size);
    const body: Record<string, unknown> = { "@odata.context": ctx };
    if ((q.get("$count") ?? "").toLowerCase() === "true") body["@odata.count"] = list.length;
    if (skip + size < list.length) {
      const next = new URLSearchParams(q);
      next.set("$skiptoken", Buffer.from(String(skip + size), "utf8").toString("base64url"));
      body["@odata.nextLink"] =
        `${origin}${url.pathname}?${[...next].map(([k, v]) => `${k}=${encodeURIComponent(v)}`).join("&")}`;
    }
    body.value = slice.map((e) => select(e, url));
    return { status: 200, body };
  }

  // ---- roleDefinitions ----------------------------------------------------------------------------

  private checkActions(actions: string[]): void {
    for (const a of actions) {
      const k = a.trim().toLowerCase();
      if (isUnpublishedKey(k))
        throw new HttpError(
          400,
          "BadRequest",
          `The resource action '${a}' is not valid: urn:defender-rbac keys are local to pulumi-defender-rbac and are not Graph action strings.`,
        );
      if (!this.known.has(k))
        throw new HttpError(
          400,
          "BadRequest",
          `The resource action '${a}' is not a valid action of the microsoft.xdr namespace.`,
        );
      if (this.behaviour.rejectDataops && k.startsWith("microsoft.xdr/dataops/"))
        throw new HttpError(400, "BadRequest", `${a} is not a valid permission for storage`);
    }
  }

  private roleFields(
    body: unknown,
    creating: boolean,
  ): { displayName?: string; description?: string; actions?: string[] } {
    const b = object(body);
    for (const k of Object.keys(b))
      if (!ROLE_PROPS.has(k))
        throw new HttpError(
          400,
          "BadRequest",
          `Property '${k}' does not exist as a declared property or extension property.`,
        );
    const out: { displayName?: string; description?: string; actions?: string[] } = {};
    if (creating || "displayName" in b) {
      if (typeof b.displayName !== "string" || b.displayName.trim() === "")
        throw new HttpError(400, "BadRequest", "displayName is required and must be a non-empty string.");
      out.displayName = b.displayName;
    }
    if ("description" in b && b.description !== null) {
      if (typeof b.description !== "string") throw new HttpError(400, "BadRequest", "description must be a string.");
      out.description = b.description;
    }
    if (creating || "rolePermissions" in b) {
      if (!Array.isArray(b.rolePermissions))
        throw new HttpError(
          400,
          "BadRequest",
          "rolePermissions is required and must be a list of { allowedResourceActions }.",
        );
      const actions: string[] = [];
      for (const p of b.rolePermissions) {
        const pa = object(p);
        if (!Array.isArray(pa.allowedResourceActions) || pa.allowedResourceActions.some((x) => typeof x !== "string")) {
          throw new HttpError(400, "BadRequest", "rolePermissions[].allowedResourceActions must be a list of strings.");
        }
        if (Array.isArray(pa.excludedResourceActions) && pa.excludedResourceActions.length)
          throw new HttpError(400, "BadRequest", "excludedResourceActions is not supported.");
        actions.push(...(pa.allowedResourceActions as string[]));
      }
      this.checkActions(actions);
      out.actions = normalizeKeys(actions); // the service prunes what a wildcard covers
    }
    return out;
  }

  private roles(method: string, url: URL, body: unknown, origin: string, ctx: string): Reply {
    allow(method, ["GET", "POST"]);
    if (method === "GET") return this.page(url, this.store.listRoles().map(roleJson), origin, ctx);
    const f = this.roleFields(body, true);
    const r = this.store.createRole({
      displayName: f.displayName!,
      description: f.description ?? "",
      actions: f.actions ?? [],
    });
    const location = `${origin}${BASE}/roleDefinitions/${r.id}`;
    return {
      status: 201,
      body: { "@odata.context": `${ctx}/$entity`, ...roleJson(r) },
      headers: { Location: location },
      written: { kind: "created", id: r.id, location },
    };
  }

  /** GET of one entity, as read-after-write lag makes it look: absent just after create, the old version just after a PATCH. */
  private getEntity(idRaw: string, current: Record<string, unknown> | null, ctx: string, url: URL): Reply {
    const lag = this.lagged(idRaw.toLowerCase());
    if (lag?.kind === "created") throw notFound(idRaw);
    const shown = lag?.kind === "patched" && lag.previous ? (lag.previous as Record<string, unknown>) : current;
    if (!shown) throw notFound(idRaw);
    return { status: 200, body: { "@odata.context": `${ctx}/$entity`, ...select(shown, url) } };
  }

  private role(method: string, idRaw: string, body: unknown, ctx: string, url: URL): Reply {
    allow(method, ["GET", "PATCH", "DELETE"]);
    const id = idRaw.toLowerCase();
    const cur = this.store.getRole(id);
    if (method === "GET") return this.getEntity(idRaw, cur && roleJson(cur), ctx, url);
    if (!cur) throw notFound(idRaw);
    if (cur.isBuiltIn)
      throw new HttpError(403, "Forbidden", "Built-in role definitions cannot be modified or deleted.");
    if (method === "DELETE") {
      this.store.deleteRole(id);
      this.lag.delete(id);
      return { status: 204 };
    }
    const f = this.roleFields(body, false);
    const updated = this.store.updateRole(id, f);
    return this.patched(updated.id, roleJson(cur), roleJson(updated), ctx);
  }

  private patched(id: string, previous: Record<string, unknown>, now: Record<string, unknown>, ctx: string): Reply {
    const mode = this.behaviour.patchResponse;
    const with200 = mode === "200" || (mode === "alternate" && this.patchCount++ % 2 === 1);
    return with200
      ? {
          status: 200,
          body: { "@odata.context": `${ctx}/$entity`, ...now },
          written: { kind: "patched", id, previous },
        }
      : { status: 204, written: { kind: "patched", id, previous } };
  }

  private lagged(id: string): { kind: "created" | "patched"; previous?: unknown } | undefined {
    const l = this.lag.get(id);
    if (!l) return undefined;
    if (Date.now() >= l.until) {
      this.lag.delete(id);
      return undefined;
    }
    return l;
  }

  // ---- roleAssignments ----------------------------------------------------------------------------

  private assignmentFields(
    body: unknown,
    creating: boolean,
  ): { displayName?: string; roleDefinitionId?: string; principalIds?: string[]; appScopeIds?: string[] } {
    const b = object(body);
    if (creating && this.behaviour.strict && "@odata.type" in b) {
      throw new HttpError(
        400,
        "BadRequest",
        "The input was not valid. roleAssignment: The roleAssignment field is required.",
      );
    }
    for (const k of Object.keys(b))
      if (!ASSIGNMENT_PROPS.has(k))
        throw new HttpError(
          400,
          "BadRequest",
          `Property '${k}' does not exist as a declared property or extension property.`,
        );
    const out: { displayName?: string; roleDefinitionId?: string; principalIds?: string[]; appScopeIds?: string[] } =
      {};
    if (creating || "displayName" in b) {
      if (typeof b.displayName !== "string" || b.displayName.trim() === "")
        throw new HttpError(400, "BadRequest", "displayName is required and must be a non-empty string.");
      out.displayName = b.displayName;
    }
    if (creating) {
      if (typeof b.roleDefinitionId !== "string" || !b.roleDefinitionId)
        throw new HttpError(400, "BadRequest", "roleDefinitionId is required.");
      if (!this.store.getRole(b.roleDefinitionId.toLowerCase()))
        throw new HttpError(
          400,
          "BadRequest",
          `roleDefinitionId '${b.roleDefinitionId}' does not refer to an existing role definition.`,
        );
      out.roleDefinitionId = b.roleDefinitionId.toLowerCase();
    } else if ("roleDefinitionId" in b) {
      throw new HttpError(400, "BadRequest", "roleDefinitionId cannot be changed; create a new assignment.");
    }
    if (creating || "principalIds" in b) {
      if (!Array.isArray(b.principalIds) || b.principalIds.length === 0 || b.principalIds.some((p) => !isGuid(p))) {
        throw new HttpError(400, "BadRequest", "principalIds must be a non-empty list of object ids (GUIDs).");
      }
      out.principalIds = [...new Set((b.principalIds as string[]).map((p) => p.toLowerCase()))];
    }
    if ("directoryScopeIds" in b && b.directoryScopeIds !== null) {
      if (!Array.isArray(b.directoryScopeIds) || b.directoryScopeIds.some((d) => d !== "/"))
        throw new HttpError(400, "BadRequest", 'directoryScopeIds supports only "/" for the Defender provider.');
    }
    if ("appScopeIds" in b && b.appScopeIds !== null) {
      if (!Array.isArray(b.appScopeIds))
        throw new HttpError(400, "BadRequest", "appScopeIds must be a list of strings.");
      for (const s of b.appScopeIds) {
        if (typeof s !== "string" || !(s === "/" || WORKLOAD_IDS.has(s.toLowerCase()) || APP_SCOPE.test(s))) {
          throw new HttpError(
            400,
            "BadRequest",
            `'${s}' is not a valid app scope id; use "/", a workload (Mde, Mdo, Mdi, Mda, Mdc, SecureScoreExternal) or "/<ScopeType>/<ScopeId>".`,
          );
        }
      }
      out.appScopeIds = [...(b.appScopeIds as string[])];
    } else if (creating && !Array.isArray(b.directoryScopeIds)) {
      throw new HttpError(400, "BadRequest", "Either directoryScopeIds or appScopeIds is required.");
    }
    return out;
  }

  private assignments(method: string, url: URL, body: unknown, origin: string, ctx: string): Reply {
    allow(method, ["GET", "POST"]);
    if (method === "GET") return this.page(url, this.store.listAssignments().map(assignmentJson), origin, ctx);
    const f = this.assignmentFields(body, true);
    const a = this.store.createAssignment({
      displayName: f.displayName!,
      roleDefinitionId: f.roleDefinitionId!,
      principalIds: f.principalIds!,
      appScopeIds: f.appScopeIds ?? [],
    });
    const location = `${origin}${BASE}/roleAssignments/${a.id}`;
    return {
      status: 201,
      body: { "@odata.context": `${ctx}/$entity`, ...assignmentJson(a) },
      headers: { Location: location },
      written: { kind: "created", id: a.id, location },
    };
  }

  private assignment(method: string, idRaw: string, body: unknown, ctx: string, url: URL): Reply {
    allow(method, ["GET", "PATCH", "DELETE"]);
    const id = idRaw.toLowerCase();
    const cur = this.store.getAssignment(id);
    if (method === "GET") return this.getEntity(idRaw, cur && assignmentJson(cur), ctx, url);
    if (!cur) throw notFound(idRaw);
    if (method === "DELETE") {
      this.store.deleteAssignment(id);
      this.lag.delete(id);
      return { status: 204 };
    }
    const f = this.assignmentFields(body, false);
    const updated = this.store.updateAssignment(id, f);
    return this.patched(updated.id, assignmentJson(cur), assignmentJson(updated), ctx);
  }

  // ---- resourceNamespaces -------------------------------------------------------------------------

  private namespaces(
    method: string,
    url: URL,
    nsId: string | undefined,
    nav: string | undefined,
    origin: string,
    ctx: string,
  ): Reply {
    allow(method, ["GET"]);
    const expand = (url.searchParams.get("$expand") ?? "")
      .split(",")
      .map((s) => s.trim().toLowerCase())
      .includes("resourceactions");
    const ns = (withActions: boolean) => ({
      id: "microsoft.xdr",
      name: "microsoft.xdr",
      ...(withActions
        ? {
            resourceActions: catalogueEntries().map((a) => ({
              // measured on Defender: the action string is in `id`, display text in `name` (reference §3.4)
              id: a.id,
              name: a.name,
              description: a.description,
              actionVerb: null,
              isPrivileged: a.isPrivileged,
              authenticationContextId: null,
              isAuthenticationContextSettable: null,
              resourceScopeId: null,
            })),
          }
        : {}),
    });
    if (!nsId) return this.page(url, [ns(expand)], origin, ctx);
    if (nsId.toLowerCase() !== "microsoft.xdr") throw notFound(nsId);
    if (nav) throw new HttpError(404, "NotFound", `Resource not found for the segment '${nav}'.`); // measured: …/microsoft.xdr/resourceActions → 404
    return { status: 200, body: { "@odata.context": `${ctx}/$entity`, ...ns(expand) } };
  }

  // ---- /v1.0/groups (Defender for Identity role groups) --------------------------------------------

  private groups(method: string, url: URL, rest: string[], origin: string): Reply {
    allow(method, ["GET"]);
    const groups = this.store.listLegacyRoles("mdi").map((l) => {
      const suffix = /admin/i.test(l.name) ? "Administrators" : /user/i.test(l.name) ? "Users" : "Viewers";
      return {
        id: guidFor(l.id),
        displayName: /^azure atp /i.test(l.id) ? l.id : `Azure ATP default ${suffix}`,
        securityEnabled: true,
        mailEnabled: false,
        members: l.members,
      };
    });
    const strip = ({ members: _m, ...g }: { members: string[]; [k: string]: unknown }) => g;
    const ctx = `${origin}/v1.0/$metadata#groups`;
    const [id, nav] = rest;
    if (!id) return this.page(url, groups.map(strip), origin, ctx);
    const g = groups.find((x) => x.id === id.toLowerCase());
    if (!g) throw notFound(id);
    if (!nav) return { status: 200, body: { "@odata.context": `${ctx}/$entity`, ...select(strip(g), url) } };
    if (nav.toLowerCase() !== "members")
      throw new HttpError(404, "NotFound", `Resource not found for the segment '${nav}'.`);
    return this.page(
      url,
      g.members.map((m) => ({ "@odata.type": "#microsoft.graph.user", id: m })),
      origin,
      `${origin}/v1.0/$metadata#directoryObjects`,
    );
  }
}

class HttpError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

const notFound = (id: string) =>
  new HttpError(
    404,
    "NotFound",
    `Resource '${id}' does not exist or one of its queried reference-property objects are not present.`,
  );

function allow(method: string, methods: string[]): void {
  if (!methods.includes(method))
    throw new HttpError(405, "MethodNotAllowed", `The ${method} method is not supported for this resource.`);
}

function object(body: unknown): Record<string, unknown> {
  if (!body || typeof body !== "object" || Array.isArray(body))
    throw new HttpError(400, "BadRequest", "The request body must be a JSON object.");
  return body as Record<string, unknown>;
}

function select(entity: Record<string, unknown>, url: URL): Record<string, unknown> {
  const sel = url.searchParams.get("$select");
  if (!sel) return entity;
  const keep = new Set([
    "id",
    "@odata.type",
    ...sel
      .split(",")
      .map((s) => s.trim())
      .filter(Boolean),
  ]);
  return Object.fromEntries(Object.entries(entity).filter(([k]) => keep.has(k)));
}

/** Groups request paths for stats: ids become {id}. */
function routeKey(p: string): string {
  return p
    .split("/")
    .map((s, i) => (i > 4 && s && !/^[a-z]+$/i.test(s) ? "{id}" : s))
    .join("/");
}

function roleJson(r: RoleRecord): Record<string, unknown> {
  return {
    id: r.id,
    displayName: r.displayName,
    description: r.description,
    isBuiltIn: r.isBuiltIn,
    isEnabled: true,
    templateId: r.id,
    version: null,
    rolePermissions: [
      {
        allowedResourceActions: r.actions.filter((a) => !isUnpublishedKey(a)),
        condition: null,
        excludedResourceActions: [],
      },
    ],
  };
}

function assignmentJson(a: AssignmentRecord): Record<string, unknown> {
  return {
    id: a.id,
    displayName: a.displayName,
    description: null,
    roleDefinitionId: a.roleDefinitionId,
    principalIds: a.principalIds,
    directoryScopeIds: a.directoryScopeIds,
    appScopeIds: a.appScopeIds,
    condition: null,
  };
}

function readBody(req: http.IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on("data", (c: Buffer) => {
      size += c.length;
      if (size > MAX_BODY) {
        reject(new Error("too large"));
        req.resume();
        return;
      }
      chunks.push(c);
    });
    req.on("end", () => resolve(Buffer.concat(chunks).toString("utf8")));
    req.on("error", reject);
  });
}

function checkBehaviour(b: EmulatorBehaviour): EmulatorBehaviour {
  if (!Number.isInteger(b.pageSize) || b.pageSize < 1) throw new Error("pageSize must be a positive integer");
  if (!["204", "200", "alternate"].includes(String(b.patchResponse)))
    throw new Error("patchResponse must be 204, 200 or alternate");
  return {
    pageSize: b.pageSize,
    patchResponse: String(b.patchResponse) as EmulatorBehaviour["patchResponse"],
    strict: !!b.strict,
    rejectDataops: !!b.rejectDataops,
    inactive: !!b.inactive,
  };
}

/** Starts the emulator on 127.0.0.1. */
export async function startEmulator(opts: EmulatorOptions = {}): Promise<RunningEmulator> {
  const owned = !(opts.store instanceof TenantStore);
  const store = opts.store instanceof TenantStore ? opts.store : new TenantStore(opts.store ?? ":memory:");
  try {
    if (opts.seed) {
      const r = applySeed(store, typeof opts.seed === "string" ? readSeedFile(opts.seed) : opts.seed);
      for (const s of r.skipped) opts.log?.(`seed: skipped ${s}`);
    }
    const behaviour = checkBehaviour({
      pageSize: opts.pageSize ?? 3,
      patchResponse: opts.patchResponse ?? "204",
      strict: opts.strict ?? false,
      rejectDataops: opts.rejectDataops ?? false,
      inactive: opts.inactive ?? false,
    });
    const emu = new Emulator(store, behaviour, opts.faults, opts.log);
    const server = http.createServer((req, res) => {
      emu.handle(req, res).catch((e) => {
        if (!res.headersSent && !res.destroyed) {
          res.writeHead(500, { "Content-Type": "application/json" });
          res.end(JSON.stringify({ error: { code: "InternalServerError", message: String((e as Error).message) } }));
        }
      });
    });
    await new Promise<void>((resolve, reject) => {
      server.once("error", reject);
      server.listen(opts.port ?? 0, "127.0.0.1", () => resolve());
    });
    const port = (server.address() as AddressInfo).port;
    let closed = false;
    return {
      url: `http://127.0.0.1:${port}`,
      port,
      store,
      setFaults: (spec) => emu.setFaults(spec),
      setOptions: (o) => {
        emu.behaviour = checkBehaviour({ ...emu.behaviour, ...o });
      },
      stats: () => ({ ...emu.faults.stats(), byRoute: Object.fromEntries(emu.byRoute) }),
      close: async () => {
        if (closed) return;
        closed = true;
        await new Promise<void>((resolve) => {
          server.close(() => resolve());
          server.closeAllConnections();
        });
        if (owned) store.close();
      },
    };
  } catch (e) {
    if (owned) store.close();
    throw e;
  }
}
