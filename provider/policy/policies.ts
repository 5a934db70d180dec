/**
 * The policy pack's rules (CrossGuard, @pulumi/policy) for this provider's resources. Every fact they
 * rely on comes from the domain core: which keys grant Authorization (manage) (activation.ts), what a
 * manage wildcard is (catalogue.ts), which atoms are Advanced live response and File collection, how a
 * scope reaches a workload (scope.ts), and who keeps authorization in a workload (activation.ts).
 *
 * Enforcement levels are the defaults below; each can be changed per policy with
 * `--policy-pack-config` ({"<policy name>": "advisory" | "mandatory" | "disabled"} or
 * {"<policy name>": {"enforcementLevel": ..., <config>}}), or by `createPolicyPack(name, { enforcementLevels })`.
 */
import type {
  EnforcementLevel,
  Policies,
  PolicyResource,
  ReportViolation,
  ResourceValidationArgs,
  ResourceValidationPolicy,
  StackValidationPolicy,
} from "@pulumi/policy";
import { AUTHORIZATION_MANAGE, activationWorkload, authorizationManagers } from "../core/activation";
import { atomKey, getAtom, isManageWildcard } from "../core/catalogue";
import { atomLabel, keyLabel } from "../core/labels";
import { keyCovers } from "../core/normalise";
import { WORKLOADS, Workload, workloadByAppScope } from "../core/workloads";
import { kindOf } from "../resources/shell";
import { StackAssignment, StackView, listed, plannedActions, stackView } from "./stack";

const stringList = { type: "array" as const, items: { type: "string" as const }, default: [] as string[] };

/** Resource-level validation of the two role kinds (UnifiedRole, ImportedRole). */
function forRoles(
  validate: (
    role: { actions: string[]; displayName?: string },
    args: ResourceValidationArgs,
    report: ReportViolation,
  ) => void,
) {
  return (args: ResourceValidationArgs, report: ReportViolation) => {
    const kind = kindOf(args.type);
    if (kind !== "UnifiedRole" && kind !== "ImportedRole") return;
    const actions: string[] = [...plannedActions(args.props)];
    let displayName: string | undefined;
    try {
      displayName = args.props.displayName;
    } catch {
      displayName = undefined;
    }
    validate({ actions, displayName }, args, report);
  };
}

const AUTHORIZATION = "Authorization and settings \\ Authorization (manage)";

export const authorizationDesignatedRoles: ResourceValidationPolicy = {
  name: "authorization-designated-roles",
  description:
    "Authorization (manage) decides who can do what in Defender XDR: only the roles the organisation designates (config designatedRoles: Pulumi resource names or display names) may grant it.",
  enforcementLevel: "mandatory",
  configSchema: { properties: { designatedRoles: stringList } },
  validateResource: forRoles((role, args, report) => {
    const { designatedRoles } = args.getConfig<{ designatedRoles?: string[] }>();
    const granting = role.actions.filter((a) => keyCovers(a, AUTHORIZATION_MANAGE));
    if (granting.length === 0 || listed(designatedRoles, args, role.displayName)) return;
    report(
      `role "${role.displayName ?? args.name}" grants ${AUTHORIZATION} (through ${granting.map(keyLabel).join(", ")}) but is not a designated authorization role; ` +
        `remove the permission, or add "${args.name}" to designatedRoles in the policy config.`,
    );
  }),
};

export const noManageWildcards: ResourceValidationPolicy = {
  name: "no-manage-wildcards",
  description:
    "A */manage wildcard grants every manage permission of its area, including ones Microsoft adds later: list the permissions instead.",
  enforcementLevel: "mandatory",
  validateResource: forRoles((role, args, report) => {
    const wildcards = role.actions.filter(isManageWildcard);
    if (wildcards.length === 0) return;
    report(
      `role "${role.displayName ?? args.name}" grants the manage wildcard ${wildcards.map(keyLabel).join(", ")}; list the manage permissions it needs instead.`,
    );
  }),
};

/** The atoms flagged for review: they run commands on, or pull files from, devices. */
const DEVICE_ACCESS = [
  "secops.securitydata.liveresponse-advanced:manage",
  "secops.securitydata.filecollection:manage",
].map((id) => getAtom(id)!);

export const flagLiveResponseAndFileCollection: ResourceValidationPolicy = {
  name: "flag-live-response-and-file-collection",
  description:
    "Advanced live response (run scripts on devices) and File collection (pull files from devices) reach into endpoints: each grant deserves a second reviewer.",
  enforcementLevel: "advisory",
  validateResource: forRoles((role, args, report) => {
    const hits = DEVICE_ACCESS.filter((atom) => role.actions.some((a) => keyCovers(a, atomKey(atom))));
    if (hits.length === 0) return;
    report(
      `role "${role.displayName ?? args.name}" grants ${hits.map(atomLabel).join(" and ")}; have a second reviewer confirm who needs it.`,
    );
  }),
};

