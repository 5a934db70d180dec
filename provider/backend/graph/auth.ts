/**
 * Authentication for the Graph backend: which credential to use, and where its settings come from.
 *
 * Least privilege (Graph application permissions, admin consent; docs/graph-api.md):
 *   - RoleManagement.Read.Defender       preview, refresh, `defender-rbac export`, `catalog --backend graph`
 *   - RoleManagement.ReadWrite.Defender  `pulumi up` / `destroy` (creating, changing, deleting roles and assignments)
 *   - GroupMember.Read.All               only for ImportedRole with source "mdi" (reads the "Azure ATP …" groups)
 * Delegated sign-ins (Azure CLI) also need a Defender-side role for the user: Global Administrator,
 * Security Administrator, or every Authorization permission in Unified RBAC.
 *
 * Every setting is looked up in this order, first hit wins:
 *   1. `defender-rbac:<key>` stack config (BackendConfig.settings);
 *   2. the matching `azure-native:<key>` stack config, so a stack that already authenticates
 *      azure-native needs nothing more;
 *   3. the ARM_* environment variables (azure-native / Terraform convention), then AZURE_* ones.
 * The credential is the first that applies:
 *   DEFENDER_RBAC_GRAPH_TOKEN (a static bearer token: tests, CI, the emulator) → useCli → useMsi →
 *   useOidc (workload identity federation, e.g. GitHub Actions) → clientCertificatePath → clientSecret →
 *   DefaultAzureCredential (environment, workload identity, managed identity, Azure CLI, …).
 */
import * as fs from "node:fs";
import * as path from "node:path";
import type { TokenCredential } from "@azure/identity";
import type { BackendConfig } from "../backend";
import { ConfigError, isConfigError } from "../configError";
import { CloudEndpoints, cloudFor } from "./clouds";
import { Redactor } from "./errors";

export type AuthMethod = "token" | "cli" | "msi" | "oidc" | "certificate" | "secret" | "default";

export interface GraphAuthSettings {
  cloud: CloudEndpoints;
  /** Graph root (scheme + host [+ path prefix]), no trailing slash and no version. */
  graphRoot: string;
  authorityHost: string;
  tenantId?: string;
  clientId?: string;
  clientSecret?: string;
  clientCertificatePath?: string;
  useOidc: boolean;
  oidcToken?: string;
  oidcTokenFilePath?: string;
  oidcRequestToken?: string;
  oidcRequestUrl?: string;
  useMsi: boolean;
  useCli: boolean;
  staticToken?: string;
  method: AuthMethod;
  /** Where each non-secret setting came from, for messages (e.g. clientId ← azure-native:clientId). */
  origins: Record<string, string>;
}

type Env = Record<string, string | undefined>;

const truthy = (v: string | undefined) => v !== undefined && /^(1|true|yes|on)$/i.test(v.trim());

/**
 * Reads the auth settings. `key` is the `defender-rbac:` key; `native` the `azure-native:` key;
 * `envs` the environment variables, in order.
 */
