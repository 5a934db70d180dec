/**
 * Catalogue invariants and the resolver behaviour users rely on, checked against
 * the sources recorded in docs/permissions.md (readable name → action string, "Strings known to be
 * wrong", and the permissions whose string no source gives).
 */
import assert from "node:assert/strict";
import {
  ATOMS,
  CATEGORIES,
  GROUPS,
  KNOWN_ACTIONS,
  PERMISSIONS,
  WILDCARDS,
  atomKey,
  atomLabel,
  knownActionStrings,
  resolvePermission,
  resolvePermissions,
} from "../../provider/core";

// ---- data from the sources (docs/permissions.md) --------------------------------------------------------------------

/** Every action string the sources give (docs/permissions.md), written from the sources, not the code. */
const REFERENCE_STRINGS = [
  "microsoft.xdr/secops/securitydata/basics/read",
  "microsoft.xdr/secops/securitydata/read",
  "microsoft.xdr/secops/securitydata/alerts/manage",
  "microsoft.xdr/secops/securitydata/response/manage",
  "microsoft.xdr/secops/securitydata/liveresponse-basic/manage",
  "microsoft.xdr/secops/securitydata/liveresponse-advanced/manage",
  "microsoft.xdr/secops/securitydata/filecollection/manage",
  "microsoft.xdr/secops/securitydata/emailquarantine/manage",
  "microsoft.xdr/secops/securitydata/emailadvancedactions/manage",
  "microsoft.xdr/secops/securitydata/copilot/read",
  "microsoft.xdr/secops/securitydata/*/read",
  "microsoft.xdr/secops/rawdata/emailcontent/read",
  "microsoft.xdr/secops/rawdata/quarantineemailcontent/read",
  "microsoft.xdr/secops/*/read",
  "microsoft.xdr/secops/*/manage",
  "microsoft.xdr/securityposture/posturemanagement/vulnerabilitymanagement/read",
  "microsoft.xdr/securityposture/posturemanagement/exceptionhandling/manage",
  "microsoft.xdr/securityposture/posturemanagement/remediationhandling/manage",
  "microsoft.xdr/securityposture/posturemanagement/applicationhandling/manage",
  "microsoft.xdr/securityposture/posturemanagement/baselineassessmentprofiles/manage",
  "microsoft.xdr/securityposture/posturemanagement/securescore/manage",
  "microsoft.xdr/securityposture/posturemanagement/*/read",
  "microsoft.xdr/securityposture/posturemanagement/*/manage",
  "microsoft.xdr/securityposture/*/read",
  "microsoft.xdr/securityposture/*/manage",
  "microsoft.xdr/securityposture/read",
  "microsoft.xdr/configuration/authorization/read",
  "microsoft.xdr/configuration/authorization/manage",
  "microsoft.xdr/configuration/security/core/manage",
  "microsoft.xdr/configuration/security/*/read",
  "microsoft.xdr/configuration/security/*/manage",
  "microsoft.xdr/configuration/security/read",
  "microsoft.xdr/configuration/security/manage",
  "microsoft.xdr/configuration/system/read",
  "microsoft.xdr/configuration/system/manage",
  "microsoft.xdr/configuration/*/read",
  "microsoft.xdr/configuration/*/manage",
  "microsoft.xdr/dataops/*/read",
  "microsoft.xdr/dataops/*/manage",
  "microsoft.xdr/dataops/datamanagement/data/manage",
];

/**
 * NOT FOUND (docs/permissions.md): the readable names (with level) whose action string no source gives. Each must
 * resolve to catalogue atoms whose action is null.
 */
const NOT_FOUND: string[] = [
  "Security operations \\ Raw data (Email & collaboration) \\ Email & collaboration metadata (read)",
  "Security operations \\ Raw data (Email & collaboration) \\ Emails associated with alerts (read)",
  "Security posture \\ Posture management \\ Secure Score (read)",
  "Security posture \\ Posture management \\ Exposure Management (read)",
  "Authorization and settings \\ Security settings \\ Core security settings (read)",
  "Authorization and settings \\ Security settings \\ Detection tuning (manage)",
  "Data operations \\ Analytics Jobs Schedule (read)",
  "Data operations \\ Analytics Jobs Schedule (manage)",
  "Security posture \\ AI code scan \\ Run scan (manage)",
  "Security posture \\ AI code scan \\ Upload results (manage)",
  "Security posture \\ AI code scan \\ Scan results (read)",
  "Security posture \\ AI code scan \\ Scan results (manage)",
];

