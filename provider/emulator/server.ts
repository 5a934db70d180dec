/**
 * A faithful local emulator of Microsoft Graph beta /roleManagement/defender, served on 127.0.0.1 from
 * the local tenant store (backend/store.ts). It answers what Microsoft documents and what has been
 * measured on live tenants (docs/graph-api.md), so the graph backend, the
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
 *   - action strings are checked against the served catalogue (catalogue.ts: the shipped one's known
 *     strings and wildcards, or a tenant's recorded catalogue given with `catalogue`); unknown
 *     strings and local `urn:defender-rbac:` keys are answered 400; stored sets are pruned like the
 *     service prunes them (normalizeKeys: a wildcard swallows what it covers);
 *   - display names are not unique (two POSTs make two roles);
 *   - with `strict`, an assignment POST carrying `@odata.type` gets the measured 400
 *     "The input was not valid. roleAssignment: The roleAssignment field is required.";
 *   - with `rejectDataops`, dataops actions get the measured 400 "… is not a valid permission for storage";
 *   - with `inactive`, roleDefinitions and roleAssignments answer 403, as before Unified RBAC is activated;
 *   - every error is the Graph envelope { error: { code, message, innerError: { date, request-id, client-request-id } } }.
 * Choices of the emulator where the service's behaviour is NOT FOUND (docs/graph-api.md):
 *   - PATCH or DELETE of a built-in role: 403 Forbidden "Built-in role definitions cannot be modified or deleted."
 *   - deleting a role deletes its assignments (as the local store does);
 *   - an assignment naming a role that does not exist: 400 BadRequest;
 *   - string $filter comparisons ignore case; customAppScopes writes: 405.
 * Built-in roles of the local store may hold local keys for permissions with no published action
 * string; those keys are never shown over Graph (they are not Graph strings).
 *
 * Authentication: any non-empty `Authorization: Bearer …` is accepted; anything else is 401.
 * Fault injection (faults.ts) is set at start and at run time through POST /_emulator/faults.
 * Control endpoints (control.ts): GET /_emulator/health; with the control token and a JSON body,
 * GET|POST /_emulator/faults, GET|POST /_emulator/options, GET /_emulator/stats.
 * Hardening: links and contexts name the bound address, never the request's Host; a malformed
 * percent-escape is a 400; $filter is bounded (odata.ts); a body must arrive within 10 s (408);
 * oversized headers get a 431 and unparsable requests a 400, both in the Graph envelope.
 */
import * as http from "node:http";
import * as https from "node:https";
import type { AddressInfo } from "node:net";
import { randomUUID } from "node:crypto";
import { BuiltInRoleError, NotFoundError } from "../backend/backend";
import { TenantStore } from "../backend/store";
import { EmulatorBehaviour, checkBehaviour } from "./behaviour";
import { ServedCatalogue, servedCatalogue } from "./catalogue";
import type { RecordedCatalogue } from "../backend/recorded";
import { control } from "./control";
import { FaultEngine, FaultSpec, FaultStats } from "./faults";
import { BODY_TIMEOUT_MS, BodyError, HttpError, Reply, RequestIds, errorReply, readBody, routeKey } from "./http";
import { WriteLag } from "./lag";
import { routeRequest } from "./routes";
import { SeedData, applySeed, readSeedFile } from "./seed";
import { EmulatorTls, generateTls } from "./tls";

export type { EmulatorBehaviour } from "./behaviour";

export interface EmulatorOptions extends Partial<EmulatorBehaviour> {
  /** Port on 127.0.0.1; 0 or absent picks a free one. */
  port?: number;
  /** A store to serve (left open on close), or a store file (opened and closed here). Default: in memory. */
  store?: TenantStore | string;
  /** Seed data, or a JSON seed file, applied at start. */
  seed?: SeedData | string;
  faults?: FaultSpec | string;
  /** A tenant's recorded catalogue (or its file) to serve and validate against; default: the shipped catalogue's strings. */
  catalogue?: RecordedCatalogue | string;
  /**
   * Serve https with a certificate generated at start (tls.ts), or with the one given; the CA that
   * signed it is `RunningEmulator.caPem`. Default: plain http.
   */
  https?: boolean | EmulatorTls;
  /** One line per request (method, path, status, fault). */
  log?: (line: string) => void;
  /** The secret the control endpoints want in X-Emulator-Token (default: a random one, in RunningEmulator). */
  controlToken?: string;
  /** How long a request body may take to arrive (default 10 000 ms), then 408. */
  bodyTimeoutMs?: number;
}

