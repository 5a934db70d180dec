/**
 * `defender-rbac export`: every page is read, the JSON has exactly the documented shape, the
 * TypeScript program parses and adopts every custom role and assignment, and export never writes.
 */
import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import * as ts from "typescript";
import { TenantStore } from "../../provider/backend/store";
import { ExportData, readTenant, toTypeScript } from "../../provider/cli/export";
import { run } from "../../provider/cli/program";
import { capture } from "../cli/capture";
import { emulatorCommand } from "../../provider/cli/emulator";
import { RunningEmulator, startEmulator } from "../../provider/emulator";
import { TOKEN, fastBackend, guid, tempDir } from "./helpers";

function syntaxErrors(source: string): string[] {
  const sf = ts.createSourceFile("index.ts", source, ts.ScriptTarget.ES2022, true, ts.ScriptKind.TS);
  const diags = (sf as unknown as { parseDiagnostics: ts.Diagnostic[] }).parseDiagnostics ?? [];
  return diags.map((d) => ts.flattenDiagnosticMessageText(d.messageText, "\n"));
}

/** Every `new X("name", { … adopt: "id" … })` call of the program, read with the compiler API. */
function resourcesOf(source: string): { kind: string; name: string; props: Record<string, string> }[] {
  const sf = ts.createSourceFile("index.ts", source, ts.ScriptTarget.ES2022, true, ts.ScriptKind.TS);
  const out: { kind: string; name: string; props: Record<string, string> }[] = [];
  const visit = (n: ts.Node) => {
    if (ts.isNewExpression(n) && ts.isIdentifier(n.expression) && n.arguments?.length === 2) {
      const [name, obj] = n.arguments;
      if (ts.isStringLiteral(name) && ts.isObjectLiteralExpression(obj)) {
        const props: Record<string, string> = {};
        for (const p of obj.properties)
          if (ts.isPropertyAssignment(p) && ts.isIdentifier(p.name))
            props[p.name.text] = ts.isStringLiteral(p.initializer) ? p.initializer.text : p.initializer.getText(sf);
        out.push({ kind: n.expression.text, name: name.text, props });
      }
    }
    ts.forEachChild(n, visit);
  };
  visit(sf);
  return out;
}

