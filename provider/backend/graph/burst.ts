/**
 * Reads by id that come in a burst (a `pulumi refresh` reads every resource of the stack; a `destroy`
 * reads every role it deletes) are served from one paged read of the whole collection, so such a run
 * costs O(pages) requests instead of one GET per resource. A few reads by id stay GETs (a small stack
 * in a large tenant must not read the tenant), the collection read is reused only for a short time,
 * and an id this backend writes or deletes afterwards, or that the collection does not hold, is read by
 * id (so read-after-write and the confirmation of a 404 work as before).
 */
export class BurstReads<T extends { id: string }> {
  /** Times of the recent reads by id that were not served from a collection read. */
  private recent: number[] = [];
  private snapshot: { at: number; byId: Promise<Map<string, T> | null> } | undefined;

  constructor(
    private readonly list: () => Promise<T[]>,
    /** Reads by id within `ttlMs` after which the collection is read instead. */
    readonly threshold = 10,
    /** How long one collection read answers reads by id. */
    readonly ttlMs = 10_000,
  ) {}

  /** The object from a recent collection read, or undefined: then the caller reads it by id. */
  async lookup(id: string): Promise<T | undefined> {
    const now = Date.now();
    if (!this.snapshot || now - this.snapshot.at >= this.ttlMs) {
      this.snapshot = undefined;
      this.recent = this.recent.filter((t) => now - t < this.ttlMs);
      this.recent.push(now);
      if (this.recent.length < this.threshold) return undefined;
      this.recent = [];
      const byId = this.list().then(
        (all) => new Map(all.map((r) => [r.id.toLowerCase(), r])),
        () => null, // a failed collection read: every read goes by id, as before
      );
      this.snapshot = { at: now, byId };
    }
    return (await this.snapshot.byId)?.get(id.toLowerCase());
  }

  /** An id written or deleted by this backend: the collection read no longer answers for it. */
  forget(id: string): void {
    void this.snapshot?.byId.then((m) => m?.delete(id.toLowerCase()));
  }
}
