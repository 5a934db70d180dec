/**
 * The provider implementation the serialized shells load at run time
 * (`require("pulumi-defender-rbac/engine")`, resolved from the program directory). It holds the
 * process-wide configuration from `configure` and one backend, and dispatches each call to the
 * handler of the resource kind. Nothing here is serialized into state.
 */
import "./compileCache"; // first: the modules imported below are compiled through the cache
import type { Backend, BackendConfig } from "./backend/backend";
import { createBackend } from "./backend";
import { isConfigError } from "./backend/configError";
import { isRefusal } from "./core/errors";
import { beforeWrite, processLifeline } from "./lifeline";
import type { HandlerContext, Raw, ResourceHandler } from "./handlers/common";
import { importedRoleHandler } from "./handlers/importedRole";
import { roleAssignmentHandler } from "./handlers/roleAssignment";
import { unifiedRoleHandler } from "./handlers/unifiedRole";
import { workloadActivationHandler } from "./handlers/workloadActivation";

export type ResourceKind = "UnifiedRole" | "RoleAssignment" | "ImportedRole" | "WorkloadActivation";

/**
 * The untyped boundary: the dynamic-provider server hands over property bags; each handler reads them
 * through its own schema and types.
 */
type AnyHandler = ResourceHandler<any, any>;

export const HANDLERS: Record<ResourceKind, AnyHandler> = {
  UnifiedRole: unifiedRoleHandler,
  RoleAssignment: roleAssignmentHandler,
  ImportedRole: importedRoleHandler,
  WorkloadActivation: workloadActivationHandler,
};

const NAMESPACE = "defender-rbac:";

/** Builds the backend config from the whole stack config (namespaced keys). */
export function backendConfigFrom(raw: Record<string, unknown>, cwd: string = process.cwd()): BackendConfig {
  const stack: Record<string, string> = {};
  const settings: Record<string, string> = {};
  for (const [k, v] of Object.entries(raw)) {
    if (v === undefined || v === null) continue;
    const s = typeof v === "string" ? v : JSON.stringify(v);
    stack[k] = s;
    if (k.startsWith(NAMESPACE)) settings[k.slice(NAMESPACE.length)] = s;
  }
  return { settings, stack, cwd };
}

function configFromEnv(): Record<string, unknown> {
  try {
    return process.env.PULUMI_CONFIG ? JSON.parse(process.env.PULUMI_CONFIG) : {};
  } catch {
    return {};
  }
}

let current: BackendConfig | undefined;
let currentKey = "";
let backend: Promise<Backend> | undefined;

function setConfig(config: BackendConfig): void {
  const key = JSON.stringify([config.settings, config.stack, config.cwd]);
  if (key === currentKey) return;
  current = config;
  currentKey = key;
  const old = backend;
  backend = undefined;
  void old?.then((b) => b.close?.()).catch(() => undefined);
}

/** Called by the dynamic-provider server once per serialized provider, with the whole stack config. */
export async function configure(req: { config?: { rawConfig?: Record<string, unknown> } } | undefined): Promise<void> {
  processLifeline();
  const raw = req?.config?.rawConfig ?? configFromEnv();
  setConfig(backendConfigFrom(raw));
}

export const context: HandlerContext = {
  backend(): Promise<Backend> {
    if (!current) setConfig(backendConfigFrom(configFromEnv()));
    if (!backend) {
      backend = createBackend(current!);
      backend.catch(() => {
        backend = undefined;
      }); // a failed open is retried on the next call
    }
    return backend;
  },
  settings(): Record<string, string> {
    if (!current) setConfig(backendConfigFrom(configFromEnv()));
    return current!.settings;
  },
};

function handler(kind: string): AnyHandler {
  const h = HANDLERS[kind as ResourceKind];
  if (!h)
    throw new Error(
      `pulumi-defender-rbac: unknown resource kind "${kind}"; upgrade the package that created this state`,
    );
  return h;
}

/**
 * The dynamic-provider server prints `${e}: ${e.stack}` for an error thrown by check, diff, read or
 * delete (and then the engine prints its message). A ConfigError or a Refusal (a lockout, a cascading
 * delete) is meant for the user: its echo is dropped, so the user sees the message once, without a trace.
 */
const quiet = new Set<string>();
let filtering = false;
function silenceEcho(e: unknown): void {
  if (!isConfigError(e) && !isRefusal(e)) return;
  if (!filtering) {
    filtering = true;
    const original = console.error;
    console.error = (...args: unknown[]) => {
      if (args.length === 1 && typeof args[0] === "string" && quiet.has(args[0])) return;
      original.apply(console, args);
    };
  }
  if (quiet.size > 1000) quiet.clear();
  quiet.add(`${e}: ${e.stack}`);
}

async function run<T>(write: boolean, fn: () => Promise<T>): Promise<T> {
  processLifeline();
  try {
    if (write) await beforeWrite();
    return await fn();
  } catch (e) {
    silenceEcho(e);
    throw e;
  }
}

export const check = (kind: string, olds: Raw, news: Raw) =>
  run(false, () => handler(kind).check(context, olds ?? {}, news ?? {}));
export const diff = (kind: string, id: string, olds: Raw, news: Raw) =>
  run(false, () => handler(kind).diff(context, id, olds ?? {}, news ?? {}));
export const create = (kind: string, inputs: Raw) => run(true, () => handler(kind).create(context, inputs));
export const read = (kind: string, id: string, props: Raw) =>
  run(false, () => handler(kind).read(context, id, props ?? {}));
export const update = (kind: string, id: string, olds: Raw, news: Raw) =>
  run(true, () => handler(kind).update(context, id, olds ?? {}, news));
export const remove = (kind: string, id: string, props: Raw) =>
  run(true, () => handler(kind).delete(context, id, props ?? {}));