/** Strings that would only be INFERRED from the pattern ("do not ship it", docs/permissions.md). */
const INFERRED_ONLY = [
  "microsoft.xdr/securityposture/posturemanagement/securescore/read",
  "microsoft.xdr/configuration/security/core/read",
];

/** "Strings known to be wrong" (docs/permissions.md, the "…" expanded to `microsoft.xdr`). */
const KNOWN_WRONG = [
  "microsoft.xdr/secops/securitydatabasics/read",
  "microsoft.xdr/secops/liveresponse/basic/manage",
  "microsoft.xdr/secops/email/metadata/read",
  "microsoft.xdr/configuration/securitysettings/core/manage",
  "microsoft.xdr/configuration/securitysettings/detectiontuning/manage",
  "microsoft.xdr/configuration/systemsettings/read",
  "microsoft.xdr/securityposture/vulnerability/read",
];

/** Reference source codes that are Microsoft documents (DOC, DOC-OLD); the others are community. */
const DOC_SOURCES = ["D22", "DMDI", "DG"];

// ---- helpers ------------------------------------------------------------------------------------

function atomIds(ref: string): string[] {
  const r = resolvePermission(ref);
  assert.ok(r.ok, `"${ref}" does not resolve: ${r.ok ? "" : JSON.stringify(r.issues)}`);
  return r.value.atoms.map((a) => a.id).sort();
}

function issueOf(ref: string, path: (string | number)[] = []) {
  const r = resolvePermission(ref, path);
  assert.equal(r.ok, false, `"${ref}" resolved but should not`);
  assert.ok(!r.ok);
  assert.equal(r.issues.length, 1);
  return r.issues[0];
}

/** Every action string in the shipped catalogue data. */
function allCatalogueActions(): string[] {
  return [
    ...ATOMS.map((a) => a.info.action).filter((a): a is string => a !== null),
    ...WILDCARDS.map((w) => w.action),
    ...KNOWN_ACTIONS.map((k) => k.action),
  ];
}

// ---- tests --------------------------------------------------------------------------------------

