// ${DESCRIPTION}
// A SOC analyst role and its assignment to one Entra group, on workloads Endpoint and Identity.
// `pulumi preview` shows the permissions the role resolves to; `defender-rbac catalog` lists them all.
import * as pulumi from "@pulumi/pulumi";
import { RoleAssignment, Scope, UnifiedRole } from "pulumi-defender-rbac";

const config = new pulumi.Config();

const analyst = new UnifiedRole("soc-analyst", {
  displayName: "SOC analyst",
  description: "Triage alerts and incidents",
  permissions: [
    "Security operations \\ Security data \\ Security data basics (read)",
    "Security operations \\ Security data \\ Alerts (manage)",
  ],
});

new RoleAssignment("soc-analysts", {
  roleId: analyst.id,
  displayName: "SOC analysts on Endpoint and Identity",
  principals: [config.require("analystGroup")],
  scope: Scope.workloads("endpoint", "identity"),
});

export const permissions = analyst.resolvedPermissions;
