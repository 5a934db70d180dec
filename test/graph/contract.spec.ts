/**
 * Contract tests: the request/response examples of the Graph documentation (docs/graph-api.md),
 * replayed against the emulator over raw
 * HTTP and through the Graph client and parsers, plus the measured quirks the emulator reproduces.
 */
import assert from "node:assert/strict";
import { GraphClient } from "../../provider/backend/graph/client";
import { Redactor } from "../../provider/backend/graph/errors";
import {
  assignmentCreateBody,
  filters,
  odataString,
  paths,
  roleCreateBody,
} from "../../provider/backend/graph/requests";
import { readAssignment, readCatalogue, readCustomAppScope, readRole } from "../../provider/backend/graph/responses";
import { RunningEmulator, startEmulator } from "../../provider/emulator";
import { FAST, GRAPH, TOKEN, guid, raw, staticToken } from "./helpers";

describe("graph contract: documented examples against the emulator", () => {
  let emu: RunningEmulator;
  let client: GraphClient;
  before(async () => {
    emu = await startEmulator({ pageSize: 3 });
    client = new GraphClient({ root: emu.url, token: staticToken(), redactor: new Redactor(), retry: FAST });
  });
  after(async () => emu.close());
  afterEach(() => {
    emu.setFaults(null);
    emu.setOptions({ strict: false, rejectDataops: false, inactive: false, patchResponse: "204" });
  });

  describe("create a role (Graph: create role definition, Example 3)", () => {
    const documented = {
      displayName: "Role 1",
      description: "Role 1 description",
      rolePermissions: [{ allowedResourceActions: ["microsoft.xdr/securityposture/read"] }],
    };

    it("raw HTTP: 201 Created with an id and the entity", async () => {
      const r = await raw(emu.url, "POST", `${GRAPH}/roleDefinitions`, documented);
      assert.equal(r.status, 201);
      assert.match(r.json["@odata.context"], /roleManagement\/defender\/roleDefinitions\/\$entity$/);
      assert.match(r.json.id, /^[0-9a-f-]{36}$/);
      assert.equal(r.json.displayName, "Role 1");
      assert.equal(r.json.description, "Role 1 description");
      assert.equal(r.json.isBuiltIn, false);
      assert.deepEqual(r.json.rolePermissions[0].allowedResourceActions, ["microsoft.xdr/securityposture/read"]);
      const back = await raw(emu.url, "GET", `${GRAPH}/roleDefinitions/${r.json.id}`);
      assert.equal(back.status, 200);
      assert.equal(back.json.id, r.json.id);
    });

    it("client: the body the backend builds is the documented one, and the answer parses", async () => {
      const body = roleCreateBody({
        displayName: "Role 1",
        description: "Role 1 description",
        actions: ["microsoft.xdr/securityposture/read"],
      });
      assert.deepEqual(body, documented);
      const res = await client.post(paths.roleDefinitions, body);
      assert.equal(res.status, 201);
      const role = readRole(res.body);
      assert.equal(role.displayName, "Role 1");
      assert.deepEqual(role.actions, ["microsoft.xdr/securityposture/read"]);
      assert.equal(role.imported, null);
    });
  });

  describe("create an assignment (Graph: create role assignment, Example 4)", () => {
    let roleId: string;
    before(async () => {
      roleId = (
        await raw(emu.url, "POST", `${GRAPH}/roleDefinitions`, {
          displayName: "Example role",
          rolePermissions: [{ allowedResourceActions: ["microsoft.xdr/secops/*/read"] }],
        })
      ).json.id;
    });
    const example = (roleDefinitionId: string) => ({
      "@odata.type": "#microsoft.graph.unifiedRoleAssignmentMultiple",
      displayName: "Example role assignment",
      roleDefinitionId,
      principalIds: [guid(1), guid(2)],
      appScopeIds: ["Mdc", "/CloudSet/123"],
    });

    it("raw HTTP: the documented body (with @odata.type) → 201 with appScopeIds [Mdc, /CloudSet/123]", async () => {
      const r = await raw(emu.url, "POST", `${GRAPH}/roleAssignments`, example(roleId));
      assert.equal(r.status, 201);
      assert.match(r.json.id, /^[0-9a-f-]{36}$/);
      assert.equal(r.json.roleDefinitionId, roleId);
      assert.deepEqual(r.json.principalIds, [guid(1), guid(2)]);
      assert.deepEqual(r.json.appScopeIds, ["Mdc", "/CloudSet/123"]);
      assert.deepEqual(r.json.directoryScopeIds, ["/"]);
    });

    it("strict: @odata.type on an assignment POST gets the measured 400", async () => {
      emu.setOptions({ strict: true });
      const r = await raw(emu.url, "POST", `${GRAPH}/roleAssignments`, example(roleId));
      assert.equal(r.status, 400);
      assert.equal(r.json.error.code, "BadRequest");
      assert.equal(
        r.json.error.message,
        "The input was not valid. roleAssignment: The roleAssignment field is required.",
      );
      assert.ok(r.json.error.innerError["request-id"]);
    });

    it("client: the body the backend sends omits @odata.type, adds directoryScopeIds, and passes strict mode", async () => {
      emu.setOptions({ strict: true });
      const body = assignmentCreateBody({
        displayName: "Example role assignment",
        roleDefinitionId: roleId,
        principalIds: [guid(1), guid(2)],
        appScopeIds: ["Mdc", "/CloudSet/123"],
      });
      assert.ok(!("@odata.type" in body));
      assert.deepEqual(body.directoryScopeIds, ["/"]);
      const res = await client.post(paths.roleAssignments, body);
      assert.equal(res.status, 201);
      const a = readAssignment(res.body);
      assert.deepEqual(a.appScopeIds, ["Mdc", "/CloudSet/123"]);
      assert.equal(a.roleDefinitionId, roleId);
    });

    it("delete an assignment → 204 (Example 3 of the delete page); again → 404; the client treats that 404 as success", async () => {
      const created = await raw(emu.url, "POST", `${GRAPH}/roleAssignments`, {
        displayName: "to delete",
        roleDefinitionId: roleId,
        principalIds: [guid(3)],
        directoryScopeIds: ["/"],
        appScopeIds: ["/"],
      });
      assert.equal(created.status, 201);
      const del = await raw(emu.url, "DELETE", `${GRAPH}/roleAssignments/${created.json.id}`);
      assert.equal(del.status, 204);
      assert.equal(del.json, undefined);
      const again = await raw(emu.url, "DELETE", `${GRAPH}/roleAssignments/${created.json.id}`);
      assert.equal(again.status, 404);
      assert.equal(again.json.error.code, "NotFound");
      await client.delete(paths.assignment(created.json.id)); // no throw
      assert.equal(await client.get(paths.assignment(created.json.id)), null);
    });
  });

  it("list customAppScopes: the documented shape (id, type DeviceGroups / UserGroupIds, displayName, description, customAttributes)", async () => {
    const r = await raw(emu.url, "GET", `${GRAPH}/customAppScopes?$top=10`);
    assert.equal(r.status, 200);
    const first = r.json.value[0];
    assert.deepEqual(Object.keys(first).sort(), ["customAttributes", "description", "displayName", "id", "type"]);
    assert.deepEqual(first, {
      id: "00567",
      type: "DeviceGroups",
      displayName: "TLV1",
      description: "TLV floor 1 devices",
      customAttributes: [],
    });
    assert.ok(r.json.value.some((s: { type: string }) => s.type === "UserGroupIds"));
    const viaClient = (await client.list(paths.customAppScopes)).map(readCustomAppScope);
    assert.equal(viaClient.length, r.json.value.length);
    const write = await raw(emu.url, "POST", `${GRAPH}/customAppScopes`, { type: "DeviceGroups", displayName: "x" });
    assert.equal(write.status, 405, "customAppScopes are read-only for Defender");
  });

  describe("measured quirks", () => {
    it("the bare container answers 404 and v1.0 answers 400; the per-namespace actions path 404s", async () => {
      assert.equal((await raw(emu.url, "GET", "/beta/roleManagement/defender")).status, 404);
      const v1 = await raw(emu.url, "GET", "/v1.0/roleManagement/defender/roleDefinitions");
      assert.equal(v1.status, 400);
      assert.equal(v1.json.error.code, "BadRequest");
      assert.equal(
        (await raw(emu.url, "GET", `${GRAPH}/resourceNamespaces/microsoft.xdr/resourceActions`)).status,
        404,
      );
      assert.equal((await raw(emu.url, "GET", `${GRAPH}/resourceNamespaces/microsoft.xdr`)).status, 200);
    });

    it("resourceNamespaces?$expand=resourceActions puts the action string in id and display text in name; the parser copes", async () => {
      const r = await raw(emu.url, "GET", `${GRAPH}/resourceNamespaces?$expand=resourceActions`);
      assert.equal(r.status, 200);
      const actions = r.json.value[0].resourceActions;
      assert.ok(actions.length > 20);
      for (const a of actions) {
        assert.ok(a.id.startsWith("microsoft.xdr/"), a.id);
        assert.ok(!a.name.includes("/"), a.name);
      }
      const cat = readCatalogue(await client.list(paths.catalogue));
      const dataops = cat.find((c) => c.action === "microsoft.xdr/dataops/*/read");
      assert.ok(dataops);
      assert.equal(dataops.displayName, "Data operations - All read-only permissions");
      // the documented shape (id without "/", action in name) parses too
      assert.deepEqual(
        readCatalogue([
          {
            resourceActions: [
              {
                id: "microsoft.insights-programs-update-patch",
                name: "microsoft.insights/programs/update",
                description: "Update programs",
              },
            ],
          },
        ]),
        [
          {
            action: "microsoft.insights/programs/update",
            displayName: "Update programs",
            description: "Update programs",
          },
        ],
      );
      // without $expand, namespaces carry no actions
      const bare = await raw(emu.url, "GET", `${GRAPH}/resourceNamespaces`);
      assert.equal(bare.json.value[0].resourceActions, undefined);
    });

    it("stored permissions are pruned under a covering wildcard (PIM4EntraPS measurement)", async () => {
      const r = await raw(emu.url, "POST", `${GRAPH}/roleDefinitions`, {
        displayName: "pruned",
        rolePermissions: [
          {
            allowedResourceActions: [
              "microsoft.xdr/secops/*/manage",
              "microsoft.xdr/secops/rawdata/quarantineemailcontent/read",
            ],
          },
        ],
      });
      assert.equal(r.status, 201);
      assert.deepEqual(r.json.rolePermissions[0].allowedResourceActions, ["microsoft.xdr/secops/*/manage"]);
    });

    it("unknown action strings, local urn keys and a wrong body shape are answered 400 in the Graph envelope", async () => {
      const bad = async (body: unknown) => {
        const r = await raw(emu.url, "POST", `${GRAPH}/roleDefinitions`, body);
        assert.equal(r.status, 400, JSON.stringify(r.json));
        assert.equal(r.json.error.code, "BadRequest");
        assert.ok(
          r.json.error.innerError.date &&
            r.json.error.innerError["request-id"] &&
            r.json.error.innerError["client-request-id"],
        );
        assert.equal(r.headers.get("request-id"), r.json.error.innerError["request-id"]);
        return r.json.error.message as string;
      };
      assert.match(
        await bad({
          displayName: "x",
          rolePermissions: [{ allowedResourceActions: ["microsoft.xdr/secops/securitydatabasics/read"] }],
        }),
        /not a valid action/,
      );
      assert.match(
        await bad({
          displayName: "x",
          rolePermissions: [
            { allowedResourceActions: ["urn:defender-rbac:permission:configuration.security.core:read"] },
          ],
        }),
        /urn:defender-rbac/,
      );
      // the community script's undocumented shape
      assert.match(
        await bad({
          displayName: "x",
          permissions: ["microsoft.xdr/secops/*/read"],
          scope: { type: "allDataSources" },
        }),
        /Property 'permissions' does not exist/,
      );
      assert.throws(
        () =>
          roleCreateBody({
            displayName: "x",
            description: "",
            actions: ["urn:defender-rbac:permission:configuration.security.core:read"],
          }),
        /cannot store/,
      );
    });

    it("dataops on a tenant without the prerequisite: the measured 400, surfaced by the client with a hint", async () => {
      emu.setOptions({ rejectDataops: true });
      await assert.rejects(
        client.post(
          paths.roleDefinitions,
          roleCreateBody({ displayName: "dataops", description: "", actions: ["microsoft.xdr/dataops/*/read"] }),
        ),
        (e: Error) => {
          assert.match(
            e.message,
            /400 BadRequest: microsoft\.xdr\/dataops\/\*\/read is not a valid permission for storage/,
          );
          assert.match(e.message, /Sentinel/);
          assert.match(e.message, /request-id [0-9a-f-]{36}/);
          return true;
        },
      );
    });

    it("before activation roleDefinitions answers 403, which the client explains", async () => {
      emu.setOptions({ inactive: true });
      assert.equal((await raw(emu.url, "GET", `${GRAPH}/roleDefinitions`)).status, 403);
      await assert.rejects(
        client.list(paths.roleDefinitions),
        /Unified RBAC is not active in this tenant, or the token lacks RoleManagement\.Read\.Defender/,
      );
    });

    it("built-in roles cannot be changed or deleted (the emulator's documented choice: 403)", async () => {
      const builtIn = (await raw(emu.url, "GET", `${GRAPH}/roleDefinitions?$filter=isBuiltIn eq true&$top=1`)).json
        .value[0];
      assert.equal(builtIn.isBuiltIn, true);
      const p = await raw(emu.url, "PATCH", `${GRAPH}/roleDefinitions/${builtIn.id}`, { description: "x" });
      assert.equal(p.status, 403);
      const d = await raw(emu.url, "DELETE", `${GRAPH}/roleDefinitions/${builtIn.id}`);
      assert.equal(d.status, 403);
      for (const a of builtIn.rolePermissions[0].allowedResourceActions)
        assert.ok(a.startsWith("microsoft.xdr/"), `built-ins never show local keys: ${a}`);
    });

    it("requires a bearer token: 401 in the Graph envelope", async () => {
      const r = await raw(emu.url, "GET", `${GRAPH}/roleDefinitions`, undefined, null);
      assert.equal(r.status, 401);
      assert.equal(r.json.error.code, "InvalidAuthenticationToken");
      assert.equal((await raw(emu.url, "GET", `${GRAPH}/roleDefinitions`, undefined, "Basic abc")).status, 401);
    });
  });

  describe("query options", () => {
    let roleId: string;
    before(async () => {
      roleId = (
        await raw(emu.url, "POST", `${GRAPH}/roleDefinitions`, {
          displayName: "O'Brien's role",
          description: "quoted",
          rolePermissions: [{ allowedResourceActions: ["microsoft.xdr/configuration/system/read"] }],
        })
      ).json.id;
      await raw(emu.url, "POST", `${GRAPH}/roleAssignments`, {
        displayName: "q1",
        roleDefinitionId: roleId,
        principalIds: [guid(10), guid(11)],
        appScopeIds: ["Mde"],
      });
      await raw(emu.url, "POST", `${GRAPH}/roleAssignments`, {
        displayName: "q2",
        roleDefinitionId: roleId,
        principalIds: [guid(12)],
        appScopeIds: ["/"],
      });
    });

    it("displayName eq with OData quote escaping, as the backend builds it", async () => {
      assert.equal(odataString("O'Brien's role"), "'O''Brien''s role'");
      const list = (await client.list(filters.roleByName("O'Brien's role"))).map(readRole);
      assert.deepEqual(
        list.map((r) => r.id),
        [roleId],
      );
      const miss = await client.list(filters.roleByName("O'Brien"));
      assert.equal(miss.length, 0);
    });

    it("startswith, id eq, isBuiltIn eq false, roleDefinitionId eq, principalIds/any, $select, $top, $count", async () => {
      const q = async (p: string) => (await raw(emu.url, "GET", `${GRAPH}${p}`)).json;
      assert.ok(
        (await q(`/roleDefinitions?$filter=${encodeURIComponent("startswith(displayName,'O''Brien')")}`)).value.some(
          (r: { id: string }) => r.id === roleId,
        ),
      );
      assert.equal((await q(`/roleDefinitions?$filter=${encodeURIComponent(`id eq '${roleId}'`)}`)).value.length, 1);
      const custom = await q(`/roleDefinitions?$filter=isBuiltIn eq false&$top=100&$count=true`);
      assert.ok(custom.value.every((r: { isBuiltIn: boolean }) => r.isBuiltIn === false));
      assert.equal(custom["@odata.count"], custom.value.length);
      const ofRole = (await client.list(filters.assignmentsOfRole(roleId))).map(readAssignment);
      assert.deepEqual(ofRole.map((a) => a.displayName).sort(), ["q1", "q2"]);
      const byPrincipal = await q(
        `/roleAssignments?$filter=${encodeURIComponent(`principalIds/any(a:a eq '${guid(11)}')`)}&$count=true`,
      );
      assert.deepEqual(
        byPrincipal.value.map((a: { displayName: string }) => a.displayName),
        ["q1"],
      );
      const selected = await q(
        `/roleAssignments?$select=id,principalIds&$filter=${encodeURIComponent(`roleDefinitionId eq '${roleId}'`)}`,
      );
      assert.deepEqual(Object.keys(selected.value[0]).sort(), ["id", "principalIds"]);
      const top = await q(`/roleDefinitions?$top=1`);
      assert.equal(top.value.length, 1);
      assert.ok(top["@odata.nextLink"]);
      const badFilter = await raw(
        emu.url,
        "GET",
        `${GRAPH}/roleDefinitions?$filter=${encodeURIComponent("displayName gt 'a'")}`,
      );
      assert.equal(badFilter.status, 400);
    });

    it("paging: @odata.nextLink is absolute, carries the query, and the client follows it to the end", async () => {
      const first = (await raw(emu.url, "GET", `${GRAPH}/roleDefinitions?$filter=isBuiltIn eq true`)).json;
      assert.equal(first.value.length, 3);
      assert.match(
        first["@odata.nextLink"],
        new RegExp(`^${emu.url}${GRAPH}/roleDefinitions\\?.*\\$filter=.*\\$skiptoken=`),
      );
      const all = await client.list(`${paths.roleDefinitions}?$filter=${encodeURIComponent("isBuiltIn eq true")}`);
      assert.equal(all.length, emu.store.listRoles().filter((r) => r.isBuiltIn).length);
      assert.ok(all.length > 3);
    });
  });

  it("the client only follows nextLinks to its own origin (the token is never sent elsewhere)", async () => {
    const other = await startEmulator();
    try {
      const evil = new GraphClient({ root: emu.url, token: staticToken(), redactor: new Redactor(), retry: FAST });
      await assert.rejects(evil.list(`${other.url}${GRAPH}/roleDefinitions`), /only ever sent to/);
      assert.equal(other.stats().requests, 0);
    } finally {
      await other.close();
    }
    assert.ok(TOKEN);
  });
});