describe("catalogue: invariants", () => {
  it("atom ids are unique and are <permission id>:<level>", () => {
    assert.equal(new Set(ATOMS.map((a) => a.id)).size, ATOMS.length);
    for (const a of ATOMS) assert.equal(a.id, `${a.permission.id}:${a.level}`);
  });

  it("permission, group and category ids are unique", () => {
    for (const xs of [PERMISSIONS, GROUPS, CATEGORIES]) assert.equal(new Set(xs.map((x) => x.id)).size, xs.length);
  });

  it("every permission has at least one level and belongs to a known category and group", () => {
    for (const p of PERMISSIONS) {
      assert.ok(Object.keys(p.levels).length > 0, p.id);
      assert.ok(
        CATEGORIES.some((c) => c.id === p.category),
        p.id,
      );
      if (p.group !== null) assert.equal(GROUPS.find((g) => g.id === p.group)?.category, p.category, p.id);
    }
  });

  it("atom keys are unique (no two atoms share an action string)", () => {
    assert.equal(new Set(ATOMS.map(atomKey)).size, ATOMS.length);
  });

  it("every action string starts with microsoft.xdr/, is lower case and ends in /read or /manage", () => {
    for (const s of allCatalogueActions()) {
      assert.ok(s.startsWith("microsoft.xdr/"), s);
      assert.equal(s, s.toLowerCase(), s);
      assert.match(s, /\/(read|manage)$/, s);
      assert.doesNotMatch(s, /\s/, s);
    }
  });

  it("an atom's action string ends in its level", () => {
    for (const a of ATOMS) if (a.info.action) assert.ok(a.info.action.endsWith(`/${a.level}`), a.id);
  });

  it("atoms with an action string have provenance documented or community and name a source", () => {
    for (const a of ATOMS.filter((x) => x.info.action !== null)) {
      assert.ok(["documented", "community"].includes(a.info.provenance), a.id);
      assert.ok(a.info.sources.length > 0, a.id);
    }
    for (const w of [...WILDCARDS, ...KNOWN_ACTIONS]) {
      assert.ok(["documented", "community"].includes(w.provenance), w.action);
      assert.ok(w.sources.length > 0, w.action);
    }
  });

  it("atoms without an action string have provenance unknown and no sources", () => {
    for (const a of ATOMS.filter((x) => x.info.action === null)) {
      assert.equal(a.info.provenance, "unknown", a.id);
      assert.deepEqual(a.info.sources, [], a.id);
    }
  });

  it("provenance follows the sources: documented exactly when a Microsoft document (D22, DMDI, DG) gives the string", () => {
    const entries = [
      ...ATOMS.filter((a) => a.info.action !== null).map((a) => ({
        what: a.id,
        provenance: a.info.provenance,
        sources: a.info.sources,
      })),
      ...WILDCARDS.map((w) => ({ what: w.action, provenance: w.provenance, sources: w.sources })),
      ...KNOWN_ACTIONS.map((k) => ({ what: k.action, provenance: k.provenance, sources: k.sources })),
    ];
    for (const e of entries) {
      const documented = e.sources.some((s) => DOC_SOURCES.includes(s));
      assert.equal(e.provenance, documented ? "documented" : "community", `${e.what} (${e.sources.join(", ")})`);
    }
  });

  it("wildcards hold a * segment and end in their level", () => {
    for (const w of WILDCARDS) {
      assert.ok(w.action.split("/").includes("*"), w.action);
      assert.ok(w.action.endsWith(`/${w.level}`), w.action);
    }
  });

  it("knownActionStrings() lists every action string of the catalogue, once", () => {
    const known = knownActionStrings();
    assert.equal(new Set(known).size, known.length);
    assert.deepEqual([...known].sort(), [...new Set(allCatalogueActions())].sort());
  });

  it("atom labels are unique and resolve back to their atom", () => {
    const labels = ATOMS.map(atomLabel);
    assert.equal(new Set(labels).size, labels.length);
    for (const a of ATOMS) assert.deepEqual(atomIds(atomLabel(a)), [a.id], atomLabel(a));
  });

  it("atom ids and atom keys resolve back to their atom", () => {
    for (const a of ATOMS) {
      assert.deepEqual(atomIds(a.id), [a.id]);
      assert.deepEqual(atomIds(atomKey(a)), [a.id]);
      const r = resolvePermission(a.id);
      assert.ok(r.ok);
      assert.deepEqual(r.value.keys, [atomKey(a)]);
    }
  });
});

describe("catalogue: nothing invented", () => {
  it("every action string of the catalogue is one a source gives", () => {
    for (const s of allCatalogueActions()) assert.ok(REFERENCE_STRINGS.includes(s), `${s} is given by no source`);
  });

  for (const ref of NOT_FOUND) {
    it(`NOT FOUND stays null: ${ref}`, () => {
      const r = resolvePermission(ref);
      assert.ok(r.ok, JSON.stringify(r));
      assert.equal(r.value.atoms.length, 1);
      const atom = r.value.atoms[0];
      assert.equal(atom.info.action, null);
      assert.equal(atom.info.provenance, "unknown");
      assert.ok(r.value.keys[0].startsWith("urn:defender-rbac:permission:"), r.value.keys[0]);
    });
  }

  it("the AI code scan permissions have no action string at any level", () => {
    const aiAtoms = ATOMS.filter((a) => a.permission.group === "securityposture.aicodescan");
    assert.ok(aiAtoms.length >= 4);
    for (const a of aiAtoms) assert.equal(a.info.action, null, a.id);
    for (const s of allCatalogueActions()) assert.ok(!s.startsWith("microsoft.xdr/aicodesecurity/"), s);
  });

  it("strings that would only be INFERRED are not shipped, and are rejected", () => {
    for (const s of INFERRED_ONLY) {
      assert.ok(!allCatalogueActions().includes(s), s);
      assert.equal(issueOf(s).code, "unknown_action", s);
    }
  });
});

