import * as pulumi from "@pulumi/pulumi";
import type { RoleAssignment } from "./roleAssignment";
import { MODULE, pauseTraces, PROVIDERS } from "./shell";

export interface WorkloadActivationArgs {
  /** endpoint (Mde), office365 (Mdo), identity (Mdi), cloudApps (Mda) or cloud (Mdc). */
  workload: pulumi.Input<string>;
  /** Whether Unified RBAC governs the workload (default true). */
  active?: pulumi.Input<boolean>;
  /** office365 only: also govern Exchange Online permissions (needs the workload active). */
  exchangeOnline?: pulumi.Input<boolean>;
  /**
   * RoleAssignments that keep someone able to manage authorization once the workload is active: the
   * resources themselves (best: preview checks that each grants Authorization (manage) over the
   * workload, even before they exist) or their ids (checked once known). The activation waits for them.
   */
  authorizationAssignments?: pulumi.Input<pulumi.Input<string>[]> | (RoleAssignment | pulumi.Input<string>)[];
  /** Deactivate the workload when this resource is deleted (default false: the switch is left as it is). */
  deactivateOnDelete?: pulumi.Input<boolean>;
  /**
   * "api" (default): the backend switches the workload. "portal": you switch it in the Defender portal (Graph has
   * no activation API); the resource declares that state, runs every check against the tenant at preview, never
   * calls an activation API, and says so in `portalStep` and `warnings`.
   */
  managedIn?: pulumi.Input<"api" | "portal">;
}

/** Unified RBAC activation for one workload, with lockout and dependency checks at preview. */
export class WorkloadActivation extends pulumi.dynamic.Resource {
  declare readonly workloadId: pulumi.Output<string>;
  declare readonly active: pulumi.Output<boolean>;
  declare readonly exchangeOnline: pulumi.Output<boolean | undefined>;
  /**
   * Access that widens (or, on deactivation, what to know) when the change is applied. Each is also a
   * Pulumi warning of its own on the resource, whole, so a plain `pulumi preview` shows them one per line.
   */
  declare readonly warnings: pulumi.Output<string[]>;
  /**
   * Per principal ("name (id)", or the id), each permission gained or lost if the change were applied
   * now ("gained ⚠ <label>", privileged ones marked) -> where it comes from, as `defender-rbac
   * activation-plan` shows it; empty when nothing is switched.
   */
  declare readonly accessChange: pulumi.Output<Record<string, Record<string, string>>>;
  /** "api" or "portal". */
  declare readonly managedIn: pulumi.Output<string>;
  /** Portal mode: the switch the operator makes in the Defender portal (Pulumi makes none); null otherwise. */
  declare readonly portalStep: pulumi.Output<string | null>;
  declare readonly backend: pulumi.Output<string>;

  constructor(name: string, args: WorkloadActivationArgs, opts?: pulumi.CustomResourceOptions) {
    const listed = Array.isArray(args.authorizationAssignments) ? args.authorizationAssignments : undefined;
    const isAssignment = (x: unknown): x is RoleAssignment => pulumi.Resource.isInstance(x);
    const traces = pauseTraces();
    try {
      super(
        PROVIDERS.WorkloadActivation,
        name,
        {
          active: undefined,
          exchangeOnline: undefined,
          workloadId: undefined,
          warnings: undefined,
          accessChange: undefined,
          managedIn: undefined,
          portalStep: undefined,
          backend: undefined,
          ...args,
          ...(listed
            ? {
                authorizationAssignments: listed.map((a) => (isAssignment(a) ? a.id : a)),
                // what preview knows of each listed assignment before it exists (null: only its id)
                authorizationPlan: listed.map((a) =>
                  isAssignment(a)
                    ? {
                        displayName: a.displayName,
                        appScopeIds: a.appScopeIds,
                        authorizationManage: a.authorizationManage,
                      }
                    : null,
                ),
              }
            : {}),
        },
        opts,
        MODULE,
        "WorkloadActivation",
      );
      // one warning per item: each shown whole, on a line of its own
      this.warnings.apply((list) => {
        if (Array.isArray(list)) for (const w of list) if (typeof w === "string" && w) void pulumi.log.warn(w, this);
      });
    } catch (e) {
      throw traces.withStack(e);
    } finally {
      traces.resume();
    }
  }
}
