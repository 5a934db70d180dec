/**
 * Errors of the Graph backend, and the redaction every message passes through.
 *
 * A `GraphError` carries what Graph said (HTTP status, `error.code`, `error.message`) and the ids
 * support needs (`request-id`, `client-request-id`, `date` from `innerError` or the response headers),
 * plus a hint for the failures this API is known for (docs/graph-api.md):
 *   403 on roleDefinitions/roleAssignments → Unified RBAC not active, or the token lacks the permission;
 *   400 "… is not a valid permission for storage" → a `dataops` action the tenant cannot use.
 *
 * Secrets (client secret, bearer tokens, OIDC assertions, certificate passwords) never leave this
 * module in clear: every message built here, and every error from @azure/identity or fetch that the
 * backend rethrows, goes through a `Redactor` that knows the secret values of this backend instance
 * and also masks anything shaped like a bearer token or a JWT.
 */

import { ConfigError, isConfigError } from "../configError";

/** Masks known secret values and token-shaped strings in text. */
export class Redactor {
  private readonly secrets = new Set<string>();

  /** Registers a secret value (ignored when empty or blank). */
  add(value: string | undefined | null): void {
    if (typeof value === "string" && value.trim() !== "") this.secrets.add(value);
  }

  redact(text: string): string {
    let out = text;
    // longest first, so a secret that contains another is masked whole. A short secret (under 4
    // characters, e.g. a test token "dev") is masked wherever it stands as a word of its own, so it
    // never shows while the words that merely contain it stay readable.
    for (const s of [...this.secrets].sort((a, b) => b.length - a.length)) {
      if (s.length >= 4) out = out.split(s).join("[REDACTED]");
      else {
        const lit = s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
        out = out.replace(new RegExp(`(?<![A-Za-z0-9])${lit}(?![A-Za-z0-9])`, "g"), "[REDACTED]");
      }
    }
    out = out.replace(/(bearer\s+)(?!(?:tokens?|realm|error)\b)[A-Za-z0-9\-._~+/]+=*/gi, "$1[REDACTED]");
    out = out.replace(/\beyJ[A-Za-z0-9_-]{6,}\.[A-Za-z0-9_-]{6,}\.[A-Za-z0-9_-]*/g, "[REDACTED-JWT]");
    out = out.replace(
      /((?:client_secret|client_assertion|access_token|refresh_token|id_token)["']?\s*[=:]\s*["']?)[^"'&\s,}]+/gi,
      "$1[REDACTED]",
    );
    return out;
  }

  /** An Error whose message (and name) are redacted; the stack is rebuilt so it cannot leak either. */
  error(e: unknown, prefix = ""): Error {
    if (e instanceof GraphError) return e; // built redacted
    const msg = e instanceof Error ? e.message : String(e);
    if (isConfigError(e)) return new ConfigError(this.redact(`${prefix}${msg}`));
    const out = new Error(this.redact(`${prefix}${msg}`));
    out.name = e instanceof Error && e.name !== "Error" ? this.redact(e.name) : "GraphBackendError";
    return out;
  }
}

export interface GraphErrorInfo {
  method: string;
  /** Path relative to the Graph root, query included (no secrets ever travel in URLs). */
  path: string;
  status: number;
  code?: string;
  message?: string;
  requestId?: string;
  clientRequestId?: string;
  date?: string;
  hint?: string;
}

/** A Graph call that failed with an HTTP status (or, with status 0, without one). */
export class GraphError extends Error {
  readonly status: number;
  readonly code: string | undefined;
  readonly graphMessage: string | undefined;
  readonly requestId: string | undefined;
  readonly clientRequestId: string | undefined;
  readonly method: string;
  readonly path: string;

  constructor(info: GraphErrorInfo, redactor: Redactor) {
    const what = info.status ? `${info.status}${info.code ? ` ${info.code}` : ""}` : (info.code ?? "error");
    const ids = [
      info.requestId && `request-id ${info.requestId}`,
      info.clientRequestId && `client-request-id ${info.clientRequestId}`,
      info.date && `date ${info.date}`,
    ]
      .filter(Boolean)
      .join(", ");
    const text =
      `Microsoft Graph ${info.method} ${info.path} failed: ${what}${info.message ? `: ${info.message}` : ""}${ids ? ` (${ids})` : ""}` +
      `${info.hint ? `\n${info.hint}` : ""}`;
    super(redactor.redact(text));
    this.name = "GraphError";
    this.status = info.status;
    this.code = info.code;
    this.graphMessage = info.message === undefined ? undefined : redactor.redact(info.message);
    this.requestId = info.requestId;
    this.clientRequestId = info.clientRequestId;
    this.method = info.method;
    this.path = redactor.redact(info.path);
  }
}

/**
 * A create (POST) whose outcome is unknown: the request may or may not have created the object
 * (timeout, dropped connection, 5xx, or a redirect answer, which Defender has been seen to send for a
 * POST that *did* create the object: docs/graph-api.md). The backend reconciles before posting again.
 */
export class AmbiguousWriteError extends Error {
  constructor(
    readonly reason: string,
    readonly location?: string,
    readonly status?: number,
  ) {
    super(`the outcome of the create is unknown (${reason})`);
    this.name = "AmbiguousWriteError";
  }
}

/** The hint for a failure this API is known for, if any. */
export function hintFor(status: number, path: string, message: string | undefined): string | undefined {
  const p = path.toLowerCase();
  if (
    status === 403 &&
    (p.includes("/roledefinitions") || p.includes("/roleassignments") || p.includes("/resourcenamespaces"))
  ) {
    return (
      "Unified RBAC is not active in this tenant, or the token lacks RoleManagement.Read.Defender " +
      "(RoleManagement.ReadWrite.Defender to make changes; grant it as an application permission with admin consent). " +
      "Activate at least one workload in the Defender portal (Settings > Microsoft Defender XDR > Permissions and roles) and check the app registration's API permissions."
    );
  }
  if (
    status === 404 &&
    /\/rolemanagement\/defender\/(roledefinitions|roleassignments|resourcenamespaces)(\?|$)/.test(p)
  ) {
    return "The Defender role management collections are missing: the tenant may not be provisioned for Microsoft Defender XDR, or the Graph root is wrong.";
  }
  if (status === 403 && p.startsWith("/v1.0/groups")) {
    return "Reading Defender for Identity role groups needs GroupMember.Read.All (or Group.Read.All) on the app registration.";
  }
  if (status === 401) {
    return "The token was rejected: check tenantId, clientId and the credential, and that the token's audience is this Graph root.";
  }
  if (status === 400 && message && /is not a valid permission for storage/i.test(message)) {
    return (
      "The tenant lists this permission in its catalogue but cannot store it: microsoft.xdr/dataops/* permissions need Microsoft Sentinel onboarded to Defender " +
      "(or the Sentinel data lake). Remove the Data operations permissions from the role, or complete that onboarding first."
    );
  }
  if (status === 400 && p.startsWith("/v1.0/rolemanagement/defender")) {
    return "roleManagement/defender exists only in the beta API; the backend always calls /beta.";
  }
  return undefined;
}
