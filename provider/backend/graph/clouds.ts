/** The national clouds the Graph backend reaches: each one's Graph root and Entra authority host, by name or alias. */
import { ConfigError } from "../configError";

export interface CloudEndpoints {
  name: string;
  /** Graph root, without a version segment. */
  graph: string;
  authorityHost: string;
}

/** National clouds: Graph roots and Entra authority hosts (Microsoft Graph national cloud deployments). */
const CLOUDS: CloudEndpoints[] = [
  {
    name: "AzurePublicCloud",
    graph: "https://graph.microsoft.com",
    authorityHost: "https://login.microsoftonline.com",
  },
  { name: "AzureUSGovernment", graph: "https://graph.microsoft.us", authorityHost: "https://login.microsoftonline.us" },
  {
    name: "AzureUSGovernmentDoD",
    graph: "https://dod-graph.microsoft.us",
    authorityHost: "https://login.microsoftonline.us",
  },
  {
    name: "AzureChinaCloud",
    graph: "https://microsoftgraph.chinacloudapi.cn",
    authorityHost: "https://login.chinacloudapi.cn",
  },
];

const CLOUD_ALIASES: Record<string, string> = {
  azurepubliccloud: "AzurePublicCloud",
  public: "AzurePublicCloud",
  azurecloud: "AzurePublicCloud",
  global: "AzurePublicCloud",
  azureusgovernment: "AzureUSGovernment",
  azureusgovernmentcloud: "AzureUSGovernment",
  usgovernment: "AzureUSGovernment",
  usgovernmentl4: "AzureUSGovernment",
  gcchigh: "AzureUSGovernment",
  azureusgovernmentdod: "AzureUSGovernmentDoD",
  usgovernmentl5: "AzureUSGovernmentDoD",
  dod: "AzureUSGovernmentDoD",
  azurechinacloud: "AzureChinaCloud",
  china: "AzureChinaCloud",
  azurechina: "AzureChinaCloud",
};

export function cloudFor(name: string | undefined): CloudEndpoints {
  if (!name) return CLOUDS[0];
  const canon = CLOUD_ALIASES[name.replace(/[\s_-]/g, "").toLowerCase()];
  const c = CLOUDS.find((x) => x.name === canon);
  if (!c) {
    throw new ConfigError(
      `defender-rbac:cloud "${name}" is not a cloud this backend knows; use one of ${CLOUDS.map((x) => x.name).join(", ")} ` +
        "(or public, usgovernment, dod, china), or set defender-rbac:graphUrl.",
    );
  }
  return c;
}