describe("catalogue: strings known to be wrong", () => {
  const catalogueText = JSON.stringify([CATEGORIES, GROUPS, PERMISSIONS, WILDCARDS, KNOWN_ACTIONS]).toLowerCase();

  for (const s of KNOWN_WRONG) {
    it(`${s} appears nowhere and is rejected with unknown_action`, () => {
      assert.ok(!catalogueText.includes(s), s);
      assert.ok(!catalogueText.includes(s.slice("microsoft.xdr/".length)), s);
      const issue = issueOf(s, ["permissions", 0]);
      assert.equal(issue.code, "unknown_action");
      assert.deepEqual(issue.path, ["permissions", 0]);
      assert.ok(issue.suggestions && issue.suggestions.length > 0, "suggestions");
    });
  }

  it("the wrong strings are rejected whatever their case", () => {
    for (const s of KNOWN_WRONG) assert.equal(issueOf(s.toUpperCase()).code, "unknown_action", s);
  });
});

describe("resolver: spelling variants resolve to the same atoms", () => {
  const variants: [string, string[]][] = [
    [
      "Security setting vs Security settings",
      [
        "Authorization and settings \\ Security setting (All permissions)",
        "Authorization and settings \\ Security settings (All permissions)",
      ],
    ],
    [
      "Security setting group vs Security settings group",
      [
        "Authorization and settings \\ Security setting \\ Core security settings (read)",
        "Authorization and settings \\ Security settings \\ Core security settings (read)",
      ],
    ],
    [
      "Security baselines assessment vs Security baseline assessment",
      [
        "Security posture \\ Posture management \\ Security baselines assessment (manage)",
        "Security posture \\ Posture management \\ Security baseline assessment (manage)",
        "Security posture \\ posture management \\ Security baselines assessment (manage)",
      ],
    ],
    [
      "Email message headers vs Email & collaboration metadata",
      [
        "Security operations \\ Raw data (Email & collaboration) \\ Email message headers (read)",
        "Security operations \\ Raw data (Email & collaboration) \\ Email & collaboration metadata (read)",
        "Security operations \\ Raw data (E&C) \\ Email & collaboration metadata (read)",
      ],
    ],
    [
      "Basic live response with and without the Security data group",
      [
        "Security operations \\ Basic live response (manage)",
        "Security operations \\ Security data \\ Basic live response (manage)",
        "Security operations  \\ Security data \\ Basic live response (manage)",
      ],
    ],
    [
      "Advanced live response with and without the Security data group",
      [
        "Security operations \\ Advanced live response (manage)",
        "Security operations \\ Security data \\ Advanced live response (manage)",
      ],
    ],
    [
      "System setting vs System settings",
      ["Authorization and settings \\ System setting (read)", "Authorization and settings \\ System settings (read)"],
    ],
    [
      "Email quarantine vs Email & collaboration quarantine",
      [
        "Security operations \\ Security data \\ Email quarantine (manage)",
        "Security operations \\ Security data \\ Email & collaboration quarantine (manage)",
      ],
    ],
    [
      "Email content vs Email & collaboration content, doubled category",
      [
        "Security operations\\ Security operations \\ Raw data (Email & collaboration) \\ Email content (read)",
        "Security operations \\ Raw data (Email & collaboration) \\ Email & collaboration content (read)",
        "microsoft.xdr/secops/rawdata/emailcontent/read",
      ],
    ],
    [
      "Secure Score vs Exposure Management (manage)",
      [
        "Security posture \\ Posture management \\ Secure Score (manage)",
        "Security posture \\ Posture management \\ Exposure Management (manage)",
      ],
    ],
    [
      "readable name vs atom id vs action string vs case",
      [
        "Security operations \\ Security data \\ Alerts (manage)",
        "security operations \\ security data \\ alerts (MANAGE)",
        "Security operations\\Security data\\Alerts (manage)",
        "secops.securitydata.alerts:manage",
        "secops.securitydata.alerts",
        "microsoft.xdr/secops/securitydata/alerts/manage",
        "Microsoft.XDR/SecOps/SecurityData/Alerts/Manage",
      ],
    ],
  ];
  for (const [title, refs] of variants) {
    it(title, () => {
      const expected = atomIds(refs[0]);
      assert.ok(expected.length > 0);
      for (const r of refs.slice(1)) assert.deepEqual(atomIds(r), expected, r);
    });
  }
});

