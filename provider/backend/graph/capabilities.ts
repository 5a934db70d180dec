/**
 * What the graph backend can and cannot do, and why (for the messages): one place, shared with the
 * local backend's parity mode (backend/parity.ts), which must refuse exactly what Graph refuses.
 */
import type { BackendCapabilities } from "../backend";

export const NOTES = {
  activation:
    "Microsoft Graph has no API to read or change Unified RBAC workload activation (docs/activation.md: there is no public endpoint, the " +
    "roleManagement/defender container answers 404). Activate workloads in the Defender portal (Settings > Microsoft Defender XDR > " +
    "Permissions and roles), after your roles and a break-glass authorization assignment exist.",
  legacyImport:
    "Microsoft Graph has no API for Defender for Endpoint roles or Exchange Online Protection / Defender for Office 365 role groups. " +
    "ImportedRole still maps them through Microsoft's fixed table (an MDE role from the legacy permissions given in `permissions`), " +
    "but what only a read could give (EOP role group members, MDE roles by name, their device-group scoping) is not available. " +
    'Defender for Identity role groups are Entra groups ("Azure ATP <workspace> Administrators/Users/Viewers"), read through /v1.0/groups, which needs GroupMember.Read.All.',
  unpublishedPermissions:
    "Graph stores only action strings; a permission whose action string is not published must come from the tenant's live catalogue.",
};

export function graphCapabilities(): BackendCapabilities {
  return {
    roles: true,
    assignments: true,
    legacyImport: ["mdi"],
    activation: "none",
    unpublishedPermissions: false,
    notes: { ...NOTES },
  };
}
