/**
 * The CrossGuard policy pack for Defender XDR Unified RBAC resources (`pulumi-defender-rbac/policy`).
 *
 * Run it as shipped:  pulumi preview --policy-pack node_modules/pulumi-defender-rbac/provider/policy/pack
 * or compose it into your own pack:
 *
 *   import { PolicyPack } from "@pulumi/policy";
 *   import { policies } from "pulumi-defender-rbac/policy";
 *   new PolicyPack("my-org", { policies: [...policies, ...myPolicies] });
 */
import { PolicyPack, PolicyPackConfig, EnforcementLevel } from "@pulumi/policy";
import { withEnforcementLevels } from "./policies";

export {
  policies,
  withEnforcementLevels,
  authorizationDesignatedRoles,
  authorizationNotOverAllDataSources,
  noManageWildcards,
  flagLiveResponseAndFileCollection,
  assignGroupsNotUsers,
  keepAuthorizationManager,
} from "./policies";
export { stackView } from "./stack";
export { kindOf } from "../resources/shell";
export type { StackView, StackRole, StackAssignment, StackActivation } from "./stack";

export const POLICY_PACK_NAME = "defender-rbac";

export interface PolicyPackOptions {
  /** Enforcement level per policy name, replacing the defaults. */
  enforcementLevels?: Record<string, EnforcementLevel>;
  /** Initial config per policy (what `--policy-pack-config` would give). */
  config?: PolicyPackConfig;
}

/** Serves the pack to the engine: call it from a policy pack's entry point (one pack per process). */
export function createPolicyPack(name = POLICY_PACK_NAME, options: PolicyPackOptions = {}): PolicyPack {
  return new PolicyPack(
    name,
    {
      policies: withEnforcementLevels(options.enforcementLevels),
      description: "Least privilege for Microsoft Defender XDR Unified RBAC (pulumi-defender-rbac).",
    },
    options.config,
  );
}
