/** Previews flag privileged grants: authorization manage, advanced live response, and manage wildcards. */
import assert from "node:assert/strict";
import { check } from "../../provider/engine";
import { Tenant } from "./helpers";

describe("privileged permissions are flagged at check", () => {
  before(async () => {
    await Tenant.fresh();
  });

  it("UnifiedRole lists the privileged grants, and none for a read-only role", async () => {
    const r = await check(
      "UnifiedRole",
      {},
      {
        displayName: "Admins",
        permissions: [
          "Authorization and settings \\ Authorization (Read and manage)",
          "Advanced live response",
          "microsoft.xdr/securityposture/*/manage",
          "Alerts (manage)",
        ],
      },
    );
    assert.deepEqual(r.failures ?? [], []);
    assert.deepEqual(r.inputs!.privilegedPermissions, [
      "Authorization and settings \\ Authorization (manage)",
      "Security operations \\ Security data \\ Advanced live response (manage)",
      "microsoft.xdr/securityposture/*/manage (All read and manage permissions)",
    ]);
    const readOnly = await check(
      "UnifiedRole",
      {},
      { displayName: "Readers", permissions: ["Security data basics (read)", "microsoft.xdr/secops/*/read"] },
    );
    assert.deepEqual(readOnly.inputs!.privilegedPermissions, []);
  });

  it("ImportedRole flags what a migration grants: MDO Organization Management can manage authorization", async () => {
    const r = await check("ImportedRole", {}, { source: "mdo", role: "Organization Management" });
    assert.deepEqual(r.failures ?? [], []);
    assert.deepEqual(r.inputs!.privilegedPermissions, ["Authorization and settings \\ Authorization (manage)"]);
    const viewer = await check("ImportedRole", {}, { source: "mdi", role: "MDI viewer" });
    assert.deepEqual(viewer.inputs!.privilegedPermissions, []);
  });
});
