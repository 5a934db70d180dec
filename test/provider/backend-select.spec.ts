/**
 * Backend selection by stack config: `defender-rbac:backend` names local, graph, or a module of the
 * user's own that exports createBackend(config). A backend that lacks a capability fails at check.
 */
import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import { check, configure, create, remove } from "../../provider/engine";
import { TenantStore } from "../../provider/backend/store";
import { tempDir } from "../harness/program";

const DIST_BACKEND = path.resolve(__dirname, "..", "..", "provider", "backend", "local.js");

/** Writes a custom backend module: the local store, named "acme", without activation or legacy import. */
function customBackendModule(dir: string, store: string): string {
  const file = path.join(dir, "acme-backend.js");
  fs.writeFileSync(
    file,
    `
    const { LocalBackend } = require(${JSON.stringify(DIST_BACKEND)});
    exports.createBackend = (config) => {
      const inner = LocalBackend.open(${JSON.stringify(store)});
      const b = Object.create(inner);
      Object.defineProperty(b, "name", { value: "acme:" + (config.settings.tenant || "?") });
      b.capabilities = () => ({ ...inner.capabilities(), activation: "none", legacyImport: [],
        notes: { activation: "acme manages activation in its own console", legacyImport: "acme has no legacy roles" } });
      return b;
    };`,
  );
  return file;
}

describe("backend selection by defender-rbac:backend", () => {
  after(async () => {
    await configure({ config: { rawConfig: {} } });
  });

  it("loads a user's module by relative path, passes it the defender-rbac settings, and uses it for every operation", async () => {
    const dir = tempDir("custom-backend");
    const store = path.join(dir, "acme.db");
    customBackendModule(dir, store);
    const prev = process.cwd();
    process.chdir(dir); // the engine resolves relative module paths from the program directory
    try {
      await configure({
        config: { rawConfig: { "defender-rbac:backend": "./acme-backend.js", "defender-rbac:tenant": "contoso" } },
      });
      const checked = await check("UnifiedRole", {}, { displayName: "Via acme", permissions: ["Alerts (manage)"] });
      assert.deepEqual(checked.failures ?? [], []);
      const created = await create("UnifiedRole", checked.inputs!);
      assert.equal(created.outs.backend, "acme:contoso");
      const s = new TenantStore(store);
      try {
        assert.deepEqual(
          s
            .listRoles()
            .filter((r) => !r.isBuiltIn)
            .map((r) => r.displayName),
          ["Via acme"],
        );
      } finally {
        s.close();
      }
      await remove("UnifiedRole", created.id, created.outs);
    } finally {
      process.chdir(prev);
    }
  });

  it("a capability the backend lacks fails at check, with the backend's own reason", async () => {
    const dir = tempDir("custom-backend");
    const file = customBackendModule(dir, path.join(dir, "acme.db"));
    await configure({ config: { rawConfig: { "defender-rbac:backend": file } } });
    const act = await check("WorkloadActivation", {}, { workload: "endpoint" });
    assert.equal(act.failures?.[0]?.property, "workload");
    assert.match(
      act.failures![0].reason,
      /cannot change Unified RBAC activation: acme manages activation in its own console/,
    );
    // MDI imports read the role groups' members; MDO ones map through a fixed table and need no read
    const imp = await check("ImportedRole", {}, { source: "mdi", role: "MDI viewer" });
    assert.equal(imp.failures?.[0]?.property, "source");
    assert.match(imp.failures![0].reason, /acme has no legacy roles/);
  });

  it("a module that cannot be loaded, or exports no createBackend, is a clear error", async () => {
    await configure({ config: { rawConfig: { "defender-rbac:backend": "./no-such-backend.js" } } });
    await assert.rejects(
      check("UnifiedRole", {}, { displayName: "x", permissions: ["Alerts (manage)"] }),
      /defender-rbac:backend is "\.\/no-such-backend\.js", which is neither "local", "graph" nor a loadable module/,
    );
    const dir = tempDir("custom-backend");
    const file = path.join(dir, "empty.js");
    fs.writeFileSync(file, "exports.somethingElse = 1;");
    await configure({ config: { rawConfig: { "defender-rbac:backend": file } } });
    await assert.rejects(
      check("UnifiedRole", {}, { displayName: "x", permissions: ["Alerts (manage)"] }),
      /must export createBackend\(config\)/,
    );
  });
});