describe("defender-rbac export", () => {
  let dir: string;
  let emu: RunningEmulator;
  const saved = { ...process.env };
  const ROLES = 23;

  before(async () => {
    dir = tempDir();
    emu = await startEmulator({
      store: path.join(dir, "tenant.db"),
      pageSize: 4,
      faults: { throttle: { every: 4, retryAfter: 0 } },
    });
    const s = emu.store;
    const tricky = [
      `O'Brien "quoted" role`,
      "line\nbreak */ role",
      "123 numeric",
      "class",
      "SOC analyst",
      "SOC analyst",
      "Ünïcödé ☃ role",
      "\u2028separator",
    ];
    const roles = [];
    for (let i = 0; i < ROLES; i++) {
      const name = tricky[i] ?? `bulk role ${i}`;
      roles.push(
        s.createRole({
          displayName: name,
          description: i % 2 ? `desc ${i}` : "",
          actions:
            i % 3
              ? ["microsoft.xdr/secops/securitydata/basics/read", "microsoft.xdr/configuration/system/manage"]
              : ["microsoft.xdr/secops/*/read"],
        }),
      );
    }
    s.createAssignment({
      displayName: "tier 1",
      roleDefinitionId: roles[4].id,
      principalIds: [guid(1), guid(2)],
      appScopeIds: ["Mde", "Mdo"],
    });
    s.createAssignment({
      displayName: "tier 1",
      roleDefinitionId: roles[5].id,
      principalIds: [guid(3)],
      appScopeIds: ["Mdc", "/CloudSet/123"],
    });
    s.createAssignment({
      displayName: "readers everywhere",
      roleDefinitionId: s.listRoles().find((r) => r.isBuiltIn)!.id,
      principalIds: [guid(4)],
      appScopeIds: ["/"],
    });
    s.createAssignment({
      displayName: "weird scope",
      roleDefinitionId: roles[0].id,
      principalIds: [guid(5)],
      appScopeIds: ["/CloudSet/9", "/SentinelScope/ws-1"],
    });
  });
  after(async () => {
    await emu.close();
    for (const k of Object.keys(process.env)) if (!(k in saved)) delete process.env[k];
    Object.assign(process.env, saved);
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it("reads every page: all roles and assignments, whatever the page size", async () => {
    const { backend } = fastBackend(emu.url);
    const data = await readTenant(backend);
    assert.equal(data.roles.filter((r) => !r.isBuiltIn).length, ROLES);
    assert.equal(data.roles.length, emu.store.listRoles().length);
    assert.equal(data.assignments.length, 4);
    assert.ok(emu.stats().fired.throttle > 0, "paged under throttling");
  });

  it("--format json over graph: exactly the documented shape", async () => {
    process.env.DEFENDER_RBAC_GRAPH_TOKEN = TOKEN;
    process.env.DEFENDER_RBAC_GRAPH_URL = emu.url;
    const c = capture();
    assert.equal(await run(["export", "--backend", "graph", "--format", "json"], c.io), 0, c.err.join("\n"));
    const data = JSON.parse(c.out.join("\n")) as ExportData;
    assert.deepEqual(Object.keys(data), ["roles", "assignments"]);
    for (const r of data.roles) {
      assert.deepEqual(Object.keys(r), ["id", "displayName", "description", "isBuiltIn", "actions", "permissions"]);
      assert.ok(Array.isArray(r.actions) && Array.isArray(r.permissions));
    }
    for (const a of data.assignments)
      assert.deepEqual(Object.keys(a), ["id", "displayName", "roleDefinitionId", "principalIds", "appScopeIds"]);
    const basics = data.roles.find((r) => r.actions.includes("microsoft.xdr/secops/securitydata/basics/read"))!;
    assert.ok(basics.permissions.includes("Security operations \\ Security data \\ Security data basics (read)"));
    assert.equal(data.roles.filter((r) => !r.isBuiltIn).length, ROLES);
    assert.deepEqual(data.assignments.find((a) => a.appScopeIds.includes("Mdc"))!.appScopeIds, [
      "/CloudSet/123",
      "Mdc",
    ]);
  });

  it("--format ts: a program that parses, adopts every custom role and assignment, and references built-ins by id", async () => {
    const c = capture();
    assert.equal(
      await run(["export", "--backend", "graph", "--format", "ts", "--graph-url", emu.url], c.io),
      0,
      c.err.join("\n"),
    );
    const program = c.out.join("\n");
    assert.deepEqual(syntaxErrors(program), []);
    assert.match(program, /^import \{ UnifiedRole, RoleAssignment \} from "pulumi-defender-rbac";$/m);
    const res = resourcesOf(program);
    const roles = res.filter((r) => r.kind === "UnifiedRole");
    const assignments = res.filter((r) => r.kind === "RoleAssignment");
    const custom = emu.store.listRoles().filter((r) => !r.isBuiltIn);
    assert.equal(roles.length, custom.length);
    assert.deepEqual(roles.map((r) => r.props.adopt).sort(), custom.map((r) => r.id).sort());
    for (const r of roles)
      assert.equal(
        r.props.displayName,
        custom.find((x) => x.id === r.props.adopt)!.displayName,
        "names survive escaping",
      );
    assert.deepEqual(
      assignments.map((a) => a.props.adopt).sort(),
      emu.store
        .listAssignments()
        .map((a) => a.id)
        .sort(),
    );
    // unique Pulumi names, and built-in roles referenced by id rather than managed
    assert.equal(new Set(res.map((r) => `${r.kind}:${r.name}`)).size, res.length);
    const builtIn = emu.store.listRoles().find((r) => r.isBuiltIn)!;
    assert.equal(assignments.find((a) => a.props.displayName === "readers everywhere")!.props.roleId, builtIn.id);
    assert.match(
      assignments.find((a) => a.props.principals.includes(guid(3)))!.props.roleId,
      /^[a-z][A-Za-z0-9]*\.id$/,
    );
    assert.match(program, /scope: \{ kind: "workloads", workloads: \["endpoint", "office365"\] \}/);
    assert.match(program, /scope: \{ kind: "scopes", scopes: \["\/CloudSet\/123"\], workloads: \["cloud"\] \}/);
    assert.match(
      program,
      /"microsoft\.xdr\/configuration\/system\/manage", \/\/ Authorization and settings \\ System settings \(manage\)/,
    );
  });

  it("ts output keeps local keys as catalogue ids and always produces valid identifiers", () => {
    const data: ExportData = {
      roles: [
        {
          id: "r1",
          displayName: "",
          description: "",
          isBuiltIn: false,
          actions: ["urn:defender-rbac:permission:configuration.security.core:read"],
          permissions: [],
        },
        { id: "r2", displayName: "const", description: "x", isBuiltIn: false, actions: [], permissions: [] },
        {
          id: "r3",
          displayName: "const",
          description: "y",
          isBuiltIn: false,
          actions: ["microsoft.xdr/secops/*/read"],
          permissions: [],
        },
      ],
      assignments: ["r1", "r2", "r3", "gone"].map((roleDefinitionId, i) => ({
        id: `a${i}`,
        displayName: "",
        roleDefinitionId,
        principalIds: [guid(i)],
        appScopeIds: ["/"],
      })),
    };
    const program = toTypeScript(data, "local");
    assert.deepEqual(syntaxErrors(program), []);
    assert.match(program, /"configuration\.security\.core:read",/);
    assert.match(program, /const role = new UnifiedRole\("role", \{/);
    assert.match(program, /const constRole = new UnifiedRole\("const", \{/);
    assert.match(program, /const constRole2 = new UnifiedRole\("const-2", \{/);
    assert.match(program, /NOTE: this role holds no permissions/);
    assert.match(program, /roleId: "gone", \/\/ NOTE: no role with this id was found/);
  });

  it("--backend local reads a store without writing it, and never creates one", async () => {
    const file = path.join(dir, "local.db");
    const s = new TenantStore(file);
    s.createRole({
      displayName: "local role",
      description: "",
      actions: ["microsoft.xdr/secops/*/read", "urn:defender-rbac:permission:configuration.security.core:read"],
    });
    s.close();
    const snapshot = () =>
      fs
        .readdirSync(dir)
        .filter((f) => f.startsWith("local.db"))
        .map((f) => [f, fs.readFileSync(path.join(dir, f)).toString("base64")]);
    const before = snapshot();
    const c = capture();
    assert.equal(
      await run(["export", "--backend", "local", "--store", file, "--format", "json"], c.io),
      0,
      c.err.join("\n"),
    );
    const data = JSON.parse(c.out.join("\n")) as ExportData;
    const role = data.roles.find((r) => r.displayName === "local role")!;
    assert.deepEqual(role.actions, [
      "microsoft.xdr/secops/*/read",
      "urn:defender-rbac:permission:configuration.security.core:read",
    ]);
    assert.ok(
      role.permissions.includes("Authorization and settings \\ Security settings \\ Core security settings (read)"),
    );
    assert.deepEqual(snapshot(), before, "the store files are unchanged");

    const missing = path.join(dir, "nope", "tenant.db");
    const c2 = capture();
    assert.equal(await run(["export", "--backend", "local", "--store", missing], c2.io), 1);
    assert.match(c2.err.join("\n"), /no local tenant store/);
    assert.equal(fs.existsSync(path.dirname(missing)), false);
  });

  it("round trip: an export seeds `defender-rbac emulator`, which then serves the same tenant", async () => {
    const c = capture();
    assert.equal(await run(["export", "--backend", "graph", "--format", "json", "--graph-url", emu.url], c.io), 0);
    const seedFile = path.join(dir, "seed.json");
    fs.writeFileSync(seedFile, c.out.join("\n"));
    const exported = JSON.parse(c.out.join("\n")) as ExportData;
    const log = capture();
    const code = await emulatorCommand(
      {
        port: "0",
        store: path.join(dir, "replay.db"),
        seed: seedFile,
        faults: "throttle:every=2,retryAfter=0",
        pageSize: "5",
      },
      log.io,
      async (replay) => {
        assert.match(log.out[0], /^DEFENDER_RBAC_GRAPH_URL=http:\/\/127\.0\.0\.1:\d+$/);
        const again = await readTenant(fastBackend(replay.url).backend);
        const key = (d: ExportData) =>
          JSON.stringify({ roles: d.roles.filter((r) => !r.isBuiltIn), assignments: d.assignments });
        assert.equal(key(again), key(exported));
        assert.ok(replay.stats().fired.throttle > 0);
        // faults switch at run time through the control endpoint
        assert.equal(log.out[1], `DEFENDER_RBAC_EMULATOR_TOKEN=${replay.controlToken}`);
        const control = { "X-Emulator-Token": replay.controlToken, "Content-Type": "application/json" };
        const set = await fetch(`${replay.url}/_emulator/faults`, {
          method: "POST",
          headers: control,
          body: JSON.stringify({ spec: "unavailable:every=1,limit=1" }),
        });
        assert.equal(set.status, 200);
        assert.deepEqual(await set.json(), { unavailable: { every: 1, limit: 1 } });
        assert.equal(
          (
            await fetch(`${replay.url}/beta/roleManagement/defender/roleDefinitions`, {
              headers: { Authorization: "Bearer x" },
            })
          ).status,
          503,
        );
        assert.equal(
          (
            await fetch(`${replay.url}/beta/roleManagement/defender/roleDefinitions`, {
              headers: { Authorization: "Bearer x" },
            })
          ).status,
          200,
        );
        const stats = (await (await fetch(`${replay.url}/_emulator/stats`, { headers: control })).json()) as {
          fired: { unavailable: number };
        };
        assert.equal(stats.fired.unavailable, 1);
      },
    );
    assert.equal(code, 0, log.err.join("\n"));
  });

  it("fails clearly on a bad option or an unreachable tenant", async () => {
    const c = capture();
    assert.equal(await run(["export", "--backend", "nowhere"], c.io), 2);
    const c2 = capture();
    assert.equal(await run(["export", "--backend", "graph", "--graph-url", "http://graph.example.com"], c2.io), 1);
    assert.match(c2.err.join("\n"), /must use https/);
  });
});
