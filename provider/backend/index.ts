/**
 * Backend selection: `defender-rbac:backend` is `local` (default), `graph`, or a module path / package
 * name exporting `createBackend(config)`. `defender-rbac:parity` (graph, or a recorded catalogue file) makes
 * the local backend behave at preview like that Graph tenant (parity.ts).
 */
import * as path from "node:path";
import type { Backend, BackendConfig } from "./backend";
import { ConfigError, isConfigError } from "./configError";
import { LocalBackend, openStoreFor } from "./local";

export * from "./backend";
export { LocalBackend, storePathFor, DEFAULT_STORE_PATH } from "./local";
export { TenantStore } from "./store";
export { ConfigError, isConfigError } from "./configError";

export async function createBackend(config: BackendConfig): Promise<Backend> {
  const kind = config.settings.backend || process.env.DEFENDER_RBAC_BACKEND || "local";
  if (kind === "local") {
    const local = new LocalBackend(openStoreFor(config));
    if (!config.settings.parity) return local;
    const { ParityBackend } = require("./parity") as typeof import("./parity");
    return ParityBackend.wrap(local, config);
  }
  if (kind === "graph") {
    // loaded lazily: @azure/identity is only needed for real tenants
    const { GraphBackend } = require("./graph/backend") as typeof import("./graph/backend");
    return GraphBackend.fromConfig(config);
  }
  const spec = kind.startsWith(".") || path.isAbsolute(kind) ? path.resolve(config.cwd, kind) : kind;
  let mod: { createBackend?: (c: BackendConfig) => Backend | Promise<Backend> };
  try {
    mod = require(require.resolve(spec, { paths: [config.cwd] }));
  } catch (e) {
    throw new ConfigError(
      `defender-rbac:backend is "${kind}", which is neither "local", "graph" nor a loadable module ` +
        `(${firstLine(e)}); set it to local, graph, or the path of a module exporting createBackend(config)`,
    );
  }
  if (typeof mod.createBackend !== "function") {
    throw new ConfigError(
      `defender-rbac:backend module "${kind}" must export createBackend(config); export it, or set defender-rbac:backend to local or graph`,
    );
  }
  try {
    const b = await mod.createBackend(config);
    if (!b || typeof b !== "object" || typeof (b as Backend).capabilities !== "function")
      throw new Error("it returned no backend (an object with capabilities() and the Backend methods)");
    return b;
  } catch (e) {
    if (isConfigError(e)) throw e;
    throw new ConfigError(
      `defender-rbac:backend module "${kind}": createBackend(config) failed: ${firstLine(e)}; fix the module or its settings, or set defender-rbac:backend to local or graph`,
    );
  }
}

/** The first line of an error's message (a module's stack trace never reaches the user). */
function firstLine(e: unknown): string {
  const m = e instanceof Error ? e.message : String(e);
  return m.split("\n")[0].trim();
}
