// Staged activation. Stage 0 creates a break-glass authorization role and assignment; stage 1 activates
// Unified RBAC for Defender for Endpoint; stage 2 adds Defender for Office 365 with Exchange Online.
// Each activation lists the assignment that keeps someone able to manage authorization, so preview
// refuses a lockout and the activation waits for the assignment. The break-glass assignment is then the
// last authorization manager of active workloads: removing it is refused (docs/lockout.md), so tearing
// this example down is a break-glass procedure: DEFENDER_RBAC_ALLOW_LOCKOUT=true pulumi destroy.
//
// Microsoft Graph has no activation API: on the graph backend (or the local one in parity mode) each
// activation is portal-managed: preview runs the same checks against the tenant, nothing is switched, and
// `portalStep` says what to turn on in the Defender portal.
import * as pulumi from "@pulumi/pulumi";
import { RoleAssignment, Scope, UnifiedRole, WorkloadActivation } from "pulumi-defender-rbac";

const stage = new pulumi.Config().getNumber("stage") ?? 0;
const rbac = new pulumi.Config("defender-rbac");
const managedIn = rbac.get("backend") === "graph" || rbac.get("parity") !== undefined ? "portal" : "api";
const breakGlassGroup = "2f6b9c1d-8e7a-4b3c-9d0e-5a4f3e2d1c0b";

const authAdmin = new UnifiedRole(
  "authorization-admin",
  {
    displayName: "Defender authorization admin (break-glass)",
    description: "Keeps permission management reachable during activation",
    permissions: [
      "Authorization and settings \\ Authorization (Read and manage)",
      "Authorization and settings \\ System settings (Read and manage)",
      "Security operations \\ Security data \\ Security data basics (read)",
    ],
  },
  { protect: false },
);

const breakGlass = new RoleAssignment("break-glass", {
  roleId: authAdmin, // the role itself: preview knows what it grants before it exists
  displayName: "Break-glass - all data sources",
  principals: [breakGlassGroup],
  scope: Scope.all(),
});

const activations: WorkloadActivation[] = [];
if (stage >= 1) {
  activations.push(
    new WorkloadActivation("endpoint", {
      workload: "endpoint",
      authorizationAssignments: [breakGlass],
      managedIn,
    }),
  );
}
if (stage >= 2) {
  activations.push(
    new WorkloadActivation("office365", {
      workload: "office365",
      exchangeOnline: true,
      authorizationAssignments: [breakGlass],
      managedIn,
    }),
  );
}

export const activeWorkloads = pulumi.all(activations.map((a) => a.workloadId));
export const activationWarnings = pulumi.all(activations.map((a) => a.warnings));
export const portalSteps = pulumi.all(activations.map((a) => a.portalStep));
