/**
 * The effective-access engine (core/effectiveAccess.ts): the seed's Entra table as vectors (each row's cells,
 * resolved from the page's text, must be exactly what a holder of that Entra role gets in each
 * workload), a mixed active / inactive tenant with nested groups and legacy roles, and properties.
 */
import assert from "node:assert/strict";
import fc from "fast-check";
import {
  ACCESS_WORKLOADS,
  AccessInput,
  AccessWorkload,
  activationChange,
  atomKey,
  diffAccess,
  effectiveAccess,
  filterGrants,
  getAtom,
  holders,
  keyCovers,
  ATOMS,
  resolvePrincipalRef,
} from "../../provider/core";
import { ENTRA, entraExpected } from "./seed-vectors.spec";

const U = (n: number) => `aaaaaaaa-0000-4000-8000-${n.toString(16).padStart(12, "0")}`;
const AUTH_MANAGE = "configuration.-.authorization:manage";
const ALL_ACTIVE = ACCESS_WORKLOADS.map((w) => ({ workload: w, active: true }));
const NONE_ACTIVE = ACCESS_WORKLOADS.map((w) => ({ workload: w, active: false }));
const TABLE_WORKLOAD: Record<AccessWorkload, string | undefined> = {
  Mde: "mde",
  Mdo: "mdo",
  Mdi: "mdi",
  Mda: undefined,
  Mdc: undefined,
};

/** Atoms implied by a set of atoms under the service's coverage rule (manage covers read). */
function closure(ids: Iterable<string>): string[] {
  const keys = [...ids].map((id) => atomKey(getAtom(id)!));
  return ATOMS.filter((a) => keys.some((k) => keyCovers(k, atomKey(a))))
    .map((a) => a.id)
    .sort();
}

function permsOf(input: AccessInput, principal: string, workload: AccessWorkload): string[] {
  return filterGrants(effectiveAccess(input).grants, { principals: [principal], workloads: [workload] })
    .map((g) => g.permission)
    .sort();
}

