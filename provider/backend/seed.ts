/**
 * What a new local tenant holds: built-in roles, a sample of legacy roles to import, and the default
 * activation state. Everything here is derived from the seeds; nothing invents a Graph action string.
 *  - Built-in roles: the default Unified RBAC permissions of the Entra global roles (mapping page,
 *    "permissions for all workloads" column). Graph's real built-in role list is not published
 *    (docs/mapping.md), so this is a local model of them, marked as built-in and immutable.
 *  - Legacy roles: every MDO/EOP role group and role and the three MDI role groups of the mapping
 *    tables, plus sample MDE custom roles, each with sample members.
 *  - Activation: Defender for Cloud is active by default (activate-defender-rbac); the rest are not.
 *  - Directory: a small sample Entra directory (users and groups with display names, nested group
 *    membership, Entra role holders) naming the quickstart's group and every legacy role member, so
 *    that `defender-rbac access` has someone to show. Ids are fixed and fictitious.
 */
import { ENTRA_ROLES, LegacySource, MDI_ROLE_GROUPS, MDO_ROLES } from "../core/legacy";
import { atomKey, getAtom } from "../core/catalogue";
import { normalizeKeys } from "../core/normalise";
import { mdiGroupName, type Workload, WORKLOADS } from "../core/workloads";
import type { Directory } from "../core/directory";
import type { LegacyRoleRecord } from "./backend";

export interface BuiltInRoleSeed {
  id: string;
  displayName: string;
  description: string;
  actions: string[];
}

/** Stable ids so that every fresh store agrees (v5-style constants, fixed here). */
const builtInId = (n: number) => `00000000-0000-4000-8000-${n.toString(16).padStart(12, "0")}`;

export function builtInRoles(): BuiltInRoleSeed[] {
  return ENTRA_ROLES.filter((r) => r.grants.length > 0).map((r, i) => ({
    id: builtInId(i + 1),
    displayName: r.name,
    description: `Built-in: the default Unified RBAC permissions of the Entra ${r.name} role in all workloads (mapping page, 2023-08-03).`,
    actions: normalizeKeys(r.grants.map((id) => atomKey(getAtom(id)!))),
  }));
}

const member = (n: number) => `11111111-1111-4111-8111-${n.toString(16).padStart(12, "0")}`;

export function legacyRoles(): LegacyRoleRecord[] {
  const out: LegacyRoleRecord[] = [];
  let m = 1;
  const add = (source: LegacySource, id: string, name: string, permissions: string[]) =>
    out.push({ source, id, name, permissions, members: [member(m++), member(m++)] });
  add("mde", "mde-role-1", "Tier 1 analyst", ["View data - Security operations", "Alerts investigation"]);
  add("mde", "mde-role-2", "Tier 2 responder", [
    "View data - Security operations",
    "Alerts investigation",
    "Active remediation actions - Security operations",
    "Live response capabilities",
    "Live response capabilities - advanced",
  ]);
  add("mde", "mde-role-3", "Vulnerability manager", [
    "View data - Defender Vulnerability Management",
    "Active remediation actions - Defender Vulnerability Management - Exception handling",
    "Active remediation actions - Defender Vulnerability Management - Remediation handling",
  ]);
  add("mde", "mde-role-4", "Endpoint security admin", [
    "View data - Security operations",
    "Manage security settings in the Security Center",
    "Manage endpoint security settings in Microsoft Intune",
  ]);
  for (const r of MDO_ROLES) add("mdo", r.name, r.name, []);
  for (const r of MDI_ROLE_GROUPS) add("mdi", mdiGroupName("contoso", r.name), r.name, []);
  return out;
}

/** Default activation of every workload that has a switch: only Defender for Cloud is active. */
export const DEFAULT_ACTIVE: ReadonlyMap<Workload["appScope"], boolean> = new Map(
  WORKLOADS.filter((w) => w.activation).map((w) => [w.appScope, w.name === "cloud"]),
);

const user = (n: number) => `22222222-2222-4222-8222-${n.toString(16).padStart(12, "0")}`;

/** The quickstart's group (examples/quickstart assigns its SOC analyst role to it). */
export const SOC_ANALYSTS_GROUP = "8e811502-2c2a-4d1b-9c5e-1f0b2e4f9a10";
const SOC_TIER2_GROUP = "33333333-3333-4333-8333-000000000001";
const BREAK_GLASS_GROUP = "33333333-3333-4333-8333-000000000002";

export function directory(): Directory {
  const upn = (name: string) =>
    `${name
      .toLowerCase()
      .replace(/[^a-z0-9]+/g, ".")
      .replace(/^\.|\.$/g, "")}@contoso.example`;
  const u = (n: number, displayName: string) => ({
    id: user(n),
    kind: "user" as const,
    displayName,
    userPrincipalName: upn(displayName),
  });
  const objects: Directory["objects"] = [
    { id: SOC_ANALYSTS_GROUP, kind: "group", displayName: "SOC analysts" },
    { id: SOC_TIER2_GROUP, kind: "group", displayName: "SOC tier 2" },
    { id: BREAK_GLASS_GROUP, kind: "group", displayName: "Break-glass admins" },
    u(1, "Adele Vance"),
    u(2, "Alex Wilber"),
    u(3, "Megan Bowen"),
    u(4, "Lee Gu"),
    u(5, "Grady Archie"),
  ];
  const members = [
    { groupId: SOC_ANALYSTS_GROUP, memberId: user(3) },
    { groupId: SOC_ANALYSTS_GROUP, memberId: SOC_TIER2_GROUP },
    { groupId: SOC_TIER2_GROUP, memberId: user(4) },
    { groupId: BREAK_GLASS_GROUP, memberId: user(5) },
  ];
  const entraRoles = [
    { role: "Global administrator", principalId: user(1) },
    { role: "Security reader", principalId: user(2) },
  ];
  // Every legacy role member, named after the role it holds.
  for (const r of legacyRoles())
    r.members.forEach((id, i) =>
      objects.push({
        id,
        kind: "user",
        displayName: `${r.name} ${i + 1}`,
        userPrincipalName: upn(`${r.source} ${r.name} ${i + 1}`),
      }),
    );
  return { objects, members, entraRoles };
}
