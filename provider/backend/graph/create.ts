/**
 * The duplicate-safe create. Before a create it notes which objects with the same name already exist;
 * when a POST's outcome is unknown (timeout, dropped connection, 5xx, a redirect answer) it reads back,
 * adopts a new object that matches, and only posts again when none is found; after a create that needed
 * a retry it deletes any further copies this call made. Creates of the same key are serialised, and ids
 * handed out are never adopted twice.
 */
import type { GraphClient } from "./client";
import type { ConsistencyWindow } from "./consistency";
import { AmbiguousWriteError, GraphError, Redactor } from "./errors";
import type { BackendEvent } from "./events";

export class DuplicateSafeCreate {
  /** Ids this instance created or adopted: never adopted again by another create. */
  private readonly claimed = new Set<string>();
  private readonly locks = new Map<string, Promise<unknown>>();

  constructor(
    private readonly client: GraphClient,
    private readonly window: ConsistencyWindow,
    private readonly redactor: Redactor,
    private readonly event: (e: BackendEvent) => void,
  ) {}

  /** Runs `fn` after every earlier call with the same key has settled. */
  async locked<T>(key: string, fn: () => Promise<T>): Promise<T> {
    const prev = this.locks.get(key) ?? Promise.resolve();
    const run = prev.catch(() => undefined).then(fn);
    this.locks.set(key, run);
    try {
      return await run;
    } finally {
      if (this.locks.get(key) === run) this.locks.delete(key);
    }
  }

  /**
   * Creates with duplicate prevention. `existing` lists the candidates (objects a create could have
   * made); `matches` says whether one is the object we asked for.
   */
  async createOnce<T extends { id: string }>(
    what: string,
    post: () => Promise<{ status: number; body: unknown; headers: Headers }>,
    read: (b: unknown) => T,
    existing: () => Promise<T[]>,
    matches: (r: T) => boolean,
    getById: (id: string) => Promise<T | null>,
    remove: (id: string) => Promise<void>,
    /** An object an earlier, interrupted create of the same resource made (its marker): returned, not duplicated. */
    own?: (r: T) => boolean,
  ): Promise<T> {
    const candidates = await existing();
    const mine = own ? candidates.filter(own).sort((a, b) => a.id.localeCompare(b.id))[0] : undefined;
    if (mine) {
      this.claimed.add(mine.id.toLowerCase());
      this.event({ kind: "adopt", detail: `${what} ${mine.id}: made by an earlier create of the same resource` });
      return mine;
    }
    const before = new Set(candidates.map((r) => r.id.toLowerCase()));
    const fresh = (r: T) => !before.has(r.id.toLowerCase()) && !this.claimed.has(r.id.toLowerCase()) && matches(r);
    const adopt = (r: T, why: string) => {
      this.claimed.add(r.id.toLowerCase());
      this.window.markWritten(r.id);
      this.event({ kind: "adopt", detail: `${what} ${r.id}: ${why}` });
      return r;
    };
    /** Looks for the object an ambiguous POST may have made, for up to the consistency window. */
    const reconcile = async (location: string | undefined): Promise<T | undefined> => {
      const idFromLocation = location ? /\/([^/?#]+)\/?(?:[?#].*)?$/.exec(location)?.[1] : undefined;
      if (idFromLocation) {
        const id = decodeURIComponent(idFromLocation);
        this.window.markWritten(id);
        const r = await getById(id).catch(() => null);
        if (r && fresh(r)) return r;
      }
      const until = Date.now() + this.window.waitMs;
      for (;;) {
        const found = (await existing()).filter(fresh).sort((a, b) => a.id.localeCompare(b.id));
        if (found.length) return found[0];
        if (Date.now() >= until) return undefined;
        await this.window.sleep(this.window.pollMs);
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
    /**
     * Once a POST may have created the object, no failure may read as "nothing was created": the
     * object carries its resource's managed-by marker, and the next create of that resource finds it.
     */
    const mayExist = (why: string, cause?: unknown) =>
      new GraphError(
        {
          method: "POST",
          path: what,
          status: cause instanceof GraphError ? cause.status : 0,
          code: "CreateOutcomeUnknown",
          message:
            `the outcome of the create is unknown (${why}): the object may exist in the tenant. ` +
            "It carries this resource's managed-by marker, so the next `pulumi up` finds it and takes it over instead of creating another.",
        },
        this.redactor,
      );
    for (let attempt = 1; attempt <= attempts; attempt++) {
      try {
        return await this.attempt(post, read, reconcile, adopt, dedupe, ambiguous, what);
      } catch (e) {
        if (!(e instanceof AmbiguousWriteError)) {
          if (ambiguous) throw mayExist(`after "${lastReason}", ${(e as Error).message}`, e);
          throw e;
        }
        ambiguous = true;
        lastReason = e.reason;
        this.event({
          kind: "reconcile",
          detail: `create of ${what}: ${e.reason}; looking for the object before posting again`,
        });
        let found: T | undefined;
        try {
          found = await reconcile(e.location);
          if (found) {
            adopt(found, `found after "${e.reason}"`);
            await dedupe(found.id);
          }
        } catch (inner) {
          throw mayExist(`after "${e.reason}", reading it back failed: ${(inner as Error).message}`, inner);
        }
        if (found) return found;
        if (attempt < attempts)
          await this.window.sleep(
            Math.min(this.client.retry.maxDelayMs, this.client.retry.baseDelayMs * 2 ** (attempt - 1)),
          );
      }
    }
    throw mayExist(`gave up after ${attempts} attempt(s); last: ${lastReason}`);
  }

  /** One POST: the new object, reconciled when a 2xx answer carries none. */
  private async attempt<T extends { id: string }>(
    post: () => Promise<{ status: number; body: unknown; headers: Headers }>,
    read: (b: unknown) => T,
    reconcile: (location: string | undefined) => Promise<T | undefined>,
    adopt: (r: T, why: string) => T,
    dedupe: (keep: string) => Promise<void>,
    ambiguous: boolean,
    what: string,
  ): Promise<T> {
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
            code: "CreateOutcomeUnknown",
            message:
              `the create was answered ${res.status} without the new ${what}, and it cannot be found yet: it may exist in the tenant. ` +
              "It carries this resource's managed-by marker, so the next `pulumi up` finds it and takes it over instead of creating another.",
          },
          this.redactor,
        );
    }
    adopt(rec, "created");
    if (ambiguous) await dedupe(rec.id);
    return rec;
  }
}
