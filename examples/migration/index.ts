// Migration: import roles from the individual RBAC models. `pulumi preview` lists, for each one, the
// unified permissions the migration grants (unifiedPermissions) before anything is created.
import { ImportedRole } from "pulumi-defender-rbac";

// Defender for Endpoint: a custom MDE role read from the tenant, with its members as an assignment.
const tier2 = new ImportedRole("mde-tier2", {
  source: "mde",
  role: "Tier 2 responder",
  includeAssignments: true,
});

// Defender for Endpoint: a custom role given as its legacy permissions. The Intune permission has no
// Unified RBAC equivalent; the import is accepted without it, and `unsupported` says so.
const endpointAdmins = new ImportedRole("mde-endpoint-admins", {
  source: "mde",
  displayName: "Endpoint security admins",
  permissions: [
    "View data - Security operations",
    "Manage security settings in the Security Center",
    "Manage endpoint security settings in Microsoft Intune",
  ],
  acceptUnsupported: true,
});

// Defender for Office 365 / EOP role groups and roles.
const orgManagement = new ImportedRole("mdo-org-management", { source: "mdo", role: "Organization Management" });
const quarantine = new ImportedRole("mdo-quarantine", { source: "mdo", role: "Quarantine", includeAssignments: true });

// Defender for Identity role groups ("Azure ATP <workspace> Administrators/Users/Viewers").
const mdiAdmins = new ImportedRole("mdi-admins", { source: "mdi", role: "MDI admin", includeAssignments: true });
const mdiViewers = new ImportedRole("mdi-viewers", { source: "mdi", role: "Viewer" });

export const grants = {
  tier2: tier2.unifiedPermissions,
  endpointAdmins: endpointAdmins.unifiedPermissions,
  endpointAdminsUnsupported: endpointAdmins.unsupported,
  orgManagement: orgManagement.unifiedPermissions,
  quarantine: quarantine.unifiedPermissions,
  mdiAdmins: mdiAdmins.unifiedPermissions,
  mdiViewers: mdiViewers.unifiedPermissions,
};
