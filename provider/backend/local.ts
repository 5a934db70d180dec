/** The default backend: the embedded local tenant store (store.ts). Everything works offline. */
import * as fs from "node:fs";
import * as path from "node:path";
import type { LegacySource } from "../core/legacy";
import type { Directory, DirectoryObject } from "../core/directory";
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
import { ConfigError, isConfigError } from "./configError";
import { TenantStore } from "./store";

export const DEFAULT_STORE_PATH = path.join(".defender-rbac", "tenant.db");

/** The store file a config points at: `defender-rbac:storePath`, then DEFENDER_RBAC_STORE, then the default. */
export function storePathFor(config: Pick<BackendConfig, "settings" | "cwd">): string {
  return path.resolve(config.cwd, storeSetting(config).value);
}

/** The store path setting and where it came from, for messages. */
function storeSetting(config: Pick<BackendConfig, "settings" | "cwd">): { value: string; key: string } {
  if (config.settings.storePath) return { value: config.settings.storePath, key: "defender-rbac:storePath" };
  if (process.env.DEFENDER_RBAC_STORE) return { value: process.env.DEFENDER_RBAC_STORE, key: "DEFENDER_RBAC_STORE" };
  return { value: DEFAULT_STORE_PATH, key: `defender-rbac:storePath (default ${DEFAULT_STORE_PATH})` };
}

const STORE_FIX =
  "set defender-rbac:storePath (or DEFENDER_RBAC_STORE) to a file in a writable directory, e.g. .defender-rbac/tenant.db";

/**
 * Opens the store a config points at. Every way the path can be wrong (under a regular file, a
 * directory, unwritable, not a store) is a ConfigError naming the setting and the fix.
 */
export function openStoreFor(config: Pick<BackendConfig, "settings" | "cwd">): TenantStore {
  const { key } = storeSetting(config);
  const file = storePathFor(config);
  const bad = (why: string) => new ConfigError(`${key} is "${file}", which ${why}; ${STORE_FIX}`);
  const blocker = fileAbove(file);
  if (blocker) throw bad(`lies under ${blocker}, a regular file, not a directory`);
  if (isDirectory(file)) throw bad("is a directory, not a store file");
  try {
    return new TenantStore(file);
  } catch (e) {
    if (isConfigError(e)) throw e;
    const err = e as { code?: string; errcode?: number; message?: string };
    const primary = typeof err.errcode === "number" ? err.errcode & 0xff : undefined;
    if (primary === 26 || primary === 11) throw bad("is not a pulumi-defender-rbac store (not an SQLite database)");
    if (primary === 14 || primary === 8 || primary === 3 || ["EACCES", "EPERM", "EROFS"].includes(err.code ?? ""))
      throw bad("cannot be created or written (permission denied or a read-only file system)");
    if (/newer pulumi-defender-rbac/.test(err.message ?? ""))
      throw new ConfigError(`${key}: ${err.message}, or point it at another store`);
    throw bad(`cannot be opened (${err.code ?? err.errcode ?? "error"}: ${err.message})`);
  }
}

/** The nearest existing ancestor of `file` when it is a regular file (so no directory can be made there). */
function fileAbove(file: string): string | undefined {
  for (let dir = path.dirname(file); ; dir = path.dirname(dir)) {
    try {
      return fs.statSync(dir).isDirectory() ? undefined : dir;
    } catch {
      if (path.dirname(dir) === dir) return undefined;
    }
  }
}

function isDirectory(file: string): boolean {
  try {
    return fs.statSync(file).isDirectory();
  } catch {
    return false;
  }
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

  async directoryObjects(ids: readonly string[]): Promise<DirectoryObject[]> {
    return this.store.directoryObjects(ids);
  }

  async close(): Promise<void> {
    this.store.close();
  }
}
