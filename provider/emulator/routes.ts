/** Routing of Graph paths, and the /beta/roleManagement/defender collections. */
import type { TenantStore } from "../backend/store";
import type { EmulatorBehaviour } from "./behaviour";
import type { ServedCatalogue } from "./catalogue";
import { CUSTOM_APP_SCOPES, assignmentJson, namespaceJson, roleJson } from "./entities";
import { entraRoleManagement, users } from "./directory";
import { groups } from "./groups";
import { HttpError, Reply, allow, notFound } from "./http";
import type { WriteLag } from "./lag";
import { page, select } from "./paging";
import { assignmentFields, roleFields } from "./validation";

/** The emulator state the routes read and change. */
export interface RouteContext {
  readonly store: TenantStore;
  readonly behaviour: EmulatorBehaviour;
  readonly lag: WriteLag;
  readonly catalogue: ServedCatalogue;
  patchCount: number;
}

const BASE = "/beta/roleManagement/defender";

export function routeRequest(emu: RouteContext, method: string, url: URL, body: unknown, origin: string): Reply {
  const segs = url.pathname
    .split("/")
    .filter(Boolean)
    .map((s) => {
      try {
        return decodeURIComponent(s);
      } catch {
        throw new HttpError(
          400,
          "BadRequest",
          `Bad Request - Invalid URL: the segment '${s}' has a malformed percent-escape.`,
        );
      }
    });
  const [version, ...rest] = segs;
  const lowerRest = rest.map((s) => s.toLowerCase());
  if (version === "v1.0" && lowerRest[0] === "rolemanagement" && lowerRest[1] === "defender") {
    throw new HttpError(400, "BadRequest", "Resource not found for the segment 'defender'.");
  }
  if (version === "v1.0" && lowerRest[0] === "groups") return groups(emu, method, url, rest.slice(1), origin);
  if (version === "v1.0" && lowerRest[0] === "users") return users(emu, method, url, rest.slice(1), origin);
  if (version === "v1.0" && lowerRest[0] === "rolemanagement" && lowerRest[1] === "directory")
    return entraRoleManagement(emu, method, url, rest.slice(2), origin);
  if (version !== "beta" || lowerRest[0] !== "rolemanagement" || lowerRest[1] !== "defender") {
    throw new HttpError(404, "NotFound", `Resource not found for the segment '${segs[segs.length - 1] ?? ""}'.`);
  }
  const [collection, id, nav, ...more] = rest.slice(2);
  if (!collection) throw new HttpError(404, "NotFound", "Resource not found for the segment 'defender'.");
  const ctx = `${origin}/beta/$metadata#roleManagement/defender/${collection}`;
  if (emu.behaviour.inactive && ["roledefinitions", "roleassignments"].includes(collection.toLowerCase())) {
    throw new HttpError(403, "Forbidden", "Access to the requested resource is forbidden.");
  }
  switch (collection.toLowerCase()) {
    case "roledefinitions":
      if (more.length || (nav && nav.toLowerCase() !== "inheritspermissionsfrom"))
        throw new HttpError(404, "NotFound", `Resource not found for the segment '${nav}'.`);
      if (nav) {
        allow(method, ["GET"]);
        if (!emu.store.getRole(id.toLowerCase())) throw notFound(id);
        return { status: 200, body: { "@odata.context": `${ctx}('${id}')/inheritsPermissionsFrom`, value: [] } };
      }
      return id ? role(emu, method, id, body, ctx, url) : roles(emu, method, url, body, origin, ctx);
    case "roleassignments":
      if (more.length || (nav && nav.toLowerCase() !== "roledefinition"))
        throw new HttpError(404, "NotFound", `Resource not found for the segment '${nav}'.`);
      if (nav) {
        allow(method, ["GET"]);
        const a = emu.store.getAssignment(id.toLowerCase());
        const r = a && emu.store.getRole(a.roleDefinitionId);
        if (!r) throw notFound(id);
        return {
          status: 200,
          body: {
            "@odata.context": `${origin}/beta/$metadata#roleManagement/defender/roleDefinitions/$entity`,
            ...roleJson(r),
          },
        };
      }
      return id ? assignment(emu, method, id, body, ctx, url) : assignments(emu, method, url, body, origin, ctx);
    case "resourcenamespaces":
      return namespaces(emu, method, url, id, nav, origin, ctx);
    case "customappscopes": {
      allow(method, ["GET"]);
      if (nav) throw new HttpError(404, "NotFound", `Resource not found for the segment '${nav}'.`);
      if (id) {
        const s = CUSTOM_APP_SCOPES.find((x) => x.id === id);
        if (!s) throw notFound(id);
        return { status: 200, body: { "@odata.context": `${ctx}/$entity`, ...select(s, url) } };
      }
      return page(url, CUSTOM_APP_SCOPES, origin, ctx, emu.behaviour.pageSize);
    }
    default:
      throw new HttpError(404, "NotFound", `Resource not found for the segment '${collection}'.`);
  }
}

