/**
 * /v1.0/groups (+ /{id}/members, /{id}/transitiveMembers): the Defender for Identity role groups
 * ("Azure ATP …") of the store, and the groups of its directory.
 */
import { createHash } from "node:crypto";
import type { TenantStore } from "../backend/store";
import { isGuid } from "../core/scope";
import { mdiGroupName } from "../core/workloads";
import type { EmulatorBehaviour } from "./behaviour";
import { HttpError, Reply, allow, notFound } from "./http";
import { page, select } from "./paging";
import { objectJson, transitiveMembers } from "./directory";

/** A stable GUID for a legacy group id that is not one. */
function guidFor(s: string): string {
  if (isGuid(s)) return s.toLowerCase();
  const h = createHash("sha1").update(`mdi-group:${s}`).digest("hex");
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-5${h.slice(13, 16)}-8${h.slice(17, 20)}-${h.slice(20, 32)}`;
}

export function groups(
  emu: { store: TenantStore; behaviour: EmulatorBehaviour },
  method: string,
  url: URL,
  rest: string[],
  origin: string,
): Reply {
  allow(method, ["GET"]);
  const groups = emu.store.listLegacyRoles("mdi").map((l) => {
    return {
      id: guidFor(l.id),
      displayName: /^azure atp /i.test(l.id) ? l.id : mdiGroupName("default", l.name),
      securityEnabled: true,
      mailEnabled: false,
      members: l.members,
    };
  });
  const directory = emu.store.getDirectory();
  for (const o of directory.objects)
    if (o.kind === "group") {
      const { "@odata.type": _t, ...json } = objectJson(o);
      groups.push({
        ...(json as { id: string; displayName: string; securityEnabled: boolean; mailEnabled: boolean }),
        members: directory.members.filter((m) => m.groupId === o.id).map((m) => m.memberId),
      });
    }
  const strip = ({ members: _m, ...g }: { members: string[]; [k: string]: unknown }) => g;
  const ctx = `${origin}/v1.0/$metadata#groups`;
  const [id, nav] = rest;
  if (!id) return page(url, groups.map(strip), origin, ctx, emu.behaviour.pageSize);
  const g = groups.find((x) => x.id === id.toLowerCase());
  if (!g) throw notFound(id);
  if (!nav) return { status: 200, body: { "@odata.context": `${ctx}/$entity`, ...select(strip(g), url) } };
  const transitive = nav.toLowerCase() === "transitivemembers";
  if (!transitive && nav.toLowerCase() !== "members")
    throw new HttpError(404, "NotFound", `Resource not found for the segment '${nav}'.`);
  const ids = transitive ? [...new Set([...g.members, ...transitiveMembers(directory, g.id)])] : g.members;
  const json = (m: string) => {
    const o = directory.objects.find((x) => x.id === m);
    return o ? objectJson(o) : { "@odata.type": "#microsoft.graph.user", id: m };
  };
  return page(url, ids.map(json), origin, `${origin}/v1.0/$metadata#directoryObjects`, emu.behaviour.pageSize);
}