export const assignGroupsNotUsers: ResourceValidationPolicy = {
  name: "assign-groups-not-users",
  description:
    "Assign roles to Entra groups rather than individual users, so access follows group membership and its reviews. Config: groupIds (the principals known to be groups; any other is flagged) and/or userIds (principals known to be users).",
  enforcementLevel: "advisory",
  configSchema: { properties: { groupIds: stringList, userIds: stringList } },
  validateResource: (args, report) => {
    if (kindOf(args.type) !== "RoleAssignment") return;
    const { groupIds = [], userIds = [] } = args.getConfig<{ groupIds?: string[]; userIds?: string[] }>();
    const groups = new Set(groupIds.map((g) => g.toLowerCase()));
    const users = new Set(userIds.map((u) => u.toLowerCase()));
    const principals: string[] = [...(args.props.principals ?? [])].map((p: string) => p.toLowerCase());
    const flagged = principals.filter((p) => users.has(p) || (groups.size > 0 && !groups.has(p)));
    if (flagged.length === 0) return;
    report(
      `assignment "${args.name}" names ${flagged.length === 1 ? "a principal" : "principals"} that ${groups.size > 0 ? "are not designated groups" : "are individual users"}: ${flagged.join(", ")}; assign an Entra group instead.`,
    );
  },
};

/** Assignments of roles that grant Authorization (manage). */
function authorizationAssignments(view: StackView): StackAssignment[] {
  return view.assignments.filter((a) => a.role?.grantsAuthorizationManage);
}

export const authorizationNotOverAllDataSources: StackValidationPolicy = {
  name: "authorization-not-over-all-data-sources",
  description:
    "An assignment of a role that grants Authorization (manage) should be scoped to the workloads it administers, not to all data sources (which includes every data source added later), unless it is an explicit exemption (config allDataSourcesExemptions: assignment resource names or display names), e.g. the break-glass assignment.",
  enforcementLevel: "mandatory",
  configSchema: { properties: { allDataSourcesExemptions: stringList } },
  validateStack: (args, report) => {
    const { allDataSourcesExemptions } = args.getConfig<{ allDataSourcesExemptions?: string[] }>();
    for (const a of authorizationAssignments(stackView(args.resources))) {
      if (!a.appScopeIds.includes("/") || listed(allDataSourcesExemptions, a.resource, a.displayName)) continue;
      report(
        `assignment "${a.resource.name}" grants ${AUTHORIZATION} over all data sources; scope it to the workloads it administers (Scope.workloads(...)), or add "${a.resource.name}" to allDataSourcesExemptions in the policy config.`,
        a.resource.urn,
      );
    }
  },
};

export const keepAuthorizationManager: StackValidationPolicy = {
  name: "keep-authorization-manager",
  description:
    "After this stack's changes, every active workload keeps someone who can manage authorization: an assignment in the stack of a role that grants Authorization (manage) reaching it. Covers the workloads this stack activates, plus config activeWorkloads (activated elsewhere); config authorizationRoleIds names roles outside the stack (ids) that grant it.",
  enforcementLevel: "mandatory",
  configSchema: { properties: { activeWorkloads: stringList, authorizationRoleIds: stringList } },
  validateStack: (args, report) => {
    const { activeWorkloads = [], authorizationRoleIds = [] } = args.getConfig<{
      activeWorkloads?: string[];
      authorizationRoleIds?: string[];
    }>();
    const view = stackView(args.resources);
    const external = new Set(authorizationRoleIds.map((id) => id.toLowerCase()));
    const workloads = new Map<Workload["appScope"], PolicyResource | undefined>();
    for (const w of activeWorkloads) {
      const id = activationWorkload(w);
      if (!id)
        throw new Error(
          `policy config keep-authorization-manager.activeWorkloads: unknown workload "${w}"; use one of ${WORKLOADS.filter(
            (x) => x.activation,
          )
            .map((x) => `${x.name} (${x.appScope})`)
            .join(", ")}.`,
        );
      workloads.set(id, undefined);
    }
    for (const a of view.activations) if (a.active) workloads.set(a.workload, a.resource);
    // the tenant as this stack leaves it: its assignments, each pointing at a role whose keys are known
    const tenant = {
      roles: [
        { id: "stack:granting", actions: [AUTHORIZATION_MANAGE] },
        { id: "stack:other", actions: [] },
      ],
      assignments: view.assignments.map((a) => ({
        roleDefinitionId:
          a.role?.grantsAuthorizationManage || (a.roleId && external.has(a.roleId.toLowerCase()))
            ? "stack:granting"
            : "stack:other",
        principalIds: a.principals,
        appScopeIds: a.appScopeIds,
      })),
    };
    for (const [workload, resource] of workloads) {
      if (authorizationManagers(tenant, workload).length > 0) continue;
      report(
        `${workloadByAppScope(workload)!.displayName} (${workload}) is active${resource ? "" : " (policy config activeWorkloads)"} but after this stack's changes no assignment in the stack grants ${AUTHORIZATION} there: ` +
          "keep (or add) an assignment of a role with that permission over all data sources or that workload, e.g. to a break-glass group.",
        resource?.urn,
      );
    }
  },
};

/** Every rule of the pack, in the order they are documented. */
export const policies: Policies = [
  authorizationDesignatedRoles,
  authorizationNotOverAllDataSources,
  noManageWildcards,
  flagLiveResponseAndFileCollection,
  assignGroupsNotUsers,
  keepAuthorizationManager,
];

/** The policies with some enforcement levels replaced (by policy name). */
export function withEnforcementLevels(levels: Record<string, EnforcementLevel> = {}): Policies {
  for (const name of Object.keys(levels))
    if (!policies.some((p) => p.name === name))
      throw new Error(
        `unknown policy "${name}" in enforcementLevels; the pack's policies are: ${policies.map((p) => p.name).join(", ")}.`,
      );
  return policies.map((p) => (levels[p.name] ? { ...p, enforcementLevel: levels[p.name] } : p));
}
