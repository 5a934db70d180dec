/**
 * pulumi-defender-rbac: Microsoft Defender XDR Unified RBAC as Pulumi resources.
 *
 *   import { UnifiedRole, RoleAssignment, Scope } from "pulumi-defender-rbac";
 */
export { UnifiedRole, UnifiedRoleArgs } from "./resources/unifiedRole";
export { RoleAssignment, RoleAssignmentArgs, Scope, DataSourceScope, WorkloadName } from "./resources/roleAssignment";
export { ImportedRole, ImportedRoleArgs } from "./resources/importedRole";
export { WorkloadActivation, WorkloadActivationArgs } from "./resources/workloadActivation";
export type {
  Backend,
  BackendCapabilities,
  BackendConfig,
  RoleRecord,
  RoleInput,
  RolePatch,
  AssignmentRecord,
  AssignmentInput,
  AssignmentPatch,
  LegacyRoleRecord,
  WorkloadState,
  CatalogueAction,
  RoleImportInfo,
} from "./backend/backend";
export { UnsupportedOperationError } from "./backend/backend";
export * as core from "./core";
