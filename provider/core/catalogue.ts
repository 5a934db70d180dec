/**
 * The Unified RBAC permission catalogue, as typed data.
 *
 * Structure: categories → groups → permissions → levels (read / manage). A permission's *atom* is one
 * (permission, level) pair, with a stable id such as `secops.securitydata.alerts:manage`.
 *
 * Microsoft publishes the permission names (Learn `custom-permissions-details`) but no catalogue of
 * Graph action strings. Each level therefore carries the action string only where a source gives one,
 * with its provenance, exactly as docs/permissions.md records it:
 *   documented — Microsoft documents it now or did on an older page (DOC, DOC-OLD);
 *   community  — community code that calls the real API uses it (COMM, COMM-MEASURED);
 *   unknown    — no source gives it (NOT FOUND). Never filled in by guessing: the Graph backend
 *                discovers it from the tenant's live catalogue, or fails at preview.
 * Source codes: D22 (old compare doc, 2022), DMDI (old MDI role-groups doc), DG (Graph create-role
 * example), E (EntraOps), Ef (EntraOps fork), P (PIM4EntraPS), M (Microsoft365DSC), N (nathanmcnulty).
 */

export type Level = "read" | "manage";
export const LEVELS: readonly Level[] = ["read", "manage"];
export type Provenance = "documented" | "community" | "unknown";
export type CategoryId = "secops" | "securityposture" | "configuration" | "dataops";

export interface ActionInfo {
  /** The Graph action string, or null where no source gives one (NOT FOUND). */
  action: string | null;
  provenance: Provenance;
  /** Source codes (docs/permissions.md), e.g. ["D22", "Ef"]. */
  sources: string[];
  note?: string;
}

export interface CategoryDef {
  id: CategoryId;
  name: string;
  formerNames: string[];
}

export interface GroupDef {
  id: string;
  category: CategoryId;
  name: string;
  formerNames: string[];
}

export interface PermissionDef {
  /** Stable id: `<category>.<group or "-">.<permission>` in lower case. */
  id: string;
  category: CategoryId;
  /** Group id, or null for permissions that sit directly under their category. */
  group: string | null;
  /** The current display name (Learn custom-permissions-details). */
  name: string;
  /** Older names and spellings found in Microsoft's pages (docs/mapping.md, docs/permissions.md). */
  formerNames: string[];
  levels: Partial<Record<Level, ActionInfo>>;
  /**
   * The known leading segments of this permission's action strings (after `microsoft.xdr/`), used only
   * to decide whether a wildcard such as `microsoft.xdr/secops/*\/read` covers a level whose exact
   * string is unknown. Null where even that is unknown.
   */
  scopePath: string[] | null;
  note?: string;
}

/** A wildcard grant, e.g. "All read-only permissions" of a group. */
export interface WildcardDef {
  action: string;
  category: CategoryId;
  group: string | null;
  level: Level;
  label: string;
  provenance: Provenance;
  sources: string[];
}

/** Literal action strings that sources show but that are not (or no longer) one catalogue atom. */
export interface KnownActionDef {
  action: string;
  provenance: Provenance;
  sources: string[];
  note: string;
}

export interface Atom {
  /** `<permission id>:<level>` */
  id: string;
  permission: PermissionDef;
  level: Level;
  info: ActionInfo;
}

const doc = (action: string, sources: string[], note?: string): ActionInfo => ({
  action,
  provenance: "documented",
  sources,
  note,
});
const comm = (action: string, sources: string[], note?: string): ActionInfo => ({
  action,
  provenance: "community",
  sources,
  note,
});
const notFound = (note?: string): ActionInfo => ({
  action: null,
  provenance: "unknown",
  sources: [],
  note: note ?? "NOT FOUND: no source gives this action string",
});

export const CATEGORIES: readonly CategoryDef[] = [
  { id: "secops", name: "Security operations", formerNames: [] },
  { id: "securityposture", name: "Security posture", formerNames: [] },
  { id: "configuration", name: "Authorization and settings", formerNames: [] },
  { id: "dataops", name: "Data operations", formerNames: ["Data operations (Preview)"] },
];

