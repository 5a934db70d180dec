/**
 * The pluggable backend: everything the provider reads from and writes to a tenant goes through this
 * interface. Two implementations ship: `local` (an embedded tenant store, the default, fully offline)
 * and `graph` (Microsoft Graph beta /roleManagement/defender). A custom backend is a module that
 * exports `createBackend(config: BackendConfig): Backend | Promise<Backend>`; select it with
 * `pulumi config set defender-rbac:backend ./path/to/module.js` (or a package name).
 *
 * Contract:
 *  - Role and assignment ids are opaque strings chosen by the backend.
 *  - `actions` are the role's permission keys (Graph action strings, or, for a backend whose
 *    `capabilities().unpublishedPermissions` is true, the local `urn:defender-rbac:permission:…` keys
 *    of permissions whose action string is not published). They may come back pruned (normalise.ts).
 *  - get* return null for an id that does not exist; delete* of a missing id succeeds (idempotent).
 *  - update* of a missing id (never created, or deleted outside Pulumi) throws `NotFoundError`, and
 *    so does createAssignment for a missing role: "not found" means the object is not in the tenant
 *    now, so the provider tells the user to `pulumi refresh` (which forgets it) instead of retrying.
 *    A Graph 404 on PATCH is that error. Changing or deleting a built-in role throws
 *    `BuiltInRoleError`. Both are matched by `name` too (`isNotFound`), so a custom backend built
 *    against another copy of this package is understood.
 *  - `managedBy` is the ownership marker (core/ownership.ts): the URN of the Pulumi resource that
 *    manages the object, or null. A backend stores it with the object where the service keeps it (the
 *    local store: a column; Graph: a suffix of the description, split off on read). A create whose
 *    marker an existing object already carries (left by an earlier, interrupted create of the same
 *    resource: a role of the same name and description, an assignment of the same role) returns that
 *    object instead of making another; the caller brings it to the desired fields.
 *  - deleteRole refuses (RoleInUseError) while the role still has assignments: nothing cascades.
 *  - A method the backend cannot perform throws `UnsupportedOperationError`; `capabilities()` must
 *    say so in advance so the provider can fail at preview instead of at apply.
 */
import type { LegacySource } from "../core/legacy";
import type { Directory, DirectoryObject } from "../core/directory";

export interface RoleImportInfo {
  source: LegacySource;
  /** The legacy role (or, for MDE custom roles, the legacy permissions) it was imported from. */
  legacyRoles: string[];
  /** Id of the legacy role in its own model, when the source has one. */
  originalId?: string;
  /** Set once the role has been edited after import: the portal's "Imported" marker is then gone. */
  edited?: boolean;
}

export interface RoleRecord {
  id: string;
  displayName: string;
  description: string;
  isBuiltIn: boolean;
  actions: string[];
  /** Set while the role is an unedited import ("Imported" in the portal); cleared by any edit. */
  imported?: RoleImportInfo | null;
  /** The URN of the Pulumi resource that manages the role (core/ownership.ts), or null. */
  managedBy?: string | null;
}

export interface RoleInput {
  displayName: string;
  description: string;
  actions: string[];
  imported?: RoleImportInfo | null;
  managedBy?: string | null;
}

export type RolePatch = Partial<Pick<RoleInput, "displayName" | "description" | "actions" | "managedBy">>;

export interface AssignmentRecord {
  id: string;
  displayName: string;
  /** Graph keeps a description on assignments too; the provider sets none of its own. */
  description?: string;
  roleDefinitionId: string;
  principalIds: string[];
  appScopeIds: string[];
  directoryScopeIds: string[];
  /** The URN of the Pulumi resource that manages the assignment (core/ownership.ts), or null. */
  managedBy?: string | null;
}

export interface AssignmentInput {
  displayName: string;
  description?: string;
  roleDefinitionId: string;
  principalIds: string[];
  appScopeIds: string[];
  managedBy?: string | null;
}

export type AssignmentPatch = Partial<
  Pick<AssignmentInput, "displayName" | "description" | "principalIds" | "appScopeIds" | "managedBy">
>;

/** A role of an individual (legacy) RBAC model, as the backend can read it for import. */
export interface LegacyRoleRecord {
  source: LegacySource;
  /** Id in the legacy model (MDE role id, EOP role group name, Entra group id for MDI). */
  id: string;
  /** The name the mapping tables know (a role group, a role, or an MDE custom role's name). */
  name: string;
  /** MDE custom roles: the legacy permissions the role holds. Role groups: empty. */
  permissions: string[];
  /** Entra object ids of the members (users or groups). */
  members: string[];
}

/** Workloads whose Unified RBAC can be activated, with the portal's ids. Exchange Online is a sub-toggle of MDO. */
import type { Workload } from "../core/workloads";

export interface WorkloadState {
  /** The workload's appScopeId ("Mde" …); only workloads with `activation` in core/workloads.ts. */
  workload: Workload["appScope"];
  active: boolean;
  /** Mdo only: Exchange Online permissions governed by Unified RBAC (needs Mdo active). */
  exchangeOnline?: boolean;
}

