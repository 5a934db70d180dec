/** Read-after-write lag, as faults.ts sets it: just after a write, a GET shows the object absent (created) or as it was (patched). */
import { Reply, notFound } from "./http";
import { select } from "./paging";

export class WriteLag {
  private readonly lag = new Map<string, { until: number; kind: "created" | "patched"; previous?: unknown }>();

  /** Notes a write the reply reports, for `lagMs` from now. */
  record(written: NonNullable<Reply["written"]>, lagMs: number): void {
    this.lag.set(written.id.toLowerCase(), {
      until: Date.now() + lagMs,
      kind: written.kind,
      previous: written.previous,
    });
  }

  delete(id: string): void {
    this.lag.delete(id);
  }

  clear(): void {
    this.lag.clear();
  }

  /** GET of one entity, as read-after-write lag makes it look: absent just after create, the old version just after a PATCH. */
  getEntity(idRaw: string, current: Record<string, unknown> | null, ctx: string, url: URL): Reply {
    const lag = this.lagged(idRaw.toLowerCase());
    if (lag?.kind === "created") throw notFound(idRaw);
    const shown = lag?.kind === "patched" && lag.previous ? (lag.previous as Record<string, unknown>) : current;
    if (!shown) throw notFound(idRaw);
    return { status: 200, body: { "@odata.context": `${ctx}/$entity`, ...select(shown, url) } };
  }

  private lagged(id: string): { kind: "created" | "patched"; previous?: unknown } | undefined {
    const l = this.lag.get(id);
    if (!l) return undefined;
    if (Date.now() >= l.until) {
      this.lag.delete(id);
      return undefined;
    }
    return l;
  }
}
