/**
 * The individual (legacy) RBAC models and what each of their roles maps to in Unified RBAC, from
 * Microsoft's "Map Microsoft 365 Defender Unified RBAC permissions" page (2023-08-03; docs/mapping.md).
 * Every row of its four tables is here, encoded as catalogue atom ids (not as the page's text, so that
 * the seed test vectors, which resolve the page's text, check this encoding independently).
 */
import { getAtom } from "./catalogue";
import type { Workload } from "./workloads";

/** The legacy models: the workloads' own ones (workloads.ts `legacy`) and Entra's global roles. */
export type LegacySource = NonNullable<Workload["legacy"]> | "entra";
export const LEGACY_SOURCES: readonly LegacySource[] = ["mde", "mdo", "mdi", "entra"];

export const SOURCE_NAMES: Record<LegacySource, string> = {
  mde: "Defender for Endpoint and Defender Vulnerability Management permissions",
  mdo: "Defender for Office 365 (Exchange Online Protection) role groups and roles",
  mdi: "Defender for Identity role groups",
  entra: "Microsoft Entra (Azure AD) global roles",
};

export interface LegacyEntry {
  source: LegacySource;
  /** The name as the seed writes it. */
  name: string;
  /** Other accepted spellings. Matching is case- and dash-insensitive anyway (names.ts). */
  aliases: string[];
  kind: "permission" | "roleGroup" | "role";
  /** Atom ids granted in all workloads. */
  grants: string[];
  /** Entra only: atom ids granted only in the given workloads. */
  workloadGrants?: Partial<Record<NonNullable<Workload["legacy"]>, string[]>>;
  /** Set when the entry maps to nothing in Unified RBAC by design. */
  unsupported?: string;
}

// Atom ids, checked when this module loads (a typo fails every test at once).
const A = {
  basics: "secops.securitydata.basics:read",
  alerts: "secops.securitydata.alerts:manage",
  response: "secops.securitydata.response:manage",
  lrBasic: "secops.securitydata.liveresponse-basic:manage",
  lrAdvanced: "secops.securitydata.liveresponse-advanced:manage",
  fileCollection: "secops.securitydata.filecollection:manage",
  quarantine: "secops.securitydata.emailquarantine:manage",
  advancedActions: "secops.securitydata.emailadvancedactions:manage",
  metadata: "secops.rawdata.emailmetadata:read",
  content: "secops.rawdata.emailcontent:read",
  vuln: "securityposture.posturemanagement.vulnerabilitymanagement:read",
  exception: "securityposture.posturemanagement.exceptionhandling:manage",
  remediation: "securityposture.posturemanagement.remediationhandling:manage",
  application: "securityposture.posturemanagement.applicationhandling:manage",
  baseline: "securityposture.posturemanagement.baselineassessment:manage",
  scoreRead: "securityposture.posturemanagement.exposuremanagement:read",
  scoreManage: "securityposture.posturemanagement.exposuremanagement:manage",
  authRead: "configuration.-.authorization:read",
  authManage: "configuration.-.authorization:manage",
  coreRead: "configuration.security.core:read",
  coreManage: "configuration.security.core:manage",
  tuning: "configuration.security.detectiontuning:manage",
  systemRead: "configuration.-.system:read",
  systemManage: "configuration.-.system:manage",
} as const;
for (const id of Object.values(A)) if (!getAtom(id)) throw new Error(`legacy.ts: unknown atom id ${id}`);

/** "Security settings (All permissions)" */
const SECURITY_SETTINGS_ALL = [A.coreRead, A.coreManage, A.tuning];
/** "(Read and manage)" */
const AUTH_RM = [A.authRead, A.authManage];
const SYSTEM_RM = [A.systemRead, A.systemManage];

const mde = (name: string, aliases: string[], grants: string[], unsupported?: string): LegacyEntry => ({
  source: "mde",
  name,
  aliases,
  kind: "permission",
  grants,
  unsupported,
});