export interface RunningEmulator {
  /** The Graph root to give clients, e.g. http://127.0.0.1:4010 or https://127.0.0.1:4010 (no version segment). */
  url: string;
  /** With https: the PEM of the CA clients must trust (NODE_EXTRA_CA_CERTS or the trust store). */
  caPem?: string;
  port: number;
  store: TenantStore;
  /** The secret for the control endpoints (X-Emulator-Token). */
  controlToken: string;
  /** Which catalogue it serves: "shipped catalogue" or the recorded one's hash and source. */
  catalogue: string;
  close(): Promise<void>;
  setFaults(spec: FaultSpec | string | null): void;
  setOptions(options: Partial<EmulatorBehaviour>): void;
  stats(): EmulatorStats;
}

export interface EmulatorStats extends FaultStats {
  byRoute: Record<string, number>;
}

class Emulator {
  readonly faults: FaultEngine;
  readonly byRoute = new Map<string, number>();
  readonly lag = new WriteLag();
  patchCount = 0;
  /** The bound address, http(s)://127.0.0.1:<port>: what links and contexts name (never the request's Host). */
  origin = "http://127.0.0.1";
  catalogue: ServedCatalogue = servedCatalogue();

  constructor(
    readonly store: TenantStore,
    public behaviour: EmulatorBehaviour,
    faults: FaultSpec | string | undefined,
    readonly controlToken: string,
    private readonly log?: (line: string) => void,
    private readonly bodyTimeoutMs = BODY_TIMEOUT_MS,
  ) {
    this.faults = new FaultEngine(faults);
  }

  // ---- HTTP plumbing --------------------------------------------------------------------------------

