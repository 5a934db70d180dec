/**
 * The HTTP client for Microsoft Graph: one place for authentication headers, timeouts, retries,
 * paging and error decoding. It knows nothing about roles; backend.ts does.
 *
 * Retries (all bounded by `maxAttempts`):
 *   - 429 and 503 with `Retry-After` (seconds or an HTTP date) wait what the service asks, capped by
 *     `maxRetryAfterMs`, or the backoff below when that is longer (so a short Retry-After repeated does
 *     not make concurrent requests retry in step); other 5xx, 408, timeouts and dropped connections use
 *     exponential backoff with jitter (`baseDelayMs` · 2^n, at most `maxDelayMs`, then a random factor in
 *     [0.5, 1]).
 *   - GET, PATCH and DELETE are idempotent and are retried on every transient failure.
 *   - POST creates: it is retried only when the request certainly did not run (429, connection
 *     refused). Any other failure (timeout, dropped connection, 5xx, a redirect answer) may hide a
 *     created object, so `post` throws `AmbiguousWriteError` and the backend reconciles before it posts
 *     again (never a blind re-POST: duplicate roles after retries, docs/graph-api.md).
 *   - One 401 drops the cached token and retries once.
 * Paging follows `@odata.nextLink` until it is absent, and only to the configured Graph origin (the
 * token is never sent anywhere else). Redirects are never followed for the same reason.
 */
import { randomUUID } from "node:crypto";
import { beforeWrite } from "../../lifeline";
import { ConfigError } from "../configError";
import type { TokenSource } from "./auth";
import { AmbiguousWriteError, GraphError, Redactor, hintFor } from "./errors";
import { readGraphError, nextLinkOf, valuesOf } from "./responses";

export interface RetryOptions {
  /** Attempts per request, first included (default 6). */
  maxAttempts: number;
  /** First backoff delay in ms (default 500). */
  baseDelayMs: number;
  /** Largest backoff delay in ms (default 30 000). */
  maxDelayMs: number;
  /** Largest wait honoured for a Retry-After in ms (default 120 000). */
  maxRetryAfterMs: number;
  /** Per-request timeout in ms, response body included (default 60 000). */
  timeoutMs: number;
}

export const DEFAULT_RETRY: RetryOptions = {
  maxAttempts: 6,
  baseDelayMs: 500,
  maxDelayMs: 30_000,
  maxRetryAfterMs: 120_000,
  timeoutMs: 60_000,
};

export interface ClientEvent {
  kind: "retry" | "reauth";
  method: string;
  path: string;
  attempt: number;
  reason: string;
  delayMs: number;
}

export interface GraphClientOptions {
  /** Graph root, e.g. https://graph.microsoft.com (auth.checkGraphRoot). */
  root: string;
  token: TokenSource;
  redactor: Redactor;
  retry?: Partial<RetryOptions>;
  /** Called on each retry; DEFENDER_RBAC_GRAPH_DEBUG=1 also prints them to stderr. */
  onEvent?: (e: ClientEvent) => void;
  /** For tests. */
  sleep?: (ms: number) => Promise<void>;
  random?: () => number;
}

export interface GraphResponse {
  status: number;
  body: unknown;
  headers: Headers;
}

type Outcome = { kind: "response"; res: GraphResponse } | { kind: "network"; reason: string; safe: boolean };

const VERSION = (() => {
  try {
    // dist/provider/backend/graph/client.js → the package root
    return (require("../../../../package.json") as { version: string }).version;
  } catch {
    return "0";
  }
})();

/** Network errors that prove the request never reached the server. */
const SAFE_NETWORK_CODES = new Set([
  "ECONNREFUSED",
  "ENOTFOUND",
  "EAI_AGAIN",
  "ENETUNREACH",
  "EHOSTUNREACH",
  "UND_ERR_CONNECT_TIMEOUT",
]);

function errorCode(e: unknown): string | undefined {
  let cur: unknown = e;
  for (let i = 0; i < 4 && cur && typeof cur === "object"; i++) {
    const c = (cur as { code?: unknown }).code;
    if (typeof c === "string") return c;
    cur = (cur as { cause?: unknown }).cause;
  }
  return undefined;
}

/** Retry-After: delta seconds or an HTTP date → ms (never negative); undefined when absent or invalid. */
export function parseRetryAfter(value: string | null, now: number = Date.now()): number | undefined {
  if (!value) return undefined;
  const v = value.trim();
  if (/^\d+(\.\d+)?$/.test(v)) return Math.round(Number(v) * 1000);
  const t = Date.parse(v);
  return Number.isNaN(t) ? undefined : Math.max(0, t - now);
}

export class GraphClient {
  readonly root: string;
  readonly retry: RetryOptions;
  private readonly origin: string;
  private readonly sleep: (ms: number) => Promise<void>;
  private readonly random: () => number;

