/**
 * The `graph` backend: Microsoft Graph beta /roleManagement/defender, for real tenants.
 *
 * Select it with `pulumi config set defender-rbac:backend graph`. Least privilege (application
 * permissions with admin consent):
 *   RoleManagement.Read.Defender       preview, refresh, `defender-rbac export` (every read)
 *   RoleManagement.ReadWrite.Defender  `pulumi up` / `destroy` (POST, PATCH, DELETE)
 *   GroupMember.Read.All               only for ImportedRole { source: "mdi" } (Entra "Azure ATP …" groups)
 * Authentication and its config keys: auth.ts (national clouds: clouds.ts). Transport, retries and
 * paging: client.ts. Bodies: requests.ts. Parsing: responses.ts. Settings: tuning.ts. Read-after-write:
 * consistency.ts.
 * Duplicate-safe create: create.ts. Bursts of reads by id served by one collection read: burst.ts.
 *
 * What this layer adds on top of the client:
 *   - No duplicates on retry. Before a create it notes which objects with the same name already exist;
 *     when a POST's outcome is unknown (timeout, dropped connection, 5xx, a redirect answer, which
 *     Defender has sent for POSTs that did create the object) it reads back (roles by
 *     `displayName eq`, assignments by `roleDefinitionId eq` + displayName + principals), adopts a
 *     new object that matches, and only posts again when none is found; after a create that needed a
 *     retry it deletes any further copies this call made. Creates of the same name are serialised
 *     within the process, and ids handed out are never adopted twice.
 *   - Read-after-write: Graph is eventually consistent, so a GET-by-id of an object this backend wrote
 *     moments ago is retried on 404 (and a PATCH answered 204 is read back until it shows the change)
 *     for up to `graphConsistencyWaitMs` (default 10 s); any other 404 is confirmed by a list
 *     read and GETs through that window, so a refresh right after an up never mistakes lag for a deletion.
 *   - 404 on GET is "not found" (null) and 404 on DELETE is success.
 * Tuning keys (`defender-rbac:*`): graphMaxAttempts (6), graphRetryBaseMs (500), graphRetryMaxMs (30000),
 * graphMaxRetryAfterMs (120000), graphTimeoutMs (60000), graphConsistencyWaitMs (10000).
 */
import { sameKeySet } from "../../core/normalise";
import { sameAppScopes, samePrincipals } from "../../core/scope";
import type { LegacySource } from "../../core/legacy";
import { mdiGroupRole } from "../../core/workloads";
import {
  AssignmentInput,
  AssignmentPatch,
  AssignmentRecord,
  Backend,
  BackendConfig,
  CatalogueAction,
  LegacyRoleRecord,
  NotFoundError,
  RoleInput,
  RoleInUseError,
  RolePatch,
  RoleRecord,
  UnsupportedOperationError,
  WorkloadState,
} from "../backend";
import { TokenSource, createTokenSource, resolveAuthSettings } from "./auth";
import { NOTES, graphCapabilities } from "./capabilities";
import { ClientEvent, GraphClient, RetryOptions } from "./client";
import { BurstReads } from "./burst";
import { ConsistencyWindow } from "./consistency";
import { findPrincipals, readDirectory } from "./directory";
import type { Directory, DirectoryObject } from "../../core/directory";
import { DuplicateSafeCreate } from "./create";
import { GraphError, Redactor } from "./errors";
import { BackendEvent, eventSink } from "./events";
import { assignmentCreateBody, assignmentPatchBody, filters, paths, roleCreateBody, rolePatchBody } from "./requests";
import { readAssignment, readCatalogue, readGroup, readMemberIds, readRole } from "./responses";
import { tuningFrom } from "./tuning";

export type { BackendEvent } from "./events";

export interface GraphBackendOptions {
  /** Graph root, e.g. https://graph.microsoft.com or the emulator's URL. */
  root: string;
  token: TokenSource;
  redactor?: Redactor;
  retry?: Partial<RetryOptions>;
  /** How long a just-written object may take to become readable (default 10 000 ms). */
  consistencyWaitMs?: number;
  onEvent?: (e: ClientEvent | BackendEvent) => void;
}

export class GraphBackend implements Backend {
  readonly name = "graph";
  readonly client: GraphClient;
  private readonly redactor: Redactor;
  private readonly window: ConsistencyWindow;
  private readonly creates: DuplicateSafeCreate;
  private readonly event: (e: BackendEvent) => void;
  private catalogue: Promise<CatalogueAction[]> | undefined;
  private readonly roleReads = new BurstReads<RoleRecord>(() => this.listRoles());
  private readonly assignmentReads = new BurstReads<AssignmentRecord>(() => this.listAssignments());

