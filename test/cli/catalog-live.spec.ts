/** `defender-rbac catalog --backend graph`: the tenant's own catalogue, against the Graph emulator. */
import assert from "node:assert/strict";
import { startEmulator, RunningEmulator } from "../../provider/emulator";
import { run } from "../../provider/cli/program";
import { capture } from "./capture";

describe("defender-rbac catalog --backend graph", () => {
  let emu: RunningEmulator;
  const saved = process.env.DEFENDER_RBAC_GRAPH_TOKEN;
  before(async () => {
    emu = await startEmulator({});
    process.env.DEFENDER_RBAC_GRAPH_TOKEN = "catalog-test-token";
  });
  after(async () => {
    await emu.close();
    if (saved === undefined) delete process.env.DEFENDER_RBAC_GRAPH_TOKEN;
    else process.env.DEFENDER_RBAC_GRAPH_TOKEN = saved;
  });

  it("lists the live actions, each with what the shipped catalogue knows of it", async () => {
    const c = capture();
    const code = await run(["catalog", "--backend", "graph", "--graph-url", emu.url, "--json"], c.io);
    assert.equal(code, 0, c.err.join("\n"));
    const doc = JSON.parse(c.out.join("\n"));
    assert.equal(doc.backend, "graph");
    const alerts = doc.actions.find(
      (a: { action: string }) => a.action === "microsoft.xdr/secops/securitydata/alerts/manage",
    );
    assert.ok(alerts, "the alerts action is listed");
    assert.match(alerts.shipped, /secops\.securitydata\.alerts:manage \(documented\)/);
    assert.ok(!c.out.join("\n").includes("catalog-test-token"));
  });

  it("the local backend has no live catalogue: a clear message and a non-zero exit", async () => {
    const c = capture();
    const code = await run(["catalog", "--backend", "local", "--store", "/nonexistent/tenant.db"], c.io);
    assert.notEqual(code, 0);
    assert.match(c.err.join("\n"), /no local tenant store at \/nonexistent\/tenant\.db/);
  });
});