  constructor(private readonly opts: GraphClientOptions) {
    this.root = opts.root.replace(/\/+$/, "");
    this.origin = new URL(this.root).origin;
    this.retry = {
      ...DEFAULT_RETRY,
      ...Object.fromEntries(Object.entries(opts.retry ?? {}).filter(([, v]) => v !== undefined && Number.isFinite(v))),
    };
    this.retry.maxAttempts = Math.max(1, Math.floor(this.retry.maxAttempts));
    this.sleep = opts.sleep ?? ((ms) => new Promise((r) => setTimeout(r, ms)));
    this.random = opts.random ?? Math.random;
  }

  get redactor(): Redactor {
    return this.opts.redactor;
  }

  /** GET one entity; null on 404. */
  async get(path: string): Promise<unknown | null> {
    const r = await this.send("GET", path, undefined, { allow404: true });
    return r.status === 404 ? null : r.body;
  }

  /** GET a collection, following @odata.nextLink until it is absent. */
  async list(path: string): Promise<unknown[]> {
    const out: unknown[] = [];
    const seen = new Set<string>();
    let next: string | undefined = path;
    while (next) {
      if (seen.has(next) || seen.size > 10_000)
        throw this.fail("GET", path, 0, "PagingLoop", "the service returned a @odata.nextLink it had already returned");
      seen.add(next);
      const r = await this.send("GET", next, undefined, { allow404: false });
      out.push(...valuesOf(r.body));
      next = nextLinkOf(r.body);
    }
    return out;
  }

  /**
   * POST a create. Returns the response (201 with the entity, normally). Throws AmbiguousWriteError
   * when the object may or may not have been created; GraphError for a definite failure.
   */
  async post(path: string, body: unknown): Promise<GraphResponse> {
    return this.send("POST", path, body, { allow404: false, createSemantics: true });
  }

  /** PATCH (idempotent): 200 with the entity, or 204. */
  async patch(path: string, body: unknown): Promise<GraphResponse> {
    return this.send("PATCH", path, body, { allow404: false });
  }

  /** DELETE (idempotent): a 404 means already gone, which is success. */
  async delete(path: string): Promise<void> {
    await this.send("DELETE", path, undefined, { allow404: true });
  }

  /** Absolute URL for a root-relative path or an absolute same-origin nextLink. */
  private url(pathOrUrl: string): URL {
    if (/^https?:\/\//i.test(pathOrUrl)) {
      const u = new URL(pathOrUrl);
      if (u.origin !== this.origin) {
        throw this.fail(
          "GET",
          u.pathname,
          0,
          "ForeignLink",
          `the service pointed to another origin (${u.origin}); the token is only ever sent to ${this.origin}`,
        );
      }
      return u;
    }
    return new URL(`${this.root}${pathOrUrl.startsWith("/") ? "" : "/"}${pathOrUrl}`);
  }

  /** The root-relative form of a URL, for messages. */
  private rel(u: URL): string {
    const rootPath = new URL(this.root).pathname.replace(/\/+$/, "");
    const p = u.pathname.startsWith(rootPath) ? u.pathname.slice(rootPath.length) : u.pathname;
    try {
      return decodeURIComponent(`${p}${u.search}`);
    } catch {
      return `${p}${u.search}`;
    }
  }

  private fail(
    method: string,
    path: string,
    status: number,
    code: string,
    message: string,
    ids: { requestId?: string; clientRequestId?: string; date?: string } = {},
  ): GraphError {
    return new GraphError(
      { method, path, status, code, message, ...ids, hint: hintFor(status, path, message) },
      this.opts.redactor,
    );
  }

  private backoff(attempt: number): number {
    const d = Math.min(this.retry.maxDelayMs, this.retry.baseDelayMs * 2 ** (attempt - 1));
    return Math.round(d / 2 + (this.random() * d) / 2);
  }

  private event(e: ClientEvent): void {
    this.opts.onEvent?.(e);
    if (process.env.DEFENDER_RBAC_GRAPH_DEBUG) {
      process.stderr.write(
        this.opts.redactor.redact(
          `defender-rbac graph: ${e.kind} ${e.method} ${e.path} attempt ${e.attempt}: ${e.reason}; waiting ${e.delayMs} ms\n`,
        ),
      );
    }
  }

