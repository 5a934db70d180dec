/**
 * `defender-rbac review` on `pulumi preview --json` output produced by the real Pulumi CLI (fixtures:
 * a stack with a role assigned to SOC analysts over all data sources, previewed (1) with a new
 * "Security admins" role holding Authorization (manage) assigned to the SOC tier 2 group, whose roleId
 * is unknown at preview, and (2) with the SOC analysts assignment removed; the serialized provider text
 * is trimmed, nothing else is edited), and (3) the quickstart with a privileged permission added to the role
 * its assignment already hands out (an update). With and without a tenant; the gate's exit status.
 */
import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { TenantStore } from "../../provider/backend/store";
import { readPreview } from "../../provider/cli/preview";
import { UNKNOWN } from "../../provider/previewJson";
import { cli } from "./capture";

const FIXTURES = path.join(__dirname, "..", "..", "..", "test", "cli", "fixtures");
const PRIVILEGED = path.join(FIXTURES, "preview-privileged.json");
const REMOVE = path.join(FIXTURES, "preview-remove.json");
const REMOVE_SAMES = path.join(FIXTURES, "preview-remove-show-sames.json");
// the quickstart, previewed with Advanced live response added to its SOC analyst role (an update)
const UPDATE_SAMES = path.join(FIXTURES, "preview-update-show-sames.json");
const TIER2 = "33333333-3333-4333-8333-000000000001";
const SOC = "8e811502-2c2a-4d1b-9c5e-1f0b2e4f9a10";

interface ReviewJson {
  summary: { principals: number; gained: number; lost: number; privilegedGained: number; privilegedLost: number };
  changes: {
    principalId: string;
    workload: string;
    label: string;
    privileged: boolean;
    change: string;
    principal: { displayName: string };
  }[];
  resources: { op: string; kind: string; name: string }[];
}

