// The previews test program: a role whose permissions come from stack config, then (config `admins`) a
// privileged role assigned to a group given by name and to a user given by id, then (config `activate`)
// Defender for Endpoint's activation, kept in charge by that assignment. See test/e2e/previews.spec.ts.
// Plain JavaScript: nothing to compile per run.
"use strict";
const pulumi = require("@pulumi/pulumi");
const { RoleAssignment, Scope, UnifiedRole, WorkloadActivation } = require("pulumi-defender-rbac");

const c = new pulumi.Config();

new UnifiedRole("analyst", {
  displayName: "Previewed analyst",
  permissions: c.getObject("permissions") ?? [
    "Security operations \\ Security data \\ Security data basics (read)",
    "Security operations \\ Security data \\ Alerts (manage)",
  ],
});

if (c.getBoolean("admins")) {
  const admins = new UnifiedRole("defender-admins", {
    displayName: "Defender admins",
    permissions: [
      "Authorization and settings \\ Authorization (Read and manage)",
      "Security operations \\ Security data \\ Security data basics (read)",
    ],
  });
  const assignment = new RoleAssignment("defender-admins-all", {
    roleId: admins, // the role itself: the preview knows what it grants before it exists
    displayName: "Defender admins over all data sources",
    principals: ["SOC analysts", "22222222-2222-4222-8222-000000000005"], // a group by name, a user by id
    scope: Scope.all(),
  });
  if (c.getBoolean("activate"))
    new WorkloadActivation("endpoint", { workload: "endpoint", authorizationAssignments: [assignment] });
}
