/**
 * The graph backend's whole life over HTTP against the emulator, with faults switched on: create,
 * update, drift made directly in the store, delete — ending with no duplicates and no orphans (checked
 * by listing). Also: read-after-write lag, PATCH answered 200 or 204, 404 semantics, capabilities,
 * Defender for Identity groups, and secrets kept out of every error.
 */
import assert from "node:assert/strict";
import type { Backend, BackendConfig } from "../../provider/backend/backend";
import { NotFoundError, RoleInUseError, UnsupportedOperationError } from "../../provider/backend/backend";
import { checkGraphRoot, createTokenSource, resolveAuthSettings } from "../../provider/backend/graph/auth";
import { cloudFor } from "../../provider/backend/graph/clouds";
import { GraphBackend } from "../../provider/backend/graph/backend";
import { Redactor } from "../../provider/backend/graph/errors";
import { RunningEmulator, startEmulator } from "../../provider/emulator";
import { TOKEN, assertNoSecrets, fastBackend, guid } from "./helpers";

const A = {
  basics: "microsoft.xdr/secops/securitydata/basics/read",
  alerts: "microsoft.xdr/secops/securitydata/alerts/manage",
  secopsRead: "microsoft.xdr/secops/*/read",
  system: "microsoft.xdr/configuration/system/manage",
};

/** Every fault at once, on deterministic counters. */
const STORM = {
  throttle: { every: 5, retryAfter: 0 },
  unavailable: { every: 7, retryAfter: 0 },
  drop: { every: 11 },
  dropAfterWrite: { every: 3 },
  ambiguousPost: { every: 2, mode: "alternate" as const },
  slow: { every: 13, ms: 500 },
  lag: { ms: 80 },
};

async function rolesNamed(b: Backend, name: string) {
  return (await b.listRoles()).filter((r) => r.displayName === name);
}