export const GROUPS: readonly GroupDef[] = [
  { id: "secops.securitydata", category: "secops", name: "Security data", formerNames: [] },
  {
    id: "secops.rawdata",
    category: "secops",
    name: "Raw data (Email & collaboration)",
    formerNames: ["Raw data (E&C)", "Raw data"],
  },
  { id: "securityposture.posturemanagement", category: "securityposture", name: "Posture management", formerNames: [] },
  { id: "securityposture.aicodescan", category: "securityposture", name: "AI code scan", formerNames: [] },
  {
    id: "configuration.security",
    category: "configuration",
    name: "Security settings",
    formerNames: ["Security setting"],
  },
];

export const PERMISSIONS: readonly PermissionDef[] = [
  // Security operations \ Security data
  {
    id: "secops.securitydata.basics",
    category: "secops",
    group: "secops.securitydata",
    name: "Security data basics",
    formerNames: [],
    levels: { read: doc("microsoft.xdr/secops/securitydata/basics/read", ["D22", "Ef"]) },
    scopePath: ["secops", "securitydata"],
  },
  {
    id: "secops.securitydata.alerts",
    category: "secops",
    group: "secops.securitydata",
    name: "Alerts",
    formerNames: [],
    levels: { manage: doc("microsoft.xdr/secops/securitydata/alerts/manage", ["D22", "DMDI", "E"]) },
    scopePath: ["secops", "securitydata"],
  },
  {
    id: "secops.securitydata.response",
    category: "secops",
    group: "secops.securitydata",
    name: "Response",
    formerNames: [],
    levels: { manage: doc("microsoft.xdr/secops/securitydata/response/manage", ["D22", "E"]) },
    scopePath: ["secops", "securitydata"],
  },
  {
    id: "secops.securitydata.liveresponse-basic",
    category: "secops",
    group: "secops.securitydata",
    name: "Basic live response",
    formerNames: [],
    levels: { manage: comm("microsoft.xdr/secops/securitydata/liveresponse-basic/manage", ["E"]) },
    scopePath: ["secops", "securitydata"],
    note: "The 2023 mapping page writes it both with and without its Security data group.",
  },
  {
    id: "secops.securitydata.liveresponse-advanced",
    category: "secops",
    group: "secops.securitydata",
    name: "Advanced live response",
    formerNames: [],
    levels: { manage: comm("microsoft.xdr/secops/securitydata/liveresponse-advanced/manage", ["E"]) },
    scopePath: ["secops", "securitydata"],
    note: "The 2023 mapping page writes it both with and without its Security data group.",
  },
  {
    id: "secops.securitydata.filecollection",
    category: "secops",
    group: "secops.securitydata",
    name: "File collection",
    formerNames: [],
    levels: { manage: comm("microsoft.xdr/secops/securitydata/filecollection/manage", ["E"]) },
    scopePath: ["secops", "securitydata"],
  },
  {
    id: "secops.securitydata.emailquarantine",
    category: "secops",
    group: "secops.securitydata",
    name: "Email & collaboration quarantine",
    formerNames: ["Email quarantine"],
    levels: { manage: comm("microsoft.xdr/secops/securitydata/emailquarantine/manage", ["E"]) },
    scopePath: ["secops", "securitydata"],
  },
  {
    id: "secops.securitydata.emailadvancedactions",
    category: "secops",
    group: "secops.securitydata",
    name: "Email & collaboration advanced actions",
    formerNames: ["Email advanced actions"],
    levels: { manage: comm("microsoft.xdr/secops/securitydata/emailadvancedactions/manage", ["E"]) },
    scopePath: ["secops", "securitydata"],
  },
  // Security operations \ Raw data (Email & collaboration)
  {
    id: "secops.rawdata.emailmetadata",
    category: "secops",
    group: "secops.rawdata",
    name: "Email & collaboration metadata",
    formerNames: ["Email message headers"],
    levels: { read: notFound() },
    scopePath: ["secops", "rawdata"],
    note: 'Renamed from "Email message headers". scopePath is INFERRED from the sibling Email & collaboration content string.',
  },
  {
    id: "secops.rawdata.emailcontent",
    category: "secops",
    group: "secops.rawdata",
    name: "Email & collaboration content",
    formerNames: ["Email content"],
    levels: { read: comm("microsoft.xdr/secops/rawdata/emailcontent/read", ["E"]) },
    scopePath: ["secops", "rawdata"],
  },
  {
    id: "secops.rawdata.emailsassociatedwithalerts",
    category: "secops",
    group: "secops.rawdata",
    name: "Emails associated with alerts",
    formerNames: [
      "Email & collaboration content: Emails associated with alerts",
      "E&C content: Emails associated with alerts",
    ],
    levels: { read: notFound() },
    scopePath: ["secops", "rawdata"],
  },
  {
    id: "secops.rawdata.quarantineemailcontent",
    category: "secops",
    group: "secops.rawdata",
    name: "Quarantine emails",
    formerNames: ["Email & collaboration content: Quarantine Emails", "E&C content: Quarantine Emails"],
    levels: {
      read: comm(
        "microsoft.xdr/secops/rawdata/quarantineemailcontent/read",
        ["Ef", "P"],
        "PIM4EntraPS saw the service prune it under microsoft.xdr/secops/*/manage",
      ),
    },
    scopePath: ["secops", "rawdata"],
  },
  // Security posture \ Posture management
  {
    id: "securityposture.posturemanagement.vulnerabilitymanagement",
    category: "securityposture",
    group: "securityposture.posturemanagement",
    name: "Vulnerability management",
    formerNames: [],
    levels: { read: comm("microsoft.xdr/securityposture/posturemanagement/vulnerabilitymanagement/read", ["Ef"]) },
    scopePath: ["securityposture", "posturemanagement"],
  },
  {
    id: "securityposture.posturemanagement.exceptionhandling",
    category: "securityposture",
    group: "securityposture.posturemanagement",
    name: "Exception handling",
    formerNames: [],
    levels: { manage: comm("microsoft.xdr/securityposture/posturemanagement/exceptionhandling/manage", ["E"]) },
    scopePath: ["securityposture", "posturemanagement"],
  },
  {
    id: "securityposture.posturemanagement.remediationhandling",
    category: "securityposture",
    group: "securityposture.posturemanagement",
    name: "Remediation handling",
    formerNames: [],
    levels: { manage: comm("microsoft.xdr/securityposture/posturemanagement/remediationhandling/manage", ["Ef"]) },
    scopePath: ["securityposture", "posturemanagement"],
  },
  {
    id: "securityposture.posturemanagement.applicationhandling",
    category: "securityposture",
    group: "securityposture.posturemanagement",
    name: "Application handling",
    formerNames: [],
    levels: { manage: comm("microsoft.xdr/securityposture/posturemanagement/applicationhandling/manage", ["E"]) },
    scopePath: ["securityposture", "posturemanagement"],
  },
  {
    id: "securityposture.posturemanagement.baselineassessment",
    category: "securityposture",
    group: "securityposture.posturemanagement",
    name: "Security baseline assessment",
    formerNames: ["Security baselines assessment", "Security baselines assessment profiles"],
    levels: {
      manage: comm("microsoft.xdr/securityposture/posturemanagement/baselineassessmentprofiles/manage", ["E"]),
    },
    scopePath: ["securityposture", "posturemanagement"],
  },
  {
    id: "securityposture.posturemanagement.exposuremanagement",
    category: "securityposture",
    group: "securityposture.posturemanagement",
    name: "Exposure Management",
    formerNames: ["Secure Score", "Microsoft Secure Score"],
    levels: {
      read: notFound(
        "NOT FOUND: the pattern suggests …/securescore/read, but that is only inferred and is not shipped",
      ),
      manage: comm(
        "microsoft.xdr/securityposture/posturemanagement/securescore/manage",
        ["E"],
        'recorded under the older "Secure Score" name',
      ),
    },
    scopePath: ["securityposture", "posturemanagement"],
    note: 'Current docs: "Exposure Management (including Microsoft Secure Score recommendations)"; treating Secure Score as its former name is INFERRED from that wording.',
  },
  // Security posture \ AI code scan (the live catalogue has a fifth top-level group, aicodesecurity; no strings are published)
  {
    id: "securityposture.aicodescan.runscan",
    category: "securityposture",
    group: "securityposture.aicodescan",
    name: "Run scan",
    formerNames: [],
    levels: { manage: notFound() },
    scopePath: null,
  },
  {
    id: "securityposture.aicodescan.uploadresults",
    category: "securityposture",
    group: "securityposture.aicodescan",
    name: "Upload results",
    formerNames: [],
    levels: { manage: notFound() },
    scopePath: null,
  },
  {
    id: "securityposture.aicodescan.scanresults",
    category: "securityposture",
    group: "securityposture.aicodescan",
    name: "Scan results",
    formerNames: [],
    levels: { read: notFound(), manage: notFound() },
    scopePath: null,
  },
  // Authorization and settings
  {
    id: "configuration.-.authorization",
    category: "configuration",
    group: null,
    name: "Authorization",
    formerNames: [],
    levels: {
      read: doc(
        "microsoft.xdr/configuration/authorization/read",
        ["D22", "E"],
        'one D22 cell has the typo "configuration authorization/read"',
      ),
      manage: doc("microsoft.xdr/configuration/authorization/manage", ["D22", "E"]),
    },
    scopePath: ["configuration", "authorization"],
  },
  {
    id: "configuration.security.core",
    category: "configuration",
    group: "configuration.security",
    name: "Core security settings",
    formerNames: [],
    levels: {
      read: notFound("NOT FOUND: …/security/core/read is only inferred"),
      manage: comm("microsoft.xdr/configuration/security/core/manage", ["E"]),
    },
    scopePath: ["configuration", "security"],
  },
  {
    id: "configuration.security.detectiontuning",
    category: "configuration",
    group: "configuration.security",
    name: "Detection tuning",
    formerNames: [],
    levels: { manage: notFound() },
    scopePath: ["configuration", "security"],
  },
  {
    id: "configuration.-.system",
    category: "configuration",
    group: null,
    name: "System settings",
    formerNames: ["System setting"],
    levels: {
      read: doc("microsoft.xdr/configuration/system/read", ["D22", "DMDI"]),
      manage: doc("microsoft.xdr/configuration/system/manage", ["D22", "DMDI", "E"]),
    },
    scopePath: ["configuration", "system"],
  },
  // Data operations (Preview)
  {
    id: "dataops.-.data",
    category: "dataops",
    group: null,
    name: "Data",
    formerNames: ["Data management"],
    levels: { manage: comm("microsoft.xdr/dataops/datamanagement/data/manage", ["Ef"]) },
    scopePath: ["dataops", "datamanagement"],
  },
  {
    id: "dataops.-.analyticsjobsschedule",
    category: "dataops",
    group: null,
    name: "Analytics Jobs Schedule",
    formerNames: [],
    levels: { read: notFound(), manage: notFound() },
    scopePath: ["dataops"],
  },
];