export function resolveAuthSettings(config: BackendConfig, env: Env = process.env): GraphAuthSettings {
  const origins: Record<string, string> = {};
  const pick = (name: string, key: string, native: string | null, envs: string[]): string | undefined => {
    const candidates: [string, string | undefined][] = [
      [`defender-rbac:${key}`, config.settings[key]],
      ...(native
        ? [[`azure-native:${native}`, config.stack[`azure-native:${native}`]] as [string, string | undefined]]
        : []),
      ...envs.map((e) => [`$${e}`, env[e]] as [string, string | undefined]),
    ];
    for (const [origin, v] of candidates) {
      if (typeof v === "string" && v.trim() !== "") {
        origins[name] = origin;
        return v.trim();
      }
    }
    return undefined;
  };

  const cloudName = pick("cloud", "cloud", "environment", ["ARM_ENVIRONMENT"]);
  const cloud = cloudFor(cloudName);
  const graphUrl = pick("graphUrl", "graphUrl", null, ["DEFENDER_RBAC_GRAPH_URL"]);
  const graphRoot = checkGraphRoot(graphUrl ?? cloud.graph, origins.graphUrl);
  const authorityHost = pick("authorityHost", "authorityHost", null, ["AZURE_AUTHORITY_HOST"]) ?? cloud.authorityHost;

  const s: GraphAuthSettings = {
    cloud,
    graphRoot,
    authorityHost,
    tenantId: pick("tenantId", "tenantId", "tenantId", ["ARM_TENANT_ID", "AZURE_TENANT_ID"]),
    clientId: pick("clientId", "clientId", "clientId", ["ARM_CLIENT_ID", "AZURE_CLIENT_ID"]),
    clientSecret: pick("clientSecret", "clientSecret", "clientSecret", ["ARM_CLIENT_SECRET", "AZURE_CLIENT_SECRET"]),
    clientCertificatePath: pick("clientCertificatePath", "clientCertificatePath", "clientCertificatePath", [
      "ARM_CLIENT_CERTIFICATE_PATH",
      "AZURE_CLIENT_CERTIFICATE_PATH",
    ]),
    useOidc: truthy(pick("useOidc", "useOidc", "useOidc", ["ARM_USE_OIDC"])),
    oidcToken: pick("oidcToken", "oidcToken", "oidcToken", ["ARM_OIDC_TOKEN"]),
    oidcTokenFilePath: pick("oidcTokenFilePath", "oidcTokenFilePath", "oidcTokenFilePath", [
      "ARM_OIDC_TOKEN_FILE_PATH",
      "AZURE_FEDERATED_TOKEN_FILE",
    ]),
    oidcRequestToken: pick("oidcRequestToken", "oidcRequestToken", "oidcRequestToken", [
      "ARM_OIDC_REQUEST_TOKEN",
      "ACTIONS_ID_TOKEN_REQUEST_TOKEN",
    ]),
    oidcRequestUrl: pick("oidcRequestUrl", "oidcRequestUrl", "oidcRequestUrl", [
      "ARM_OIDC_REQUEST_URL",
      "ACTIONS_ID_TOKEN_REQUEST_URL",
    ]),
    useMsi: truthy(pick("useMsi", "useMsi", "useMsi", ["ARM_USE_MSI"])),
    useCli: truthy(pick("useCli", "useCli", "useCli", ["ARM_USE_CLI"])),
    staticToken:
      env.DEFENDER_RBAC_GRAPH_TOKEN && env.DEFENDER_RBAC_GRAPH_TOKEN.trim() !== ""
        ? env.DEFENDER_RBAC_GRAPH_TOKEN.trim()
        : undefined,
    method: "default",
    origins,
  };
  if (s.oidcRequestUrl) s.oidcRequestUrl = checkOidcRequestUrl(s.oidcRequestUrl, origins.oidcRequestUrl);
  for (const secret of ["clientSecret", "oidcToken", "oidcRequestToken"]) delete origins[secret]; // never echoed, even by name of source
  if (s.clientCertificatePath && !path.isAbsolute(s.clientCertificatePath))
    s.clientCertificatePath = path.resolve(config.cwd, s.clientCertificatePath);
  s.method = s.staticToken
    ? "token"
    : s.useCli
      ? "cli"
      : s.useMsi
        ? "msi"
        : s.useOidc
          ? "oidc"
          : s.clientCertificatePath
            ? "certificate"
            : s.clientSecret
              ? "secret"
              : "default";
  return s;
}

const LOOPBACK = ["127.0.0.1", "localhost", "[::1]", "::1"];

/**
 * A URL a secret is sent to must be https, except on a loopback host (the emulator, a test server): a
 * bearer token is never sent in clear over a network. `key` names the setting for messages.
 */
function secureUrl(url: string, key: string, example: string): URL {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    throw new ConfigError(`${key} "${url}" is not a URL; set it to an https URL such as ${example}`);
  }
  const loopback = LOOPBACK.includes(u.hostname);
  if (u.protocol !== "https:" && !(u.protocol === "http:" && loopback)) {
    throw new ConfigError(
      `${key} ${u.origin} must use https (plain http is accepted only for a loopback host, such as the emulator); set it to an https URL such as ${example}`,
    );
  }
  return u;
}

/**
 * The Graph root must be https, except on a loopback host (the emulator): a bearer token is never
 * sent in clear over a network.
 */
export function checkGraphRoot(url: string, origin?: string): string {
  const key = origin ? `the Graph URL (${origin})` : "the Graph URL";
  const example = "https://graph.microsoft.com";
  const u = secureUrl(url, key, example);
  if (u.search || u.hash)
    throw new ConfigError(
      `${key} ${u.origin}${u.pathname} must not carry a query or fragment; set it to a root such as ${example}`,
    );
  const p = u.pathname.replace(/\/+$/, "").replace(/\/(beta|v1\.0)$/i, ""); // tolerate a root given with a version
  return `${u.origin}${p}`;
}

/**
 * The OIDC token request URL (GitHub Actions' ACTIONS_ID_TOKEN_REQUEST_URL) receives the request
 * token: https only, or a loopback host for tests, like the Graph root.
 */
export function checkOidcRequestUrl(url: string, origin?: string): string {
  secureUrl(
    url,
    `the OIDC request URL (${origin ?? "defender-rbac:oidcRequestUrl"})`,
    "the ACTIONS_ID_TOKEN_REQUEST_URL GitHub Actions sets",
  );
  return url;
}

