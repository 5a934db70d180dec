/**
 * Canonical permission-key sets (normalise.ts): property tests with fast-check, plus the measured
 * examples of docs/graph-api.md ("Wildcard pruning": a `*` segment matches
 * one or more path segments, `manage` covers `read`, compared case-insensitively).
 */
import assert from "node:assert/strict";
import fc from "fast-check";
import {
  ATOMS,
  KNOWN_ACTIONS,
  PERMISSIONS,
  PermissionDef,
  WILDCARDS,
  actionCovers,
  atomKey,
  isUnpublishedKey,
  keyCovers,
  normalizeKeys,
  sameKeySet,
} from "../../provider/core";

// ---- generators ---------------------------------------------------------------------------------

/** A small segment alphabet: real catalogue segments, two made-up ones, and the wildcard. */
const SEGMENTS = [
  "*",
  "secops",
  "securitydata",
  "rawdata",
  "configuration",
  "security",
  "core",
  "system",
  "authorization",
  "securityposture",
  "posturemanagement",
  "securescore",
  "dataops",
  "a",
  "b",
];
const VERBS = ["read", "manage"];

const PUBLISHED_KEYS = ATOMS.filter((a) => a.info.action !== null).map(atomKey);
const UNPUBLISHED_KEYS = ATOMS.filter((a) => a.info.action === null).map(atomKey);
const CATALOGUE_KEYS = [
  ...ATOMS.map(atomKey),
  ...WILDCARDS.map((w) => w.action),
  ...KNOWN_ACTIONS.map((k) => k.action),
];
const CATALOGUE_ACTIONS = CATALOGUE_KEYS.filter((k) => k.startsWith("microsoft.xdr/"));

/** `microsoft.xdr/<seg>/…/<read|manage>` from the small alphabet. */
const generatedAction = fc
  .tuple(fc.array(fc.constantFrom(...SEGMENTS), { minLength: 1, maxLength: 4 }), fc.constantFrom(...VERBS))
  .map(([segs, verb]) => `microsoft.xdr/${segs.join("/")}/${verb}`);

/**
 * Every string obtained from a real action string by replacing one run of its path segments with a
 * bare star, with either verb; e.g. from `microsoft.xdr/configuration/security/core/manage`:
 * `microsoft.xdr/STAR/core/manage`, `microsoft.xdr/configuration/STAR/read`, … (STAR = `*`).
 * Such strings sit close to the catalogue, where coverage decisions are delicate.
 */
function starVariants(action: string): string[] {
  const segs = action.split("/");
  const path = segs.slice(1, -1);
  const out: string[] = [];
  for (let start = 0; start < path.length; start++) {
    for (let end = start + 1; end <= path.length; end++) {
      const p = [...path.slice(0, start), "*", ...path.slice(end)].join("/");
      for (const verb of VERBS) out.push(`microsoft.xdr/${p}/${verb}`);
    }
  }
  return out;
}

/** One of the star variants of a real catalogue action string. */
const wildcardedAction = fc.constantFrom(...new Set(CATALOGUE_ACTIONS.flatMap(starVariants)));

/** Any key: generated action strings mixed with real catalogue keys (atoms, wildcards, known literals, unpublished). */
const anyKey = fc.oneof(
  generatedAction,
  wildcardedAction,
  fc.constantFrom(...CATALOGUE_KEYS),
  fc.constantFrom(...UNPUBLISHED_KEYS),
);
/** Action strings only (no unpublished keys): the pure string rule. */
const actionKey = fc.oneof(generatedAction, wildcardedAction, fc.constantFrom(...CATALOGUE_ACTIONS));

/**
 * The keys around one catalogue permission: some of its atom keys, at most two star variants of its
 * action strings and at most two wildcards of its category. Sets drawn this way hit the interplay of
 * published strings, unpublished keys and wildcards far more often than sets of independent keys.
 */
function aroundPermission(p: PermissionDef, withUnpublished: boolean): fc.Arbitrary<string[]> {
  const atoms = ATOMS.filter((a) => a.permission === p);
  const keys = atoms.map(atomKey).filter((k) => withUnpublished || !isUnpublishedKey(k));
  const stars = [...new Set(atoms.flatMap((a) => (a.info.action ? starVariants(a.info.action) : [])))];
  const wildcards = WILDCARDS.filter((w) => w.category === p.category).map((w) => w.action);
  const some = (xs: string[], max: number) => fc.subarray(xs, { maxLength: Math.min(max, xs.length) });
  return fc.tuple(some(keys, keys.length), some(stars, 2), some(wildcards, 2)).map((parts) => parts.flat());
}
const focusedSet = (withUnpublished: boolean) =>
  fc.constantFrom(...PERMISSIONS).chain((p) => aroundPermission(p, withUnpublished));

