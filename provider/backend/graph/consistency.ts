/**
 * The consistency window: Graph is eventually consistent, so a GET-by-id may answer 404 for an object
 * that exists (a lagging replica). A 404 is never taken for a deletion at once: for an object this
 * instance wrote it is retried until the window it opened ends; for any other id (a refresh in a new
 * process right after an up) it is confirmed within the window (`graphConsistencyWaitMs`, default
 * 10 s) by a list read of the collection, which a lagging GET does not affect, and by GETs until the
 * window ends. Only an id this instance deleted is taken as gone at once. A PATCH answered 204 is read
 * back until it shows the change, within the window too.
 */
import type { GraphClient } from "./client";
import { GraphError, Redactor } from "./errors";
import type { BackendEvent } from "./events";

export class ConsistencyWindow {
  /** id (lower case) → time until which a 404 may just be replication lag. */
  private readonly recent = new Map<string, number>();
  /** Ids this instance deleted: a 404 for them needs no confirmation. */
  private readonly deleted = new Set<string>();

  constructor(
    /** How long a just-written object may take to become readable. */
    readonly waitMs: number,
    private readonly client: GraphClient,
    private readonly redactor: Redactor,
    private readonly event: (e: BackendEvent) => void,
  ) {}

  sleep(ms: number): Promise<void> {
    return new Promise((r) => setTimeout(r, ms));
  }

  get pollMs(): number {
    return Math.max(10, Math.min(500, Math.round(this.waitMs / 8)));
  }

  markWritten(id: string): void {
    this.deleted.delete(id.toLowerCase());
    this.recent.set(id.toLowerCase(), Date.now() + this.waitMs);
    if (this.recent.size > 1000) for (const [k, until] of this.recent) if (until < Date.now()) this.recent.delete(k);
  }

  /** Notes a delete this instance made: a 404 for it needs no confirmation. */
  markDeleted(id: string): void {
    this.recent.delete(id.toLowerCase());
    this.deleted.add(id.toLowerCase());
  }

  /**
   * GET by id, null only once the object is confirmed absent: a 404 is re-checked with a list read of
   * the collection (the entity path's parent) and with GETs every `pollMs`, until the window ends (for
   * an object written here, until the window its write opened ends), and the list is read once more at
   * the end. Otherwise a refresh right after a create would take lag for a deletion, drop the resource
   * from state, and the next up would create a duplicate.
   */
  async getFresh(path: string, id: string): Promise<unknown | null> {
    const first = await this.client.get(path);
    const key = id.toLowerCase();
    if (first !== null || this.deleted.has(key)) return first;
    const writtenUntil = this.recent.get(key) ?? 0;
    const collection = path.slice(0, path.lastIndexOf("/"));
    // a 404 for an object this instance wrote is expected lag: GETs first; any other 404 is suspect: list first
    if (writtenUntil <= Date.now()) {
      const listed = await this.listed(collection, key);
      if (listed !== null) return listed;
    }
    const until = writtenUntil > Date.now() ? writtenUntil : Date.now() + this.waitMs;
    for (;;) {
      this.event({ kind: "readback", detail: `${path} answered 404; confirming before taking it as deleted` });
      await this.sleep(Math.min(this.pollMs, Math.max(0, until - Date.now())));
      const body = await this.client.get(path);
      if (body !== null) return body;
      if (Date.now() >= until) break;
    }
    return this.listed(collection, key);
  }

  /** The entity with this id in a collection (every page), or null. */
  private async listed(collection: string, key: string): Promise<unknown | null> {
    const all = await this.client.list(collection);
    const hit = all.find(
      (e) => typeof (e as { id?: unknown })?.id === "string" && (e as { id: string }).id.toLowerCase() === key,
    );
    if (hit !== undefined)
      this.event({ kind: "readback", detail: `${collection}: ${key} is listed although its GET answered 404 (lag)` });
    return hit ?? null;
  }

  /** Reads an object back until `ok` holds (after a PATCH answered 204) or the window ends; the last read wins. */
  async readBack<T>(path: string, id: string, read: (b: unknown) => T, ok: (r: T) => boolean): Promise<T> {
    const until = Date.now() + this.waitMs;
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
}
