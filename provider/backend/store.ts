/**
 * The embedded local tenant store: one SQLite file (node:sqlite) under the project.
 *
 * Why SQLite rather than a JSON file with a lock: the engine runs resource operations in parallel,
 * and several processes (the provider, `defender-rbac` commands, the emulator) may share one store.
 * SQLite gives each write an ACID transaction (BEGIN IMMEDIATE: writers queue on the database lock,
 * so there are no lost updates), WAL journaling (readers never block the writer) and crash safety
 * (a write interrupted by a crash rolls back on the next open; the file is never left half-written).
 * `synchronous = NORMAL` with WAL: a commit is durable once the process returns from it (a crash of
 * the process, or of the engine, loses nothing committed), and the file stays consistent through a power
 * loss, which may only forget the last commits before it. FULL would fsync on every commit: 3–9 ms per
 * write, blocking the provider's event loop, the largest cost of an `up` (measured with test/bench).
 * A JSON store would need a hand-made lock file, stale-lock recovery and write-rename: more code with
 * weaker guarantees. node:sqlite ships with Node 22, so there is no native add-on to build.
 *
 * The store is cut along its tables: store/connection.ts (the file, transactions, statements),
 * store/schema.ts (tables, migrations, seeding), store/roles.ts, store/assignments.ts,
 * store/legacyRoles.ts, store/activation.ts and store/directory.ts. TenantStore is their one front door.
 */
import type {
  AssignmentInput,
  AssignmentPatch,
  AssignmentRecord,
  LegacyRoleRecord,
  RoleInput,
  RolePatch,
  RoleRecord,
  WorkloadState,
} from "./backend";
import type { LegacySource } from "../core/legacy";
import type { DirectoryObject, Directory } from "../core/directory";
import { StoreConnection } from "./store/connection";
import { migrate } from "./store/schema";
import * as roles from "./store/roles";
import * as assignments from "./store/assignments";
import * as legacy from "./store/legacyRoles";
import * as activation from "./store/activation";
import * as directory from "./store/directory";

export interface StoreOptions {
  /** Seed a new store with built-in roles, legacy roles and default activation (default true). */
  seed?: boolean;
}

export class TenantStore {
  private readonly db: StoreConnection;

  constructor(
    readonly file: string,
    opts: StoreOptions = {},
  ) {
    this.db = new StoreConnection(file);
    try {
      migrate(this.db, opts.seed ?? true);
    } catch (e) {
      this.db.close(); // a store that refuses to open must not leak its handle
      throw e;
    }
  }

  /**
   * Runs `fn` in one write transaction; the database lock serialises writers across processes.
   * Calls nest (an inner call is a savepoint), so a read-modify-write built from the store's own
   * methods, e.g. `transaction(() => updateRole(id, f(getRole(id))))`, is atomic.
   */
  transaction<T>(fn: () => T): T {
    return this.db.transaction(fn);
  }

  // ---- roles (store/roles.ts) ----

  listRoles(): RoleRecord[] {
    return roles.listRoles(this.db);
  }
  getRole(id: string): RoleRecord | null {
    return roles.getRole(this.db, id);
  }
  findRolesByName(displayName: string): RoleRecord[] {
    return roles.findRolesByName(this.db, displayName);
  }
  /** Roles whose marker names `managedBy`. */
  findRolesManagedBy(managedBy: string): RoleRecord[] {
    return roles.findRolesManagedBy(this.db, managedBy);
  }
  /** Creates a custom role, or returns the one an earlier interrupted create of the same resource made. */
  createRole(input: RoleInput, id?: string): RoleRecord {
    return roles.createRole(this.db, input, id);
  }
  /** Applies a patch; any edit clears the portal's "Imported" marker (the import link is kept, marked edited). */
  updateRole(id: string, patch: RolePatch): RoleRecord {
    return roles.updateRole(this.db, id, patch);
  }
  /** Deletes a custom role; missing ids succeed; a role that still has assignments is refused (RoleInUseError). */
  deleteRole(id: string): void {
    roles.deleteRole(this.db, id);
  }

  // ---- assignments (store/assignments.ts) ----

  listAssignments(filter: { roleDefinitionId?: string } = {}): AssignmentRecord[] {
    return assignments.listAssignments(this.db, filter);
  }
  getAssignment(id: string): AssignmentRecord | null {
    return assignments.getAssignment(this.db, id);
  }
  createAssignment(input: AssignmentInput, id?: string): AssignmentRecord {
    return assignments.createAssignment(this.db, input, id);
  }
  /** Assignments whose marker names `managedBy`. */
  findAssignmentsManagedBy(managedBy: string): AssignmentRecord[] {
    return assignments.findAssignmentsManagedBy(this.db, managedBy);
  }
  updateAssignment(id: string, patch: AssignmentPatch): AssignmentRecord {
    return assignments.updateAssignment(this.db, id, patch);
  }
  deleteAssignment(id: string): void {
    assignments.deleteAssignment(this.db, id);
  }

  // ---- legacy roles and activation (store/legacyRoles.ts, store/activation.ts) ----

  listLegacyRoles(source: LegacySource): LegacyRoleRecord[] {
    return legacy.listLegacyRoles(this.db, source);
  }
  putLegacyRole(role: LegacyRoleRecord): void {
    legacy.putLegacyRole(this.db, role);
  }
  getActivation(): WorkloadState[] {
    return activation.getActivation(this.db);
  }
  setActivation(state: WorkloadState): WorkloadState {
    return activation.setActivation(this.db, state);
  }

  // ---- directory, the local tenant's Entra stand-in (store/directory.ts) ----

  /** Users and groups with display names, direct memberships and Entra role holders. */
  getDirectory(): Directory {
    return directory.getDirectory(this.db);
  }
  /** The users and groups among `ids` (case-insensitive). */
  directoryObjects(ids: readonly string[]): DirectoryObject[] {
    return directory.directoryObjects(this.db, ids);
  }
  /** Users whose user principal name, or groups whose display name, is `name` (case-insensitive). */
  findPrincipals(name: string): DirectoryObject[] {
    return directory.findPrincipals(this.db, name);
  }
  putDirectoryObject(o: DirectoryObject): void {
    directory.putDirectoryObject(this.db, o);
  }
  addGroupMember(groupId: string, memberId: string): void {
    directory.addGroupMember(this.db, groupId, memberId);
  }
  addEntraRoleHolder(role: string, principalId: string): void {
    directory.addEntraRoleHolder(this.db, role, principalId);
  }

  close(): void {
    this.db.close();
  }
}
