import * as pulumi from "@pulumi/pulumi";
import type { DataSourceScope } from "../core/scope";
import type { Workload } from "../core/workloads";
import { MODULE, PROVIDERS } from "./shell";

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
  /** The role to assign: a UnifiedRole's or ImportedRole's id. Changing it replaces the assignment. */
  roleId: pulumi.Input<string>;
  displayName: pulumi.Input<string>;
  /** Entra object ids (GUIDs) of users or groups. */
  principals: pulumi.Input<pulumi.Input<string>[]>;
  /** Data sources the assignment covers; defaults to all data sources. */
  scope?: pulumi.Input<DataSourceScope>;
  /** Take over an existing assignment by id. */
  adopt?: pulumi.Input<string>;
}

/** A Defender XDR role assignment: one role, several principals, a data-source scope. */
export class RoleAssignment extends pulumi.dynamic.Resource {
  declare readonly roleId: pulumi.Output<string>;
  declare readonly displayName: pulumi.Output<string>;
  declare readonly principals: pulumi.Output<string[]>;
  declare readonly scope: pulumi.Output<DataSourceScope>;
  /** The Graph `appScopeIds` the scope stands for. */
  declare readonly appScopeIds: pulumi.Output<string[]>;
  declare readonly assignmentId: pulumi.Output<string>;
  declare readonly backend: pulumi.Output<string>;

  constructor(name: string, args: RoleAssignmentArgs, opts?: pulumi.CustomResourceOptions) {
    super(
      PROVIDERS.RoleAssignment,
      name,
      { scope: undefined, appScopeIds: undefined, assignmentId: undefined, backend: undefined, ...args },
      opts,
      MODULE,
      "RoleAssignment",
    );
  }
}