/** Key sets: independent keys, or keys around one catalogue permission. */
const keySetOf = (key: fc.Arbitrary<string>, withUnpublished: boolean) =>
  fc.oneof(fc.array(key, { minLength: 0, maxLength: 12 }), focusedSet(withUnpublished));
const anySet = keySetOf(anyKey, true);
const actionSet = keySetOf(actionKey, false);

/** A key set together with a shuffled copy of it. */
const withShuffle = (set: fc.Arbitrary<string[]>) =>
  set.chain((ks) => fc.tuple(fc.constant(ks), fc.shuffledSubarray(ks, { minLength: ks.length, maxLength: ks.length })));
/** A key set together with a copy in random mixed case. */
const withMixedCase = (set: fc.Arbitrary<string[]>) =>
  set.chain((ks) => fc.tuple(fc.constant(ks), fc.tuple(...ks.map((k) => fc.mixedCase(fc.constant(k))))));

const RUNS = { numRuns: 500 };

// ---- properties ---------------------------------------------------------------------------------

describe("normalise: properties", () => {
  it("is idempotent", () => {
    fc.assert(
      fc.property(anySet, (ks) => {
        const once = normalizeKeys(ks);
        assert.deepEqual(normalizeKeys(once), once);
      }),
      RUNS,
    );
  });

  it("is order-insensitive", () => {
    fc.assert(
      fc.property(withShuffle(anySet), ([ks, shuffled]) => {
        assert.deepEqual(normalizeKeys(shuffled), normalizeKeys(ks));
        assert.ok(sameKeySet(shuffled, ks));
      }),
      RUNS,
    );
  });

  it("is case-insensitive (upper-cased and mixed-case input)", () => {
    fc.assert(
      fc.property(withMixedCase(anySet), ([ks, mixed]) => {
        const expected = normalizeKeys(ks);
        assert.deepEqual(normalizeKeys(ks.map((k) => k.toUpperCase())), expected);
        assert.deepEqual(normalizeKeys(mixed), expected);
      }),
      RUNS,
    );
  });

  it("never loses a permission: action strings and catalogue action strings", () => {
    fc.assert(
      fc.property(actionSet, (ks) => {
        const out = normalizeKeys(ks);
        for (const k of ks) {
          const lower = k.toLowerCase();
          assert.ok(
            out.some((o) => keyCovers(o, lower)),
            `${lower} is covered by nothing in ${JSON.stringify(out)}`,
          );
        }
      }),
      RUNS,
    );
  });

  it("never loses a permission: catalogue keys only (atoms incl. unpublished, wildcards, known literals)", () => {
    fc.assert(
      fc.property(fc.array(fc.constantFrom(...CATALOGUE_KEYS), { maxLength: 12 }), (ks) => {
        const out = normalizeKeys(ks);
        for (const k of ks)
          assert.ok(
            out.some((o) => keyCovers(o, k.toLowerCase())),
            `${k} lost from ${JSON.stringify(out)}`,
          );
      }),
      RUNS,
    );
  });

  it("never loses a permission: generated action strings mixed with unpublished keys", () => {
    fc.assert(
      fc.property(anySet, (ks) => {
        const out = normalizeKeys(ks);
        for (const k of ks) {
          const lower = k.toLowerCase();
          assert.ok(
            out.some((o) => keyCovers(o, lower)),
            `${lower} is covered by nothing in ${JSON.stringify(out)}`,
          );
        }
      }),
      { numRuns: 10000 },
    );
  });

  it("outputs a subset of the lower-cased, trimmed input", () => {
    fc.assert(
      fc.property(withMixedCase(anySet), ([, mixed]) => {
        const lower = new Set(mixed.map((k) => k.trim().toLowerCase()));
        for (const o of normalizeKeys(mixed)) assert.ok(lower.has(o), o);
      }),
      RUNS,
    );
  });

  it("outputs a sorted, duplicate-free, lower-case list", () => {
    fc.assert(
      fc.property(withMixedCase(anySet), ([ks, mixed]) => {
        const out = normalizeKeys([...ks, ...mixed]);
        assert.deepEqual(out, [...new Set(out)].sort());
        for (const o of out) assert.equal(o, o.toLowerCase());
      }),
      RUNS,
    );
  });

  it("no output key covers another distinct output key", () => {
    fc.assert(
      fc.property(anySet, (ks) => {
        const out = normalizeKeys(ks);
        for (const a of out) for (const b of out) if (a !== b) assert.ok(!keyCovers(a, b), `${a} covers ${b}`);
      }),
      RUNS,
    );
  });

  it("the empty set, blanks and white space normalise to nothing", () => {
    assert.deepEqual(normalizeKeys([]), []);
    assert.deepEqual(normalizeKeys(["", "   "]), []);
    assert.deepEqual(normalizeKeys(["  Microsoft.XDR/SecOps/*/Read  "]), ["microsoft.xdr/secops/*/read"]);
  });

  it("actionCovers is reflexive and case-insensitive", () => {
    fc.assert(
      fc.property(actionKey, fc.boolean(), (a, upper) => {
        assert.ok(actionCovers(a, upper ? a.toUpperCase() : a));
      }),
      RUNS,
    );
  });

  it("actionCovers: read never covers manage", () => {
    fc.assert(
      fc.property(generatedAction, generatedAction, (a, b) => {
        if (a.endsWith("/read") && b.endsWith("/manage")) assert.ok(!actionCovers(a, b), `${a} covers ${b}`);
      }),
      RUNS,
    );
  });

  it("actionCovers: manage covers read on the same path", () => {
    fc.assert(
      fc.property(generatedAction, (a) => {
        const base = a.slice(0, a.lastIndexOf("/"));
        assert.ok(actionCovers(`${base}/manage`, `${base}/read`));
      }),
      RUNS,
    );
  });

  it("actionCovers is transitive on action strings", () => {
    fc.assert(
      fc.property(actionKey, actionKey, actionKey, (a, b, c) => {
        if (actionCovers(a, b) && actionCovers(b, c)) assert.ok(actionCovers(a, c), `${a} ⊒ ${b} ⊒ ${c}`);
      }),
      { numRuns: 2000 },
    );
  });
});

