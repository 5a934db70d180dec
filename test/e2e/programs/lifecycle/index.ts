// The end-to-end test program: a role, an assignment and an imported role. The test edits the role's
// permissions through stack config (`lifecycle:permissions`, a JSON list).
import * as pulumi from "@pulumi/pulumi";
import { ImportedRole, RoleAssignment, Scope, UnifiedRole } from "pulumi-defender-rbac";

const config = new pulumi.Config();
const permissions: string[] = config.getObject<string[]>("permissions") ?? [
  "Security operations \\ Security data \\ Security data basics (read)",
  "Security operations \\ Security data \\ Alerts (manage)",
];

const role = new UnifiedRole("analyst", {
  displayName: config.get("roleName") ?? "E2E analyst",
  description: "created by the end-to-end suite",
  permissions,
});

const assignment = new RoleAssignment("analyst-endpoint", {
  roleId: role.id,
  displayName: "E2E analysts on Endpoint",
  principals: ["8e811502-2c2a-4d1b-9c5e-1f0b2e4f9a10"],
  scope: Scope.workloads("endpoint"),
});

const imported =
  config.getBoolean("withImport") === false
    ? undefined
    : new ImportedRole("mdo-reader", { source: "mdo", role: "Security reader" });

export const roleId = role.id;
export const actions = role.actions;
export const assignmentId = assignment.id;
export const importedPermissions = imported?.unifiedPermissions;