  constructor(opts: GraphBackendOptions) {
    this.redactor = opts.redactor ?? new Redactor();
    this.client = new GraphClient({
      root: opts.root,
      token: opts.token,
      redactor: this.redactor,
      retry: opts.retry,
      onEvent: opts.onEvent,
    });
    this.event = eventSink(opts.onEvent, this.redactor);
    this.window = new ConsistencyWindow(opts.consistencyWaitMs ?? 10_000, this.client, this.redactor, this.event);
    this.creates = new DuplicateSafeCreate(this.client, this.window, this.redactor, this.event);
  }

  /** Called by backend/index.ts for `defender-rbac:backend graph`. */
  static async fromConfig(config: BackendConfig): Promise<Backend> {
    const redactor = new Redactor();
    try {
      const auth = resolveAuthSettings(config);
      const token = createTokenSource(auth, redactor);
      const t = tuningFrom(config.settings);
      return new GraphBackend({
        root: auth.graphRoot,
        token,
        redactor,
        retry: t.retry,
        consistencyWaitMs: t.consistencyWaitMs,
      });
    } catch (e) {
      throw redactor.error(e, "graph backend: ");
    }
  }

  capabilities(): ReturnType<typeof graphCapabilities> {
    return graphCapabilities();
  }

  // ---- plumbing ---------------------------------------------------------------------------------

  /** Runs `fn`, rethrowing anything that is not already a redacted GraphError through the redactor. */
  private async guard<T>(fn: () => Promise<T>): Promise<T> {
    try {
      return await fn();
    } catch (e) {
      if (e instanceof UnsupportedOperationError || e instanceof NotFoundError) throw e;
      throw this.redactor.error(e);
    }
  }

  // ---- roles ------------------------------------------------------------------------------------

  async listRoles(): Promise<RoleRecord[]> {
    return this.guard(async () =>
      (await this.client.list(paths.roleDefinitions)).map((b) => this.remember(readRole(b))),
    );
  }

  async getRole(id: string): Promise<RoleRecord | null> {
    const hit = await this.roleReads.lookup(id);
    if (hit) return hit;
    return this.guard(async () => {
      const body = await this.window.getFresh(paths.role(id), id);
      return body === null ? null : this.remember(readRole(body));
    });
  }

  async findRolesByName(displayName: string): Promise<RoleRecord[]> {
    // Graph string filters may ignore case; the contract is the exact name
    return this.guard(async () =>
      (await this.client.list(filters.roleByName(displayName)))
        .map((b) => this.remember(readRole(b)))
        .filter((r) => r.displayName === displayName),
    );
  }

  async createRole(input: RoleInput): Promise<RoleRecord> {
    const body = roleCreateBody(input); // refuses local keys before anything is sent
    const description = input.description ?? "";
    return this.guard(() =>
      this.creates.locked(`role:${input.displayName.toLowerCase()}`, () =>
        this.creates.createOnce<RoleRecord>(
          "roleDefinitions",
          () => this.client.post(paths.roleDefinitions, body),
          (b) => this.remember(readRole(b)),
          () => this.findRolesByName(input.displayName),
          (r) =>
            !r.isBuiltIn &&
            r.displayName === input.displayName &&
            r.description === description &&
            (r.managedBy ?? null) === (input.managedBy ?? null) &&
            sameKeySet(r.actions, input.actions),
          (id) => this.getRole(id),
          (id) => this.deleteRoleOnly(id),
          // an earlier, interrupted create of the same resource (same marker, name and description)
          input.managedBy
            ? (r) => !r.isBuiltIn && r.managedBy === input.managedBy && r.description === description
            : undefined,
        ),
      ),
    );
  }

  async updateRole(id: string, patchIn: RolePatch): Promise<RoleRecord> {
    // the description on the wire holds the marker too: a change to either sends both
    const patch = await this.completeMarker(id, patchIn, () => this.getRole(id));
    this.roleReads.forget(id);
    return this.patchEntity(
      "role",
      paths.role(id),
      id,
      rolePatchBody(patch),
      (b) => this.remember(readRole(b)),
      (r) =>
        (patch.displayName === undefined || r.displayName === patch.displayName) &&
        (patch.description === undefined || r.description === patch.description) &&
        (patch.managedBy === undefined || (r.managedBy ?? null) === (patch.managedBy ?? null)) &&
        (patch.actions === undefined || sameKeySet(r.actions, patch.actions)),
    );
  }