describe("graph backend: whole life over HTTP with faults", () => {
  let emu: RunningEmulator;
  before(async () => {
    emu = await startEmulator({ pageSize: 2 });
  });
  after(async () => emu.close());
  afterEach(() => {
    emu.setFaults(null);
    emu.setOptions({ patchResponse: "204", inactive: false });
  });

  it("create → update → drift → delete under every fault: no duplicates, no orphans", async () => {
    emu.setFaults(STORM);
    const { backend, events } = fastBackend(emu.url, { retry: { timeoutMs: 300 } });
    const names = ["storm role 1", "storm role 2", "storm role 3"];
    const roles = [];
    for (const n of names)
      roles.push(
        await backend.createRole({ displayName: n, description: `about ${n}`, actions: [A.basics, A.alerts] }),
      );
    const assignments = [];
    for (const [i, r] of roles.entries()) {
      assignments.push(
        await backend.createAssignment({
          displayName: `${r.displayName} assignment`,
          roleDefinitionId: r.id,
          principalIds: [guid(i + 1), guid(i + 100)],
          appScopeIds: ["Mde"],
        }),
      );
    }
    // read-after-write: every object is readable at once, despite the lag
    for (const r of roles) assert.equal((await backend.getRole(r.id))?.displayName, r.displayName);
    for (const a of assignments) assert.deepEqual((await backend.getAssignment(a.id))?.appScopeIds, ["Mde"]);

    // exactly one of each, in Graph and in the store
    for (const n of names) assert.equal((await rolesNamed(backend, n)).length, 1, `one role named ${n}`);
    for (const n of names) assert.equal(emu.store.findRolesByName(n).length, 1);
    for (const r of roles) assert.equal((await backend.listAssignments({ roleDefinitionId: r.id })).length, 1);

    // update
    const up = await backend.updateRole(roles[0].id, { description: "changed", actions: [A.secopsRead, A.system] });
    assert.equal(up.description, "changed");
    assert.deepEqual([...up.actions].sort(), [A.secopsRead, A.system].sort());
    const ua = await backend.updateAssignment(assignments[0].id, { principalIds: [guid(7)], appScopeIds: ["/"] });
    assert.deepEqual(ua.principalIds, [guid(7)]);
    assert.deepEqual(ua.appScopeIds, ["/"]);

    // drift made directly in the store (someone edited the role in the portal)
    emu.store.updateRole(roles[1].id, { description: "edited in the portal", actions: [A.basics] });
    emu.store.updateAssignment(assignments[1].id, { principalIds: [guid(55)] });
    await new Promise((r) => setTimeout(r, 100)); // past the lag window of the backend's own writes
    const drifted = await backend.getRole(roles[1].id);
    assert.equal(drifted?.description, "edited in the portal");
    assert.deepEqual(drifted?.actions, [A.basics]);
    assert.deepEqual((await backend.getAssignment(assignments[1].id))?.principalIds, [guid(55)]);

    // delete: a role that still has an assignment is refused (nothing cascades), then assignments first
    await assert.rejects(backend.deleteRole(roles[1].id), (e: Error) => e instanceof RoleInUseError);
    assert.ok(emu.store.getRole(roles[1].id), "the refused delete removed nothing");
    await backend.deleteAssignment(assignments[0].id);
    await backend.deleteAssignment(assignments[0].id); // again: 404 is success
    for (const a of assignments.slice(1)) await backend.deleteAssignment(a.id);
    for (const r of roles) await backend.deleteRole(r.id);
    await backend.deleteRole(roles[0].id); // again

    const left = await backend.listRoles();
    for (const n of names) assert.equal(left.filter((r) => r.displayName === n).length, 0, `no role named ${n} left`);
    const leftAssignments = await backend.listAssignments();
    for (const r of roles)
      assert.equal(leftAssignments.filter((a) => a.roleDefinitionId === r.id).length, 0, "no orphaned assignment");
    assert.equal(emu.store.listRoles().filter((r) => !r.isBuiltIn).length, 0);
    assert.equal(emu.store.listAssignments().length, 0);

    const fired = emu.stats().fired;
    for (const f of ["throttle", "unavailable", "drop", "dropAfterWrite", "ambiguousPost", "slow"] as const)
      assert.ok(fired[f] > 0, `${f} fired`);
    assert.ok(
      events.some((e) => e.kind === "reconcile"),
      "ambiguous creates were reconciled",
    );
    assert.ok(
      events.some((e) => e.kind === "adopt" && /found after/.test((e as { detail: string }).detail)),
      "a created object was adopted after an ambiguous answer",
    );
  });

  it("an ambiguous POST that did create the role is adopted, not posted again (redirect, 500, dropped, timed out)", async () => {
    for (const spec of [
      { ambiguousPost: { every: 1, limit: 1, mode: "redirect" as const } },
      { ambiguousPost: { every: 1, limit: 1, mode: "500" as const } },
      { dropAfterWrite: { every: 1, limit: 1, methods: ["POST"] } },
      { slow: { every: 1, limit: 1, ms: 400, methods: ["POST"] } },
    ]) {
      emu.setFaults({ ...spec, lag: { ms: 60 } });
      const { backend } = fastBackend(emu.url, { retry: { timeoutMs: 150 } });
      const name = `adopted ${JSON.stringify(spec)}`;
      const r = await backend.createRole({ displayName: name, description: "", actions: [A.basics] });
      await new Promise((res) => setTimeout(res, 300)); // a timed-out POST still finishes on the server
      assert.deepEqual(
        emu.store.findRolesByName(name).map((x) => x.id),
        [r.id],
        `exactly one role for ${name}`,
      );
      assert.equal(emu.stats().byRoute["POST /beta/roleManagement/defender/roleDefinitions"], 1, "posted once");
      await backend.deleteRole(r.id);
    }
  });

  it("a POST that failed before running (dropped, 503) is posted again, and copies from earlier attempts are removed", async () => {
    emu.setFaults({
      drop: { every: 1, limit: 1, methods: ["POST"] },
      unavailable: { every: 1, limit: 1, methods: ["POST"] },
    });
    const { backend } = fastBackend(emu.url);
    const role = await backend.createRole({ displayName: "posted again", description: "", actions: [A.basics] });
    assert.deepEqual(
      emu.store.findRolesByName("posted again").map((r) => r.id),
      [role.id],
    );
    assert.equal(
      emu.stats().byRoute["POST /beta/roleManagement/defender/roleDefinitions"],
      3,
      "dropped, 503, then created",
    );

    // duplicates are looked for among objects that did not exist before, and never among pre-existing ones
    emu.setFaults({ ambiguousPost: { every: 1, limit: 1, mode: "500" } });
    const twin = await backend.createRole({ displayName: "posted again", description: "", actions: [A.basics] });
    assert.notEqual(twin.id, role.id, "a pre-existing role with the same content is not adopted");
    assert.equal(emu.store.findRolesByName("posted again").length, 2);
    for (const r of emu.store.findRolesByName("posted again")) await backend.deleteRole(r.id);
  });

  it("assignments: duplicate prevention matches role + displayName + principals", async () => {
    const { backend } = fastBackend(emu.url);
    const role = await backend.createRole({ displayName: "assignment host", description: "", actions: [A.basics] });
    emu.setFaults({ ambiguousPost: { every: 1, limit: 2, mode: "alternate" }, lag: { ms: 50 } });
    const a1 = await backend.createAssignment({
      displayName: "tier 1",
      roleDefinitionId: role.id,
      principalIds: [guid(1)],
      appScopeIds: ["Mdc", "/CloudSet/123"],
    });
    const a2 = await backend.createAssignment({
      displayName: "tier 1",
      roleDefinitionId: role.id,
      principalIds: [guid(2)],
      appScopeIds: ["/"],
    });
    assert.notEqual(a1.id, a2.id);
    const list = emu.store.listAssignments({ roleDefinitionId: role.id });
    assert.equal(list.length, 2);
    assert.deepEqual(list.map((a) => a.principalIds[0]).sort(), [guid(1), guid(2)]);
    for (const a of list) await backend.deleteAssignment(a.id);
    await backend.deleteRole(role.id);
    assert.equal(emu.store.listAssignments({ roleDefinitionId: role.id }).length, 0);
  });

  it("read-after-write: a 404 is never taken for a deletion before the window confirms it (GETs and a list read)", async () => {
    emu.setFaults({ lag: { ms: 300 } });
    const { backend, events } = fastBackend(emu.url, { consistencyWaitMs: 1000 });
    const r = await backend.createRole({ displayName: "lagging", description: "", actions: [A.basics] });
    assert.equal((await backend.getRole(r.id))?.id, r.id);
    assert.ok(events.some((e) => e.kind === "readback"));
    const t = Date.now();
    assert.equal(await backend.getRole("0e0e0e0e-0000-4000-8000-000000000000"), null);
    const waited = Date.now() - t;
    assert.ok(waited >= 900 && waited < 5000, `an unknown id is confirmed through the window (${waited} ms)`);
    // another process, reading right after the create: the list read shows what the lagging GET hides
    const other = fastBackend(emu.url, { consistencyWaitMs: 2000 });
    const r1 = await backend.createRole({ displayName: "lagging 1", description: "", actions: [A.basics] });
    const getsById = () => emu.stats().byRoute["GET /beta/roleManagement/defender/roleDefinitions/{id}"] ?? 0;
    const before = getsById();
    assert.equal((await other.backend.getRole(r1.id))?.id, r1.id);
    assert.equal(getsById() - before, 1, "found by the list read after one GET, without polling out the lag");
    assert.ok(
      other.events.some((e) => e.kind === "readback" && /is listed although its GET answered 404/.test(e.detail)),
    );
    // a lag longer than the whole window: still found (the list read does not lag)
    const impatient = fastBackend(emu.url, { consistencyWaitMs: 100 }).backend;
    const r2 = await backend.createRole({ displayName: "lagging 2", description: "", actions: [A.basics] });
    assert.equal((await impatient.getRole(r2.id))?.id, r2.id);
    const a2 = await backend.createAssignment({
      displayName: "lagging a",
      roleDefinitionId: r2.id,
      principalIds: [guid(1)],
      appScopeIds: ["/"],
    });
    assert.equal((await impatient.getAssignment(a2.id))?.id, a2.id);
    await backend.deleteAssignment(a2.id);
    await backend.deleteRole(r1.id);
    await backend.deleteRole(r.id);
    await backend.deleteRole(r2.id);
    const t2 = Date.now();
    assert.equal(await backend.getRole(r1.id), null);
    assert.ok(Date.now() - t2 < 200, "ids this backend deleted need no confirmation");
  });

  it("PATCH answered 200 with the entity or 204: both accepted; 204 is read back (through stale reads)", async () => {
    const { backend } = fastBackend(emu.url);
    const r = await backend.createRole({ displayName: "patched", description: "v0", actions: [A.basics] });
    const a = await backend.createAssignment({
      displayName: "patched a",
      roleDefinitionId: r.id,
      principalIds: [guid(1)],
      appScopeIds: ["/"],
    });
    const gets = () => emu.stats().byRoute["GET /beta/roleManagement/defender/roleDefinitions/{id}"] ?? 0;

    emu.setOptions({ patchResponse: "200" });
    let g = gets();
    assert.equal((await backend.updateRole(r.id, { description: "v1" })).description, "v1");
    assert.equal(gets(), g, "200 + entity needs no read-back");
    assert.deepEqual((await backend.updateAssignment(a.id, { principalIds: [guid(2)] })).principalIds, [guid(2)]);

    emu.setOptions({ patchResponse: "204" });
    g = gets();
    assert.equal((await backend.updateRole(r.id, { description: "v2" })).description, "v2");
    assert.equal(gets(), g + 1, "204 is read back");
    assert.equal((await backend.updateAssignment(a.id, { displayName: "renamed" })).displayName, "renamed");

    emu.setFaults({ lag: { ms: 100 } }); // GET answers the previous version for a while
    const fresh = await backend.updateRole(r.id, { description: "v3", actions: [A.secopsRead] });
    assert.equal(fresh.description, "v3");
    assert.deepEqual(fresh.actions, [A.secopsRead]);

    // a Graph 404 on PATCH is the backend contract's NotFoundError, as on every backend
    await assert.rejects(
      backend.updateRole("0e0e0e0e-0000-4000-8000-000000000001", { description: "x" }),
      (e: Error) => e instanceof NotFoundError && /does not exist in the tenant/.test(e.message),
    );
    await assert.rejects(
      backend.updateAssignment("0e0e0e0e-0000-4000-8000-000000000002", { displayName: "x" }),
      (e: Error) => e instanceof NotFoundError && e.kind === "assignment",
    );
    await backend.deleteAssignment(a.id);
    await backend.deleteRole(r.id);
  });

  it("capabilities: roles and assignments; MDI import only; no activation (with the way forward)", async () => {
    const { backend } = fastBackend(emu.url);
    const caps = backend.capabilities();
    assert.equal(caps.roles, true);
    assert.equal(caps.assignments, true);
    assert.deepEqual(caps.legacyImport, ["mdi"]);
    assert.equal(caps.activation, "none");
    assert.equal(caps.unpublishedPermissions, false);
    assert.match(caps.notes.activation!, /no API to read or change Unified RBAC workload activation/);
    assert.match(caps.notes.activation!, /Settings > Microsoft Defender XDR > Permissions and roles/);
    assert.match(caps.notes.legacyImport!, /fixed table/);
    assert.match(caps.notes.legacyImport!, /EOP role group members, MDE roles by name, their device-group scoping/);
    assert.match(caps.notes.legacyImport!, /GroupMember\.Read\.All/);
    await assert.rejects(backend.getActivation(), UnsupportedOperationError);
    await assert.rejects(backend.setActivation({ workload: "Mde", active: true }), UnsupportedOperationError);
    await assert.rejects(backend.listLegacyRoles("mde"), UnsupportedOperationError);
    await assert.rejects(backend.listLegacyRoles("mdo"), UnsupportedOperationError);
  });

  it('reads Defender for Identity role groups (Entra "Azure ATP …" groups) with their members', async () => {
    emu.setFaults({ throttle: { every: 2, retryAfter: 0 } });
    const { backend } = fastBackend(emu.url);
    const mdi = await backend.listLegacyRoles("mdi");
    assert.deepEqual(
      mdi.map((r) => r.name),
      ["MDI admin", "MDI user", "MDI viewer"],
    );
    const local = emu.store.listLegacyRoles("mdi");
    for (const r of mdi) {
      assert.match(r.id, /^[0-9a-f-]{36}$/);
      assert.deepEqual(r.members, local.find((l) => l.name === r.name)!.members);
    }
  });

  it("live catalogue: read once per backend, action strings from id", async () => {
    const { backend } = fastBackend(emu.url);
    const a = await backend.liveCatalogue();
    const b = await backend.liveCatalogue();
    assert.equal(a, b);
    assert.ok(a!.some((x) => x.action === A.secopsRead && /All read-only permissions/.test(x.displayName ?? "")));
    assert.equal(emu.stats().byRoute["GET /beta/roleManagement/defender/resourceNamespaces"], 1);
  });

  it("refuses local urn keys before sending anything", async () => {
    const { backend } = fastBackend(emu.url);
    const before = emu.stats().requests;
    await assert.rejects(
      backend.createRole({
        displayName: "x",
        description: "",
        actions: ["urn:defender-rbac:permission:configuration.security.core:read"],
      }),
      /cannot store/,
    );
    assert.equal(emu.stats().requests, before);
  });
});

