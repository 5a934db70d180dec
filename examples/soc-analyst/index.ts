// A custom SOC analyst role with three assignments: tier 1 over all data sources, tier 2 on Endpoint
// only, and a cloud team on one Defender for Cloud scope.
import { RoleAssignment, Scope, UnifiedRole } from "pulumi-defender-rbac";

const tier1Group = "5d7a2c1e-3b4f-4e8a-9c6d-0f1e2d3c4b5a";
const tier2Group = "a1b2c3d4-e5f6-4a7b-8c9d-0e1f2a3b4c5d";
const cloudTeam = "0f9e8d7c-6b5a-4c3d-9e2f-1a0b9c8d7e6f";

const analyst = new UnifiedRole("soc-analyst", {
  displayName: "SOC analyst",
  description: "Investigate and respond; read email metadata",
  permissions: [
    "secops.securitydata.basics:read", // a catalogue id
    "Alerts (manage)", // a readable name
    "Security operations \\ Security data \\ Response (manage)",
    "Security operations \\ Raw data (Email & collaboration) \\ Email & collaboration metadata (read)",
  ],
});

const responder = new UnifiedRole("soc-responder", {
  displayName: "SOC responder",
  description: "Tier 2: live response and file collection on endpoints",
  permissions: [
    "microsoft.xdr/secops/securitydata/*/read", // a wildcard action string the catalogue knows
    "Security operations \\ Security data \\ Alerts (manage)",
    "Security operations \\ Security data \\ Basic live response (manage)",
    "Security operations \\ Security data \\ Advanced live response (manage)",
    "Security operations \\ Security data \\ File collection (manage)",
  ],
});

new RoleAssignment("tier1-all", {
  roleId: analyst.id,
  displayName: "Tier 1 - all data sources",
  principals: [tier1Group],
  scope: Scope.all(),
});

new RoleAssignment("tier2-endpoint", {
  roleId: responder.id,
  displayName: "Tier 2 - Defender for Endpoint",
  principals: [tier2Group],
  scope: Scope.workloads("endpoint"),
});

new RoleAssignment("cloud-team", {
  roleId: analyst.id,
  displayName: "Cloud team - production cloud scope",
  principals: [cloudTeam],
  scope: Scope.specific(["/CloudSet/123"], ["cloud"]),
});

export const analystPermissions = analyst.resolvedPermissions;
export const responderActions = responder.actions;
