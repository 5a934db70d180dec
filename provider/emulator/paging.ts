/** Collections over HTTP: $filter (odata.ts), $count, $top and $skiptoken paging with @odata.nextLink, and $select. */
import { HttpError, Reply } from "./http";
import { FilterError, compileFilter } from "./odata";

/** Filter, count, page and select a collection. */
export function page(url: URL, items: Record<string, unknown>[], origin: string, ctx: string, pageSize: number): Reply {
  const q = url.searchParams;
  let list = items;
  const filter = q.get("$filter");
  if (filter) {
    let pred: (e: Record<string, unknown>) => boolean;
    try {
      pred = compileFilter(filter);
    } catch (e) {
      if (e instanceof FilterError) throw new HttpError(400, "BadRequest", `Invalid filter clause: ${e.message}`);
      throw e;
    }
    list = list.filter(pred);
  }
  const top = q.get("$top");
  let size = pageSize;
  if (top !== null) {
    const n = Number(top);
    if (!Number.isInteger(n) || n < 0)
      throw new HttpError(400, "BadRequest", `Invalid value '${top}' for $top query option.`);
    size = Math.max(1, n);
  }
  const skipRaw = q.get("$skiptoken");
  const skip = skipRaw === null ? 0 : Number(Buffer.from(skipRaw, "base64url").toString("utf8"));
  if (!Number.isInteger(skip) || skip < 0) throw new HttpError(400, "BadRequest", "Invalid $skiptoken.");
  const slice = list.slice(skip, skip + size);
  const body: Record<string, unknown> = { "@odata.context": ctx };
  if ((q.get("$count") ?? "").toLowerCase() === "true") body["@odata.count"] = list.length;
  if (skip + size < list.length) {
    const next = new URLSearchParams(q);
    next.set("$skiptoken", Buffer.from(String(skip + size), "utf8").toString("base64url"));
    body["@odata.nextLink"] =
      `${origin}${url.pathname}?${[...next].map(([k, v]) => `${k}=${encodeURIComponent(v)}`).join("&")}`;
  }
  body.value = slice.map((e) => select(e, url));
  return { status: 200, body };
}

export function select(entity: Record<string, unknown>, url: URL): Record<string, unknown> {
  const sel = url.searchParams.get("$select");
  if (!sel) return entity;
  const keep = new Set([
    "id",
    "@odata.type",
    ...sel
      .split(",")
      .map((s) => s.trim())
      .filter(Boolean),
  ]);
  return Object.fromEntries(Object.entries(entity).filter(([k]) => keep.has(k)));
}