describe("defender-rbac review", () => {
  let dir: string;
  let store: string;
  before(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), "review-cli-"));
    store = path.join(dir, "tenant.db");
    new TenantStore(store).close(); // a fresh seeded tenant: Mdc active, the sample directory
  });
  after(() => fs.rmSync(dir, { recursive: true, force: true }));

  it("reads the preview: the new assignment's unknown roleId follows its dependency to the new role", () => {
    const p = readPreview(fs.readFileSync(PRIVILEGED, "utf8"));
    const raw = JSON.parse(fs.readFileSync(PRIVILEGED, "utf8")) as {
      steps: { newState?: { inputs?: { roleId?: string } } }[];
    };
    assert.ok(
      raw.steps.some((s) => s.newState?.inputs?.roleId === UNKNOWN),
      "the fixture has an unknown roleId",
    );
    const a = p.after.assignments.find((x) => x.displayName === "sec-admins-all")!;
    const role = p.after.roles.find((r) => r.displayName === "Security admins")!;
    assert.equal(a.roleDefinitionId, role.id);
    assert.match(role.id, /^pending:urn:pulumi:.*UnifiedRole::sec-admins$/);
    assert.deepEqual(role.actions, ["microsoft.xdr/configuration/authorization/manage"]);
    assert.equal(p.before.assignments.length, 0, "without --show-sames, unchanged resources are not listed");
    assert.deepEqual(
      p.resources.map((r) => `${r.op} ${r.kind} ${r.name}`),
      ["create UnifiedRole sec-admins", "create RoleAssignment sec-admins-all"],
    );
  });

  it("reads a role's permission set from its planned grants (canonical key -> label) when no actions list is planned", () => {
    const raw = JSON.parse(fs.readFileSync(PRIVILEGED, "utf8")) as {
      steps: { newState?: { type?: string; inputs?: Record<string, unknown> } }[];
    };
    for (const s of raw.steps) {
      const i = s.newState?.inputs;
      if (!i || !String(s.newState?.type).endsWith("UnifiedRole")) continue;
      i.grants = Object.fromEntries((i.actions as string[]).map((k) => [k, k]));
      delete i.actions;
      delete i.resolvedPermissions;
    }
    const p = readPreview(JSON.stringify(raw));
    const role = p.after.roles.find((r) => r.displayName === "Security admins")!;
    assert.deepEqual(role.actions, ["microsoft.xdr/configuration/authorization/manage"]);
  });

  it("a role updated in place keeps its id: the unchanged assignment that hands it out gains what the role gains", async () => {
    const p = readPreview(fs.readFileSync(UPDATE_SAMES, "utf8"));
    const [before] = p.before.roles.filter((r) => r.displayName === "SOC analyst");
    const [after] = p.after.roles.filter((r) => r.displayName === "SOC analyst");
    assert.equal(after.id, before.id, "the engine leaves the id out of an update's new state; the role keeps it");
    assert.doesNotMatch(after.id, /^pending:/);
    assert.equal(p.after.assignments[0].roleDefinitionId, after.id);
    const r = await cli("review", "--preview", UPDATE_SAMES, "--format", "json");
    assert.equal(r.code, 0, r.err.join("\n"));
    const j = JSON.parse(r.out[0]) as ReviewJson;
    assert.deepEqual(
      j.changes.map((c) => `${c.principalId} ${c.workload} ${c.change} ${c.privileged ? "privileged " : ""}${c.label}`),
      ["Mde", "Mdi"].map(
        (w) => `${SOC} ${w} gained privileged Security operations \\ Security data \\ Advanced live response (manage)`,
      ),
    );
    const gate = await cli("review", "--preview", UPDATE_SAMES, "--fail-on-privileged");
    assert.equal(gate.code, 3, "the gate closes on a privileged permission added to a role already handed out");
  });

  it("a privileged grant added: Markdown for the PR comment, privileged first, and the gate", async () => {
    const md = await cli("review", "--preview", PRIVILEGED, "--format", "md");
    assert.equal(md.code, 0, md.err.join("\n"));
    const text = md.out.join("\n");
    assert.match(text, /^## Defender XDR access review$/m);
    assert.match(text, /\*\*⚠ 5 privileged grants added\.\*\*/);
    assert.match(text, new RegExp(`^### ⚠ ${TIER2}$`, "m"));
    const rows = text.split("\n").filter((l) => l.startsWith("| ➕"));
    assert.match(
      rows[0],
      /^\| ➕ gained \*\*privileged\*\* \| all \| Authorization and settings \\\\ Authorization \(manage\) \| assignment "sec-admins-all" → role "Security admins" \(all data sources\) \|$/,
    );
    assert.match(rows[1], /Authorization \(read\)/);
    const gate = await cli("review", "--preview", PRIVILEGED, "--format", "md", "--fail-on-privileged");
    assert.equal(gate.code, 3);
    assert.deepEqual(gate.err, [
      "defender-rbac review: the change grants 5 privileged permissions (--fail-on-privileged)",
    ]);
  });

  it("against the tenant: names, nested members and inactive workloads count", async () => {
    const r = await cli("review", "--preview", PRIVILEGED, "--store", store, "--format", "json");
    assert.equal(r.code, 0, r.err.join("\n"));
    const j = JSON.parse(r.out[0]) as ReviewJson;
    // only Mdc is active in a fresh tenant: the grant reaches Mdc, to the group and to its member Lee Gu
    const priv = j.changes.filter((c) => c.privileged);
    assert.deepEqual(priv.map((c) => `${c.principal.displayName} ${c.workload} ${c.change}`).sort(), [
      "Lee Gu Mdc gained",
      "SOC tier 2 Mdc gained",
    ]);
    assert.equal(j.summary.privilegedGained, 2);
  });

  it("access removed: every principal that loses, nothing gained, the gate stays open", async () => {
    const r = await cli(
      "review",
      "--preview",
      REMOVE_SAMES,
      "--store",
      store,
      "--format",
      "json",
      "--fail-on-privileged",
    );
    assert.equal(r.code, 0, r.err.join("\n"));
    const j = JSON.parse(r.out[0]) as ReviewJson;
    assert.equal(j.summary.gained, 0);
    assert.ok(j.summary.lost > 0);
    assert.deepEqual([...new Set(j.changes.map((c) => c.principal.displayName))].sort(), [
      "Lee Gu",
      "Megan Bowen",
      "SOC analysts",
      "SOC tier 2",
    ]);
    assert.ok(j.changes.every((c) => c.change === "lost" && c.workload === "Mdc"));
    assert.deepEqual(j.resources, [
      {
        op: "delete",
        kind: "RoleAssignment",
        name: "soc-analyst-all",
        urn: "urn:pulumi:dev::review-demo::pulumi-nodejs:dynamic/defender-rbac:RoleAssignment::soc-analyst-all",
      },
    ]);
    const md = await cli("review", "--preview", REMOVE_SAMES, "-o", path.join(dir, "review.md"));
    assert.equal(md.code, 0);
    const written = fs.readFileSync(path.join(dir, "review.md"), "utf8");
    assert.match(written, new RegExp(`### ${SOC}\\n`));
    assert.match(written, /[^\n]\n$/, "the file ends in one newline");
    assert.deepEqual(
      [md.out, md.err],
      [[], [`wrote ${path.join(dir, "review.md")}`]],
      "-o: the file, and a line saying so",
    );
  });

  it("access removed, without a tenant: from a --show-sames preview; without it, a note says what to do", async () => {
    const r = await cli("review", "--preview", REMOVE_SAMES, "--format", "json");
    const j = JSON.parse(r.out[0]) as ReviewJson & { notes: string[] };
    assert.deepEqual([...new Set(j.changes.map((c) => c.principalId))], [SOC]);
    assert.deepEqual([...new Set(j.changes.map((c) => c.workload))], ["Mde", "Mdo", "Mdi", "Mdc", "Mda"]);
    assert.equal(j.summary.gained, 0);
    const bare = JSON.parse((await cli("review", "--preview", REMOVE, "--format", "json")).out[0]) as ReviewJson & {
      notes: string[];
    };
    assert.equal(bare.changes.length, 0);
    assert.ok(bare.notes.some((n) => /neither in the preview nor in the tenant.*--show-sames/.test(n)));
  });

  it("bad input: one line naming --preview and the fix", async () => {
    const bad = path.join(dir, "bad.json");
    fs.writeFileSync(bad, "Previewing update (dev):\n");
    const r = await cli("review", "--preview", bad);
    assert.equal(r.code, 1);
    assert.equal(r.err.length, 1);
    assert.match(r.err[0], /--preview .*bad\.json is not JSON .*give the output of `pulumi preview --json`/);
    const missing = await cli("review", "--preview", path.join(dir, "nope.json"));
    assert.equal(missing.code, 1);
    assert.match(missing.err[0], /--preview: cannot read .*nope\.json \(ENOENT\)/);
    const noSteps = path.join(dir, "nosteps.json");
    fs.writeFileSync(noSteps, JSON.stringify({ diagnostics: [] }));
    assert.match((await cli("review", "--preview", noSteps)).err[0], /has no "steps"/);
  });
});