describe("resolver: levels", () => {
  it("'(All permissions)' of Security settings is Core security settings read and manage plus Detection tuning", () => {
    assert.deepEqual(atomIds("Authorization and settings \\ Security settings (All permissions)"), [
      "configuration.security.core:manage",
      "configuration.security.core:read",
      "configuration.security.detectiontuning:manage",
    ]);
  });

  it("'(All read permissions)' of Security settings is Core security settings read only", () => {
    assert.deepEqual(atomIds("Authorization and settings \\ Security settings (All read permissions)"), [
      "configuration.security.core:read",
    ]);
  });

  it("'(All read-only permissions)' and '(read-only)' are accepted", () => {
    assert.deepEqual(atomIds("Authorization and settings \\ Security settings (All read-only permissions)"), [
      "configuration.security.core:read",
    ]);
    assert.deepEqual(atomIds("Authorization and settings \\ Authorization (read-only)"), [
      "configuration.-.authorization:read",
    ]);
  });

  it("'(read only)' picks the read level", () => {
    assert.deepEqual(atomIds("Authorization and settings \\ Authorization (read only)"), [
      "configuration.-.authorization:read",
    ]);
  });

  it("'(Read and manage)' gives both levels", () => {
    assert.deepEqual(atomIds("Authorization and settings \\ Authorization (Read and manage)"), [
      "configuration.-.authorization:manage",
      "configuration.-.authorization:read",
    ]);
    assert.deepEqual(atomIds("Authorization and settings \\ System setting (Read and manage)"), [
      "configuration.-.system:manage",
      "configuration.-.system:read",
    ]);
    assert.deepEqual(atomIds("Security posture \\ Posture management \\ Secure Score (Read and manage)"), [
      "securityposture.posturemanagement.exposuremanagement:manage",
      "securityposture.posturemanagement.exposuremanagement:read",
    ]);
  });

  it("a single level can be picked", () => {
    assert.deepEqual(atomIds("Authorization and settings \\ Authorization (read)"), [
      "configuration.-.authorization:read",
    ]);
    assert.deepEqual(atomIds("Authorization and settings \\ Authorization (manage)"), [
      "configuration.-.authorization:manage",
    ]);
    assert.deepEqual(atomIds("configuration.-.authorization:read"), ["configuration.-.authorization:read"]);
  });

  it("a permission with one level needs no level", () => {
    assert.deepEqual(atomIds("Security operations \\ Security data \\ Alerts"), ["secops.securitydata.alerts:manage"]);
    assert.deepEqual(atomIds("Security operations \\ Security data \\ Security data basics"), [
      "secops.securitydata.basics:read",
    ]);
  });

  it("a permission with two levels and no level given fails with ambiguous_permission naming the fix", () => {
    for (const ref of [
      "Authorization and settings \\ Authorization",
      "configuration.-.authorization",
      "Authorization and settings \\ System settings",
    ]) {
      const issue = issueOf(ref);
      assert.equal(issue.code, "ambiguous_permission", ref);
      assert.match(issue.message, /\(read\)/, ref);
      assert.match(issue.message, /\(manage\)/, ref);
      assert.match(issue.message, /\(Read and manage\)/, ref);
    }
  });

  it("a group without a level fails with ambiguous_permission naming '(All permissions)'", () => {
    const issue = issueOf("Authorization and settings \\ Security settings");
    assert.equal(issue.code, "ambiguous_permission");
    assert.match(issue.message, /\(All permissions\)/);
  });

  it("a level the permission does not have fails with invalid_level naming the one it has", () => {
    const issue = issueOf("Security operations \\ Security data \\ Alerts (read)");
    assert.equal(issue.code, "invalid_level");
    assert.match(issue.message, /manage/);
    assert.equal(issueOf("secops.securitydata.basics:manage").code, "invalid_level");
  });
});