describe("effective access (core/effectiveAccess.ts)", () => {
  describe("the seed's Entra table as vectors", () => {
    for (const row of ENTRA) {
      it(`${row.name}: the page's cells in each workload, all workloads active`, () => {
        const expected = entraExpected(row);
        const input: AccessInput = {
          roles: [],
          assignments: [],
          activation: ALL_ACTIVE,
          directory: { objects: [], members: [], entraRoles: [{ role: row.name, principalId: U(1) }] },
        };
        for (const w of ACCESS_WORKLOADS) {
          const tw = TABLE_WORKLOAD[w];
          const want = [...expected].filter(([, ws]) => ws[0] === "all" || (tw && ws.includes(tw))).map(([id]) => id);
          assert.deepEqual(permsOf(input, U(1), w), closure(want), `${row.name} in ${w}`);
        }
      });
    }

    it("Security reader and Global reader see Defender for Endpoint data only once it is active", () => {
      for (const role of ["Security reader", "Global reader"]) {
        const input: AccessInput = {
          roles: [],
          assignments: [],
          activation: NONE_ACTIVE,
          directory: { objects: [], members: [], entraRoles: [{ role, principalId: U(1) }] },
        };
        assert.deepEqual(permsOf(input, U(1), "Mde"), [], role);
        assert.ok(permsOf(input, U(1), "Mdo").length > 0, `${role} keeps its MDO defaults`);
        const gained = activationChange(input, "Mde").filter((c) => c.principalId === U(1));
        assert.ok(gained.length > 0 && gained.every((c) => c.change === "gained" && c.workload === "Mde"));
        assert.ok(
          gained.some((c) => c.permission === "securityposture.posturemanagement.vulnerabilitymanagement:read"),
        );
      }
    });

    it("Global administrator holds the privileged grants in Defender for Endpoint, flagged", () => {
      const input: AccessInput = {
        roles: [],
        assignments: [],
        activation: NONE_ACTIVE,
        directory: { objects: [], members: [], entraRoles: [{ role: "Global admin", principalId: U(1) }] },
      };
      const priv = filterGrants(effectiveAccess(input).grants, { workloads: ["Mde"], privileged: true });
      assert.deepEqual(priv.map((g) => g.label).sort(), [
        "Authorization and settings \\ Authorization (manage)",
        "Security operations \\ Security data \\ Advanced live response (manage)",
      ]);
      assert.deepEqual(priv[0].sources, [{ kind: "entraRole", role: "Global administrator", via: [] }]);
    });
  });

  describe("a mixed tenant: Mde active, Mdo and Mdi not, nested groups, legacy roles", () => {
    const SOC = U(100); // group
    const TIER2 = U(101); // group, member of SOC (and SOC of TIER2: a cycle)
    const alice = U(1); // member of TIER2
    const bob = U(2); // MDO Organization Management (legacy)
    const carol = U(3); // Entra Security operator
    const input: AccessInput = {
      roles: [
        {
          id: "r-admins",
          displayName: "Security admins",
          actions: ["microsoft.xdr/configuration/authorization/manage", "microsoft.xdr/secops/securitydata/read"],
        },
        { id: "r-readers", displayName: "Readers", actions: ["microsoft.xdr/secops/*/read"] },
      ],
      assignments: [
        {
          id: "a1",
          displayName: "sec-admins-all",
          roleDefinitionId: "r-admins",
          principalIds: [SOC],
          appScopeIds: ["/"],
        },
        {
          id: "a2",
          displayName: "readers-mdo",
          roleDefinitionId: "r-readers",
          principalIds: [bob],
          appScopeIds: ["Mdo"],
        },
        {
          id: "a3",
          displayName: "cloud-scope",
          roleDefinitionId: "r-readers",
          principalIds: [carol],
          appScopeIds: ["/CloudSet/42", "/SentinelScope/x"],
        },
      ],
      activation: [
        { workload: "Mde", active: true },
        { workload: "Mdo", active: false },
        { workload: "Mdi", active: false },
        { workload: "Mda", active: false },
        { workload: "Mdc", active: true },
      ],
      directory: {
        objects: [
          { id: SOC, kind: "group", displayName: "SOC" },
          { id: TIER2, kind: "group", displayName: "Tier 2" },
          { id: alice, kind: "user", displayName: "Alice", userPrincipalName: "alice@contoso.example" },
          { id: bob, kind: "user", displayName: "Bob" },
        ],
        members: [
          { groupId: SOC, memberId: TIER2 },
          { groupId: TIER2, memberId: SOC },
          { groupId: TIER2, memberId: alice },
        ],
        entraRoles: [{ role: "Security operator", principalId: carol }],
      },
      legacyRoles: [
        {
          source: "mdo",
          id: "Organization Management",
          name: "Organization Management",
          permissions: [],
          members: [bob],
        },
        { source: "mde", id: "mde-1", name: "Tier 1", permissions: ["Alerts investigation"], members: [alice] },
      ],
    };
    const report = effectiveAccess(input);

    it("an assignment over all data sources reaches nested members in active workloads only", () => {
      const g = filterGrants(report.grants, { principals: [alice], permissions: [AUTH_MANAGE] });
      assert.deepEqual(
        g.map((x) => x.workload),
        ["Mde", "Mdc"],
      );
      assert.ok(g.every((x) => x.privileged));
      assert.deepEqual(g[0].sources, [
        {
          kind: "assignment",
          assignmentId: "a1",
          assignment: "sec-admins-all",
          roleId: "r-admins",
          role: "Security admins",
          key: "microsoft.xdr/configuration/authorization/manage",
          scope: "/",
          via: [TIER2, SOC],
        },
      ]);
      // manage covers read
      assert.equal(
        filterGrants(report.grants, {
          principals: [alice],
          permissions: ["configuration.-.authorization:read"],
          workloads: ["Mde"],
        }).length,
        1,
      );
    });

    it("legacy roles count in workloads not yet active, and not in active ones", () => {
      assert.deepEqual(
        filterGrants(report.grants, { principals: [bob], permissions: [AUTH_MANAGE] }).map((g) => [
          g.workload,
          g.sources[0].kind,
        ]),
        [["Mdo", "legacyRole"]],
      );
      // the MDE legacy role of alice does not apply: Mde is active
      assert.ok(report.grants.every((g) => g.sources.every((s) => s.kind !== "legacyRole" || s.source !== "mde")));
      // the Mdo-scoped assignment of bob does not apply while Mdo is inactive
      assert.ok(report.grants.every((g) => g.sources.every((s) => s.kind !== "assignment" || s.assignmentId !== "a2")));
    });

    it("a cloud scope is a partial Defender for Cloud grant; an unknown scope is reported, not dropped", () => {
      const g = filterGrants(report.grants, { principals: [carol], workloads: ["Mdc"] }).filter((x) =>
        x.sources.some((s) => s.kind === "assignment"),
      );
      assert.ok(
        g.length > 0 && g.every((x) => x.sources.some((s) => s.kind === "assignment" && s.scope === "/CloudSet/42")),
      );
      assert.deepEqual(report.notes, [
        'assignment "cloud-scope" (a3): scope /SentinelScope/x is not attributed to a workload',
        'assignment "readers-mdo" (a2) is not in effect: Unified RBAC is not active in Mdo',
      ]);
    });

    it("principals carry display names; unknown ids stay ids", () => {
      assert.equal(report.principals.find((p) => p.id === alice)?.displayName, "Alice");
      assert.deepEqual(
        report.principals.find((p) => p.id === carol),
        { id: carol, kind: "unknown", displayName: carol },
      );
    });

    it("the lockout question: who holds Authorization (manage) where", () => {
      assert.deepEqual(holders(report, "Mde"), [alice, SOC, TIER2].sort());
      assert.deepEqual(holders(report, "Mdo"), [bob]);
      assert.deepEqual(holders(report, "Mdi"), []);
    });

    it("activating Mdo: bob loses his legacy grants but keeps the assignment's reads; the SOC gains", () => {
      const change = activationChange(input, "Mdo");
      const bobs = change.filter((c) => c.principalId === bob);
      assert.ok(bobs.some((c) => c.change === "lost" && c.permission === AUTH_MANAGE && c.privileged));
      assert.ok(!bobs.some((c) => c.permission === "secops.securitydata.basics:read"), "held before and after");
      assert.equal(bobs[0].privileged, true, "privileged first");
      const alices = change.filter((c) => c.principalId === alice);
      assert.ok(alices.some((c) => c.change === "gained" && c.permission === AUTH_MANAGE && c.workload === "Mdo"));
      assert.ok(change.every((c) => c.workload === "Mdo"));
    });
  });

  describe("principals by name", () => {
    const directory = {
      objects: [
        { id: U(1), kind: "user" as const, displayName: "Alice", userPrincipalName: "alice@contoso.example" },
        { id: U(2), kind: "group" as const, displayName: "SOC" },
        { id: U(3), kind: "group" as const, displayName: "Twins" },
        { id: U(4), kind: "group" as const, displayName: "twins" },
      ],
      members: [],
      entraRoles: [],
    };
    it("resolves a UPN, a group name and an id; names are case-insensitive", () => {
      assert.deepEqual(resolvePrincipalRef(directory, "ALICE@contoso.example"), { ok: true, value: U(1) });
      assert.deepEqual(resolvePrincipalRef(directory, "soc"), { ok: true, value: U(2) });
      assert.deepEqual(resolvePrincipalRef(directory, U(9).toUpperCase()), { ok: true, value: U(9) });
    });
    it("says which names are ambiguous or unknown, with the fix", () => {
      const amb = resolvePrincipalRef(directory, "Twins");
      assert.ok(!amb.ok && /2 principals are named "Twins"/.test(amb.issues[0].message));
      assert.ok(!amb.ok && amb.issues[0].message.includes(U(3)) && amb.issues[0].message.includes(U(4)));
      const unknown = resolvePrincipalRef(directory, "Alcie@contoso.example", ["principals", 0]);
      assert.ok(!unknown.ok);
      assert.equal(unknown.issues[0].code, "invalid_principal");
      assert.deepEqual(unknown.issues[0].path, ["principals", 0]);
      assert.equal(unknown.issues[0].suggestions?.[0], "alice@contoso.example");
    });
  });

  describe("properties", () => {
    const principals = [U(1), U(2), U(3), U(4), U(5)];
    const actionPool = [
      "microsoft.xdr/configuration/authorization/manage",
      "microsoft.xdr/secops/securitydata/read",
      "microsoft.xdr/secops/*/read",
      "microsoft.xdr/secops/*/manage",
      "microsoft.xdr/securityposture/*/read",
      "urn:defender-rbac:permission:secops.rawdata.emailmetadata:read",
    ];
    const scopePool = ["/", "Mde", "Mdo", "Mdi", "Mda", "Mdc", "/CloudSet/1"];
    const arbInput: fc.Arbitrary<AccessInput> = fc.record({
      roles: fc.constant(
        actionPool.map((a, i) => ({
          id: `r${i}`,
          displayName: `role ${i}`,
          actions: [a, actionPool[(i + 1) % actionPool.length]],
        })),
      ),
      assignments: fc.array(
        fc.record({
          id: fc.uuid(),
          displayName: fc.constantFrom("a", "b", "c"),
          roleDefinitionId: fc.constantFrom(...actionPool.map((_, i) => `r${i}`)),
          principalIds: fc.subarray(principals, { minLength: 1 }),
          appScopeIds: fc.subarray(scopePool, { minLength: 1 }),
        }),
        { maxLength: 5 },
      ),
      activation: fc
        .array(fc.boolean(), { minLength: 5, maxLength: 5 })
        .map((bs) => ACCESS_WORKLOADS.map((w, i) => ({ workload: w, active: bs[i] }))),
      directory: fc.record({
        objects: fc.constant([]),
        members: fc.array(
          fc.record({ groupId: fc.constantFrom(...principals), memberId: fc.constantFrom(...principals) }),
          { maxLength: 6 },
        ),
        entraRoles: fc.array(
          fc.record({
            role: fc.constantFrom("Security reader", "Global administrator", "Compliance administrator"),
            principalId: fc.constantFrom(...principals),
          }),
          { maxLength: 3 },
        ),
      }),
      legacyRoles: fc.array(
        fc.record({
          source: fc.constant("mdo" as const),
          id: fc.constantFrom("Quarantine", "Role Management"),
          name: fc.constantFrom("Quarantine", "Role Management"),
          permissions: fc.constant([]),
          members: fc.subarray(principals, { minLength: 1 }),
        }),
        { maxLength: 2 },
      ),
    });
    const keys = (i: AccessInput) =>
      new Set(effectiveAccess(i).grants.map((g) => `${g.principalId}|${g.workload}|${g.permission}`));

    it("adding an assignment never takes access away", () => {
      fc.assert(
        fc.property(arbInput, (input) => {
          if (input.assignments.length === 0) return;
          const smaller = { ...input, assignments: input.assignments.slice(1) };
          const big = keys(input);
          for (const k of keys(smaller)) assert.ok(big.has(k), k);
          assert.ok(diffAccess(effectiveAccess(smaller), effectiveAccess(input)).every((c) => c.change === "gained"));
        }),
      );
    });

    it("a member holds every grant of each group it belongs to, transitively", () => {
      fc.assert(
        fc.property(arbInput, (input) => {
          const r = effectiveAccess(input);
          const has = keys(input);
          for (const m of input.directory!.members)
            for (const g of r.grants.filter((x) => x.principalId === m.groupId))
              assert.ok(has.has(`${m.memberId}|${g.workload}|${g.permission}`));
        }),
      );
    });

    it("is independent of input order", () => {
      fc.assert(
        fc.property(arbInput, (input) => {
          const rev: AccessInput = {
            ...input,
            roles: [...input.roles].reverse(),
            assignments: [...input.assignments].reverse(),
            activation: [...input.activation].reverse(),
            directory: {
              ...input.directory!,
              members: [...input.directory!.members].reverse(),
              entraRoles: [...input.directory!.entraRoles].reverse(),
            },
            legacyRoles: [...input.legacyRoles!].reverse(),
          };
          assert.deepEqual(effectiveAccess(rev), effectiveAccess(input));
        }),
      );
    });

    it("every grant is explained: an assignment's in an active workload its scope reaches, by a covering key", () => {
      fc.assert(
        fc.property(arbInput, (input) => {
          const active = new Map(input.activation.map((s) => [s.workload, s.active]));
          for (const g of effectiveAccess(input).grants) {
            assert.ok(g.sources.length > 0);
            for (const s of g.sources) {
              if (s.kind === "assignment") {
                assert.ok(active.get(g.workload), `${g.workload} active`);
                const a = input.assignments.find((x) => x.id === s.assignmentId)!;
                assert.ok(a.appScopeIds.includes(s.scope));
                assert.ok(
                  s.scope === "/" ||
                    s.scope === g.workload ||
                    (g.workload === "Mdc" && s.scope.startsWith("/CloudSet/")),
                );
                const atom = getAtom(g.permission);
                assert.ok(atom ? keyCovers(s.key, atomKey(atom)) : s.key === g.permission);
              } else if (s.kind === "legacyRole") assert.ok(!active.get(g.workload), "legacy only while inactive");
            }
          }
        }),
      );
    });

    it("with no Entra roles and no legacy roles, nothing is granted in inactive workloads", () => {
      fc.assert(
        fc.property(arbInput, (input) => {
          const bare = { ...input, legacyRoles: [], directory: { ...input.directory!, entraRoles: [] } };
          const active = new Map(input.activation.map((s) => [s.workload, s.active]));
          assert.ok(effectiveAccess(bare).grants.every((g) => active.get(g.workload)));
        }),
      );
    });
  });
});