export const MDE_PERMISSIONS: readonly LegacyEntry[] = [
  mde("View data - Security operations", ["View data (Security operations)", "Security operations"], [A.basics]),
  mde(
    "View data - Defender Vulnerability Management",
    [
      "View data - Threat and vulnerability management",
      "View data (Defender Vulnerability Management)",
      "Defender Vulnerability Management",
    ],
    [A.vuln],
  ),
  mde("Alerts investigation", [], [A.alerts]),
  mde("Active remediation actions - Security operations", ["Active remediation actions"], [A.response]),
  mde(
    "Active remediation actions - Defender Vulnerability Management - Exception handling",
    ["Exception handling", "Active remediation actions - DVM - Exception handling"],
    [A.exception],
  ),
  mde(
    "Active remediation actions - Defender Vulnerability Management - Remediation handling",
    ["Remediation handling", "Active remediation actions - DVM - Remediation handling"],
    [A.remediation],
  ),
  mde(
    "Active remediation actions - Defender Vulnerability Management - Application handling",
    ["Application handling", "Active remediation actions - DVM - Application handling"],
    [A.application],
  ),
  mde(
    "Defender Vulnerability management – Manage security baselines assessment profiles",
    ["Manage security baselines assessment profiles", "DVM - Manage security baselines assessment profiles"],
    [A.baseline],
  ),
  mde("Live response capabilities", ["Live response capabilities - basic", "Basic live response"], [A.lrBasic]),
  mde("Live response capabilities - advanced", ["Advanced live response"], [A.lrAdvanced, A.fileCollection]),
  mde(
    "Manage security settings in the Security Center",
    ["Manage security settings in Security Center", "Manage security settings"],
    [A.coreManage, A.tuning],
  ),
  mde("Manage portal system settings", ["Manage system settings"], SYSTEM_RM),
  mde(
    "Manage endpoint security settings in Microsoft Intune",
    ["Manage endpoint security settings in Intune"],
    [],
    "Not supported - this permission is managed in the Microsoft Intune admin center",
  ),
];

const mdo = (name: string, kind: "roleGroup" | "role", grants: string[], aliases: string[] = []): LegacyEntry => ({
  source: "mdo",
  name,
  aliases,
  kind,
  grants,
});

const READERS_MDO = [A.basics, A.metadata, A.response, A.coreRead, A.systemRead];
export const MDO_ROLES: readonly LegacyEntry[] = [
  mdo("Security reader", "roleGroup", READERS_MDO),
  mdo("Global reader", "roleGroup", READERS_MDO),
  mdo("Security administrator", "roleGroup", [
    A.basics,
    A.alerts,
    A.metadata,
    A.response,
    A.quarantine,
    A.authRead,
    ...SECURITY_SETTINGS_ALL,
    ...SYSTEM_RM,
  ]),
  mdo("Organization Management", "roleGroup", [
    A.basics,
    A.alerts,
    A.metadata,
    A.response,
    A.advancedActions,
    A.quarantine,
    ...AUTH_RM,
    ...SECURITY_SETTINGS_ALL,
    ...SYSTEM_RM,
  ]),
  mdo("View-Only Recipients", "role", [A.basics, A.metadata]),
  mdo("Preview", "role", [A.content]),
  mdo("Search and Purge", "role", [A.advancedActions]),
  mdo("View-Only Manage Alerts", "role", [A.basics]),
  mdo("Manage Alerts", "role", [A.basics, A.alerts]),
  mdo("View-only Audit Logs", "role", [A.basics]),
  mdo("Audit Logs", "role", [A.basics]),
  mdo("Quarantine", "role", [A.quarantine]),
  mdo("Role Management", "role", AUTH_RM),
];