export const WILDCARDS: readonly WildcardDef[] = [
  {
    action: "microsoft.xdr/secops/*/read",
    category: "secops",
    group: null,
    level: "read",
    label: "All read-only permissions",
    provenance: "community",
    sources: ["E", "M", "N", "P"],
  },
  {
    action: "microsoft.xdr/secops/*/manage",
    category: "secops",
    group: null,
    level: "manage",
    label: "All read and manage permissions",
    provenance: "community",
    sources: ["E", "M", "N", "P"],
  },
  {
    action: "microsoft.xdr/secops/securitydata/*/read",
    category: "secops",
    group: "secops.securitydata",
    level: "read",
    label: "All read-only permissions",
    provenance: "community",
    sources: ["E"],
  },
  {
    action: "microsoft.xdr/securityposture/*/read",
    category: "securityposture",
    group: null,
    level: "read",
    label: "All read-only permissions",
    provenance: "community",
    sources: ["E", "M", "N"],
  },
  {
    action: "microsoft.xdr/securityposture/*/manage",
    category: "securityposture",
    group: null,
    level: "manage",
    label: "All read and manage permissions",
    provenance: "community",
    sources: ["E", "M", "N"],
  },
  {
    action: "microsoft.xdr/securityposture/posturemanagement/*/read",
    category: "securityposture",
    group: "securityposture.posturemanagement",
    level: "read",
    label: "All read-only permissions",
    provenance: "community",
    sources: ["E"],
  },
  {
    action: "microsoft.xdr/securityposture/posturemanagement/*/manage",
    category: "securityposture",
    group: "securityposture.posturemanagement",
    level: "manage",
    label: "All read and manage permissions",
    provenance: "community",
    sources: ["E"],
  },
  {
    action: "microsoft.xdr/configuration/*/read",
    category: "configuration",
    group: null,
    level: "read",
    label: "All read-only permissions",
    provenance: "community",
    sources: ["E", "M"],
  },
  {
    action: "microsoft.xdr/configuration/*/manage",
    category: "configuration",
    group: null,
    level: "manage",
    label: "All read and manage permissions",
    provenance: "community",
    sources: ["E", "M"],
  },
  {
    action: "microsoft.xdr/configuration/security/*/read",
    category: "configuration",
    group: "configuration.security",
    level: "read",
    label: "All read-only permissions",
    provenance: "community",
    sources: ["E"],
  },
  {
    action: "microsoft.xdr/configuration/security/*/manage",
    category: "configuration",
    group: "configuration.security",
    level: "manage",
    label: "All read and manage permissions",
    provenance: "community",
    sources: ["E"],
  },
  {
    action: "microsoft.xdr/dataops/*/read",
    category: "dataops",
    group: null,
    level: "read",
    label: "All read-only permissions",
    provenance: "community",
    sources: ["P", "Ef"],
  },
  {
    action: "microsoft.xdr/dataops/*/manage",
    category: "dataops",
    group: null,
    level: "manage",
    label: "All read and manage permissions",
    provenance: "community",
    sources: ["Ef"],
  },
];