export interface BackendCapabilities {
  roles: boolean;
  assignments: boolean;
  /**
   * Legacy sources whose roles (names, members) the backend can read for `ImportedRole`. MDO/EOP imports
   * and MDE imports given by `permissions` map through fixed tables and need no read; without it only
   * `includeAssignments` and MDE roles by name are refused.
   */
  legacyImport: LegacySource[];
  /** Whether activation state can be read, and written. */
  activation: "read-write" | "read" | "none";
  /** Whether `actions` may hold local keys for permissions with no published action string. */
  unpublishedPermissions: boolean;
  /**
   * Parity mode (backend/parity.ts): the backend whose refusals this one reproduces; messages name it
   * instead of `name`, so a refusal reads the same offline as on that backend.
   */
  behavesAs?: string;
  /** Why an operation is missing, keyed by operation, for error messages. */
  notes: Partial<Record<"legacyImport" | "activation" | "unpublishedPermissions", string>>;
}

/** An action of the tenant's own catalogue (Graph resourceNamespaces?$expand=resourceActions). */
export interface CatalogueAction {
  action: string;
  displayName?: string;
  description?: string;
}

export interface Backend {
  /** "local", "graph", or a custom backend's name. */
  readonly name: string;
  capabilities(): BackendCapabilities;

  listRoles(): Promise<RoleRecord[]>;
  getRole(id: string): Promise<RoleRecord | null>;
  /** Every role with this display name: display names are not unique in Defender. */
  findRolesByName(displayName: string): Promise<RoleRecord[]>;
  createRole(input: RoleInput): Promise<RoleRecord>;
  /** Any edit clears the imported marker. */
  updateRole(id: string, patch: RolePatch): Promise<RoleRecord>;
  deleteRole(id: string): Promise<void>;

  listAssignments(filter?: { roleDefinitionId?: string }): Promise<AssignmentRecord[]>;
  getAssignment(id: string): Promise<AssignmentRecord | null>;
  createAssignment(input: AssignmentInput): Promise<AssignmentRecord>;
  updateAssignment(id: string, patch: AssignmentPatch): Promise<AssignmentRecord>;
  deleteAssignment(id: string): Promise<void>;

  listLegacyRoles(source: LegacySource): Promise<LegacyRoleRecord[]>;

  getActivation(): Promise<WorkloadState[]>;
  setActivation(state: WorkloadState): Promise<WorkloadState>;

  /** The tenant's live permission catalogue, when the backend has one; null to use the shipped one. */
  liveCatalogue(): Promise<CatalogueAction[] | null>;

  /**
   * Optional: the directory facts effective access needs (core/effectiveAccess.ts): display names, group
   * membership and Entra role holders. It covers at least `principalIds` (the principals the tenant's
   * assignments and legacy roles name), the groups they belong to and their members, transitively, and
   * every holder of an Entra role of the mapping page's Entra table. Without it, principals are bare ids.
   */
  directory?(principalIds: readonly string[]): Promise<Directory>;

  /**
   * Optional: the users whose user principal name, or the groups whose display name, is `name`
   * (case-insensitive). Used to accept principals given by name; more than one match is ambiguous.
   */
  findPrincipals?(name: string): Promise<DirectoryObject[]>;

  /**
   * Optional: the users and groups among `ids` the backend's directory knows, read without a request
   * per id (a RoleAssignment's preview names its principals with them: `principalNames`). A backend
   * whose directory costs a request per principal leaves it out (Graph: the request budget).
   */
  directoryObjects?(ids: readonly string[]): Promise<DirectoryObject[]>;

  close?(): Promise<void>;
}

/** A role that still has assignments is not deleted: they would be lost with it (no cascading loss). */
export class RoleInUseError extends Error {
  constructor(
    readonly roleId: string,
    readonly assignments: AssignmentRecord[],
  ) {
    super(
      `role ${roleId} still has ${assignments.length} role assignment(s): ${assignments
        .map((a) => `"${a.displayName}" (${a.id})`)
        .join(", ")}; delete them first`,
    );
    this.name = "RoleInUseError";
  }
}

/** Thrown by a backend asked for an operation it cannot perform. */
export class UnsupportedOperationError extends Error {
  constructor(
    readonly backend: string,
    readonly operation: string,
    reason: string,
  ) {
    super(`the ${backend} backend cannot ${operation}: ${reason}`);
    this.name = "UnsupportedOperationError";
  }
}

/** Thrown by a backend for an update of a role or assignment that does not exist (see the contract above). */
export class NotFoundError extends Error {
  constructor(
    readonly kind: "role" | "assignment",
    readonly id: string,
    message = `${kind} ${id} does not exist`,
  ) {
    super(message);
    this.name = "NotFoundError";
  }
}

/** Thrown by a backend asked to change or delete a built-in role. */
export class BuiltInRoleError extends Error {
  constructor(id: string, what: string) {
    super(`role ${id} is built-in and cannot be ${what}`);
    this.name = "BuiltInRoleError";
  }
}

/** True for a NotFoundError, also one from another copy of this package (a custom backend's). */
export function isNotFound(e: unknown): e is NotFoundError {
  return e instanceof NotFoundError || (e instanceof Error && e.name === "NotFoundError");
}

/** Configuration handed to backends: the stack's `defender-rbac:*` keys without the prefix, plus the whole stack config. */
export interface BackendConfig {
  /** `defender-rbac:*` keys, without the namespace (e.g. `backend`, `storePath`, `graphUrl`). */
  settings: Record<string, string>;
  /** The whole stack config, namespaced (`azure-native:clientId`, …), for backends that reuse other providers' settings. */
  stack: Record<string, string>;
  /** Directory relative paths resolve against (the Pulumi program directory). */
  cwd: string;
}
