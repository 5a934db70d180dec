/**
 * The `graph` backend: Microsoft Graph beta /roleManagement/defender, for real tenants.
 *
 * Select it with `pulumi config set defender-rbac:backend graph`. Least privilege (application
 * permissions with admin consent):
 *   RoleManagement.Read.Defender       preview, refresh, `defender-rbac export` (every read)
 *   RoleManagement.ReadWrite.Defender  `pulumi up` / `destroy` (POST, PATCH, DELETE)
 *   GroupMember.Read.All               only for ImportedRole { source: "mdi" } (Entra "Azure ATP …" groups)
 * Authentication and its config keys: auth.ts. Transport, retries and paging: client.ts. Bodies:
 * requests.ts. Parsing: responses.ts.
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
 *     for up to `graphConsistencyWaitMs` (default 10 s); any other 404 is confirmed once after
 *     min(1 s, a quarter of that), so a refresh right after an up never mistakes lag for a deletion.
 *   - 404 on GET is "not found" (null) and 404 on DELETE is success.
 * Tuning keys (`defender-rbac:*`): graphMaxAttempts (6), graphRetryBaseMs (500), graphRetryMaxMs (30000),
 * graphMaxRetryAfterMs (120000), graphTimeoutMs (60000), graphConsistencyWaitMs (10000).
 */
import { sameKeySet } from "../../core/normalise";
import { sameAppScopes, samePrincipals } from "../../core/scope";
import type { LegacySource } from "../../core/legacy";
import { findLegacyEntry } from "../../core/mapping";
import {
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
  UnsupportedOperationError,
  WorkloadState,
} from "../backend";
import { TokenSource, createTokenSource, resolveAuthSettings } from "./auth";
import { ClientEvent, GraphClient, RetryOptions } from "./client";
import { AmbiguousWriteError, GraphError, Redactor } from "./errors";
import { assignmentCreateBody, assignmentPatchBody, filters, paths, roleCreateBody, rolePatchBody } from "./requests";
import { readAssignment, readCatalogue, readGroup, readMemberIds, readRole } from "./responses";

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

export interface BackendEvent {
  kind: "reconcile" | "adopt" | "dedupe" | "readback";
  detail: string;
}

const NOTES = {
  activation:
    "Microsoft Graph has no API to read or change Unified RBAC workload activation (reference §8.2: there is no public endpoint, the " +
    "roleManagement/defender container answers 404). Activate workloads in the Defender portal (Settings > Microsoft Defender XDR > " +
    "Permissions and roles), then manage roles and assignments here; keep WorkloadActivation resources on the local backend or out of Graph stacks.",
  legacyImport:
    "Microsoft Graph has no API for Defender for Endpoint roles or Exchange Online Protection / Defender for Office 365 role groups. " +
    "Import them in the Defender portal (Permissions > Microsoft Defender XDR > Roles > Import roles), then bring the imported role under " +
    "management with UnifiedRole's `adopt` (its id is in `defender-rbac export`). Defender for Identity is the exception: its role groups are " +
    'Entra groups ("Azure ATP <workspace> Administrators/Users/Viewers"), read through /v1.0/groups, which needs GroupMember.Read.All.',
  unpublishedPermissions:
    "Graph stores only action strings; a permission whose action string is not published must come from the tenant's live catalogue.",
};

const num = (settings: Record<string, string>, key: string): number | undefined => {
  const v = settings[key];
  if (v === undefined || v === "") return undefined;
  const n = Number(v);
  if (!Number.isFinite(n) || n < 0) throw new Error(`defender-rbac:${key} must be a non-negative number (got "${v}")`);
  return n;
};

/** The retry and consistency settings of a config (`defender-rbac:graph*`). */
export function tuningFrom(settings: Record<string, string>): {
  retry: Partial<RetryOptions>;
  consistencyWaitMs?: number;
} {
  return {
    retry: {
      maxAttempts: num(settings, "graphMaxAttempts"),
      baseDelayMs: num(settings, "graphRetryBaseMs"),
      maxDelayMs: num(settings, "graphRetryMaxMs"),
      maxRetryAfterMs: num(settings, "graphMaxRetryAfterMs"),
      timeoutMs: num(settings, "graphTimeoutMs"),
    },
    consistencyWaitMs: num(settings, "graphConsistencyWaitMs"),
  };
}