export const KNOWN_ACTIONS: readonly KnownActionDef[] = [
  {
    action: "microsoft.xdr/secops/securitydata/read",
    provenance: "documented",
    sources: ["DMDI"],
    note: "older form of Security data basics, or a group-level read; unverified, possibly legacy",
  },
  {
    action: "microsoft.xdr/configuration/security/read",
    provenance: "documented",
    sources: ["D22", "DMDI"],
    note: "Security settings before the split into Core security settings and Detection tuning; may be legacy",
  },
  {
    action: "microsoft.xdr/configuration/security/manage",
    provenance: "documented",
    sources: ["D22", "DMDI"],
    note: "Security settings before the split into Core security settings and Detection tuning; may be legacy",
  },
  {
    action: "microsoft.xdr/securityposture/read",
    provenance: "documented",
    sources: ["DG"],
    note: "the literal in the Graph create-role example; unknown whether the service keeps it as-is",
  },
  {
    action: "microsoft.xdr/secops/securitydata/copilot/read",
    provenance: "community",
    sources: ["E"],
    note: "Security Copilot (community name; not on the current docs page)",
  },
];

/** A wildcard that grants manage, e.g. `microsoft.xdr/secops/*\/manage`. */
export function isManageWildcard(action: string): boolean {
  const a = action.toLowerCase();
  return a.includes("/*/") && a.endsWith("/manage");
}

