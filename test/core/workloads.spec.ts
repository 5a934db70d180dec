/** The workload table: every spelling a program, Graph or a legacy model uses resolves to one row. */
import assert from "node:assert/strict";
import {
  WORKLOADS,
  activationWorkload,
  findLegacyEntry,
  legacySourceNamed,
  mdiGroupName,
  mdiGroupRole,
  scopeToAppScopeIds,
  workloadNamed,
} from "../../provider/core";
import { MDI_ROLE_GROUPS } from "../../provider/core/legacy";

describe("core/workloads", () => {
  it("names, appScopeIds and legacy codes are each unique", () => {
    for (const field of ["name", "appScope", "legacy"] as const) {
      const values = WORKLOADS.map((w) => w[field]).filter((v) => v !== null);
      assert.equal(new Set(values.map((v) => v!.toLowerCase())).size, values.length, field);
    }
  });

  it("a workload is found by its name or appScopeId in any case", () => {
    for (const w of WORKLOADS)
      for (const s of [w.name, w.appScope, w.name.toUpperCase(), w.appScope.toLowerCase()])
        assert.equal(workloadNamed(s), w, s);
    assert.equal(workloadNamed("eop"), undefined);
    assert.equal(workloadNamed(42), undefined);
  });

  it("scopes, activation and import read the same table", () => {
    const scope = scopeToAppScopeIds({ kind: "workloads", workloads: WORKLOADS.map((w) => w.name) });
    assert.ok(scope.ok);
    assert.deepEqual(
      [...scope.value].sort(),
      WORKLOADS.map((w) => w.appScope).sort((a, b) => a.toLowerCase().localeCompare(b.toLowerCase())),
    );
    assert.equal(activationWorkload("cloudapps"), "Mda");
    assert.equal(activationWorkload("secureScoreExternal"), undefined, "no activation switch");
    assert.equal(legacySourceNamed("endpoint"), "mde");
    assert.equal(legacySourceNamed("EOP"), "mdo");
    assert.equal(legacySourceNamed("Mdi"), "mdi");
    assert.equal(legacySourceNamed("cloud"), undefined, "no legacy model");
    assert.equal(legacySourceNamed("entra"), undefined);
  });

  it("the Entra group name of each MDI role group maps back to it", () => {
    for (const g of MDI_ROLE_GROUPS) {
      const name = mdiGroupName("contoso", g.name);
      assert.match(name, /^Azure ATP contoso (Administrators|Users|Viewers)$/);
      assert.equal(mdiGroupRole(name), g.name);
      assert.equal(findLegacyEntry("mdi", name), g);
    }
    assert.equal(mdiGroupRole("  azure atp My Workspace viewers "), "MDI viewer");
    assert.equal(mdiGroupRole("Azure ATP Administrators"), undefined, "a workspace is required");
  });
});