  /** The description and marker last seen for each id (the wire description holds both). */
  private readonly seen = new Map<string, { description?: string; managedBy?: string | null }>();

  private remember<T extends { id: string; description?: string; managedBy?: string | null }>(r: T): T {
    this.seen.set(r.id.toLowerCase(), { description: r.description ?? "", managedBy: r.managedBy ?? null });
    if (this.seen.size > 5000) this.seen.delete(this.seen.keys().next().value!);
    return r;
  }

  /**
   * A patch of `description` or `managedBy` alone, completed with the other: from what this backend
   * last read or wrote of the object, else from a fresh read.
   */
  private async completeMarker<P extends { description?: string; managedBy?: string | null }>(
    id: string,
    patch: P,
    current: () => Promise<{ description?: string; managedBy?: string | null } | null>,
  ): Promise<P> {
    const d = patch.description !== undefined;
    const m = patch.managedBy !== undefined;
    if (d === m) return patch;
    const cur = this.seen.get(id.toLowerCase()) ?? (await current());
    return {
      ...patch,
      description: d ? patch.description : (cur?.description ?? ""),
      managedBy: m ? patch.managedBy : (cur?.managedBy ?? null),
    };
  }

  /**
   * PATCHes one entity and returns it as it now is. An empty patch just reads it. The answer may be
   * 200 with the entity or 204 (the docs disagree, docs/graph-api.md): a 200 whose body already shows the
   * change is used as it is; otherwise the entity is read back until it reflects the change.
   */
  private patchEntity<T>(
    kind: "role" | "role assignment",
    path: string,
    id: string,
    body: object,
    read: (b: unknown) => T,
    reflects: (r: T) => boolean,
  ): Promise<T> {
    return this.guard(async () => {
      if (Object.keys(body).length === 0) {
        const current = await this.window.getFresh(path, id);
        if (current === null) throw notFound(kind, id);
        return read(current);
      }
      const res = await this.client.patch(path, body).catch((e) => {
        throw e instanceof GraphError && e.status === 404 ? notFound(kind, id) : e;
      });
      this.window.markWritten(id);
      if (res.status === 200) {
        try {
          const r = read(res.body);
          if (reflects(r)) return r;
        } catch {
          // 200 without a usable entity: read it back
        }
      }
      return this.window.readBack(path, id, read, reflects);
    });
  }

  /**
   * Deletes a custom role, refusing (RoleInUseError) while it still has assignments, as every backend
   * does: what Graph does with such a role is not documented (docs/graph-api.md), so it is never left to chance.
   */
  async deleteRole(id: string): Promise<void> {
    const left = await this.listAssignments({ roleDefinitionId: id });
    if (left.length) throw new RoleInUseError(id, left);
    return this.guard(() => this.deleteRoleOnly(id));
  }

  private async deleteRoleOnly(id: string): Promise<void> {
    this.roleReads.forget(id);
    await this.client.delete(paths.role(id));
    this.window.markDeleted(id);
  }

  // ---- assignments ------------------------------------------------------------------------------

  async listAssignments(filter?: { roleDefinitionId?: string }): Promise<AssignmentRecord[]> {
    return this.guard(async () => {
      const all = (
        await this.client.list(
          filter?.roleDefinitionId ? filters.assignmentsOfRole(filter.roleDefinitionId) : paths.roleAssignments,
        )
      ).map((b) => this.remember(readAssignment(b)));
      return filter?.roleDefinitionId
        ? all.filter((a) => a.roleDefinitionId.toLowerCase() === filter.roleDefinitionId!.toLowerCase())
        : all;
    });
  }

  async getAssignment(id: string): Promise<AssignmentRecord | null> {
    const hit = await this.assignmentReads.lookup(id);
    if (hit) return hit;
    return this.guard(async () => {
      const body = await this.window.getFresh(paths.assignment(id), id);
      return body === null ? null : this.remember(readAssignment(body));
    });
  }

