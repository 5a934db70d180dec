import * as pulumi from "@pulumi/pulumi";
import { warnRolePrivileged } from "./privileged";
import { managedBy, MODULE, pauseTraces, PROVIDERS } from "./shell";

export interface UnifiedRoleArgs {
  /** The role's name. Changing it renames the role in place. */
  displayName: pulumi.Input<string>;
  description?: pulumi.Input<string>;
  /**
   * Permissions, each a catalogue id (`secops.securitydata.alerts:manage`), a readable name
   * ("Security operations \\ Security data \\ Alerts (manage)", "Authorization (Read and manage)",
   * "Authorization and settings \\ Security settings (All permissions)") or an action string the
   * catalogue knows (`microsoft.xdr/secops/*\/read`). See `defender-rbac catalog`.
   */
  permissions: pulumi.Input<pulumi.Input<string>[]>;
  /** Take over an existing role by id instead of creating one (dynamic resources cannot be `pulumi import`ed). */
  adopt?: pulumi.Input<string>;
  /**
   * Allow `adopt` to take over a role that another stack (or another resource) manages. Without it,
   * preview refuses and names the owner. The other stack then no longer manages it (docs/ownership.md).
   */
  takeOver?: pulumi.Input<boolean>;
}

/** A custom Defender XDR Unified RBAC role. */
export class UnifiedRole extends pulumi.dynamic.Resource {
  declare readonly displayName: pulumi.Output<string>;
  declare readonly description: pulumi.Output<string>;
  declare readonly permissions: pulumi.Output<string[]>;
  /** Canonical permission keys (action strings; local keys for unpublished permissions). */
  declare readonly actions: pulumi.Output<string[]>;
  /** Readable labels of `actions`. */
  declare readonly resolvedPermissions: pulumi.Output<string[]>;
  /** The privileged permissions the role grants (authorization manage, advanced live response, `*\/manage` wildcards), flagged for review. */
  declare readonly privilegedPermissions: pulumi.Output<string[]>;
  /**
   * What the role grants, as a map: each canonical key -> its readable label, privileged ones marked "⚠ ".
   * Computed at preview, and diffed by permission (adding one is one added line).
   */
  declare readonly grants: pulumi.Output<Record<string, string>>;
  /** The role's id in the tenant: the resource's `id` (read from it, not declared as one more output). */
  get roleId(): pulumi.Output<string> {
    return this.id;
  }
  declare readonly isBuiltIn: pulumi.Output<boolean>;
  declare readonly imported: pulumi.Output<boolean>;
  declare readonly catalogueVersion: pulumi.Output<string>;
  declare readonly backend: pulumi.Output<string>;
  /** The ownership marker the role carries in the tenant: this resource's URN. */
  declare readonly managedBy: pulumi.Output<string>;
  /** At preview of a create: the existing role this resource takes over (adopt), or "" when it creates one. */
  declare readonly adopts: pulumi.Output<string>;

  constructor(name: string, args: UnifiedRoleArgs, opts?: pulumi.CustomResourceOptions) {
    const traces = pauseTraces();
    try {
      super(
        PROVIDERS.UnifiedRole,
        name,
        {
          // computed outputs, and optional inputs that are always outputs: pre-declared before the spread so given values win
          description: undefined,
          actions: undefined,
          resolvedPermissions: undefined,
          grants: undefined,
          privilegedPermissions: undefined,
          isBuiltIn: undefined,
          imported: undefined,
          catalogueVersion: undefined,
          backend: undefined,
          adopts: undefined,
          ...args,
          managedBy: managedBy("UnifiedRole", name, opts),
        },
        opts,
        MODULE,
        "UnifiedRole",
      );
      warnRolePrivileged(this);
    } catch (e) {
      throw traces.withStack(e);
    } finally {
      traces.resume();
    }
  }
}
