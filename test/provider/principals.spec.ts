/**
 * RoleAssignment principals given by user principal name or group name: resolved at check through the
 * backend's directory (the local tenant's seeded one), the object id is what is stored; ambiguous and
 * unknown names fail at preview naming the element and the fix.
 */
import assert from "node:assert/strict";
import { BUILT_IN_GLOBAL_ADMIN, Tenant, assertFailure, checked, planned, up } from "./helpers";

const SOC = "8e811502-2c2a-4d1b-9c5e-1f0b2e4f9a10";
const LEE = "22222222-2222-4222-8222-000000000004";

describe("RoleAssignment principals by name", () => {
  let tenant: Tenant;
  before(async () => {
    tenant = await Tenant.fresh();
  });
  after(() => tenant.close());

  it("a UPN and a group name resolve to their object ids; the ids are stored, so a second preview is clean", async () => {
    const news = {
      roleId: BUILT_IN_GLOBAL_ADMIN,
      displayName: "by name",
      principals: ["Lee.Gu@contoso.example", "SOC analysts"],
    };
    const inputs = await checked("RoleAssignment", news);
    assert.deepEqual(inputs.principals, [SOC, LEE].sort());
    const made = await up("RoleAssignment", news);
    assert.deepEqual(tenant.store.getAssignment(made.id)?.principalIds.sort(), [SOC, LEE].sort());
    const again = await planned("RoleAssignment", made.id, made, news);
    assert.equal(again.diff.changes, false);
  });

  it("an unknown name fails on its element; an ambiguous one lists the candidates", async () => {
    await assertFailure(
      "RoleAssignment",
      { roleId: BUILT_IN_GLOBAL_ADMIN, displayName: "x", principals: [SOC, "nobody@contoso.example"] },
      "principals[1]",
      /"nobody@contoso\.example" is neither an Entra object id nor a user principal name or group name/,
    );
    tenant.store.putDirectoryObject({
      id: "44444444-4444-4444-8444-000000000009",
      kind: "group",
      displayName: "SOC tier 2",
    });
    await assertFailure(
      "RoleAssignment",
      { roleId: BUILT_IN_GLOBAL_ADMIN, displayName: "x", principals: ["SOC tier 2"] },
      "principals[0]",
      /2 principals are named "SOC tier 2" .*44444444-4444-4444-8444-000000000009.*give the object id/,
    );
  });
});