/** What the settings authenticate as, without any secret. */
export function describeAuth(s: GraphAuthSettings): string {
  const who = [s.tenantId && `tenant ${s.tenantId}`, s.clientId && `client ${s.clientId}`].filter(Boolean).join(", ");
  const m: Record<AuthMethod, string> = {
    token: "a static bearer token from DEFENDER_RBAC_GRAPH_TOKEN",
    cli: "the Azure CLI sign-in",
    msi: "a managed identity",
    oidc: "workload identity federation (OIDC)",
    certificate: "a client certificate",
    secret: "a client secret",
    default: "DefaultAzureCredential",
  };
  return `${m[s.method]}${who ? ` (${who})` : ""}`;
}

export interface TokenSource {
  getToken(): Promise<string>;
  /** Forget a cached token (after a 401), so the next call gets a fresh one. */
  invalidate(): void;
  readonly description: string;
}

/** The GitHub Actions / generic OIDC assertion for ClientAssertionCredential. */
function assertionGetter(s: GraphAuthSettings, redactor: Redactor): () => Promise<string> {
  return async () => {
    if (s.oidcToken) return s.oidcToken;
    if (s.oidcTokenFilePath) {
      let t: string;
      try {
        t = fs.readFileSync(s.oidcTokenFilePath, "utf8").trim();
      } catch (e) {
        throw new ConfigError(
          `the OIDC token file (${s.origins.oidcTokenFilePath ?? "oidcTokenFilePath"}) "${s.oidcTokenFilePath}" cannot be read (${(e as NodeJS.ErrnoException).code ?? "error"}); point it at the federated token file`,
        );
      }
      redactor.add(t);
      return t;
    }
    if (s.oidcRequestUrl && s.oidcRequestToken) {
      // GitHub Actions: GET $ACTIONS_ID_TOKEN_REQUEST_URL&audience=api://AzureADTokenExchange with the request token
      const u = new URL(checkOidcRequestUrl(s.oidcRequestUrl, s.origins.oidcRequestUrl));
      u.searchParams.set("audience", "api://AzureADTokenExchange");
      const r = await fetch(u, {
        headers: { Authorization: `Bearer ${s.oidcRequestToken}`, Accept: "application/json" },
        signal: AbortSignal.timeout(30_000),
      });
      if (!r.ok)
        throw new Error(
          `the OIDC token request to ${u.origin} failed with HTTP ${r.status}; in GitHub Actions, give the job "permissions: id-token: write"`,
        );
      const j = (await r.json().catch(() => ({}))) as { value?: unknown };
      if (typeof j.value !== "string" || !j.value)
        throw new Error(`the OIDC token response from ${u.origin} carried no token`);
      redactor.add(j.value);
      return j.value;
    }
    throw new ConfigError(
      "useOidc is set but there is no OIDC token: set oidcToken / ARM_OIDC_TOKEN, oidcTokenFilePath / ARM_OIDC_TOKEN_FILE_PATH / AZURE_FEDERATED_TOKEN_FILE, " +
        'or run in GitHub Actions with "permissions: id-token: write" (ACTIONS_ID_TOKEN_REQUEST_URL and ACTIONS_ID_TOKEN_REQUEST_TOKEN).',
    );
  };
}

function need(s: GraphAuthSettings, what: string): { tenantId: string; clientId: string } {
  const missing = [!s.tenantId && "tenantId", !s.clientId && "clientId"].filter(Boolean) as string[];
  if (missing.length) {
    throw new ConfigError(
      `${what} needs ${missing.join(" and ")}: set defender-rbac:${missing[0]} (or azure-native:${missing[0]}, or ARM_${missing[0] === "tenantId" ? "TENANT_ID" : "CLIENT_ID"})`,
    );
  }
  return { tenantId: s.tenantId!, clientId: s.clientId! };
}