describe("graph backend: configuration and secrets", () => {
  let emu: RunningEmulator;
  const saved = { ...process.env };
  before(async () => {
    emu = await startEmulator();
  });
  after(async () => emu.close());
  afterEach(() => {
    for (const k of Object.keys(process.env)) if (!(k in saved)) delete process.env[k];
    Object.assign(process.env, saved);
    emu.setFaults(null);
  });
  const config = (settings: Record<string, string>, stack: Record<string, string> = {}): BackendConfig => ({
    settings,
    stack,
    cwd: "/tmp",
  });

  it("DEFENDER_RBAC_GRAPH_TOKEN and DEFENDER_RBAC_GRAPH_URL reach the emulator through fromConfig", async () => {
    process.env.DEFENDER_RBAC_GRAPH_TOKEN = TOKEN;
    process.env.DEFENDER_RBAC_GRAPH_URL = emu.url;
    const b = await GraphBackend.fromConfig(config({}));
    assert.equal(b.name, "graph");
    assert.ok((await b.listRoles()).length > 0);
  });

  it("settings come from defender-rbac:*, then azure-native:*, then ARM_* / AZURE_*", () => {
    const env = {
      ARM_TENANT_ID: "t-env",
      AZURE_CLIENT_ID: "c-env",
      ARM_USE_OIDC: "true",
      ACTIONS_ID_TOKEN_REQUEST_URL: "https://token.actions.example/x?a=1",
      ACTIONS_ID_TOKEN_REQUEST_TOKEN: "req",
    };
    let s = resolveAuthSettings(config({}, {}), env);
    assert.equal(s.tenantId, "t-env");
    assert.equal(s.clientId, "c-env");
    assert.equal(s.method, "oidc");
    assert.equal(s.oidcRequestUrl, env.ACTIONS_ID_TOKEN_REQUEST_URL);
    assert.equal(s.graphRoot, "https://graph.microsoft.com");
    s = resolveAuthSettings(
      config(
        {},
        {
          "azure-native:tenantId": "t-native",
          "azure-native:clientId": "c-native",
          "azure-native:clientSecret": "s-native",
          "azure-native:environment": "usgovernment",
        },
      ),
      {},
    );
    assert.deepEqual(
      [s.tenantId, s.clientId, s.method, s.graphRoot, s.authorityHost],
      ["t-native", "c-native", "secret", "https://graph.microsoft.us", "https://login.microsoftonline.us"],
    );
    assert.equal(s.origins.tenantId, "azure-native:tenantId");
    assert.equal(s.origins.clientSecret, undefined, "a secret's origin is not even recorded");
    s = resolveAuthSettings(
      config({ tenantId: "t-own", cloud: "AzureChinaCloud", useMsi: "true" }, { "azure-native:tenantId": "t-native" }),
      { ARM_TENANT_ID: "t-env" },
    );
    assert.deepEqual([s.tenantId, s.method, s.graphRoot], ["t-own", "msi", "https://microsoftgraph.chinacloudapi.cn"]);
    s = resolveAuthSettings(config({ clientCertificatePath: "cert.pem", tenantId: "t", clientId: "c" }), {});
    assert.deepEqual([s.method, s.clientCertificatePath], ["certificate", "/tmp/cert.pem"]);
    assert.equal(resolveAuthSettings(config({ useCli: "true" }), {}).method, "cli");
    assert.equal(resolveAuthSettings(config({}), {}).method, "default");
    assert.equal(
      resolveAuthSettings(config({ clientSecret: "x" }), { DEFENDER_RBAC_GRAPH_TOKEN: "t" }).method,
      "token",
    );
    assert.equal(cloudFor("AzureUSGovernment").graph, "https://graph.microsoft.us");
    assert.throws(() => cloudFor("mars"), /not a cloud this backend knows/);
  });

  it("the Graph root must be https unless it is a loopback emulator", () => {
    assert.equal(checkGraphRoot("https://graph.microsoft.com/"), "https://graph.microsoft.com");
    assert.equal(checkGraphRoot("https://graph.microsoft.com/beta"), "https://graph.microsoft.com");
    assert.equal(checkGraphRoot("http://127.0.0.1:4010"), "http://127.0.0.1:4010");
    assert.throws(() => checkGraphRoot("http://graph.example.com"), /must use https/);
    assert.throws(() => checkGraphRoot("not a url"), /is not a URL/);
  });

  it("secrets never appear in thrown errors: token echoed by the service, failing client-secret sign-in, failing credential", async () => {
    const SECRET = "fake-client-secret~Xy81_qPz0";
    // 1. static token, echoed back by a misbehaving service
    process.env.DEFENDER_RBAC_GRAPH_TOKEN = TOKEN;
    const b1 = await GraphBackend.fromConfig(
      config({ graphUrl: emu.url, clientSecret: SECRET, tenantId: "t", clientId: "c", graphRetryBaseMs: "1" }),
    );
    emu.setFaults({ echoAuth: { every: 1 } });
    const e1 = await b1.listRoles().then(
      () => undefined,
      (e: unknown) => e,
    );
    assert.ok(e1 instanceof Error);
    assertNoSecrets(e1, [TOKEN, SECRET]);
    emu.setFaults(null);

    // 2. a real client-secret sign-in that fails (no network sign-in: the authority host is refused at once)
    delete process.env.DEFENDER_RBAC_GRAPH_TOKEN;
    const b2 = await GraphBackend.fromConfig(
      config({
        graphUrl: emu.url,
        clientSecret: SECRET,
        tenantId: "11111111-2222-4333-8444-555555555555",
        clientId: "22222222-2222-4333-8444-555555555555",
        authorityHost: "http://127.0.0.1:1",
      }),
    );
    const e2 = await b2.listRoles().then(
      () => undefined,
      (e: unknown) => e,
    );
    assert.ok(e2 instanceof Error);
    assert.match(e2.message, /could not get a Microsoft Graph token with a client secret/);
    assertNoSecrets(e2, [SECRET]);

    // 3. a credential whose error repeats the secret and a token
    const redactor = new Redactor();
    const settings = resolveAuthSettings(
      config({ graphUrl: emu.url, clientSecret: SECRET, tenantId: "t", clientId: "c" }),
      {},
    );
    const leaky = {
      getToken: async () => {
        throw new Error(
          `AADSTS7000215: Invalid client secret provided: ${SECRET}; Authorization: Bearer eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJ4In0.sig`,
        );
      },
    };
    const source = createTokenSource(settings, redactor, leaky);
    const e3 = await source.getToken().then(
      () => undefined,
      (e: unknown) => e,
    );
    assert.ok(e3 instanceof Error);
    assert.match(e3.message, /\[REDACTED\]/);
    assertNoSecrets(e3, [SECRET, "eyJhbGciOiJSUzI1NiJ9"]);
    const b3 = new GraphBackend({ root: emu.url, token: source, redactor });
    const e4 = await b3.listRoles().then(
      () => undefined,
      (e: unknown) => e,
    );
    assertNoSecrets(e4, [SECRET, "eyJhbGciOiJSUzI1NiJ9"]);
  });

  it("a tenant where Unified RBAC is not active: the 403 is explained", async () => {
    emu.setOptions({ inactive: true });
    try {
      const { backend } = fastBackend(emu.url);
      await assert.rejects(backend.listRoles(), (e: Error) => {
        assert.match(e.message, /403 Forbidden/);
        assert.match(
          e.message,
          /Unified RBAC is not active in this tenant, or the token lacks RoleManagement\.Read\.Defender/,
        );
        return true;
      });
    } finally {
      emu.setOptions({ inactive: false });
    }
  });
});
