import * as pulumi from "@pulumi/pulumi";
import type { DataSourceScope } from "../core/scope";
import type { Workload } from "../core/workloads";
import { ImportedRole } from "./importedRole";
import { listText, warnPrivileged } from "./privileged";
import { managedBy, MODULE, pauseTraces, PROVIDERS } from "./shell";
import { UnifiedRole } from "./unifiedRole";

export type { DataSourceScope } from "../core/scope";
/** A workload's user-facing name (core/workloads.ts): the public name of `Workload["name"]`. */
export type WorkloadName = Workload["name"];

/** Constructors for the three scope forms. */
export const Scope = {
  /** All data sources, including ones added later (Graph appScopeIds ["/"]). */
  all: (): DataSourceScope => ({ kind: "all" }),
  /** Whole workloads: endpoint, office365, identity, cloud, cloudApps, secureScoreExternal. */
  workloads: (...workloads: WorkloadName[]): DataSourceScope => ({ kind: "workloads", workloads }),
  /** Specific scopes `/<ScopeType>/<ScopeId>`, e.g. "/CloudSet/123", optionally with whole workloads. */
  specific: (scopes: string[], workloads?: WorkloadName[]): DataSourceScope => ({
    kind: "scopes",
    scopes,
    ...(workloads ? { workloads } : {}),
  }),
};

export interface RoleAssignmentArgs {
  /**
   * The role to assign: the UnifiedRole or ImportedRole itself, or a role id. Given the resource, the
   * preview warns when the role grants privileged permissions, and knows what it grants even before the
   * role exists (e.g. for a WorkloadActivation's authorizationAssignments). Changing it replaces the
   * assignment.
   */
  roleId: pulumi.Input<string> | UnifiedRole | ImportedRole;
  displayName: pulumi.Input<string>;
  /** Entra object ids (GUIDs) of users or groups. */
  principals: pulumi.Input<pulumi.Input<string>[]>;
  /** Data sources the assignment covers; defaults to all data sources. */
  scope?: pulumi.Input<DataSourceScope>;
  /** Take over an existing assignment by id. */
  adopt?: pulumi.Input<string>;
  /** Allow `adopt` to take over an assignment another stack (or resource) manages (docs/ownership.md). */
  takeOver?: pulumi.Input<boolean>;
}

/** A Defender XDR role assignment: one role, several principals, a data-source scope. */
export class RoleAssignment extends pulumi.dynamic.Resource {
  declare readonly roleId: pulumi.Output<string>;
  declare readonly displayName: pulumi.Output<string>;
  declare readonly principals: pulumi.Output<string[]>;
  declare readonly scope: pulumi.Output<DataSourceScope>;
  /** The Graph `appScopeIds` the scope stands for. */
  declare readonly appScopeIds: pulumi.Output<string[]>;
  /** The assignment's id in the tenant: the resource's `id` (read from it, not declared as one more output). */
  get assignmentId(): pulumi.Output<string> {
    return this.id;
  }
  declare readonly backend: pulumi.Output<string>;
  /** Whether the assigned role grants Authorization (manage) (known at preview when roleId is the role itself). */
  declare readonly authorizationManage: pulumi.Output<boolean>;
  /**
   * What the assignment hands out: each permission of the role (canonical key) -> its readable label,
   * privileged ones marked "⚠ ". Known at preview when roleId is the role itself, even before it exists.
   */
  declare readonly grants: pulumi.Output<Record<string, string>>;
  /** To whom: each principal's object id -> its display name, where the backend's directory knows it. */
  declare readonly principalNames: pulumi.Output<Record<string, string>>;
  /** The ownership marker the assignment carries in the tenant: this resource's URN. */
  declare readonly managedBy: pulumi.Output<string>;
  /** At preview of a create: the existing assignment this resource takes over (adopt), or "". */
  declare readonly adopts: pulumi.Output<string>;

  constructor(name: string, args: RoleAssignmentArgs, opts?: pulumi.CustomResourceOptions) {
    const role = args.roleId instanceof UnifiedRole || args.roleId instanceof ImportedRole ? args.roleId : undefined;
    const traces = pauseTraces();
    try {
      super(
        PROVIDERS.RoleAssignment,
        name,
        {
          scope: undefined,
          appScopeIds: undefined,
          backend: undefined,
          authorizationManage: undefined,
          grants: undefined,
          principalNames: undefined,
          adopts: undefined,
          ...args,
          roleId: role ? role.id : (args.roleId as pulumi.Input<string>),
          // the role's permissions as its check computed them (its actions output: a role whose state
          // predates grants); check turns them into grants and authorizationManage
          ...(role ? { roleGrants: role.grants, roleActions: role.actions } : {}),
          managedBy: managedBy("RoleAssignment", name, opts),
        },
        opts,
        MODULE,
        "RoleAssignment",
      );
      if (role)
        warnPrivileged(
          this,
          pulumi
            .all([role.privilegedPermissions, role.displayName, this.principals, this.appScopeIds, this.principalNames])
            .apply(([list, roleName, principals, scopes, names]) =>
              list && list.length
                ? [
                    `hands privileged permissions of role "${roleName}" to ${(principals ?? [])
                      .map((p) =>
                        names && typeof names === "object" && !names[p]?.startsWith("(") ? `${names[p]} ${p}` : p,
                      )
                      .join(", ")} over ${
                      (scopes ?? ["/"]).join(", ") === "/" ? "all data sources" : (scopes ?? []).join(", ")
                    }: ${listText(list)}`,
                  ]
                : [],
            ),
          (l) => l[0],
        );
    } catch (e) {
      throw traces.withStack(e);
    } finally {
      traces.resume();
    }
  }
}