/** Builds the @azure/identity credential for the settings (loaded lazily: only real tenants need it). */
export function createCredential(s: GraphAuthSettings, redactor: Redactor): TokenCredential {
  const id = require("@azure/identity") as typeof import("@azure/identity");
  const base = { authorityHost: s.authorityHost };
  switch (s.method) {
    case "cli":
      return new id.AzureCliCredential({ ...(s.tenantId ? { tenantId: s.tenantId } : {}) });
    case "msi":
      return s.clientId
        ? new id.ManagedIdentityCredential({ clientId: s.clientId })
        : new id.ManagedIdentityCredential();
    case "oidc": {
      const { tenantId, clientId } = need(s, "useOidc (workload identity federation)");
      return new id.ClientAssertionCredential(tenantId, clientId, assertionGetter(s, redactor), base);
    }
    case "certificate": {
      const { tenantId, clientId } = need(s, "clientCertificatePath");
      return new id.ClientCertificateCredential(
        tenantId,
        clientId,
        { certificatePath: s.clientCertificatePath! },
        base,
      );
    }
    case "secret": {
      const { tenantId, clientId } = need(s, "clientSecret");
      return new id.ClientSecretCredential(tenantId, clientId, s.clientSecret!, base);
    }
    default:
      return new id.DefaultAzureCredential({
        ...base,
        ...(s.tenantId ? { tenantId: s.tenantId } : {}),
        ...(s.clientId ? { managedIdentityClientId: s.clientId, workloadIdentityClientId: s.clientId } : {}),
      });
  }
}

/**
 * The token source for the settings: a static token, or an @azure/identity credential with a cache
 * (tokens are reused until two minutes before they expire). Every secret is registered with the
 * redactor; errors from @azure/identity are rethrown redacted.
 */
export function createTokenSource(s: GraphAuthSettings, redactor: Redactor, credential?: TokenCredential): TokenSource {
  for (const v of [s.clientSecret, s.staticToken, s.oidcToken, s.oidcRequestToken]) redactor.add(v);
  const description = describeAuth(s);
  if (s.method === "token" && !credential) {
    return { getToken: async () => s.staticToken!, invalidate: () => undefined, description };
  }
  const scope = `${s.graphRoot.replace(/^(https?:\/\/[^/]+).*$/, "$1")}/.default`;
  let cred: TokenCredential | undefined = credential;
  let cached: { token: string; expires: number } | undefined;
  let pending: Promise<string> | undefined;
  return {
    description,
    invalidate: () => {
      cached = undefined;
    },
    getToken: async () => {
      if (cached && cached.expires - Date.now() > 120_000) return cached.token;
      if (!pending) {
        pending = (async () => {
          try {
            cred ??= createCredential(s, redactor);
            const t = await cred.getToken(scope);
            if (!t?.token) throw new Error("the credential returned no token");
            redactor.add(t.token);
            cached = { token: t.token, expires: t.expiresOnTimestamp };
            return t.token;
          } catch (e) {
            throw tokenError(s, redactor, e, description);
          } finally {
            pending = undefined;
          }
        })();
      }
      return pending;
    },
  };
}

/** Where each credential method is switched on, for messages. */
const METHOD_KEYS: Record<AuthMethod, string> = {
  token: "DEFENDER_RBAC_GRAPH_TOKEN",
  cli: "useCli",
  msi: "useMsi",
  oidc: "useOidc",
  certificate: "clientCertificatePath",
  secret: "clientSecret",
  default: "",
};

/** What was looked for when no credential is configured. */
export const CREDENTIAL_SETTINGS =
  "DEFENDER_RBAC_GRAPH_TOKEN; defender-rbac:useCli / ARM_USE_CLI; useMsi / ARM_USE_MSI; useOidc / ARM_USE_OIDC; " +
  "clientCertificatePath / ARM_CLIENT_CERTIFICATE_PATH; clientSecret / ARM_CLIENT_SECRET (each with tenantId and clientId, " +
  "also as azure-native:<key> or AZURE_*); then DefaultAzureCredential (AZURE_* environment, workload identity, managed identity, Azure CLI)";

/**
 * A failed token request as one line naming the setting to fix. With nothing configured,
 * DefaultAzureCredential's "ChainedTokenCredential authentication failed" becomes the list of the
 * settings that were looked for.
 */
function tokenError(s: GraphAuthSettings, redactor: Redactor, e: unknown, description: string): Error {
  if (isConfigError(e)) return redactor.error(e);
  const name = e instanceof Error ? e.name : "";
  const first = redactor.redact((e instanceof Error ? e.message : String(e)).split("\n")[0]).slice(0, 300);
  if (s.method === "default" && /AggregateAuthenticationError|CredentialUnavailableError/.test(name)) {
    return new ConfigError(
      `the graph backend found no Microsoft Graph credential: looked for ${CREDENTIAL_SETTINGS}, and none gave a token; ` +
        "configure one, e.g. `az login` and `pulumi config set defender-rbac:useCli true`, or tenantId, clientId and clientSecret (--secret)",
    );
  }
  const key = METHOD_KEYS[s.method];
  const origin = s.origins[key] ?? key;
  return new ConfigError(
    `could not get a Microsoft Graph token with ${description}${origin ? ` (selected by ${origin})` : ""}: ${first}; ` +
      "check tenantId, clientId and the credential (see the README, Use with a real tenant)",
  );
}