function roles(emu: RouteContext, method: string, url: URL, body: unknown, origin: string, ctx: string): Reply {
  allow(method, ["GET", "POST"]);
  if (method === "GET") return page(url, emu.store.listRoles().map(roleJson), origin, ctx, emu.behaviour.pageSize);
  const f = roleFields(emu.behaviour, emu.catalogue.valid, body, true);
  const r = emu.store.createRole({
    displayName: f.displayName!,
    description: f.description ?? "",
    actions: f.actions ?? [],
  });
  return created(`${origin}${BASE}/roleDefinitions/${r.id}`, r.id, roleJson(r), ctx);
}

function role(emu: RouteContext, method: string, idRaw: string, body: unknown, ctx: string, url: URL): Reply {
  allow(method, ["GET", "PATCH", "DELETE"]);
  const id = idRaw.toLowerCase();
  const cur = emu.store.getRole(id);
  if (method === "GET") return emu.lag.getEntity(idRaw, cur && roleJson(cur), ctx, url);
  if (!cur) throw notFound(idRaw);
  if (cur.isBuiltIn) throw new HttpError(403, "Forbidden", "Built-in role definitions cannot be modified or deleted.");
  if (method === "DELETE") {
    // what Graph does with a role that still has assignments is not documented: the emulator refuses,
    // as every backend does (docs/ownership.md, "No cascading loss")
    const left = emu.store.listAssignments({ roleDefinitionId: id });
    if (left.length)
      throw new HttpError(
        400,
        "BadRequest",
        `The role definition still has ${left.length} role assignment(s); delete them before the role definition.`,
      );
    emu.store.deleteRole(id);
    emu.lag.delete(id);
    return { status: 204 };
  }
  const f = roleFields(emu.behaviour, emu.catalogue.valid, body, false);
  const updated = emu.store.updateRole(id, f);
  return patched(emu, updated.id, roleJson(cur), roleJson(updated), ctx);
}

/** 201 with the new entity and its Location. */
function created(location: string, id: string, entity: Record<string, unknown>, ctx: string): Reply {
  return {
    status: 201,
    body: { "@odata.context": `${ctx}/$entity`, ...entity },
    headers: { Location: location },
    written: { kind: "created", id, location },
  };
}

function patched(
  emu: RouteContext,
  id: string,
  previous: Record<string, unknown>,
  now: Record<string, unknown>,
  ctx: string,
): Reply {
  const mode = emu.behaviour.patchResponse;
  const with200 = mode === "200" || (mode === "alternate" && emu.patchCount++ % 2 === 1);
  return with200
    ? {
        status: 200,
        body: { "@odata.context": `${ctx}/$entity`, ...now },
        written: { kind: "patched", id, previous },
      }
    : { status: 204, written: { kind: "patched", id, previous } };
}

function assignments(emu: RouteContext, method: string, url: URL, body: unknown, origin: string, ctx: string): Reply {
  allow(method, ["GET", "POST"]);
  if (method === "GET")
    return page(url, emu.store.listAssignments().map(assignmentJson), origin, ctx, emu.behaviour.pageSize);
  const f = assignmentFields(emu, body, true);
  const a = emu.store.createAssignment({
    displayName: f.displayName!,
    description: f.description ?? "",
    roleDefinitionId: f.roleDefinitionId!,
    principalIds: f.principalIds!,
    appScopeIds: f.appScopeIds ?? [],
  });
  return created(`${origin}${BASE}/roleAssignments/${a.id}`, a.id, assignmentJson(a), ctx);
}

function assignment(emu: RouteContext, method: string, idRaw: string, body: unknown, ctx: string, url: URL): Reply {
  allow(method, ["GET", "PATCH", "DELETE"]);
  const id = idRaw.toLowerCase();
  const cur = emu.store.getAssignment(id);
  if (method === "GET") return emu.lag.getEntity(idRaw, cur && assignmentJson(cur), ctx, url);
  if (!cur) throw notFound(idRaw);
  if (method === "DELETE") {
    emu.store.deleteAssignment(id);
    emu.lag.delete(id);
    return { status: 204 };
  }
  const f = assignmentFields(emu, body, false);
  const updated = emu.store.updateAssignment(id, f);
  return patched(emu, updated.id, assignmentJson(cur), assignmentJson(updated), ctx);
}

function namespaces(
  emu: RouteContext,
  method: string,
  url: URL,
  nsId: string | undefined,
  nav: string | undefined,
  origin: string,
  ctx: string,
): Reply {
  allow(method, ["GET"]);
  const expand = (url.searchParams.get("$expand") ?? "")
    .split(",")
    .map((s) => s.trim().toLowerCase())
    .includes("resourceactions");
  if (!nsId)
    return page(url, [namespaceJson(expand ? emu.catalogue.actions : null)], origin, ctx, emu.behaviour.pageSize);
  if (nsId.toLowerCase() !== "microsoft.xdr") throw notFound(nsId);
  if (nav) throw new HttpError(404, "NotFound", `Resource not found for the segment '${nav}'.`); // measured: …/microsoft.xdr/resourceActions → 404
  return {
    status: 200,
    body: { "@odata.context": `${ctx}/$entity`, ...namespaceJson(expand ? emu.catalogue.actions : null) },
  };
}
