// Beside azure-native: turn on Defender for Cloud plans on a subscription with azure-native, and give the
// cloud security team a Defender XDR role scoped to Defender for Cloud data with pulumi-defender-rbac.
//
// One set of credentials: configure azure-native as usual (`pulumi config set azure-native:tenantId ...`,
// `azure-native:clientId`, `azure-native:useOidc true`, or the ARM_* environment variables of the CI
// job). The defender-rbac graph backend reads the same `azure-native:` keys and ARM_* variables when its
// own `defender-rbac:` keys are not set, so nothing is configured twice. The app needs both the Azure role
// that manages Defender for Cloud pricing on the subscription (e.g. Security Admin) and the Graph
// application permission RoleManagement.ReadWrite.Defender.
//
//   pulumi config set defender-rbac:backend graph
//   pulumi config set defender-for-cloud:subscriptionId <subscription id>
//   pulumi config set defender-for-cloud:cloudSecurityGroup <Entra group object id>
import * as pulumi from "@pulumi/pulumi";
import * as security from "@pulumi/azure-native/security";
import { RoleAssignment, Scope, UnifiedRole } from "pulumi-defender-rbac";

const config = new pulumi.Config();
const subscription = `/subscriptions/${config.require("subscriptionId")}`;
const plans = config.getObject<string[]>("plans") ?? ["VirtualMachines", "StorageAccounts", "KeyVaults", "Arm"];

// Defender for Cloud plans (Microsoft.Security/pricings) on the subscription.
export const enabledPlans = plans.map(
  (plan) =>
    new security.Pricing(`defender-${plan.toLowerCase()}`, {
      scopeId: subscription,
      pricingName: plan,
      pricingTier: security.PricingTier.Standard,
    }).name,
);

// Who works the alerts those plans raise, in the Defender portal: a role over Defender for Cloud only.
const cloudAnalyst = new UnifiedRole("cloud-analyst", {
  displayName: "Cloud security analyst",
  description: "Investigates Defender for Cloud alerts in Microsoft Defender XDR",
  permissions: [
    "Security operations \\ Security data \\ Security data basics (read)",
    "Security operations \\ Security data \\ Alerts (manage)",
  ],
});

new RoleAssignment("cloud-analysts", {
  roleId: cloudAnalyst.id,
  displayName: "Cloud security team on Defender for Cloud",
  principals: [config.require("cloudSecurityGroup")],
  scope: Scope.workloads("cloud"),
});

export const cloudAnalystPermissions = cloudAnalyst.resolvedPermissions;
