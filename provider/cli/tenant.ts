/**
 * The options that name a tenant on the command line (`--backend local|graph` and the Graph sign-in
 * settings), shared by `export` and `catalog`. Secrets are never taken on the command line: the Graph
 * backend reads them from the environment (ARM_CLIENT_SECRET, DEFENDER_RBAC_GRAPH_TOKEN) or another
 * credential. Opening never writes: a local store must already exist.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { Command, Option } from "commander";
import type { Backend } from "../backend/backend";

export interface TenantOptions {
  backend: string;
  store?: string;
  graphUrl?: string;
  tenantId?: string;
  clientId?: string;
  cloud?: string;
  useCli?: boolean;
  useMsi?: boolean;
  useOidc?: boolean;
}

/** Adds the tenant options; without `defaultBackend`, --backend is optional. */
export function withTenantOptions(cmd: Command, defaultBackend?: string): Command {
  const backend = new Option(
    "--backend <backend>",
    "where to read: local (a tenant store file) or graph (Microsoft Graph)",
  ).choices(["local", "graph"]);
  return cmd
    .addOption(defaultBackend ? backend.default(defaultBackend) : backend)
    .option(
      "--store <file>",
      "local backend: the tenant store (default: DEFENDER_RBAC_STORE or .defender-rbac/tenant.db)",
    )
    .option("--graph-url <url>", "graph backend: Graph root (default DEFENDER_RBAC_GRAPH_URL or the cloud's Graph)")
    .option("--tenant-id <id>", "graph backend: Entra tenant id (default ARM_TENANT_ID / AZURE_TENANT_ID)")
    .option("--client-id <id>", "graph backend: app registration client id (default ARM_CLIENT_ID / AZURE_CLIENT_ID)")
    .option(
      "--cloud <name>",
      "graph backend: AzurePublicCloud, AzureUSGovernment, AzureUSGovernmentDoD or AzureChinaCloud",
    )
    .option("--use-cli", "graph backend: sign in with the Azure CLI")
    .option("--use-msi", "graph backend: sign in with a managed identity")
    .option("--use-oidc", "graph backend: workload identity federation (e.g. GitHub Actions OIDC)");
}

export async function openTenant(opts: TenantOptions, cwd: string = process.cwd()): Promise<Backend> {
  if (opts.backend === "local") {
    const { storePathFor, LocalBackend } = require("../backend/local") as typeof import("../backend/local");
    const file = opts.store ? path.resolve(cwd, opts.store) : storePathFor({ settings: {}, cwd });
    if (!fs.existsSync(file))
      throw new Error(
        `there is no local tenant store at ${file}; pass --store <file> (this command never creates one)`,
      );
    return LocalBackend.open(file);
  }
  if (opts.backend === "graph") {
    const { GraphBackend } = require("../backend/graph/backend") as typeof import("../backend/graph/backend");
    const settings: Record<string, string> = {};
    const put = (k: string, v: string | boolean | undefined) => {
      if (v !== undefined && v !== false && v !== "") settings[k] = String(v);
    };
    put("graphUrl", opts.graphUrl);
    put("tenantId", opts.tenantId);
    put("clientId", opts.clientId);
    put("cloud", opts.cloud);
    put("useCli", opts.useCli);
    put("useMsi", opts.useMsi);
    put("useOidc", opts.useOidc);
    return GraphBackend.fromConfig({ settings, stack: {}, cwd });
  }
  throw new Error(`--backend must be "local" or "graph" (got "${opts.backend}")`);
}