describe("resolver: action strings and keys", () => {
  it("wildcard action strings resolve as keys, with no atoms", () => {
    for (const w of WILDCARDS) {
      const r = resolvePermission(w.action);
      assert.ok(r.ok, w.action);
      assert.deepEqual(r.value.keys, [w.action]);
      assert.deepEqual(r.value.atoms, []);
    }
    const r = resolvePermission("Microsoft.XDR/SecOps/*/Manage");
    assert.ok(r.ok);
    assert.deepEqual(r.value.keys, ["microsoft.xdr/secops/*/manage"]);
  });

  it("known literal action strings resolve as keys", () => {
    for (const k of KNOWN_ACTIONS) {
      const r = resolvePermission(k.action);
      assert.ok(r.ok, k.action);
      assert.deepEqual(r.value.keys, [k.action]);
    }
  });

  it("an unknown action string fails with unknown_action, unless the tenant's catalogue knows it", () => {
    const s = "microsoft.xdr/aicodesecurity/scans/manage";
    assert.equal(issueOf(s).code, "unknown_action");
    const r = resolvePermission(s, [], { extraActions: new Set([s]) });
    assert.ok(r.ok);
    assert.deepEqual(r.value.keys, [s]);
  });

  it("unpublished keys resolve for atoms without an action string only", () => {
    const tuning = "urn:defender-rbac:permission:configuration.security.detectiontuning:manage";
    assert.deepEqual(atomIds(tuning), ["configuration.security.detectiontuning:manage"]);
    assert.equal(issueOf("urn:defender-rbac:permission:configuration.security.core:manage").code, "unknown_permission");
    assert.equal(issueOf("urn:defender-rbac:permission:nope:read").code, "unknown_permission");
  });
});

describe("resolver: errors", () => {
  it("an unknown readable name fails with unknown_permission and suggestions", () => {
    const issue = issueOf("Security operations \\ Security data \\ Alert (manage)");
    assert.equal(issue.code, "unknown_permission");
    assert.ok(issue.suggestions && issue.suggestions.length > 0);
    assert.ok(
      issue.suggestions!.includes("Security operations \\ Security data \\ Alerts (manage)"),
      JSON.stringify(issue.suggestions),
    );
  });

  it("a misspelt permission suggests the right one", () => {
    const issue = issueOf("Authorization and settings \\ Security settings \\ Detection tunning (manage)");
    assert.equal(issue.code, "unknown_permission");
    assert.ok(
      issue.suggestions!.includes("Authorization and settings \\ Security settings \\ Detection tuning (manage)"),
      JSON.stringify(issue.suggestions),
    );
  });

  it("an unknown atom id fails with unknown_permission and suggestions", () => {
    const issue = issueOf("secops.securitydata.alert:manage");
    assert.equal(issue.code, "unknown_permission");
    assert.ok(issue.suggestions!.includes("secops.securitydata.alerts:manage"), JSON.stringify(issue.suggestions));
  });

  it("a permission put in the wrong category or group is unknown", () => {
    assert.equal(issueOf("Security posture \\ Security data \\ Alerts (manage)").code, "unknown_permission");
    assert.equal(
      issueOf("Security operations \\ Raw data (Email & collaboration) \\ Alerts (manage)").code,
      "unknown_permission",
    );
  });

  it("an empty reference fails with invalid_value", () => {
    assert.equal(issueOf("").code, "invalid_value");
    assert.equal(issueOf("   ").code, "invalid_value");
  });

  it("resolvePermission reports the path it is given", () => {
    assert.deepEqual(issueOf("bogus permission", ["spec", "permissions", 3]).path, ["spec", "permissions", 3]);
  });

  it("resolvePermissions reports the index of each bad entry under the base path", () => {
    const r = resolvePermissions(
      [
        "Security operations \\ Security data \\ Alerts (manage)",
        "no such permission",
        "microsoft.xdr/secops/securitydatabasics/read",
        "configuration.-.system:read",
      ],
      ["permissions"],
    );
    assert.equal(r.ok, false);
    assert.ok(!r.ok);
    assert.deepEqual(
      r.issues.map((i) => i.path),
      [
        ["permissions", 1],
        ["permissions", 2],
      ],
    );
    assert.deepEqual(
      r.issues.map((i) => i.code),
      ["unknown_permission", "unknown_action"],
    );
  });

  it("resolvePermissions unions keys and atoms of good entries", () => {
    const r = resolvePermissions([
      "Authorization and settings \\ Security settings (All permissions)",
      "Authorization and settings \\ Security settings \\ Core security settings (read)",
      "microsoft.xdr/secops/*/read",
    ]);
    assert.ok(r.ok);
    assert.deepEqual(r.value.atoms.map((a) => a.id).sort(), [
      "configuration.security.core:manage",
      "configuration.security.core:read",
      "configuration.security.detectiontuning:manage",
    ]);
    assert.ok(r.value.keys.includes("microsoft.xdr/secops/*/read"));
    assert.ok(r.value.keys.includes("microsoft.xdr/configuration/security/core/manage"));
  });
});