// ---- examples -----------------------------------------------------------------------------------

describe("normalise: the measured examples (docs/graph-api.md)", () => {
  it("PIM4EntraPS: [secops/*/manage, secops/rawdata/quarantineemailcontent/read] is stored as [secops/*/manage]", () => {
    assert.deepEqual(
      normalizeKeys(["microsoft.xdr/secops/*/manage", "microsoft.xdr/secops/rawdata/quarantineemailcontent/read"]),
      ["microsoft.xdr/secops/*/manage"],
    );
    assert.ok(
      sameKeySet(
        ["microsoft.xdr/secops/*/manage", "microsoft.xdr/secops/rawdata/quarantineemailcontent/read"],
        ["microsoft.xdr/secops/*/manage"],
      ),
    );
  });

  it("`*` matches one or more segments, never zero", () => {
    assert.ok(actionCovers("microsoft.xdr/secops/*/read", "microsoft.xdr/secops/securitydata/read"));
    assert.ok(actionCovers("microsoft.xdr/secops/*/read", "microsoft.xdr/secops/securitydata/basics/read"));
    assert.ok(actionCovers("microsoft.xdr/secops/*/read", "microsoft.xdr/secops/rawdata/quarantineemailcontent/read"));
    assert.ok(!actionCovers("microsoft.xdr/secops/*/read", "microsoft.xdr/secops/read"));
    assert.ok(!keyCovers("microsoft.xdr/secops/*/read", "microsoft.xdr/secops/read"));
    assert.deepEqual(normalizeKeys(["microsoft.xdr/secops/*/read", "microsoft.xdr/secops/read"]), [
      "microsoft.xdr/secops/*/read",
      "microsoft.xdr/secops/read",
    ]);
  });

  it("a wildcard does not reach into another category", () => {
    assert.ok(!actionCovers("microsoft.xdr/secops/*/manage", "microsoft.xdr/configuration/system/manage"));
    assert.ok(!actionCovers("microsoft.xdr/configuration/*/read", "microsoft.xdr/secops/securitydata/basics/read"));
  });

  it("manage covers read, read never covers manage", () => {
    assert.ok(
      actionCovers(
        "microsoft.xdr/configuration/authorization/manage",
        "microsoft.xdr/configuration/authorization/read",
      ),
    );
    assert.ok(
      !actionCovers(
        "microsoft.xdr/configuration/authorization/read",
        "microsoft.xdr/configuration/authorization/manage",
      ),
    );
    assert.ok(actionCovers("microsoft.xdr/secops/*/manage", "microsoft.xdr/secops/securitydata/basics/read"));
    assert.ok(!actionCovers("microsoft.xdr/secops/*/read", "microsoft.xdr/secops/securitydata/alerts/manage"));
    assert.deepEqual(
      normalizeKeys([
        "microsoft.xdr/configuration/authorization/read",
        "microsoft.xdr/configuration/authorization/manage",
      ]),
      ["microsoft.xdr/configuration/authorization/manage"],
    );
  });

  it("comparison is case-insensitive", () => {
    assert.ok(actionCovers("Microsoft.XDR/SecOps/*/Manage", "microsoft.xdr/secops/securitydata/alerts/manage"));
    assert.ok(keyCovers("microsoft.xdr/secops/*/manage", "MICROSOFT.XDR/SECOPS/SECURITYDATA/ALERTS/MANAGE"));
    assert.deepEqual(normalizeKeys(["MICROSOFT.XDR/SECOPS/*/MANAGE", "microsoft.xdr/secops/*/manage"]), [
      "microsoft.xdr/secops/*/manage",
    ]);
  });

  it("a wildcard is not covered by a literal", () => {
    assert.ok(!actionCovers("microsoft.xdr/secops/securitydata/manage", "microsoft.xdr/secops/*/manage"));
    assert.ok(
      !actionCovers("microsoft.xdr/secops/securitydata/alerts/manage", "microsoft.xdr/secops/securitydata/*/manage"),
    );
    assert.ok(!keyCovers("microsoft.xdr/secops/securitydata/manage", "microsoft.xdr/secops/*/manage"));
    assert.deepEqual(normalizeKeys(["microsoft.xdr/secops/securitydata/manage", "microsoft.xdr/secops/*/manage"]), [
      "microsoft.xdr/secops/*/manage",
    ]);
  });

  it("a broader wildcard covers a narrower one, not the reverse", () => {
    assert.ok(actionCovers("microsoft.xdr/secops/*/read", "microsoft.xdr/secops/securitydata/*/read"));
    assert.ok(!actionCovers("microsoft.xdr/secops/securitydata/*/read", "microsoft.xdr/secops/*/read"));
    assert.ok(actionCovers("microsoft.xdr/configuration/*/manage", "microsoft.xdr/configuration/security/*/read"));
  });

  it("unpublished keys are covered by the wildcards over their scope, not by other categories", () => {
    const tuning = "urn:defender-rbac:permission:configuration.security.detectiontuning:manage";
    assert.ok(keyCovers("microsoft.xdr/configuration/security/*/manage", tuning));
    assert.ok(keyCovers("microsoft.xdr/configuration/*/manage", tuning));
    assert.ok(!keyCovers("microsoft.xdr/secops/*/manage", tuning));
    assert.ok(!keyCovers("microsoft.xdr/configuration/security/*/read", tuning));
    assert.ok(!keyCovers("microsoft.xdr/configuration/security/core/manage", tuning));
    assert.deepEqual(normalizeKeys([tuning, "microsoft.xdr/configuration/*/manage"]), [
      "microsoft.xdr/configuration/*/manage",
    ]);
    assert.deepEqual(normalizeKeys([tuning, "microsoft.xdr/secops/*/manage"]), [
      "microsoft.xdr/secops/*/manage",
      tuning,
    ]);
  });

  it("the unpublished read key of Core security settings is covered by the core manage string", () => {
    const coreRead = "urn:defender-rbac:permission:configuration.security.core:read";
    assert.ok(keyCovers("microsoft.xdr/configuration/security/core/manage", coreRead));
    assert.ok(!keyCovers(coreRead, "microsoft.xdr/configuration/security/core/manage"));
    assert.ok(keyCovers("microsoft.xdr/configuration/security/*/read", coreRead));
    assert.deepEqual(normalizeKeys([coreRead, "microsoft.xdr/configuration/security/core/manage"]), [
      "microsoft.xdr/configuration/security/core/manage",
    ]);
  });

  it("an unpublished key never covers a published key", () => {
    for (const u of UNPUBLISHED_KEYS) for (const p of PUBLISHED_KEYS) assert.ok(!keyCovers(u, p), `${u} covers ${p}`);
  });

  it("unpublished keys with an unknown scope (AI code scan) are covered only by themselves and their own manage", () => {
    const scanRead = "urn:defender-rbac:permission:securityposture.aicodescan.scanresults:read";
    const scanManage = "urn:defender-rbac:permission:securityposture.aicodescan.scanresults:manage";
    assert.ok(keyCovers(scanManage, scanRead));
    assert.ok(!keyCovers(scanRead, scanManage));
    assert.ok(!keyCovers("microsoft.xdr/securityposture/*/manage", scanRead));
    assert.deepEqual(normalizeKeys([scanRead, scanManage]), [scanManage]);
  });

  it("normalizeKeys does not drop a key covered only by a key it also drops", () => {
    const keys = [
      "microsoft.xdr/*/core/manage",
      "microsoft.xdr/configuration/security/core/manage",
      "urn:defender-rbac:permission:configuration.security.core:read",
    ];
    const out = normalizeKeys(keys);
    for (const k of keys)
      assert.ok(
        out.some((o) => keyCovers(o, k)),
        `${k} lost from ${JSON.stringify(out)}`,
      );
    const keys2 = [
      "microsoft.xdr/securityposture/*/securescore/manage",
      "microsoft.xdr/securityposture/posturemanagement/securescore/manage",
      "urn:defender-rbac:permission:securityposture.posturemanagement.exposuremanagement:read",
    ];
    const out2 = normalizeKeys(keys2);
    for (const k of keys2)
      assert.ok(
        out2.some((o) => keyCovers(o, k)),
        `${k} lost from ${JSON.stringify(out2)}`,
      );
  });
});
