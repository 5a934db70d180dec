/**
 * The README's parity table ("What works where") is behaviour: every row is checked on the local backend
 * and on the graph backend against the emulator, without and with the recorded catalogue fixture. A row's
 * cell must say what happens ("works", "works with a recorded catalogue", "refused at preview"), and a
 * refusal's advice must be what the failure itself says (every `code` span of the advice appears in it).
 */
import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import type { ResourceKind } from "../../provider/engine";
import { BUILT_IN_GLOBAL_ADMIN, P1, U } from "./helpers";
import { Targets } from "./targets";

const README = path.resolve(__dirname, "..", "..", "..", "README.md");
const PENDING = [U]; // an authorization assignment the same stack creates (unknown in preview)

/** One input per row, keyed by the row's first cell. */
const CASES: Record<string, [ResourceKind, Record<string, unknown>]> = {
  "`UnifiedRole` with published permissions (e.g. *Alerts (manage)*, `microsoft.xdr/secops/*/read`)": [
    "UnifiedRole",
    {
      displayName: "t",
      permissions: ["Security operations \\ Security data \\ Alerts (manage)", "microsoft.xdr/secops/*/read"],
    },
  ],
  "`UnifiedRole` with permissions that have no published action string (*Email message headers (read)*, *Secure Score (read)*)":
    [
      "UnifiedRole",
      {
        displayName: "t",
        permissions: [
          "Security operations \\ Raw data (Email & collaboration) \\ Email message headers (read)",
          "Security posture \\ Posture management \\ Secure Score (read)",
        ],
      },
    ],
  "`RoleAssignment` over all data sources, workloads or scopes": [
    "RoleAssignment",
    {
      roleId: BUILT_IN_GLOBAL_ADMIN,
      displayName: "t",
      principals: [P1],
      scope: { kind: "workloads", workloads: ["endpoint"] },
    },
  ],
  "`ImportedRole` `mdo` role group whose mapping is all published (e.g. *Quarantine*)": [
    "ImportedRole",
    { source: "mdo", role: "Quarantine" },
  ],
  "`ImportedRole` `mdo` role group with unpublished permissions (e.g. *Security reader*, *Organization Management*)": [
    "ImportedRole",
    { source: "mdo", role: "Security reader" },
  ],
  "`ImportedRole` `mdo` with `includeAssignments`": [
    "ImportedRole",
    { source: "mdo", role: "Quarantine", includeAssignments: true },
  ],
  "`ImportedRole` `mde` with `permissions` (e.g. *Alerts investigation*)": [
    "ImportedRole",
    { source: "mde", role: "Tier 1", permissions: ["View data - Security operations", "Alerts investigation"] },
  ],
  "`ImportedRole` `mde` with `permissions` mapping to unpublished ones (*Manage security settings in the Security Center*)":
    ["ImportedRole", { source: "mde", permissions: ["Manage security settings in the Security Center"] }],
  "`ImportedRole` `mde` by `role` name only": ["ImportedRole", { source: "mde", role: "Tier 2 responder" }],
  "`ImportedRole` `mde` with `includeAssignments`": [
    "ImportedRole",
    { source: "mde", role: "Tier 2 responder", includeAssignments: true },
  ],
  "`ImportedRole` `mdi`, members copied with `includeAssignments` (*MDI admin*, *MDI viewer*: their mappings include unpublished permissions)":
    ["ImportedRole", { source: "mdi", role: "MDI admin", includeAssignments: true }],
  '`WorkloadActivation` switched through the API (`managedIn: "api"`, the default)': [
    "WorkloadActivation",
    { workload: "endpoint", authorizationAssignments: PENDING },
  ],
  '`WorkloadActivation` with `managedIn: "portal"` (checks run, nothing is switched)': [
    "WorkloadActivation",
    { workload: "endpoint", managedIn: "portal", authorizationAssignments: PENDING },
  ],
  '`WorkloadActivation` `office365` with `exchangeOnline` and `managedIn: "portal"`': [
    "WorkloadActivation",
    { workload: "office365", exchangeOnline: true, managedIn: "portal", authorizationAssignments: PENDING },
  ],
};

function readTable(): { row: string; local: string; graph: string }[] {
  const text = fs.readFileSync(README, "utf8");
  const m = /<!-- parity-table:start -->\n([\s\S]*?)<!-- parity-table:end -->/.exec(text);
  assert.ok(m, "README has the parity table");
  return m[1]
    .trim()
    .split("\n")
    .slice(2)
    .map((line) => {
      const cells = line.split(" | ").map((c) => c.replace(/^\|\s*|\s*\|$/g, "").trim());
      assert.equal(cells.length, 3, `a row of three cells: ${line}`);
      return { row: cells[0], local: cells[1], graph: cells[2] };
    });
}

type Outcome = { verdict: "works" | "works with a recorded catalogue" | "refused at preview"; reasons: string };

describe("README parity table matches behaviour", function () {
  this.timeout(60_000);
  const targets = new Targets();
  before(() => targets.start());
  after(() => targets.stop());

  async function outcome(kind: ResourceKind, news: Record<string, unknown>, graph: boolean): Promise<Outcome> {
    const first = await targets.check(graph ? "graph" : "local", kind, news);
    if (!first.failures) return { verdict: "works", reasons: "" };
    if (graph && !(await targets.check("graph+catalogue", kind, news)).failures)
      return { verdict: "works with a recorded catalogue", reasons: "" };
    return {
      verdict: "refused at preview",
      reasons: first.failures.map((f) => `${f.property}: ${f.reason}`).join("\n"),
    };
  }

  function assertCell(cell: string, got: Outcome, where: string) {
    const verdict = cell.startsWith("refused at preview") ? "refused at preview" : cell;
    assert.equal(
      got.verdict,
      verdict,
      `${where}: the table says "${cell}"${got.reasons ? `; failures:\n${got.reasons}` : ""}`,
    );
    if (verdict === "refused at preview") {
      const advice = cell.slice("refused at preview".length);
      const spans = [...advice.matchAll(/`([^`]+)`/g)].map((x) => x[1]);
      assert.ok(spans.length > 0, `${where}: a refusal says what to do instead`);
      for (const s of spans) assert.ok(got.reasons.includes(s), `${where}: the failure names ${s}:\n${got.reasons}`);
    }
  }

  const rows = readTable();
  it("every row has a case and every case a row", () => {
    assert.deepEqual(rows.map((r) => r.row).sort(), Object.keys(CASES).sort());
  });
  for (const r of rows) {
    it(r.row, async () => {
      const c = CASES[r.row];
      assert.ok(c, "a case for the row");
      assertCell(r.local, await outcome(c[0], c[1], false), "local");
      assertCell(r.graph, await outcome(c[0], c[1], true), "graph");
    });
  }
});