export const MDI_ROLE_GROUPS: readonly LegacyEntry[] = [
  {
    source: "mdi",
    name: "MDI admin",
    aliases: ["Administrator", "Administrators", "MDI Administrator", "MDI Administrators", "Azure ATP Administrators"],
    kind: "roleGroup",
    grants: [A.basics, A.alerts, ...AUTH_RM, ...SECURITY_SETTINGS_ALL, ...SYSTEM_RM],
  },
  {
    source: "mdi",
    name: "MDI user",
    aliases: ["User", "Users", "MDI Users", "Azure ATP Users"],
    kind: "roleGroup",
    grants: [A.basics, A.alerts, ...SECURITY_SETTINGS_ALL, A.systemRead],
  },
  {
    source: "mdi",
    name: "MDI viewer",
    aliases: ["Viewer", "Viewers", "MDI Viewers", "Azure ATP Viewers"],
    kind: "roleGroup",
    grants: [A.basics, A.coreRead, A.systemRead],
  },
];

const GLOBAL_ADMIN: Pick<LegacyEntry, "grants" | "workloadGrants"> = {
  grants: [
    A.basics,
    A.alerts,
    A.response,
    A.scoreRead,
    A.scoreManage,
    ...AUTH_RM,
    ...SECURITY_SETTINGS_ALL,
    ...SYSTEM_RM,
  ],
  workloadGrants: {
    mde: [A.lrBasic, A.lrAdvanced, A.fileCollection, A.vuln, A.exception, A.remediation, A.application, A.baseline],
    mdo: [A.quarantine, A.advancedActions, A.metadata],
  },
};
const COMPLIANCE_ADMIN: Pick<LegacyEntry, "grants" | "workloadGrants"> = {
  grants: [],
  workloadGrants: { mdo: [A.basics, A.alerts] },
};
const entra = (name: string, aliases: string[], g: Pick<LegacyEntry, "grants" | "workloadGrants">): LegacyEntry => ({
  source: "entra",
  name,
  aliases,
  kind: "role",
  grants: g.grants,
  workloadGrants: g.workloadGrants ?? {},
});

export const ENTRA_ROLES: readonly LegacyEntry[] = [
  entra("Global administrator", ["Global admin", "Company Administrator"], GLOBAL_ADMIN),
  entra("Security administrator", ["Security admin"], GLOBAL_ADMIN), // "Same as Global administrator"
  entra("Global reader", [], {
    grants: [A.basics, A.scoreRead],
    workloadGrants: {
      mde: [A.vuln],
      mdo: [A.response, A.metadata, A.authRead, A.coreRead, A.systemRead],
      mdi: [A.coreRead, A.systemRead],
    },
  }),
  entra("Security reader", [], {
    grants: [A.basics, A.scoreRead],
    workloadGrants: {
      mde: [A.vuln],
      mdo: [A.response, A.metadata, A.coreRead, A.systemRead],
      mdi: [A.coreRead, A.systemRead],
    },
  }),
  entra("Security operator", [], {
    grants: [A.basics, A.alerts, A.response, A.scoreRead, ...SECURITY_SETTINGS_ALL],
    workloadGrants: {
      mde: [A.lrBasic, A.lrAdvanced, A.fileCollection, A.vuln, A.exception, A.remediation],
      mdo: [A.metadata, ...SYSTEM_RM],
      mdi: [A.systemRead],
    },
  }),
  entra("Exchange Administrator", ["Exchange admin"], { grants: [A.scoreRead, A.scoreManage] }),
  entra("SharePoint Administrator", ["SharePoint admin"], { grants: [A.scoreRead, A.scoreManage] }),
  entra("Service Support Administrator", ["Service support admin"], { grants: [A.scoreRead] }),
  entra("User Administrator", ["User admin"], { grants: [A.scoreRead] }),
  entra("HelpDesk Administrator", ["Helpdesk admin"], { grants: [A.scoreRead] }),
  entra("Compliance administrator", ["Compliance admin"], COMPLIANCE_ADMIN),
  entra("Compliance data administrator", ["Compliance data admin"], COMPLIANCE_ADMIN), // "Same as Compliance administrator"
  entra("Billing admin", ["Billing administrator"], { grants: [] }),
];

export const LEGACY_TABLES: Record<LegacySource, readonly LegacyEntry[]> = {
  mde: MDE_PERMISSIONS,
  mdo: MDO_ROLES,
  mdi: MDI_ROLE_GROUPS,
  entra: ENTRA_ROLES,
};
