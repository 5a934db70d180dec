/**
 * `defender-rbac activation-plan` on a fresh local tenant (the seed: Mdc active, legacy roles with
 * members, a Global administrator and a Security reader): who gains and who loses what if a workload
 * is activated now.
 */
import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { TenantStore } from "../../provider/backend/store";
import { cli } from "./capture";

interface PlanJson {
  changes: {
    principal: { displayName: string };
    workload: string;
    label: string;
    privileged: boolean;
    change: string;
  }[];
}

describe("defender-rbac activation-plan", () => {
  let dir: string;
  let store: string;
  before(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), "activation-plan-"));
    store = path.join(dir, "tenant.db");
    new TenantStore(store).close();
  });
  after(() => fs.rmSync(dir, { recursive: true, force: true }));

  it("activating Defender for Office 365: legacy role holders lose their grants there, privileged first", async () => {
    const r = await cli("activation-plan", "--store", store, "--workload", "office365", "--format", "json");
    assert.equal(r.code, 0, r.err.join("\n"));
    const j = JSON.parse(r.out[0]) as PlanJson;
    assert.ok(
      j.changes.every((c) => c.workload === "Mdo" && c.change === "lost"),
      "nothing assigned in Unified RBAC yet",
    );
    const org = j.changes.filter((c) => c.principal.displayName === "Organization Management 1");
    assert.equal(org[0].label, "Authorization and settings \\ Authorization (manage)");
    assert.ok(org[0].privileged);
    assert.ok(!j.changes.some((c) => c.principal.displayName === "Alex Wilber"), "Entra roles apply either way in MDO");
  });

  it("activating Defender for Endpoint: the Security reader gains MDE data; Markdown titled for the workload", async () => {
    const r = await cli("activation-plan", "--store", store, "--workload", "endpoint");
    assert.equal(r.code, 0, r.err.join("\n"));
    const text = r.out.join("\n");
    assert.match(text, /^## Activating Unified RBAC for Microsoft Defender for Endpoint .*\(Mde\) now$/m);
    assert.match(text, /^### ⚠? ?Alex Wilber \(user, alex\.wilber@contoso\.example, .*\)$/m);
    assert.match(
      text,
      /\| ➕ gained \| Mde \| Security posture \\\\ Posture management \\\\ Vulnerability management \(read\) \| Entra role Security reader \|/,
    );
    assert.match(
      text,
      /\| ➖ lost \*\*privileged\*\* \| Mde \| Security operations \\\\ Security data \\\\ Advanced live response \(manage\) \| legacy MDE role "Tier 2 responder"/,
    );
  });

  it("an unknown workload is refused in one line", async () => {
    const r = await cli("activation-plan", "--store", store, "--workload", "endpont");
    assert.equal(r.code, 1);
    assert.match(r.err[0], /--workload: unknown workload "endpont"/);
  });
});
