// The policy-pack test program: roles, assignments and activations described by stack config, so that
// one stack can be previewed as a violating and as a clean program.
//   governed:roles        [{ "name", "displayName", "permissions": [...] }]
//   governed:assignments  [{ "name", "role": <role name>, "principals": [...], "workloads"?: [...] }] (no workloads: all data sources)
//   governed:activations  [{ "name", "workload", "authorizationAssignments": [<assignment name>] }]
import * as pulumi from "@pulumi/pulumi";
import { RoleAssignment, Scope, UnifiedRole, WorkloadActivation, WorkloadName } from "pulumi-defender-rbac";

interface RoleSpec {
  name: string;
  displayName: string;
  permissions: string[];
}
interface AssignmentSpec {
  name: string;
  role: string;
  principals: string[];
  workloads?: WorkloadName[];
}
interface ActivationSpec {
  name: string;
  workload: string;
  authorizationAssignments?: string[];
}

const config = new pulumi.Config();
const roles = new Map<string, UnifiedRole>();
for (const r of config.getObject<RoleSpec[]>("roles") ?? [])
  roles.set(r.name, new UnifiedRole(r.name, { displayName: r.displayName, permissions: r.permissions }));

const assignments = new Map<string, RoleAssignment>();
for (const a of config.getObject<AssignmentSpec[]>("assignments") ?? [])
  assignments.set(
    a.name,
    new RoleAssignment(a.name, {
      roleId: roles.get(a.role)!.id,
      displayName: a.name,
      principals: a.principals,
      scope: a.workloads ? Scope.workloads(...a.workloads) : Scope.all(),
    }),
  );

for (const w of config.getObject<ActivationSpec[]>("activations") ?? [])
  new WorkloadActivation(w.name, {
    workload: w.workload,
    authorizationAssignments: (w.authorizationAssignments ?? []).map((n) => assignments.get(n)!.id),
  });
