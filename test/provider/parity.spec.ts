/**
 * Real-tenant parity: a recorded catalogue round-trips (`catalog --backend graph --json` → emulator
 * `--catalogue` → record again), and the local backend in parity mode refuses and resolves exactly what
 * the Graph backend does against the emulator serving the same catalogue, with the same messages.
 */
import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import { run } from "../../provider/cli/program";
import { parseRecordedCatalogue, shippedTenantCatalogue } from "../../provider/backend/recorded";
import { startEmulator } from "../../provider/emulator";
import * as engine from "../../provider/engine";
import { raw } from "../graph/helpers";
import { tempDir } from "../harness/program";
import { FIXTURE_CATALOGUE, Targets } from "./targets";

function capture() {
  const out: string[] = [];
  const err: string[] = [];
  return { io: { out: (l: string) => out.push(l), err: (l: string) => err.push(l) }, out, err };
}

const UNPUBLISHED = [
  "Security operations \\ Raw data (Email & collaboration) \\ Email message headers (read)",
  "Security posture \\ Posture management \\ Secure Score (read)",
  "Authorization and settings \\ Security settings \\ Core security settings (read)",
];

describe("recorded catalogues and parity mode", function () {
  this.timeout(30_000);
  const targets = new Targets();
  before(() => targets.start());
  after(() => targets.stop());

  describe("the recorded catalogue format", () => {
    // the token is set by targets.start() and restored by targets.stop()
    it("catalog --backend graph --json records a tenant; an emulator serving the record records the same", async () => {
      const dir = tempDir("recorded");
      const first = await startEmulator({ catalogue: FIXTURE_CATALOGUE });
      const c1 = capture();
      try {
        assert.equal(await run(["catalog", "--backend", "graph", "--graph-url", first.url, "--json"], c1.io), 0);
      } finally {
        await first.close();
      }
      const file = path.join(dir, "tenant-catalogue.json");
      fs.writeFileSync(file, c1.out.join("\n"));
      const rec = parseRecordedCatalogue(fs.readFileSync(file, "utf8"), file);
      const fixture = parseRecordedCatalogue(fs.readFileSync(FIXTURE_CATALOGUE, "utf8"), FIXTURE_CATALOGUE);
      assert.equal(rec.sha256, fixture.sha256, "the recording holds exactly the tenant's actions and texts");
      assert.match(rec.recordedAt, /^\d{4}-\d\d-\d\dT/);
      const replay = await startEmulator({ catalogue: file });
      const c2 = capture();
      try {
        assert.match(replay.catalogue, new RegExp(`^recorded catalogue ${rec.sha256.slice(0, 12)}`));
        assert.equal(await run(["catalog", "--backend", "graph", "--graph-url", replay.url, "--json"], c2.io), 0);
      } finally {
        await replay.close();
      }
      assert.equal(JSON.parse(c2.out.join("\n")).sha256, rec.sha256);
    });

    it("an edited or malformed record is refused in one line naming the file", () => {
      const text = fs.readFileSync(FIXTURE_CATALOGUE, "utf8");
      const edited = text.replace("fixture-only-core/read", "fixture-only-core2/read");
      assert.throws(
        () => parseRecordedCatalogue(edited, "tenant.json"),
        /^Error: tenant\.json is not a usable recorded catalogue: "sha256" does not match its actions/,
      );
      assert.throws(
        () => parseRecordedCatalogue("{", "t.json"),
        /t\.json is not a usable recorded catalogue: it is not JSON/,
      );
      assert.throws(
        () => parseRecordedCatalogue(JSON.stringify({ format: "x", actions: [] }), "t.json"),
        /"format" must be "defender-rbac\.recorded-catalogue\/v1"/,
      );
    });

    it("the emulator serves the record and accepts only its strings", async () => {
      const emu = await startEmulator({ catalogue: FIXTURE_CATALOGUE });
      try {
        const ns = await raw(
          emu.url,
          "GET",
          "/beta/roleManagement/defender/resourceNamespaces?$expand=resourceActions",
        );
        const ids = (ns.json.value[0].resourceActions as { id: string }[]).map((a) => a.id);
        assert.ok(ids.includes("microsoft.xdr/configuration/security/fixture-only-core/read"));
        const post = (action: string) =>
          raw(emu.url, "POST", "/beta/roleManagement/defender/roleDefinitions", {
            displayName: `r ${action}`,
            rolePermissions: [{ allowedResourceActions: [action] }],
          });
        assert.equal((await post("microsoft.xdr/configuration/security/fixture-only-core/read")).status, 201);
        const plain = await startEmulator({});
        try {
          const r = await raw(plain.url, "POST", "/beta/roleManagement/defender/roleDefinitions", {
            displayName: "r",
            rolePermissions: [
              { allowedResourceActions: ["microsoft.xdr/configuration/security/fixture-only-core/read"] },
            ],
          });
          assert.equal(r.status, 400, "the shipped catalogue never lists a fixture string");
        } finally {
          await plain.close();
        }
      } finally {
        await emu.close();
      }
    });

    it("the shipped tenant catalogue holds no string the shipped catalogue does not give", () => {
      for (const a of shippedTenantCatalogue()) assert.doesNotMatch(a.action, /fixture/i);
    });
  });

  describe("local parity mode predicts the graph backend", () => {
    const cases: [string, engine.ResourceKind, Record<string, unknown>][] = [
      [
        "a role with unpublished permissions by name",
        "UnifiedRole",
        { displayName: "Tier 1", permissions: UNPUBLISHED },
      ],
      [
        "a role with published permissions",
        "UnifiedRole",
        { displayName: "Tier 1b", permissions: ["Security operations \\ Security data \\ Alerts (manage)"] },
      ],
      [
        "a role with a string the tenant does not list",
        "UnifiedRole",
        { displayName: "Tier 1c", permissions: ["microsoft.xdr/secops/securitydata/nosuchthing/read"] },
      ],
      ["an MDI import", "ImportedRole", { source: "mdi", role: "MDI viewer" }],
      ["an activation", "WorkloadActivation", { workload: "endpoint" }],
      ["a portal-managed activation", "WorkloadActivation", { workload: "endpoint", managedIn: "portal" }],
      ["an EOP role group import", "ImportedRole", { source: "mdo", role: "Security reader" }],
      [
        "an EOP role group import (Organization Management)",
        "ImportedRole",
        { source: "mdo", role: "Organization Management" },
      ],
      [
        "an EOP import with its members",
        "ImportedRole",
        { source: "mdo", role: "Quarantine", includeAssignments: true },
      ],
      [
        "an MDE import by permissions",
        "ImportedRole",
        {
          source: "mde",
          role: "Tier 2",
          permissions: ["Alerts investigation", "Manage security settings in the Security Center"],
        },
      ],
      ["an MDE import by name", "ImportedRole", { source: "mde", role: "SecOps tier 1" }],
    ];
    for (const [title, kind, news] of cases) {
      it(`${title}: same result as Graph, without and with the recorded catalogue`, async () => {
        for (const [graph, local] of [
          ["graph", "local parity"],
          ["graph+catalogue", "local parity+catalogue"],
        ] as const) {
          const g = await targets.check(graph, kind, news);
          const l = await targets.check(local, kind, news);
          assert.deepEqual(l.failures, g.failures, `${local} vs ${graph}`);
          assert.deepEqual(l.inputs.grants, g.inputs.grants, `${local} vs ${graph}: resolved grants`);
          if (!g.failures && kind !== "WorkloadActivation")
            assert.ok(Object.keys(g.inputs.grants ?? {}).length > 0, `${graph}: grants resolved`);
        }
      });
    }

    it("unpublished permissions: refused without a catalogue, fixture strings with one; plain local takes them", async () => {
      const news = { displayName: "Tier 1", permissions: UNPUBLISHED };
      const without = await targets.check("local parity", "UnifiedRole", news);
      assert.equal(without.failures?.length, 3);
      for (const f of without.failures!)
        assert.match(
          f.reason,
          /has no published Graph action string, and the graph backend's catalogue does not list one/,
        );
      const withRec = await targets.check("local parity+catalogue", "UnifiedRole", news);
      assert.equal(withRec.failures, undefined);
      assert.deepEqual(Object.keys(withRec.inputs.grants), [
        "microsoft.xdr/configuration/security/fixture-only-core/read",
        "microsoft.xdr/secops/rawdata/fixture-only-emailmetadata/read",
        "microsoft.xdr/securityposture/posturemanagement/fixture-only-exposuremanagement/read",
      ]);
      const plain = await targets.check("local", "UnifiedRole", news);
      assert.equal(plain.failures, undefined);
      // the tenant's strings are named after the permissions they stand for
      assert.deepEqual(Object.values(withRec.inputs.grants).sort(), Object.values(plain.inputs.grants).sort());
      assert.ok(Object.keys(plain.inputs.grants).every((a: string) => a.startsWith("urn:defender-rbac:permission:")));
    });

    it("a parity value that is neither graph nor a readable record fails in one line naming the key", async () => {
      await engine.configure({
        config: {
          rawConfig: {
            "defender-rbac:storePath": path.join(tempDir("parity"), "t.db"),
            "defender-rbac:parity": "missing.json",
          },
        },
      });
      await assert.rejects(
        engine.check("UnifiedRole", {}, { displayName: "x", permissions: ["microsoft.xdr/secops/*/read"] }),
        /^Error: defender-rbac:parity must be "graph" or a recorded catalogue file/,
      );
    });
  });
});
