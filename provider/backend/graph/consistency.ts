/**
 * The consistency window: Graph is eventually consistent, so a GET-by-id of an object this backend wrote
 * moments ago is retried on 404 (and a PATCH answered 204 is read back until it shows the change) for up
 * to the window; any other 404 is confirmed once after min(1 s, a quarter of it).
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
   * GET by id. A 404 for an object this instance wrote moments ago is retried until the consistency
   * window ends. A 404 for any other id is confirmed once after a short pause (unless this instance
   * deleted it): a refresh in a new process right after the create would otherwise take a lagging
   * replica's 404 for a deletion, drop the resource from state, and create a duplicate on the next up.
   */
  async getFresh(path: string, id: string): Promise<unknown | null> {
    let body = await this.client.get(path);
    const key = id.toLowerCase();
    const writtenHere = (this.recent.get(key) ?? 0) > Date.now();
    if (body === null && !writtenHere && !this.deleted.has(key)) {
      await this.sleep(Math.min(1000, Math.round(this.waitMs / 4)));
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