/** Actions whose grant is privileged enough to flag in previews (EntraOps tiering idea). */
export function isPrivilegedAction(action: string): boolean {
  const a = action.toLowerCase();
  return (
    a === "microsoft.xdr/configuration/authorization/manage" ||
    a === "microsoft.xdr/secops/securitydata/liveresponse-advanced/manage" ||
    isManageWildcard(a)
  );
}

// ---- derived indexes --------------------------------------------------------------------------

export const ATOMS: readonly Atom[] = PERMISSIONS.flatMap((p) =>
  LEVELS.filter((l) => p.levels[l]).map((level) => ({
    id: `${p.id}:${level}`,
    permission: p,
    level,
    info: p.levels[level]!,
  })),
);

const atomById = new Map(ATOMS.map((a) => [a.id, a]));
const permissionById = new Map(PERMISSIONS.map((p) => [p.id, p]));
const groupById = new Map(GROUPS.map((g) => [g.id, g]));
const categoryById = new Map(CATEGORIES.map((c) => [c.id, c]));

export function getAtom(id: string): Atom | undefined {
  return atomById.get(id.toLowerCase());
}
export function getPermission(id: string): PermissionDef | undefined {
  return permissionById.get(id.toLowerCase());
}
export function getGroup(id: string): GroupDef | undefined {
  return groupById.get(id);
}
export function getCategory(id: CategoryId): CategoryDef {
  return categoryById.get(id)!;
}

