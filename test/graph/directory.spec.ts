/**
 * The directory over Microsoft Graph (backend/graph/directory.ts) against the emulator's directory
 * routes: Entra role holders with names, transitive group members, principals by UPN or group name;
 * and effective access computed through the Graph backend equals the one computed on the local store
 * the emulator serves; `defender-rbac access --backend graph` end to end.
 */
import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { readTenantAccess } from "../../provider/backend/access";
import { LocalBackend } from "../../provider/backend/local";
import { TenantStore } from "../../provider/backend/store";
import { ACCESS_WORKLOADS, effectiveAccess } from "../../provider/core";
import { run } from "../../provider/cli/program";
import { RunningEmulator, startEmulator } from "../../provider/emulator";
import { fastBackend, raw, TOKEN } from "./helpers";

const SOC = "8e811502-2c2a-4d1b-9c5e-1f0b2e4f9a10";
const TIER2 = "33333333-3333-4333-8333-000000000001";
const ADELE = "22222222-2222-4222-8222-000000000001";
const MEGAN = "22222222-2222-4222-8222-000000000003";
const LEE = "22222222-2222-4222-8222-000000000004";

describe("graph backend: the directory (Entra roles, transitive members, names)", () => {
  let dir: string;
  let store: TenantStore;
  let emu: RunningEmulator;
  before(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), "graph-dir-"));
    store = new TenantStore(path.join(dir, "tenant.db"));
    for (const w of ACCESS_WORKLOADS) store.setActivation({ workload: w, active: true });
    const role = store.createRole({
      displayName: "Security admins",
      description: "",
      actions: ["microsoft.xdr/configuration/authorization/manage", "microsoft.xdr/secops/securitydata/read"],
    });
    store.createAssignment({
      displayName: "sec-admins-all",
      roleDefinitionId: role.id,
      principalIds: [SOC],
      appScopeIds: ["/"],
    });
    emu = await startEmulator({ store, pageSize: 3 });
  });
  after(async () => {
    await emu.close();
    store.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it("reads Entra role holders, the named principals and every group's transitive members, with names", async () => {
    const { backend } = fastBackend(emu.url);
    const d = await backend.directory([SOC]);
    assert.deepEqual(d.entraRoles.map((h) => `${h.role} ${h.principalId}`).sort(), [
      `Global administrator ${ADELE}`,
      "Security reader 22222222-2222-4222-8222-000000000002",
    ]);
    const name = (id: string) => d.objects.find((o) => o.id === id)?.displayName;
    assert.equal(name(ADELE), "Adele Vance");
    assert.equal(name(SOC), "SOC analysts");
    assert.deepEqual(
      d.members
        .filter((m) => m.groupId === SOC)
        .map((m) => m.memberId)
        .sort(),
      [MEGAN, LEE, TIER2].sort(),
      "transitive: Lee Gu through SOC tier 2",
    );
    assert.equal(d.objects.find((o) => o.id === LEE)?.userPrincipalName, "lee.gu@contoso.example");
  });

  it("finds principals by UPN or group name; none for an unknown name", async () => {
    const { backend } = fastBackend(emu.url);
    assert.deepEqual(
      (await backend.findPrincipals("lee.gu@contoso.example")).map((o) => o.id),
      [LEE],
    );
    assert.deepEqual(
      (await backend.findPrincipals("SOC tier 2")).map((o) => `${o.kind} ${o.id}`),
      [`group ${TIER2}`],
    );
    assert.deepEqual(await backend.findPrincipals("nobody@contoso.example"), []);
  });

  it("the emulator answers the documented shapes: $expand=principal, $filter on roleDefinitionId", async () => {
    const defs = await raw(emu.url, "GET", "/v1.0/roleManagement/directory/roleDefinitions?$select=id,displayName");
    const ga = defs.json.value.find((r: { displayName: string }) => r.displayName === "Global administrator");
    const r = await raw(
      emu.url,
      "GET",
      `/v1.0/roleManagement/directory/roleAssignments?$filter=roleDefinitionId eq '${ga.id}'&$expand=principal`,
    );
    assert.equal(r.status, 200);
    assert.deepEqual(
      r.json.value.map((a: { principalId: string; principal: { displayName: string } }) => [
        a.principalId,
        a.principal.displayName,
      ]),
      [[ADELE, "Adele Vance"]],
    );
    assert.equal((await raw(emu.url, "GET", `/v1.0/users/${SOC}`)).status, 404, "a group is not a user");
  });

  it("effective access through Graph equals the local store's it serves", async () => {
    const { backend } = fastBackend(emu.url);
    const viaGraph = effectiveAccess((await readTenantAccess(backend)).input);
    const local = new LocalBackend(store);
    const viaLocal = effectiveAccess((await readTenantAccess(local)).input);
    const keys = (r: typeof viaGraph) => r.grants.map((g) => `${g.principalId}|${g.workload}|${g.permission}`).sort();
    assert.ok(keys(viaLocal).length > 0);
    assert.deepEqual(keys(viaGraph), keys(viaLocal));
  });

  it("defender-rbac access --backend graph: names and provenance, the activation assumption said", async () => {
    const out: string[] = [];
    const err: string[] = [];
    const prev = process.env.DEFENDER_RBAC_GRAPH_TOKEN;
    process.env.DEFENDER_RBAC_GRAPH_TOKEN = TOKEN;
    try {
      const code = await run(
        [
          "access",
          "--backend",
          "graph",
          "--graph-url",
          emu.url,
          "--principal",
          "lee.gu@contoso.example",
          "--active",
          "Mde",
        ],
        {
          out: (l) => out.push(l),
          err: (l) => err.push(l),
        },
      );
      assert.equal(code, 0, err.join("\n"));
    } finally {
      if (prev === undefined) delete process.env.DEFENDER_RBAC_GRAPH_TOKEN;
      else process.env.DEFENDER_RBAC_GRAPH_TOKEN = prev;
    }
    const text = out.join("\n");
    assert.match(text, /^Lee Gu \(user, lee\.gu@contoso\.example, /m);
    assert.match(
      text,
      /Mde +! Authorization and settings \\ Authorization \(manage\) +assignment "sec-admins-all" → role "Security admins" \(all data sources\) via group SOC/,
    );
    assert.match(text, /Assumed: the graph backend cannot read activation; assumed active: Mde/);
    assert.ok(!text.includes(TOKEN));
  });
});
