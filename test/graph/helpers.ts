/** Shared set-up for the Graph backend and emulator specs: fast retries, a fake token, raw HTTP. */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import type { BackendEvent } from "../../provider/backend/graph/backend";
import { GraphBackend } from "../../provider/backend/graph/backend";
import type { ClientEvent, RetryOptions } from "../../provider/backend/graph/client";
import { Redactor } from "../../provider/backend/graph/errors";
import type { TokenSource } from "../../provider/backend/graph/auth";
import * as engine from "../../provider/engine";

/** A fake bearer token; tests assert it never appears in an error. */
export const TOKEN = "fake-graph-token-7Qw9xZ2mK4pL";
export const GRAPH = "/beta/roleManagement/defender";

/** Retry settings that keep the suite fast. */
export const FAST: Partial<RetryOptions> = {
  maxAttempts: 8,
  baseDelayMs: 2,
  maxDelayMs: 20,
  maxRetryAfterMs: 30,
  timeoutMs: 2000,
};

export const staticToken = (token = TOKEN): TokenSource => ({
  getToken: async () => token,
  invalidate: () => undefined,
  description: "a test token",
});

/** Engine settings (without the `defender-rbac:` prefix) that keep its Graph backend fast against the emulator. */
const FAST_SETTINGS = { graphRetryBaseMs: "2", graphRetryMaxMs: "20", graphConsistencyWaitMs: "250" };

/**
 * Points provider/engine.ts at the emulator at `url` (`defender-rbac:backend graph`, the fast settings
 * with `settings` over them, the fake token in DEFENDER_RBAC_GRAPH_TOKEN), as a suite's `before` does.
 * Returns what puts the engine and the token back, for its `after`.
 */
export async function engineOnGraph(url: string, settings: Record<string, string> = {}): Promise<() => Promise<void>> {
  const saved = process.env.DEFENDER_RBAC_GRAPH_TOKEN;
  process.env.DEFENDER_RBAC_GRAPH_TOKEN = TOKEN;
  const all: Record<string, string> = { backend: "graph", graphUrl: url, ...FAST_SETTINGS, ...settings };
  const rawConfig = Object.fromEntries(Object.entries(all).map(([k, v]) => [`defender-rbac:${k}`, v]));
  await engine.configure({ config: { rawConfig } });
  return async () => {
    await engine.configure(undefined); // back to the process default (PULUMI_CONFIG): no graph configuration left behind
    if (saved === undefined) delete process.env.DEFENDER_RBAC_GRAPH_TOKEN;
    else process.env.DEFENDER_RBAC_GRAPH_TOKEN = saved;
  };
}

export interface TestBackend {
  backend: GraphBackend;
  events: (ClientEvent | BackendEvent)[];
}

export function fastBackend(
  url: string,
  opts: { retry?: Partial<RetryOptions>; consistencyWaitMs?: number; token?: string } = {},
): TestBackend {
  const redactor = new Redactor();
  redactor.add(opts.token ?? TOKEN);
  const events: (ClientEvent | BackendEvent)[] = [];
  const backend = new GraphBackend({
    root: url,
    token: staticToken(opts.token),
    redactor,
    retry: { ...FAST, ...(opts.retry ?? {}) },
    consistencyWaitMs: opts.consistencyWaitMs ?? 250,
    onEvent: (e) => events.push(e),
  });
  return { backend, events };
}

export interface RawResponse {
  status: number;
  headers: Headers;
  json: any;
}

/** One raw HTTP request to the emulator, with the fake token unless `auth` is given. */
export async function raw(
  url: string,
  method: string,
  p: string,
  body?: unknown,
  auth: string | null = `Bearer ${TOKEN}`,
): Promise<RawResponse> {
  const res = await fetch(`${url}${p}`, {
    method,
    redirect: "manual",
    headers: {
      ...(auth ? { Authorization: auth } : {}),
      ...(body !== undefined ? { "Content-Type": "application/json" } : {}),
    },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  return { status: res.status, headers: res.headers, json: text ? JSON.parse(text) : undefined };
}

export function tempDir(prefix = "defender-rbac-graph-"): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), prefix));
}

export const guid = (n: number) => `8e811502-2c2a-4d1b-9c5e-${n.toString(16).padStart(12, "0")}`;

/** Asserts that `e` is an Error whose message and stack contain none of `secrets`. */
export function assertNoSecrets(e: unknown, secrets: string[]): void {
  const text = e instanceof Error ? `${e.name} ${e.message} ${e.stack ?? ""} ${JSON.stringify(e)}` : String(e);
  for (const s of secrets)
    if (text.includes(s)) throw new Error(`a secret leaked into an error: ${text.slice(0, 400)}`);
}