/** Prefix of the local-only keys that stand for atoms whose Graph action string is unknown. */
export const UNPUBLISHED_PREFIX = "urn:defender-rbac:permission:";

/**
 * The key under which an atom is stored and compared: its Graph action string where one is known;
 * otherwise a local-only `urn:defender-rbac:permission:<atom id>` key. That key is never sent to
 * Graph: the Graph backend must resolve it through the tenant's live catalogue or fail at preview.
 */
export function atomKey(atom: Atom): string {
  return atom.info.action ?? `${UNPUBLISHED_PREFIX}${atom.id}`;
}

export function isUnpublishedKey(key: string): boolean {
  return key.toLowerCase().startsWith(UNPUBLISHED_PREFIX);
}

const atomByAction = new Map<string, Atom>(
  ATOMS.filter((a) => a.info.action).map((a) => [a.info.action!.toLowerCase(), a]),
);

/** The atom a key stands for, if it is one atom's key. */
export function atomForKey(key: string): Atom | undefined {
  const k = key.toLowerCase();
  if (k.startsWith(UNPUBLISHED_PREFIX)) return getAtom(k.slice(UNPUBLISHED_PREFIX.length));
  return atomByAction.get(k);
}

export const wildcardByAction = new Map(WILDCARDS.map((w) => [w.action, w]));
export const knownActionByAction = new Map(KNOWN_ACTIONS.map((k) => [k.action, k]));

/** All action strings the shipped catalogue knows (atoms with strings, wildcards, known literals). */
export function knownActionStrings(): string[] {
  return [...atomByAction.keys(), ...wildcardByAction.keys(), ...knownActionByAction.keys()];
}

/**
 * The path used for wildcard coverage of a key: the action itself, or for an unpublished atom its
 * known scope path followed by the `?` placeholder segment (matched only by a `*`). Null when not known.
 */
export function coveragePath(key: string): string | null {
  const k = key.toLowerCase();
  if (!k.startsWith(UNPUBLISHED_PREFIX)) return k;
  const atom = getAtom(k.slice(UNPUBLISHED_PREFIX.length));
  if (!atom || !atom.permission.scopePath) return null;
  return `microsoft.xdr/${atom.permission.scopePath.join("/")}/?/${atom.level}`;
}

/** FNV-1a hash of the catalogue data, so plans and exports can name the catalogue version. */
function fnv1a(s: string): string {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h.toString(16).padStart(8, "0");
}

export const CATALOGUE_VERSION = `2026-05-25+${fnv1a(JSON.stringify([CATEGORIES, GROUPS, PERMISSIONS, WILDCARDS, KNOWN_ACTIONS]))}`;
