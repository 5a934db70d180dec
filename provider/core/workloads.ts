/**
 * The workloads (data sources) of Unified RBAC: the one table every spelling of a workload comes from.
 *   name        the user-facing name in programs (`Scope.workloads("endpoint")`, `workload: "office365"`);
 *   appScope    the Graph `appScopeIds` value [DOC], also the key of its activation switch;
 *   legacy      the individual RBAC model it had before Unified RBAC (ImportedRole `source`), if any;
 *   activation  whether Unified RBAC can be turned on or off for it (WorkloadActivation);
 *   displayName the product name used in messages.
 * Also here: the names of the Entra groups behind Defender for Identity's role groups.
 */

export const WORKLOADS = [
  {
    name: "endpoint",
    appScope: "Mde",
    legacy: "mde",
    activation: true,
    displayName: "Microsoft Defender for Endpoint (and Defender Vulnerability Management)",
  },
  {
    name: "office365",
    appScope: "Mdo",
    legacy: "mdo",
    activation: true,
    displayName: "Microsoft Defender for Office 365",
  },
  {
    name: "identity",
    appScope: "Mdi",
    legacy: "mdi",
    activation: true,
    displayName: "Microsoft Defender for Identity",
  },
  { name: "cloud", appScope: "Mdc", legacy: null, activation: true, displayName: "Microsoft Defender for Cloud" },
  {
    name: "cloudApps",
    appScope: "Mda",
    legacy: null,
    activation: true,
    displayName: "Microsoft Defender for Cloud Apps",
  },
  {
    name: "secureScoreExternal",
    appScope: "SecureScoreExternal",
    legacy: null,
    activation: false,
    displayName: "SecureScoreExternal",
  },
] as const;

/**
 * A workload: one row of WORKLOADS. Its spellings are its fields, e.g. `Workload["name"]` ("endpoint" …),
 * `Workload["appScope"]` ("Mde" …), `NonNullable<Workload["legacy"]>` ("mde" | "mdo" | "mdi").
 */
export type Workload = (typeof WORKLOADS)[number];

/** Other names ImportedRole accepts for a legacy model ("eop": Exchange Online Protection is part of mdo). */
const LEGACY_ALIASES: Readonly<Record<string, NonNullable<Workload["legacy"]>>> = { eop: "mdo" };

/** The workload a user-facing name or Graph appScopeId stands for, any case ("endpoint", "Mde", "mde"). */
export function workloadNamed(s: unknown): Workload | undefined {
  if (typeof s !== "string") return undefined;
  const lower = s.toLowerCase();
  return WORKLOADS.find((w) => w.name.toLowerCase() === lower || w.appScope.toLowerCase() === lower);
}

/** The workload by its Graph appScopeId, exact case ("Mde"). */
export function workloadByAppScope(appScope: string): Workload | undefined {
  return WORKLOADS.find((w) => w.appScope === appScope);
}

/** A workload whose Unified RBAC activation can be switched, by name or appScopeId, any case. */
export function activationWorkloadNamed(s: unknown): Workload | undefined {
  const w = workloadNamed(s);
  return w?.activation ? w : undefined;
}

/** The legacy model an ImportedRole `source` names: "mde", "endpoint", "eop", "office365", "mdi", … any case. */
export function legacySourceNamed(s: unknown): NonNullable<Workload["legacy"]> | undefined {
  if (typeof s !== "string") return undefined;
  return LEGACY_ALIASES[s.toLowerCase()] ?? workloadNamed(s)?.legacy ?? undefined;
}

/** The workload whose legacy model is `legacy` ("mdi" → identity). */
export function workloadOfLegacy(legacy: NonNullable<Workload["legacy"]>): Workload {
  return WORKLOADS.find((w) => w.legacy === legacy)!;
}

/** "a, b or c", for messages that list workloads. */
export function orList(items: readonly string[]): string {
  return items.length < 2 ? items.join("") : `${items.slice(0, -1).join(", ")} or ${items[items.length - 1]}`;
}

// ---- Defender for Identity role groups -------------------------------------------------------------

/** Entra group suffix → the Defender for Identity role group (legacy.ts MDI_ROLE_GROUPS) it stands for. */
const MDI_GROUP_ROLES = { administrators: "MDI admin", users: "MDI user", viewers: "MDI viewer" } as const;
const MDI_GROUP = /^azure atp .+ (administrators|users|viewers)$/i;

/**
 * The Entra group behind a Defender for Identity role group: "Azure ATP <workspace> Administrators",
 * "… Users" or "… Viewers". `role` is the role group ("MDI admin", or just "admin" / "user" / "viewer").
 */
export function mdiGroupName(workspace: string, role: string): string {
  const suffix = /admin/i.test(role) ? "Administrators" : /user/i.test(role) ? "Users" : "Viewers";
  return `Azure ATP ${workspace} ${suffix}`;
}

/** The role group ("MDI admin" / "MDI user" / "MDI viewer") an Entra group name stands for, if it is one. */
export function mdiGroupRole(groupName: string): (typeof MDI_GROUP_ROLES)[keyof typeof MDI_GROUP_ROLES] | undefined {
  const m = MDI_GROUP.exec(groupName.trim());
  return m ? MDI_GROUP_ROLES[m[1].toLowerCase() as keyof typeof MDI_GROUP_ROLES] : undefined;
}
