/**
 * The ownership marker (core/ownership.ts) and the lockout invariant (core/lockout.ts), pure.
 */
import assert from "node:assert/strict";
import fc from "fast-check";
import { describeOwner, ownership, parseUrn, splitMarker, stackOf, withMarker } from "../../provider/core/ownership";
import { applyChange, lockoutMessage, lockouts } from "../../provider/core/lockout";

const URN = "urn:pulumi:prod::rbac::pulumi-nodejs:dynamic/defender-rbac:UnifiedRole::soc";
const OTHER = "urn:pulumi:dev::rbac::pulumi-nodejs:dynamic/defender-rbac:UnifiedRole::soc";
const AUTH = "microsoft.xdr/configuration/authorization/manage";
const READ = "microsoft.xdr/secops/securitydata/read";

describe("core: the ownership marker", () => {
  it("round-trips through a description, whatever the user's text (fast-check)", () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 200 }), (text) => {
        const stored = withMarker(text, URN);
        const back = splitMarker(stored);
        assert.equal(back.managedBy, URN);
        assert.equal(back.description, text.replace(/\s+$/, ""));
        assert.equal(splitMarker(withMarker(stored, URN)).managedBy, URN, "writing twice keeps one marker");
        assert.equal((withMarker(stored, URN).match(/\[managed by Pulumi:/g) ?? []).length, 1);
      }),
    );
  });

  it("reads as it is shown: text, then the marker; no marker is null; removing it is allowed", () => {
    assert.equal(withMarker("SOC analysts", URN), `SOC analysts [managed by Pulumi: ${URN}]`);
    assert.equal(withMarker("", URN), `[managed by Pulumi: ${URN}]`);
    assert.deepEqual(splitMarker("edited in the portal"), { description: "edited in the portal", managedBy: null });
    assert.equal(withMarker(`x [managed by Pulumi: ${URN}]`, null), "x");
    assert.deepEqual(splitMarker(undefined), { description: "", managedBy: null });
  });

  it("names the stack and the resource; tells ours, unmanaged and foreign apart", () => {
    assert.deepEqual(parseUrn(URN), {
      stack: "prod",
      project: "rbac",
      type: "pulumi-nodejs:dynamic/defender-rbac:UnifiedRole",
      name: "soc",
    });
    assert.equal(stackOf(URN), "rbac/prod");
    assert.equal(describeOwner(URN), 'resource "soc" (UnifiedRole) of stack "rbac/prod"');
    assert.deepEqual(ownership(null, URN), { kind: "unmanaged" });
    assert.deepEqual(ownership(URN, URN), { kind: "ours" });
    assert.deepEqual(ownership(OTHER, URN), { kind: "foreign", owner: OTHER, sameStack: false });
    assert.deepEqual(ownership(URN.replace("::soc", "::lead"), URN).kind, "foreign");
  });
});

describe("core: the lockout invariant", () => {
  const tenant = {
    roles: [
      { id: "auth", actions: [AUTH] },
      { id: "reader", actions: [READ] },
    ],
    assignments: [
      { id: "bg", roleDefinitionId: "auth", principalIds: ["p1"], appScopeIds: ["Mde"] },
      { id: "r", roleDefinitionId: "reader", principalIds: ["p2"], appScopeIds: ["/"] },
    ],
  };

  it("refuses a change that takes an active workload from one manager to none, whatever the change", () => {
    for (const change of [
      { setRoleActions: [{ id: "auth", actions: [READ] }] },
      { deleteRoles: ["auth"] },
      { deleteAssignments: ["bg"] },
      { setAssignments: [{ id: "bg", appScopeIds: ["Mdi"] }] },
    ]) {
      const found = lockouts(tenant, change, ["Mde", "Mdc"]);
      assert.deepEqual(found, [{ workload: "Mde", managersBefore: ["p1"] }], JSON.stringify(change));
    }
  });

  it("lets through what keeps someone in charge, and what only touches inactive or already unmanaged workloads", () => {
    assert.deepEqual(lockouts(tenant, { deleteAssignments: ["r"] }, ["Mde"]), []);
    assert.deepEqual(lockouts(tenant, { setAssignments: [{ id: "bg", principalIds: ["p9"] }] }, ["Mde"]), []);
    assert.deepEqual(lockouts(tenant, { deleteAssignments: ["bg"] }, ["Mdi"]), [], "Mde is not active");
    assert.deepEqual(lockouts(tenant, { deleteAssignments: ["r"] }, ["Mdc"]), [], "Mdc had nobody before");
    const two = {
      ...tenant,
      assignments: [...tenant.assignments, { ...tenant.assignments[0], id: "bg2", principalIds: ["p3"] }],
    };
    assert.deepEqual(lockouts(two, { deleteAssignments: ["bg"] }, ["Mde"]), []);
  });

  it("a deleted role takes its assignments with it in the planned view", () => {
    assert.deepEqual(
      applyChange(tenant, { deleteRoles: ["auth"] }).assignments.map((a) => a.id),
      ["r"],
    );
  });

  it("the message names the workload, the change, who loses it, the fix and the escape hatch", () => {
    const m = lockoutMessage([{ workload: "Mde", managersBefore: ["p1"] }], "Deleting X", "Keep it.");
    assert.match(m, /^Deleting X would leave nobody able to manage authorization/);
    assert.match(m, /Microsoft Defender for Endpoint .*\(Mde\), last held by p1/);
    assert.match(m, /Keep it\. Only for a break-glass procedure: set `defender-rbac:allowLockout true`/);
  });
});
