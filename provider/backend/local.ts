/** The default backend: the embedded local tenant store (store.ts). Everything works offline. */
import * as path from "node:path";
import type { LegacySource } from "../core/legacy";
import type { Directory, DirectoryObject } from "../core/access";
import { LEGACY_SOURCES } from "../core/legacy";
import type {
  AssignmentInput,
  AssignmentPatch,
  AssignmentRecord,
  Backend,
  BackendCapabilities,
  BackendConfig,
  CatalogueAction,
  LegacyRoleRecord,
  RoleInput,
  RolePatch,
  RoleRecord,
  WorkloadState,
} from "./backend";
import { TenantStore } from "./store";

export const DEFAULT_STORE_PATH = path.join(".defender-rbac", "tenant.db");

/** The store file a config points at: `defender-rbac:storePath`, then DEFENDER_RBAC_STORE, then the default. */
export function storePathFor(config: Pick<BackendConfig, "settings" | "cwd">): string {
  const p = config.settings.storePath || process.env.DEFENDER_RBAC_STORE || DEFAULT_STORE_PATH;
  return path.resolve(config.cwd, p);
}

export class LocalBackend implements Backend {
  readonly name = "local";
  constructor(readonly store: TenantStore) {}

  static open(file: string): LocalBackend {
    return new LocalBackend(new TenantStore(file));
  }

  capabilities(): BackendCapabilities {
    return {
      roles: true,
      assignments: true,
      legacyImport: [...LEGACY_SOURCES].filter((s) => s !== "entra"),
      activation: "read-write",
      unpublishedPermissions: true,
      notes: {},
    };
  }

  async listRoles(): Promise<RoleRecord[]> {
    return this.store.listRoles();
  }
  async getRole(id: string): Promise<RoleRecord | null> {
    return this.store.getRole(id);
  }
  async findRolesByName(displayName: string): Promise<RoleRecord[]> {
    return this.store.findRolesByName(displayName);
  }
  async createRole(input: RoleInput): Promise<RoleRecord> {
    return this.store.createRole(input);
  }
  async updateRole(id: string, patch: RolePatch): Promise<RoleRecord> {
    return this.store.updateRole(id, patch);
  }
  async deleteRole(id: string): Promise<void> {
    this.store.deleteRole(id);
  }

  async listAssignments(filter?: { roleDefinitionId?: string }): Promise<AssignmentRecord[]> {
    return this.store.listAssignments(filter);
  }
  async getAssignment(id: string): Promise<AssignmentRecord | null> {
    return this.store.getAssignment(id);
  }
  async createAssignment(input: AssignmentInput): Promise<AssignmentRecord> {
    return this.store.createAssignment(input);
  }
  async updateAssignment(id: string, patch: AssignmentPatch): Promise<AssignmentRecord> {
    return this.store.updateAssignment(id, patch);
  }
  async deleteAssignment(id: string): Promise<void> {
    this.store.deleteAssignment(id);
  }

  async listLegacyRoles(source: LegacySource): Promise<LegacyRoleRecord[]> {
    return this.store.listLegacyRoles(source);
  }

  async getActivation(): Promise<WorkloadState[]> {
    return this.store.getActivation();
  }
  async setActivation(state: WorkloadState): Promise<WorkloadState> {
    return this.store.setActivation(state);
  }

  async liveCatalogue(): Promise<CatalogueAction[] | null> {
    return null;
  }

  async directory(): Promise<Directory> {
    return this.store.getDirectory();
  }

  async findPrincipals(name: string): Promise<DirectoryObject[]> {
    return this.store.findPrincipals(name);
  }

  async close(): Promise<void> {
    this.store.close();
  }
}
