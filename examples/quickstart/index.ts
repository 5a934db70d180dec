// Quickstart: a custom SOC analyst role, its assignment, and an Office 365 role group migrated to
// Unified RBAC, on the embedded local tenant (no Microsoft account needed).
import * as pulumi from "@pulumi/pulumi";
import { ImportedRole, RoleAssignment, Scope, UnifiedRole } from "pulumi-defender-rbac";

const socAnalyst = new UnifiedRole("soc-analyst", {
  displayName: "SOC analyst",
  description: "Tier 1: triage alerts and run response actions",
  permissions: [
    "Security operations \\ Security data \\ Security data basics (read)",
    "Security operations \\ Security data \\ Alerts (manage)",
    "Security operations \\ Security data \\ Response (manage)",
  ],
});

const analysts = new RoleAssignment("soc-analyst-endpoint", {
  roleId: socAnalyst.id,
  displayName: "SOC analysts on Endpoint and Identity",
  principals: ["8e811502-2c2a-4d1b-9c5e-1f0b2e4f9a10"], // an Entra group's object id
  scope: Scope.workloads("endpoint", "identity"),
});

const securityReader = new ImportedRole("mdo-security-reader", {
  source: "mdo",
  role: "Security reader",
});

export const created = pulumi
  .all([
    socAnalyst.displayName,
    socAnalyst.resolvedPermissions,
    socAnalyst.actions,
    analysts.displayName,
    analysts.principals,
    analysts.appScopeIds,
    securityReader.displayName,
    securityReader.unifiedPermissions,
  ])
  .apply(([roleName, rolePerms, roleActions, asgName, principals, scopes, importedName, importedPerms]) => ({
    roles: [
      { displayName: roleName, permissions: rolePerms, actions: roleActions },
      { displayName: importedName, permissions: importedPerms, imported: true },
    ],
    assignments: [{ displayName: asgName, role: roleName, principals, appScopeIds: scopes }],
  }));
