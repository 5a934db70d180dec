// Migration: move a tenant from the individual RBAC models to Unified RBAC. `pulumi preview` lists, for
// each imported role, the unified permissions the migration grants (unifiedPermissions) before anything
// is created. The program runs unchanged on the local tenant and on Microsoft Graph (see the README's
// parity table): it only uses what Graph can do, and gives in the program what Graph cannot read.
//
// On Graph, permissions without a published action string (Email message headers, Secure Score, Core
// security settings (read), Detection tuning) resolve through the tenant's own catalogue; preview on the
// local tenant against a recording of it with `pulumi config set defender-rbac:parity tenant-catalogue.json`.
//
// Once Endpoint is active, the Organization Management assignment is the last authorization manager there:
// removing it is refused (docs/lockout.md), so tearing this example down is a break-glass procedure:
// DEFENDER_RBAC_ALLOW_LOCKOUT=true pulumi destroy.
import * as pulumi from "@pulumi/pulumi";
import { ImportedRole, RoleAssignment, Scope, UnifiedRole, WorkloadActivation } from "pulumi-defender-rbac";

const rbac = new pulumi.Config("defender-rbac");
// Graph has no activation API: there the activation is declared and checked, and switched in the portal.
const realTenantRules = rbac.get("backend") === "graph" || rbac.get("parity") !== undefined;

// Entra groups (object ids) that hold the legacy roles today.
const groups = {
  socTier1: "8e811502-2c2a-4d1b-9c5e-1f0b2e4f9a10",
  eopSecurityReaders: "30e3492f-6b0a-4f2e-9d1c-7a8b9c0d1e2f",
  eopOrgManagement: "2f6b9c1d-8e7a-4b3c-9d0e-5a4f3e2d1c0b",
  endpointAdmins: "5c4d3e2f-1a0b-4c9d-8e7f-6a5b4c3d2e1f",
};

// Defender for Endpoint: a custom MDE role, given as its legacy permissions (Graph cannot read MDE roles
// by name). The Intune permission has no Unified RBAC equivalent: the import is accepted without it, and
// `unsupported` says so.
const endpointAdmins = new ImportedRole("mde-endpoint-admins", {
  source: "mde",
  role: "Endpoint security admins",
  permissions: [
    "View data - Security operations",
    "Alerts investigation",
    "Manage security settings in the Security Center",
    "Manage endpoint security settings in Microsoft Intune",
  ],
  acceptUnsupported: true,
});

// Defender for Office 365 / EOP role groups: Microsoft's fixed mapping. Graph cannot read who holds an EOP
// role group, so the assignment names the groups.
const securityReader = new ImportedRole("mdo-security-reader", { source: "mdo", role: "Security reader" });
const orgManagement = new ImportedRole("mdo-org-management", { source: "mdo", role: "Organization Management" });

// Defender for Identity role groups are Entra groups ("Azure ATP <workspace> Viewers"): members are copied.
const mdiViewer = new ImportedRole("mdi-viewer", { source: "mdi", role: "MDI viewer", includeAssignments: true });

// A SOC tier-1 role by readable names, including two permissions Microsoft publishes no action string for.
const tier1 = new UnifiedRole("soc-tier1", {
  displayName: "SOC tier 1",
  description: "Triage alerts and read mail metadata",
  permissions: [
    "Security operations \\ Security data \\ Security data basics (read)",
    "Security operations \\ Security data \\ Alerts (manage)",
    "Security operations \\ Raw data (Email & collaboration) \\ Email message headers (read)",
    "Security posture \\ Posture management \\ Secure Score (read)",
  ],
});

const assignments = [
  new RoleAssignment("soc-tier1", {
    roleId: tier1.id,
    displayName: "SOC tier 1 - all data sources",
    principals: [groups.socTier1],
  }),
  new RoleAssignment("eop-security-readers", {
    roleId: securityReader.id,
    displayName: "EOP Security Reader holders - Office 365",
    principals: [groups.eopSecurityReaders],
    scope: Scope.workloads("office365"),
  }),
  new RoleAssignment("endpoint-admins", {
    roleId: endpointAdmins.id,
    displayName: "Endpoint security admins - Endpoint",
    principals: [groups.endpointAdmins],
    scope: Scope.workloads("endpoint"),
  }),
];

// Organization Management grants Authorization (manage): its holders keep control over all data sources.
const breakGlass = new RoleAssignment("eop-org-management", {
  roleId: orgManagement.id,
  displayName: "EOP Organization Management holders - all data sources",
  principals: [groups.eopOrgManagement],
  scope: Scope.all(),
});

// Staged activation: Endpoint first, once the roles above and an authorization assignment exist.
const endpoint = new WorkloadActivation("endpoint", {
  workload: "endpoint",
  authorizationAssignments: [breakGlass.id],
  managedIn: realTenantRules ? "portal" : "api",
});

export const grants = {
  endpointAdmins: endpointAdmins.unifiedPermissions,
  endpointAdminsUnsupported: endpointAdmins.unsupported,
  securityReader: securityReader.unifiedPermissions,
  orgManagement: orgManagement.unifiedPermissions,
  mdiViewer: mdiViewer.unifiedPermissions,
  tier1: tier1.actions,
};
export const assignmentIds = pulumi.all(assignments.map((a) => a.id));
export const activation = { endpoint: endpoint.active, portalStep: endpoint.portalStep, warnings: endpoint.warnings };
