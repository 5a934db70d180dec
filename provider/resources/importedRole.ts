import * as pulumi from "@pulumi/pulumi";
import { warnRolePrivileged } from "./privileged";
import { managedBy, MODULE, pauseTraces, PROVIDERS } from "./shell";

export interface ImportedRoleArgs {
  /** "mde" (Defender for Endpoint / Vulnerability Management), "mdo" (Defender for Office 365 / EOP) or "mdi" (Defender for Identity). */
  source: pulumi.Input<"mde" | "mdo" | "mdi" | "endpoint" | "office365" | "identity">;
  /** The legacy role: an MDO/EOP role group or role, an MDI role group, or the name of an MDE role in the tenant. */
  role?: pulumi.Input<string>;
  /** MDE only: the legacy permissions of a custom MDE role, when not read from the tenant. */
  permissions?: pulumi.Input<pulumi.Input<string>[]>;
  /** Name of the imported role; defaults to the legacy role's name. */
  displayName?: pulumi.Input<string>;
  description?: pulumi.Input<string>;
  /** Copy the legacy role's members into an assignment scoped to the source workload. */
  includeAssignments?: pulumi.Input<boolean>;
  /** Import even though some legacy permissions have no Unified RBAC equivalent (they are listed in `unsupported`). */
  acceptUnsupported?: pulumi.Input<boolean>;
  /** Take over an existing (e.g. portal-imported) role by id. */
  adopt?: pulumi.Input<string>;
  /**
   * Allow taking over a role another stack (or another resource) manages, by `adopt` or by the "never
   * import twice" rule. Without it, preview refuses and names the owner (docs/ownership.md).
   */
  takeOver?: pulumi.Input<boolean>;
}

/** A role migrated from an individual RBAC model, with its unified permissions computed at plan time. */
export class ImportedRole extends pulumi.dynamic.Resource {
  declare readonly displayName: pulumi.Output<string>;
  declare readonly description: pulumi.Output<string>;
  /** The unified permissions the migration grants (shown by `pulumi preview`). */
  declare readonly unifiedPermissions: pulumi.Output<string[]>;
  declare readonly actions: pulumi.Output<string[]>;
  /** Legacy entries with no Unified RBAC equivalent. */
  declare readonly unsupported: pulumi.Output<string[]>;
  declare readonly legacyPermissions: pulumi.Output<string[]>;
  declare readonly legacyMembers: pulumi.Output<string[]>;
  declare readonly originalId: pulumi.Output<string>;
  declare readonly sourceId: pulumi.Output<string>;
  /** The privileged permissions the role grants (authorization manage, advanced live response, `*\/manage` wildcards), flagged for review. */
  declare readonly privilegedPermissions: pulumi.Output<string[]>;
  /**
   * What the role grants, as a map: each canonical key -> its readable label, privileged ones marked "⚠ ".
   * Computed at preview, and diffed by permission (adding one is one added line).
   */
  declare readonly grants: pulumi.Output<Record<string, string>>;
  declare readonly roleId: pulumi.Output<string>;
  /** True while the role is an unedited import ("Imported" in the portal). */
  declare readonly imported: pulumi.Output<boolean>;
  declare readonly assignmentId: pulumi.Output<string | null>;
  declare readonly catalogueVersion: pulumi.Output<string>;
  /** The ownership marker the role (and its assignment) carry in the tenant: this resource's URN. */
  declare readonly managedBy: pulumi.Output<string>;
  /**
   * At preview of a create: the existing role this resource takes over (by `adopt`, or because it was
   * already imported from the same legacy role), or "" when it creates one.
   */
  declare readonly adopts: pulumi.Output<string>;

  constructor(name: string, args: ImportedRoleArgs, opts?: pulumi.CustomResourceOptions) {
    const traces = pauseTraces();
    try {
      super(
        PROVIDERS.ImportedRole,
        name,
        {
          // computed outputs, and optional inputs that are always outputs: pre-declared before the spread so given values win
          displayName: undefined,
          description: undefined,
          unifiedPermissions: undefined,
          actions: undefined,
          grants: undefined,
          unsupported: undefined,
          legacyPermissions: undefined,
          legacyMembers: undefined,
          originalId: undefined,
          sourceId: undefined,
          roleId: undefined,
          imported: undefined,
          assignmentId: undefined,
          catalogueVersion: undefined,
          resolvedPermissions: undefined,
          privilegedPermissions: undefined,
          isBuiltIn: undefined,
          backend: undefined,
          adopts: undefined,
          ...args,
          managedBy: managedBy("ImportedRole", name, opts),
        },
        opts,
        MODULE,
        "ImportedRole",
      );
      warnRolePrivileged(this);
    } catch (e) {
      throw traces.withStack(e);
    } finally {
      traces.resume();
    }
  }
}
