/**
 * Backend selection: `defender-rbac:backend` is `local` (default), `graph`, or a module path / package
 * name exporting `createBackend(config)`. `defender-rbac:parity` (graph, or a recorded catalogue file) makes
 * the local backend behave at preview like that Graph tenant (parity.ts).
 */
import * as path from "node:path";
import type { Backend, BackendConfig } from "./backend";
import { LocalBackend, storePathFor } from "./local";

export * from "./backend";
export { LocalBackend, storePathFor, DEFAULT_STORE_PATH } from "./local";
export { TenantStore } from "./store";

export async function createBackend(config: BackendConfig): Promise<Backend> {
  const kind = config.settings.backend || process.env.DEFENDER_RBAC_BACKEND || "local";
  if (kind === "local") {
    const local = LocalBackend.open(storePathFor(config));
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
    throw new Error(
      `defender-rbac:backend is "${kind}", which is neither "local", "graph" nor a loadable module: ${(e as Error).message}`,
    );
  }
  if (typeof mod.createBackend !== "function") {
    throw new Error(`defender-rbac:backend module "${kind}" must export createBackend(config)`);
  }
  return mod.createBackend(config);
}