const MDI_SUFFIX: Record<string, number> = { administrators: 0, users: 1, viewers: 2 };

export class GraphBackend implements Backend {
  readonly name = "graph";
  readonly client: GraphClient;
  private readonly redactor: Redactor;
  private readonly consistencyWaitMs: number;
  private catalogue: Promise<CatalogueAction[]> | undefined;
  /** id (lower case) → time until which a 404 may just be replication lag. */
  private readonly recent = new Map<string, number>();
  /** Ids this instance created or adopted: never adopted again by another create. */
  private readonly claimed = new Set<string>();
  /** Ids this instance deleted: a 404 for them needs no confirmation. */
  private readonly deleted = new Set<string>();
  private readonly locks = new Map<string, Promise<unknown>>();

  constructor(private readonly opts: GraphBackendOptions) {
    this.redactor = opts.redactor ?? new Redactor();
    this.client = new GraphClient({
      root: opts.root,
      token: opts.token,
      redactor: this.redactor,
      retry: opts.retry,
      onEvent: opts.onEvent,
    });
    this.consistencyWaitMs = opts.consistencyWaitMs ?? 10_000;
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

  capabilities(): BackendCapabilities {
    return {
      roles: true,
      assignments: true,
      legacyImport: ["mdi"],
      activation: "none",
      unpublishedPermissions: false,
      notes: { ...NOTES },
    };
  }

  // ---- plumbing ---------------------------------------------------------------------------------

  /** Runs `fn`, rethrowing anything that is not already a redacted GraphError through the redactor. */
  private async guard<T>(fn: () => Promise<T>): Promise<T> {
    try {
      return await fn();
    } catch (e) {
      if (e instanceof UnsupportedOperationError) throw e;
      throw this.redactor.error(e);
    }
  }

  private async locked<T>(key: string, fn: () => Promise<T>): Promise<T> {
    const prev = this.locks.get(key) ?? Promise.resolve();
    const run = prev.catch(() => undefined).then(fn);
    this.locks.set(key, run);
    try {
      return await run;
    } finally {
      if (this.locks.get(key) === run) this.locks.delete(key);
    }
  }

  private event(e: BackendEvent): void {
    this.opts.onEvent?.(e);
    if (process.env.DEFENDER_RBAC_GRAPH_DEBUG)
      process.stderr.write(this.redactor.redact(`defender-rbac graph: ${e.kind}: ${e.detail}\n`));
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((r) => setTimeout(r, ms));
  }

  private get pollMs(): number {
    return Math.max(10, Math.min(500, Math.round(this.consistencyWaitMs / 8)));
  }

  private markWritten(id: string): void {
    this.deleted.delete(id.toLowerCase());
    this.recent.set(id.toLowerCase(), Date.now() + this.consistencyWaitMs);
    if (this.recent.size > 1000) for (const [k, until] of this.recent) if (until < Date.now()) this.recent.delete(k);
  }

  /**
   * GET by id. A 404 for an object this instance wrote moments ago is retried until the consistency
   * window ends. A 404 for any other id is confirmed once after a short pause (unless this instance
   * deleted it): a refresh in a new process right after the create would otherwise take a lagging
   * replica's 404 for a deletion, drop the resource from state, and create a duplicate on the next up.
   */
  private async getFresh(path: string, id: string): Promise<unknown | null> {
    let body = await this.client.get(path);
    const key = id.toLowerCase();
    const writtenHere = (this.recent.get(key) ?? 0) > Date.now();
    if (body === null && !writtenHere && !this.deleted.has(key)) {
      await this.sleep(Math.min(1000, Math.round(this.consistencyWaitMs / 4)));
      return this.client.get(path);
    }
    while (body === null) {
      const until = this.recent.get(id.toLowerCase());
      if (!until || Date.now() >= until) break;
      this.event({ kind: "readback", detail: `${path} not readable yet; retrying` });
      await this.sleep(this.pollMs);
      body = await this.client.get(path);
    }
    return body;
  }

  /** Reads an object back until `ok` holds (after a PATCH answered 204) or the window ends; the last read wins. */
  private async readBack<T>(path: string, id: string, read: (b: unknown) => T, ok: (r: T) => boolean): Promise<T> {
    const until = Date.now() + this.consistencyWaitMs;
    for (;;) {
      const body = await this.getFresh(path, id);
      if (body === null)
        throw new GraphError(
          {
            method: "GET",
            path,
            status: 404,
            code: "NotFound",
            message: `the object ${id} was updated but cannot be read back`,
          },
          this.redactor,
        );
      const rec = read(body);
      if (ok(rec) || Date.now() >= until) return rec;
      this.event({ kind: "readback", detail: `${path} does not show the update yet; retrying` });
      await this.sleep(this.pollMs);
    }
  }

  /**
   * Creates with duplicate prevention. `existing` lists the candidates (objects a create could have
   * made); `matches` says whether one is the object we asked for.
   */
  private async createOnce<T extends { id: string }>(
    what: string,
    post: () => Promise<{ status: number; body: unknown; headers: Headers }>,
    read: (b: unknown) => T,
    existing: () => Promise<T[]>,
    matches: (r: T) => boolean,
    getById: (id: string) => Promise<T | null>,
    remove: (id: string) => Promise<void>,
  ): Promise<T> {
    const before = new Set((await existing()).map((r) => r.id.toLowerCase()));
    const fresh = (r: T) => !before.has(r.id.toLowerCase()) && !this.claimed.has(r.id.toLowerCase()) && matches(r);
    const adopt = (r: T, why: string) => {
      this.claimed.add(r.id.toLowerCase());
      this.markWritten(r.id);
      this.event({ kind: "adopt", detail: `${what} ${r.id}: ${why}` });
      return r;
    };
    /** Looks for the object an ambiguous POST may have made, for up to the consistency window. */
    const reconcile = async (location: string | undefined): Promise<T | undefined> => {
      const idFromLocation = location ? /\/([^/?#]+)\/?(?:[?#].*)?$/.exec(location)?.[1] : undefined;
      if (idFromLocation) {
        const id = decodeURIComponent(idFromLocation);
        this.markWritten(id);
        const r = await getById(id).catch(() => null);
        if (r && fresh(r)) return r;
      }
      const until = Date.now() + this.consistencyWaitMs;
      for (;;) {
        const found = (await existing()).filter(fresh).sort((a, b) => a.id.localeCompare(b.id));
        if (found.length) return found[0];
        if (Date.now() >= until) return undefined;
        await this.sleep(this.pollMs);
      }
    };
    /** Deletes further copies an earlier ambiguous attempt of this call made. */
    const dedupe = async (keep: string) => {
      for (const r of (await existing()).filter(fresh)) {
        if (r.id.toLowerCase() === keep.toLowerCase()) continue;
        this.event({ kind: "dedupe", detail: `${what} ${r.id} is a duplicate made by a retried create; deleting it` });
        await remove(r.id);
      }
    };

    let ambiguous = false;
    let lastReason = "";
    const attempts = this.client.retry.maxAttempts;
    for (let attempt = 1; attempt <= attempts; attempt++) {
      try {
        const res = await post();
        let rec: T | undefined;
        try {
          rec = read(res.body);
        } catch {
          rec = await reconcile(res.headers.get("location") ?? undefined); // a 2xx without the entity
          if (!rec)
            throw new GraphError(
              {
                method: "POST",
                path: what,
                status: res.status,
                code: "NoEntity",
                message: `the create was answered ${res.status} without the new ${what}, and it cannot be found`,
              },
              this.redactor,
            );
        }
        adopt(rec, "created");
        if (ambiguous) await dedupe(rec.id);
        return rec;
      } catch (e) {
        if (!(e instanceof AmbiguousWriteError)) throw e;
        ambiguous = true;
        lastReason = e.reason;
        this.event({
          kind: "reconcile",
          detail: `create of ${what}: ${e.reason}; looking for the object before posting again`,
        });
        const found = await reconcile(e.location);
        if (found) {
          adopt(found, `found after "${e.reason}"`);
          await dedupe(found.id);
          return found;
        }
        if (attempt < attempts)
          await this.sleep(Math.min(this.client.retry.maxDelayMs, this.client.retry.baseDelayMs * 2 ** (attempt - 1)));
      }
    }
    throw new GraphError(
      {
        method: "POST",
        path: what,
        status: 0,
        code: "CreateFailed",
        message: `gave up after ${attempts} attempt(s); last: ${lastReason}. Nothing was created.`,
      },
      this.redactor,
    );
  }

  // ---- roles ------------------------------------------------------------------------------------

  async listRoles(): Promise<RoleRecord[]> {
    return this.guard(async () => (await this.client.list(paths.roleDefinitions)).map(readRole));
  }

  async getRole(id: string): Promise<RoleRecord | null> {
    return this.guard(async () => {
      const body = await this.getFresh(paths.role(id), id);
      return body === null ? null : readRole(body);
    });
  }

  async findRolesByName(displayName: string): Promise<RoleRecord[]> {
    // Graph string filters may ignore case; the contract is the exact name
    return this.guard(async () =>
      (await this.client.list(filters.roleByName(displayName)))
        .map(readRole)
        .filter((r) => r.displayName === displayName),
    );
  }

  async createRole(input: RoleInput): Promise<RoleRecord> {
    const body = roleCreateBody(input); // refuses local keys before anything is sent
    const description = input.description ?? "";
    return this.guard(() =>
      this.locked(`role:${input.displayName.toLowerCase()}`, () =>
        this.createOnce<RoleRecord>(
          "roleDefinitions",
          () => this.client.post(paths.roleDefinitions, body),
          readRole,
          () => this.findRolesByName(input.displayName),
          (r) =>
            !r.isBuiltIn &&
            r.displayName === input.displayName &&
            r.description === description &&
            sameKeySet(r.actions, input.actions),
          (id) => this.getRole(id),
          (id) => this.deleteRoleOnly(id),
        ),
      ),
    );
  }

  async updateRole(id: string, patch: RolePatch): Promise<RoleRecord> {
    return this.patchEntity(
      "role",
      paths.role(id),
      id,
      rolePatchBody(patch),
      readRole,
      (r) =>
        (patch.displayName === undefined || r.displayName === patch.displayName) &&
        (patch.description === undefined || r.description === patch.description) &&
        (patch.actions === undefined || sameKeySet(r.actions, patch.actions)),
    );
  }

  /**
   * PATCHes one entity and returns it as it now is. An empty patch just reads it. The answer may be
   * 200 with the entity or 204 (the docs disagree, reference §5): a 200 whose body already shows the
   * change is used as it is; otherwise the entity is read back until it reflects the change.
   */
  private patchEntity<T>(
    kind: string,
    path: string,
    id: string,
    body: object,
    read: (b: unknown) => T,
    reflects: (r: T) => boolean,
  ): Promise<T> {
    return this.guard(async () => {
      if (Object.keys(body).length === 0) {
        const current = await this.getFresh(path, id);
        if (current === null) throw notFound(kind, id, this.redactor);
        return read(current);
      }
      const res = await this.client.patch(path, body).catch((e) => {
        throw e instanceof GraphError && e.status === 404 ? notFound(kind, id, this.redactor, e) : e;
      });
      this.markWritten(id);
      if (res.status === 200) {
        try {
          const r = read(res.body);
          if (reflects(r)) return r;
        } catch {
          // 200 without a usable entity: read it back
        }
      }
      return this.readBack(path, id, read, reflects);
    });
  }

  /**
   * Deletes a custom role and its assignments (the contract of every backend). Graph's behaviour for
   * a role that still has assignments is not documented (reference §12), so they go first.
   */
  async deleteRole(id: string): Promise<void> {
    return this.guard(async () => {
      for (const a of await this.listAssignments({ roleDefinitionId: id })) await this.deleteAssignment(a.id);
      await this.deleteRoleOnly(id);
    });
  }

  private async deleteRoleOnly(id: string): Promise<void> {
    await this.client.delete(paths.role(id));
    this.recent.delete(id.toLowerCase());
    this.deleted.add(id.toLowerCase());
  }

  // ---- assignments ------------------------------------------------------------------------------

  async listAssignments(filter?: { roleDefinitionId?: string }): Promise<AssignmentRecord[]> {
    return this.guard(async () => {
      const all = (
        await this.client.list(
          filter?.roleDefinitionId ? filters.assignmentsOfRole(filter.roleDefinitionId) : paths.roleAssignments,
        )
      ).map(readAssignment);
      return filter?.roleDefinitionId
        ? all.filter((a) => a.roleDefinitionId.toLowerCase() === filter.roleDefinitionId!.toLowerCase())
        : all;
    });
  }

  async getAssignment(id: string): Promise<AssignmentRecord | null> {
    return this.guard(async () => {
      const body = await this.getFresh(paths.assignment(id), id);
      return body === null ? null : readAssignment(body);
    });
  }

  async createAssignment(input: AssignmentInput): Promise<AssignmentRecord> {
    const body = assignmentCreateBody(input);
    return this.guard(() =>
      this.locked(`assignment:${input.roleDefinitionId.toLowerCase()}:${input.displayName.toLowerCase()}`, () =>
        this.createOnce<AssignmentRecord>(
          "roleAssignments",
          () => this.client.post(paths.roleAssignments, body),
          readAssignment,
          () => this.listAssignments({ roleDefinitionId: input.roleDefinitionId }),
          (a) =>
            a.displayName === input.displayName &&
            samePrincipals(a.principalIds, input.principalIds) &&
            sameAppScopes(a.appScopeIds, input.appScopeIds),
          (id) => this.getAssignment(id),
          (id) => this.deleteAssignment(id),
        ),
      ),
    );
  }

  async updateAssignment(id: string, patch: AssignmentPatch): Promise<AssignmentRecord> {
    return this.patchEntity(
      "role assignment",
      paths.assignment(id),
      id,
      assignmentPatchBody(patch),
      readAssignment,
      (a) =>
        (patch.displayName === undefined || a.displayName === patch.displayName) &&
        (patch.principalIds === undefined || samePrincipals(a.principalIds, patch.principalIds)) &&
        (patch.appScopeIds === undefined || sameAppScopes(a.appScopeIds, patch.appScopeIds)),
    );
  }

  async deleteAssignment(id: string): Promise<void> {
    return this.guard(async () => {
      await this.client.delete(paths.assignment(id));
      this.recent.delete(id.toLowerCase());
      this.deleted.add(id.toLowerCase());
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
        const m = /^azure atp .+ (administrators|users|viewers)$/i.exec(g.displayName.trim());
        if (!m) continue;
        const entry = findLegacyEntry("mdi", g.displayName);
        const name = entry?.name ?? ["MDI admin", "MDI user", "MDI viewer"][MDI_SUFFIX[m[1].toLowerCase()]];
        const members = readMemberIds(await this.client.list(paths.groupMembers(g.id)));
        out.push({ source: "mdi", id: g.id, name, permissions: [], members });
      }
      return out.sort((a, b) => a.name.localeCompare(b.name) || a.id.localeCompare(b.id));
    });
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

function notFound(kind: string, id: string, redactor: Redactor, cause?: GraphError): GraphError {
  return new GraphError(
    {
      method: "PATCH",
      path: cause?.path ?? kind,
      status: 404,
      code: cause?.code ?? "NotFound",
      message: `${kind} ${id} does not exist in the tenant (deleted outside Pulumi?); run \`pulumi refresh\`, then \`pulumi up\` to recreate it`,
      requestId: cause?.requestId,
      clientRequestId: cause?.clientRequestId,
    },
    redactor,
  );
}
