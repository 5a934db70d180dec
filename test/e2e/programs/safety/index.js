// The tenant-safety test program. Every part is switched by stack config so that several stacks of this
// one program share a tenant (the local store of this directory, or one Graph emulator) and each test
// step is a config change: see test/e2e/safety.spec.ts. Plain JavaScript: nothing to compile per run.
"use strict";
const pulumi = require("@pulumi/pulumi");
const { ImportedRole, RoleAssignment, Scope, UnifiedRole, WorkloadActivation } = require("pulumi-defender-rbac");

const c = new pulumi.Config();
const flag = (k, d = false) => c.getBoolean(k) ?? d;
const breakGlassGroup = "2f6b9c1d-8e7a-4b3c-9d0e-5a4f3e2d1c0b";
const analysts = "8e811502-2c2a-4d1b-9c5e-1f0b2e4f9a10";
const scopeOf = (s) => (s === "all" ? Scope.all() : Scope.workloads(...s.split(",")));

let breakGlass;
if (flag("breakGlass")) {
  const role = new UnifiedRole("break-glass-role", {
    displayName: "Break-glass authorization",
    permissions: c.getObject("breakGlassPermissions") ?? [
      "Authorization and settings \\ Authorization (Read and manage)",
      "Security operations \\ Security data \\ Security data basics (read)",
    ],
  });
  if (flag("breakGlassAssignment", true))
    breakGlass = new RoleAssignment("break-glass", {
      roleId: role,
      displayName: "Break-glass",
      principals: [breakGlassGroup],
      scope: scopeOf(c.get("breakGlassScope") ?? "all"),
    });
}

let analystRoleId;
if (flag("analyst")) {
  const analyst = new UnifiedRole("analyst", {
    displayName: "Safety analyst",
    description: "analysts of the safety suite",
    permissions: ["Security operations \\ Security data \\ Security data basics (read)"],
  });
  analystRoleId = analyst.id;
  new RoleAssignment("analysts", {
    roleId: analyst,
    displayName: "Safety analysts",
    principals: [analysts],
    scope: Scope.workloads("endpoint"),
  });
}

// roles imported from legacy models: the "never import twice" rule looks for existing copies
const importRole = c.get("importRole"); // "mdo:Security reader", "mdi:MDI viewer", ...
let imported;
if (importRole) {
  const [source, role] = importRole.split(":");
  imported = new ImportedRole("imported", {
    source,
    role,
    includeAssignments: flag("importAssignments"),
    takeOver: flag("takeOver"),
  });
}

// explicit adoption of an existing role by id, and an assignment on a role this stack does not manage
const adoptRole = c.get("adoptRole");
if (adoptRole)
  new UnifiedRole("adopted", {
    displayName: "Adopted role",
    permissions: ["Security operations \\ Security data \\ Security data basics (read)"],
    adopt: adoptRole,
    takeOver: flag("takeOver"),
  });
const assignToRole = c.get("assignToRole");
if (assignToRole)
  new RoleAssignment("on-foreign-role", {
    roleId: assignToRole,
    displayName: "Assignment on another stack's role",
    principals: [analysts],
    scope: Scope.all(),
  });

if (flag("activateEndpoint"))
  new WorkloadActivation("endpoint", {
    workload: "endpoint",
    authorizationAssignments: breakGlass ? [breakGlass] : [],
  });
if (flag("activateIdentity"))
  new WorkloadActivation("identity", {
    workload: "identity",
    authorizationAssignments: imported ? [imported.assignmentId.apply((id) => id || "")] : [],
  });

// an activation whose named authorization assignment only grants read access
if (flag("readerActivation")) {
  const reader = new UnifiedRole("reader-role", {
    displayName: "Authorization reader",
    permissions: ["Authorization and settings \\ Authorization (read)"],
  });
  const readers = new RoleAssignment("readers", {
    roleId: reader,
    displayName: "Authorization readers",
    principals: [breakGlassGroup],
    scope: Scope.all(),
  });
  new WorkloadActivation("office365", { workload: "office365", authorizationAssignments: [readers] });
}

exports.analystRoleId = analystRoleId;
exports.breakGlassAssignmentId = breakGlass && breakGlass.id;
exports.importedRoleId = imported && imported.id;