  async handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const method = (req.method ?? "GET").toUpperCase();
    let url: URL;
    try {
      url = new URL(req.url ?? "/", this.origin);
    } catch {
      url = new URL("/", this.origin);
    }
    const requestId = randomUUID();
    const clientRequestId =
      typeof req.headers["client-request-id"] === "string" ? req.headers["client-request-id"] : randomUUID();
    const ids = { requestId, clientRequestId };
    let raw: string;
    try {
      raw = await readBody(req, this.bodyTimeoutMs);
    } catch (e) {
      const slow = e instanceof BodyError && e.status === 408;
      return this.send(
        req,
        res,
        method,
        url,
        slow
          ? errorReply(408, "RequestTimeout", "The request body did not arrive in time.", ids)
          : errorReply(413, "RequestEntityTooLarge", "The request body is too large.", ids),
        ids,
      );
    }
    if (url.pathname.startsWith("/_emulator/")) {
      const token = req.headers["x-emulator-token"];
      const reply = control(this, method, url.pathname, raw, {
        token: typeof token === "string" ? token : undefined,
        contentType: req.headers["content-type"],
      });
      return this.send(req, res, method, url, reply, ids, true);
    }

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
        errorReply(401, "InvalidAuthenticationToken", "Access token is empty.", ids),
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
        { ...errorReply(429, "TooManyRequests", "Too many requests.", ids), headers: { "Retry-After": retryAfter } },
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
          ...errorReply(503, "ServiceUnavailable", "The service is temporarily unavailable.", ids),
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
        errorReply(400, "BadRequest", `Malformed request; received Authorization: ${auth}`, ids),
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
      reply = routeRequest(this, method, url, body, this.origin);
    } catch (e) {
      if (e instanceof HttpError) reply = errorReply(e.status, e.code, e.message, ids);
      else if (e instanceof NotFoundError) reply = errorReply(404, "NotFound", e.message, ids);
      else if (e instanceof BuiltInRoleError)
        reply = errorReply(403, "Forbidden", "Built-in role definitions cannot be modified or deleted.", ids);
      else reply = errorReply(500, "InternalServerError", `emulator error: ${(e as Error).message}`, ids);
    }
    if (reply.status >= 400 && reply.body === undefined) reply = errorReply(reply.status, "Error", "", ids);

    if (reply.written && this.faults.lagMs > 0) {
      this.lag.record(reply.written, this.faults.lagMs);
    }
    let fault: string | undefined;
    if (reply.written?.kind === "created" && method === "POST" && this.faults.fires("ambiguousPost", method)) {
      fault = "ambiguousPost";
      reply =
        this.faults.ambiguousMode() === "redirect"
          ? // measured: the redirect points at an http:// Location, even from https
            {
              status: 302,
              headers: {
                Location: (reply.written.location ?? `${this.origin}${url.pathname}`).replace(/^https:/, "http:"),
              },
            }
          : errorReply(500, "InternalServerError", "An internal server error occurred.", ids);
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
    ids: RequestIds,
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

  // ---- control ------------------------------------------------------------------------------------

  /** Replaces the faults; counters, statistics and pending lag start afresh. */
  setFaults(spec: FaultSpec | string | null): void {
    this.faults.set(spec ?? {});
    this.byRoute.clear();
    this.lag.clear();
  }
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
    const controlToken = opts.controlToken ?? randomUUID();
    const bodyTimeoutMs = opts.bodyTimeoutMs ?? BODY_TIMEOUT_MS;
    const tls = opts.https === true ? generateTls() : opts.https || undefined;
    const catalogue = servedCatalogue(opts.catalogue);
    const emu = new Emulator(store, behaviour, opts.faults, controlToken, opts.log, bodyTimeoutMs);
    emu.catalogue = catalogue;
    const listener = (req: http.IncomingMessage, res: http.ServerResponse) => {
      emu.handle(req, res).catch((e) => {
        if (!res.headersSent && !res.destroyed) {
          res.writeHead(500, { "Content-Type": "application/json" });
          res.end(JSON.stringify({ error: { code: "InternalServerError", message: String((e as Error).message) } }));
        }
      });
    };
    const server = tls
      ? https.createServer({ cert: tls.certPem + tls.caPem, key: tls.keyPem }, listener)
      : http.createServer(listener);
    server.headersTimeout = 10_000;
    server.requestTimeout = bodyTimeoutMs + 5_000; // readBody answers 408 first, in the envelope
    server.on("clientError", (err: NodeJS.ErrnoException, socket) => {
      if (!socket.writable) return socket.destroy();
      const overflow = err.code === "HPE_HEADER_OVERFLOW";
      const status = overflow ? 431 : 400;
      const reply = errorReply(
        status,
        overflow ? "RequestHeaderFieldsTooLarge" : "BadRequest",
        overflow ? "The request line or headers are too large." : "The request could not be parsed.",
        { requestId: randomUUID(), clientRequestId: randomUUID() },
      );
      const text = JSON.stringify(reply.body);
      socket.end(
        `HTTP/1.1 ${status} ${overflow ? "Request Header Fields Too Large" : "Bad Request"}\r\n` +
          `Content-Type: application/json;charset=utf-8\r\nContent-Length: ${Buffer.byteLength(text)}\r\nConnection: close\r\n\r\n${text}`,
      );
    });
    await new Promise<void>((resolve, reject) => {
      server.once("error", reject);
      server.listen(opts.port ?? 0, "127.0.0.1", () => resolve());
    });
    const port = (server.address() as AddressInfo).port;
    emu.origin = `${tls ? "https" : "http"}://127.0.0.1:${port}`;
    let closed = false;
    return {
      url: `${tls ? "https" : "http"}://127.0.0.1:${port}`,
      ...(tls ? { caPem: tls.caPem } : {}),
      port,
      store,
      controlToken,
      catalogue: catalogue.source,
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