  async createAssignment(input: AssignmentInput): Promise<AssignmentRecord> {
    const body = assignmentCreateBody(input);
    return this.guard(() =>
      this.creates.locked(`assignment:${input.roleDefinitionId.toLowerCase()}:${input.displayName.toLowerCase()}`, () =>
        this.creates.createOnce<AssignmentRecord>(
          "roleAssignments",
          () => this.client.post(paths.roleAssignments, body),
          (b) => this.remember(readAssignment(b)),
          () => this.listAssignments({ roleDefinitionId: input.roleDefinitionId }),
          (a) =>
            a.displayName === input.displayName &&
            (a.managedBy ?? null) === (input.managedBy ?? null) &&
            samePrincipals(a.principalIds, input.principalIds) &&
            sameAppScopes(a.appScopeIds, input.appScopeIds),
          (id) => this.getAssignment(id),
          (id) => this.deleteAssignment(id),
          // an earlier, interrupted create of the same resource (same marker, on this role)
          input.managedBy ? (a) => a.managedBy === input.managedBy : undefined,
        ),
      ),
    );
  }

  async updateAssignment(id: string, patchIn: AssignmentPatch): Promise<AssignmentRecord> {
    const patch = await this.completeMarker(id, patchIn, () => this.getAssignment(id));
    this.assignmentReads.forget(id);
    return this.patchEntity(
      "role assignment",
      paths.assignment(id),
      id,
      assignmentPatchBody(patch),
      (b) => this.remember(readAssignment(b)),
      (a) =>
        (patch.displayName === undefined || a.displayName === patch.displayName) &&
        (patch.managedBy === undefined || (a.managedBy ?? null) === (patch.managedBy ?? null)) &&
        (patch.principalIds === undefined || samePrincipals(a.principalIds, patch.principalIds)) &&
        (patch.appScopeIds === undefined || sameAppScopes(a.appScopeIds, patch.appScopeIds)),
    );
  }

  async deleteAssignment(id: string): Promise<void> {
    this.assignmentReads.forget(id);
    return this.guard(async () => {
      await this.client.delete(paths.assignment(id));
      this.window.markDeleted(id);
    });
  }

  // ---- legacy roles, activation, catalogue --------------------------------------------------------

  /** Defender for Identity role groups (Entra groups "Azure ATP <workspace> Administrators/Users/Viewers") and their members. */
  async listLegacyRoles(source: LegacySource): Promise<LegacyRoleRecord[]> {
    if (source !== "mdi") throw new UnsupportedOperationError(this.name, `read ${source} roles`, NOTES.legacyImport);
    return this.guard(async () => {
      const out: LegacyRoleRecord[] = [];
      for (const g of (await this.client.list(paths.mdiGroups)).map(readGroup)) {
        if (!g) continue;
        const name = mdiGroupRole(g.displayName);
        if (!name) continue;
        const members = readMemberIds(await this.client.list(paths.groupMembers(g.id)));
        out.push({ source: "mdi", id: g.id, name, permissions: [], members });
      }
      return out.sort((a, b) => a.name.localeCompare(b.name) || a.id.localeCompare(b.id));
    });
  }

  /** Entra role holders, transitive group members and names (graph/directory.ts). */
  async directory(principalIds: readonly string[]): Promise<Directory> {
    return this.guard(() => readDirectory(this.client, principalIds));
  }

  async findPrincipals(name: string): Promise<DirectoryObject[]> {
    return this.guard(() => findPrincipals(this.client, name));
  }

  async getActivation(): Promise<WorkloadState[]> {
    throw new UnsupportedOperationError(this.name, "read Unified RBAC activation", NOTES.activation);
  }

  async setActivation(_state: WorkloadState): Promise<WorkloadState> {
    throw new UnsupportedOperationError(this.name, "change Unified RBAC activation", NOTES.activation);
  }

  /** resourceNamespaces?$expand=resourceActions, read once per backend instance. */
  async liveCatalogue(): Promise<CatalogueAction[] | null> {
    if (!this.catalogue) {
      this.catalogue = this.guard(async () => readCatalogue(await this.client.list(paths.catalogue)));
      this.catalogue.catch(() => {
        this.catalogue = undefined;
      }); // a failed read is retried next time
    }
    return this.catalogue;
  }

  async close(): Promise<void> {
    // nothing to release: fetch keeps no per-backend state
  }
}

function notFound(kind: "role" | "role assignment", id: string): NotFoundError {
  return new NotFoundError(
    kind === "role" ? "role" : "assignment",
    id,
    `${kind} ${id} does not exist in the tenant (deleted outside Pulumi?); run \`pulumi refresh\`, then \`pulumi up\` to recreate it`,
  );
}