  private async once(method: string, url: URL, body: unknown, clientRequestId: string): Promise<Outcome> {
    if (method !== "GET") await beforeWrite(); // no write starts once the Pulumi engine is gone
    const token = await this.opts.token.getToken();
    const ctrl = new AbortController();
    const timer = setTimeout(() => ctrl.abort(), this.retry.timeoutMs);
    try {
      const res = await fetch(url, {
        method,
        redirect: "manual",
        signal: ctrl.signal,
        headers: {
          Authorization: `Bearer ${token}`,
          Accept: "application/json",
          "client-request-id": clientRequestId,
          "User-Agent": `pulumi-defender-rbac/${VERSION}`,
          ...(body !== undefined ? { "Content-Type": "application/json" } : {}),
        },
        body: body === undefined ? undefined : JSON.stringify(body),
      });
      const text = await res.text();
      let parsed: unknown = undefined;
      if (text.trim() !== "") {
        try {
          parsed = JSON.parse(text);
        } catch {
          parsed = text;
        }
      }
      return { kind: "response", res: { status: res.status, body: parsed, headers: res.headers } };
    } catch (e) {
      if (ctrl.signal.aborted)
        return { kind: "network", reason: `no answer within ${this.retry.timeoutMs} ms`, safe: false };
      const code = errorCode(e);
      return {
        kind: "network",
        reason: `connection failed${code ? ` (${code})` : ""}`,
        safe: !!code && SAFE_NETWORK_CODES.has(code),
      };
    } finally {
      clearTimeout(timer);
    }
  }

  private async send(
    method: string,
    pathOrUrl: string,
    body: unknown,
    o: { allow404: boolean; createSemantics?: boolean },
  ): Promise<GraphResponse> {
    const url = this.url(pathOrUrl);
    const path = this.rel(url);
    const clientRequestId = randomUUID();
    let reauthed = false;
    for (let attempt = 1; ; attempt++) {
      const last = attempt >= this.retry.maxAttempts;
      const out = await this.once(method, url, body, clientRequestId);
      let delay: number;
      let reason: string;
      if (out.kind === "network") {
        if (o.createSemantics && !out.safe) throw new AmbiguousWriteError(out.reason);
        if (last && out.safe)
          throw new ConfigError(
            `Microsoft Graph at ${this.origin} cannot be reached (${out.reason} after ${attempt} attempt(s)); ` +
              "check defender-rbac:graphUrl (or DEFENDER_RBAC_GRAPH_URL, defender-rbac:cloud) and that the service or emulator is running",
          );
        if (last)
          throw this.fail(method, path, 0, "NetworkError", `${out.reason} after ${attempt} attempt(s)`, {
            clientRequestId,
          });
        delay = this.backoff(attempt);
        reason = out.reason;
      } else {
        const { res } = out;
        const s = res.status;
        if ((s >= 200 && s < 300) || (s === 404 && o.allow404)) return res;
        const err = readGraphError(res.body, res.headers);
        const ids = {
          requestId: err.requestId,
          clientRequestId: err.clientRequestId ?? clientRequestId,
          date: err.date,
        };
        if (s >= 300 && s < 400) {
          const location = res.headers.get("location") ?? undefined;
          if (o.createSemantics)
            throw new AmbiguousWriteError(`the service answered ${s} with a redirect`, location, s);
          throw this.fail(
            method,
            path,
            s,
            err.code ?? "Redirect",
            `unexpected redirect${location ? ` to ${new URL(location, url).origin}` : ""}; redirects are not followed`,
            ids,
          );
        }
        if (s === 401 && !reauthed) {
          reauthed = true;
          this.opts.token.invalidate();
          this.event({ kind: "reauth", method, path, attempt, reason: "401", delayMs: 0 });
          continue;
        }
        const retryAfter = parseRetryAfter(res.headers.get("retry-after"));
        const transient = s === 429 || s === 408 || s >= 500;
        if (!transient)
          throw this.fail(
            method,
            path,
            s,
            err.code ?? `HTTP${s}`,
            err.message ?? (typeof res.body === "string" ? res.body.slice(0, 300) : ""),
            ids,
          );
        if (o.createSemantics && s !== 429)
          throw new AmbiguousWriteError(`the service answered ${s}${err.code ? ` ${err.code}` : ""}`, undefined, s);
        if (last)
          throw this.fail(
            method,
            path,
            s,
            err.code ?? `HTTP${s}`,
            `${err.message ?? "transient failure"} (gave up after ${attempt} attempt(s))`,
            ids,
          );
        // never less than the service asks, and never less than the jittered backoff: requests throttled
        // together then retry apart instead of arriving together again (Retry-After: 0 retried at once did)
        delay =
          retryAfter !== undefined
            ? Math.max(Math.min(retryAfter, this.retry.maxRetryAfterMs), this.backoff(attempt))
            : this.backoff(attempt);
        reason = `${s}${err.code ? ` ${err.code}` : ""}${retryAfter !== undefined ? ` (Retry-After ${res.headers.get("retry-after")})` : ""}`;
      }
      this.event({ kind: "retry", method, path, attempt, reason, delayMs: delay });
      await this.sleep(delay);
    }
  }
}
