/**
 * Seed test vectors: every row of the four tables of Microsoft's "Map Microsoft 365 Defender Unified
 * role-based access control (RBAC) permissions" page (docs/mapping.md,
 * ms.date 08/03/2023), written from the seed text, not from the implementation.
 *
 * Each row keeps the seed's own cell text, split on `</br>`, with the seed's spellings, typos,
 * doubled category, en dashes, "Security setting" vs "Security settings", "Email message headers",
 * doubled spaces and so on. The expected atoms are obtained by resolving that text with
 * `resolvePermission`, so these vectors check the legacy encoding (legacy.ts, as atom ids) and the
 * readable-name resolver against each other and against the page.
 */
import assert from "node:assert/strict";
import {
  MappedPermission,
  Mapping,
  atomKey,
  getAtom,
  mapLegacyRoles,
  normalizeKeys,
  resolvePermission,
} from "../../provider/core";

type Source = "mde" | "mdo" | "mdi" | "entra";
type Workload = "mde" | "mdi" | "mdo";

/** A row of the MDE, MDO or MDI table. */
interface Vector {
  /** The legacy name exactly as the seed writes it. */
  name: string;
  /** The seed's cell, split on `</br>` and trimmed. */
  cells: string[];
  /** The seed's cell text when the row maps to nothing ("Not supported - …"). */
  unsupported?: string;
}

const NOT_APPLICABLE = "not applicable" as const;
interface SameAs {
  sameAs: string;
}
/** One bold sub-heading of the "workload specific" column and the cells under it. */
interface Section {
  heading: string;
  cells: string[];
}
/** A row of the Entra ("AAD role") table. */
export interface EntraVector {
  name: string;
  /** "Microsoft 365 Defender Unified RBAC assigned permissions for all workloads". */
  allWorkloads: string[] | typeof NOT_APPLICABLE | SameAs;
  /** "Microsoft 365 Defender Unified RBAC assigned permissions – workload specific". */
  workloadSpecific: Section[] | typeof NOT_APPLICABLE | SameAs;
}

/** The seed's sub-headings of the workload-specific column, and the workloads each stands for. */
const HEADING_WORKLOADS: Record<string, Workload[]> = {
  "Defender for Endpoint and Defender Vulnerability Management permissions only permissions": ["mde"],
  "Defender for Office only permissions": ["mdo"],
  "Defender for Identity only permissions": ["mdi"],
  "Defender for Office and Defender for Identity only permissions": ["mdo", "mdi"],
};

/** Order in which the implementation lists workloads (mapping.ts WORKLOAD_ORDER). */
const WORKLOAD_ORDER: Workload[] = ["mde", "mdi", "mdo"];

// ---- Table 1: Defender for Endpoint and Defender Vulnerability Management permissions ----------
const MDE: Vector[] = [
  {
    name: "View data - Security operations",
    cells: ["Security operations \\ Security data \\ Security data basics (read)"],
  },
  {
    name: "View data - Defender Vulnerability Management",
    cells: ["Security posture \\ Posture management \\ Vulnerability management (read)"],
  },
  { name: "Alerts investigation", cells: ["Security operations \\ Security data \\ Alerts (manage)"] },
  {
    name: "Active remediation actions - Security operations",
    cells: ["Security operations \\ Security data \\ Response (manage)"],
  },
  {
    name: "Active remediation actions - Defender Vulnerability Management - Exception handling",
    cells: ["Security posture \\ Posture management \\ Exception handling (manage)"],
  },
  {
    name: "Active remediation actions - Defender Vulnerability Management - Remediation handling",
    cells: ["Security posture \\ posture management \\ Remediation handling (manage)"],
  },
  {
    name: "Active remediation actions - Defender Vulnerability Management - Application handling",
    cells: ["Security posture \\ Posture management \\ Application handling (manage)"],
  },
  {
    name: "Defender Vulnerability management – Manage security baselines assessment profiles",
    cells: ["Security posture \\ posture management \\ Security baselines assessment (manage)"],
  },
  { name: "Live response capabilities", cells: ["Security operations \\ Basic live response (manage)"] },
  {
    name: "Live response capabilities - advanced",
    cells: [
      "Security operations \\ Advanced live response (manage)",
      "Security operations \\ Security data \\ File collection (manage)",
    ],
  },
  {
    name: "Manage security settings in the Security Center",
    cells: [
      "Authorization and settings \\ Security settings \\ Core security settings (manage)",
      "Authorization and settings\\Security settings \\ Detection tuning (manage)",
    ],
  },
  { name: "Manage portal system settings", cells: ["Authorization and settings \\ System setting (Read and manage)"] },
  {
    name: "Manage endpoint security settings in Microsoft Intune",
    cells: [],
    unsupported: "Not supported - this permission is managed in the Microsoft Intune admin center",
  },
];

// ---- Table 2: Defender for Office (EOP) role groups and roles ----------------------------------
const MDO: Vector[] = [
  {
    name: "Security reader",
    cells: [
      "Security operations \\ Security data \\Security data basics (read)",
      "Security operations \\ Raw data (Email & collaboration) \\ Email message headers (read)",
      "Security operations \\ Security data \\ Response (manage)",
      "Authorization and settings \\ Security settings \\ Core security settings (read)",
      "Authorization and settings \\ System setting (read)",
    ],
  },
  {
    name: "Global reader",
    cells: [
      "Security operations \\ Security data \\ Security data basics (read)",
      "Security operations \\ Raw data (Email & collaboration) \\ Email message headers (read)",
      "Security operations \\ Security data \\ Response (manage)",
      "Authorization and settings \\ Security settings \\ Core security settings (read)",
      "Authorization and settings \\ System setting (read)",
    ],
  },
  {
    name: "Security administrator",
    cells: [
      "Security operations \\ Security data \\ Security data basics (read)",
      "Security operations \\ Security data \\ Alerts (manage)",
      "Security operations \\ Raw data (Email & collaboration) \\ Email message headers (read)",
      "Security operations \\ Security data \\ Response (manage)",
      "Security operations \\ Security data \\ Email quarantine (manage)",
      "Authorization and settings \\ Authorization (read)",
      "Authorization and settings \\ Security setting (All permissions)",
      "Authorization and settings \\ System settings (Read and manage)",
    ],
  },
  {
    name: "Organization Management",
    cells: [
      "Security operations \\ Security data \\ Security data basics (read)",
      "Security operations \\ Security data \\ Alerts (manage)",
      "Security operations \\ Raw data (Email & collaboration) \\ Email message headers (read)",
      "Security operations \\ Security data \\ Response (manage)",
      "Security operations \\ Security data \\ Email advanced actions (manage)",
      "Security operations \\ Security data \\ Email quarantine (manage)",
      "Authorization and settings \\ Authorization (Read and manage)",
      "Authorization and settings \\ Security setting (All permissions)",
      "Authorization and settings \\ System settings (Read and manage)",
    ],
  },
  {
    name: "View-Only Recipients",
    cells: [
      "Security operations \\ Security data \\ Security data basics (read)",
      "Security operations \\ Raw data (Email & collaboration) \\ Email message headers (read)",
    ],
  },
  {
    name: "Preview",
    cells: ["Security operations\\ Security operations \\ Raw data (Email & collaboration) \\ Email content (read)"],
  },
  { name: "Search and Purge", cells: ["Security operations \\ Security data \\ Email advanced actions (manage)"] },
  { name: "View-Only Manage Alerts", cells: ["Security operations \\ Security data \\ Security data basics (read)"] },
  {
    name: "Manage Alerts",
    cells: [
      "Security operations \\ Security data \\ Security data basics (read)",
      "Security operations \\ Security data \\ Alerts (manage)",
    ],
  },
  { name: "View-only Audit Logs", cells: ["Security operations \\ Security data \\ Security data basics (read)"] },
  { name: "Audit Logs", cells: ["Security operations \\ Security data \\ Security data basics (read)"] },
  { name: "Quarantine", cells: ["Security operations \\ Security data \\ Email quarantine (manage)"] },
  { name: "Role Management", cells: ["Authorization and settings \\ Authorization (Read and manage)"] },
];

// ---- Table 3: Defender for Identity permissions ------------------------------------------------
const MDI: Vector[] = [
  {
    name: "MDI admin",
    cells: [
      "Security operations \\ Security data \\ Security data basics (read)",
      "Security operations \\ Security data \\ Alerts (manage)",
      "Authorization and settings \\ Authorization (Read and manage)",
      "Authorization and settings \\ Security setting (All permissions)",
      "Authorization and settings \\ System settings (Read and manage)",
    ],
  },
  {
    name: "MDI user",
    cells: [
      "Security operations \\ Security data \\ Security data basics (read)",
      "Security operations \\ Security data \\ Alerts (manage)",
      "Authorization and settings \\ Security setting (All permissions)",
      "Authorization and settings \\ System setting (read)",
    ],
  },
  {
    name: "MDI viewer",
    cells: [
      "Security operations \\ Security data \\ Security data basics (read)",
      "Authorization and settings \\ Security settings \\ Core security settings (read)",
      "Authorization and settings \\ System setting (read)",
    ],
  },
];

// ---- Table 4: Azure Active Directory global roles ----------------------------------------------
export const ENTRA: EntraVector[] = [
  {
    name: "Global administrator",
    allWorkloads: [
      "Security operations \\ Security data \\ Security data basics (read)",
      "Security operations \\ Security data \\ Alerts (manage)",
      "Security operations \\ Security data \\ Response (manage)",
      "Security posture \\ Posture management \\ Secure Score (read)",
      "Security posture \\ Posture management \\ Secure Score (manage)",
      "Authorization and settings \\ Authorization (Read and manage)",
      "Authorization and settings \\ Security settings (All permissions)",
      "Authorization and settings \\ System settings (Read and manage)",
    ],
    workloadSpecific: [
      {
        heading: "Defender for Endpoint and Defender Vulnerability Management permissions only permissions",
        cells: [
          "Security operations \\ Basic live response (manage)",
          "Security operations \\ Advanced live response (manage)",
          "Security operations  \\ Security data \\ File collection (manage)",
          "Security posture \\ Posture management \\ Vulnerability management (read)",
          "Security posture \\ Posture management \\ Exception handling (manage)",
          "Security posture \\ Posture management \\ Remediation handling (manage)",
          "Security posture \\ Posture management \\ Application handling (manage)",
          "Security posture \\ Posture management \\ Security baseline assessment (manage)",
        ],
      },
      {
        heading: "Defender for Office only permissions",
        cells: [
          "Security operations \\ Security data \\ Email quarantine (manage)",
          "Security operations \\ Security data \\ Email advanced actions (manage)",
          "Security operations \\ Raw data (Email & collaboration) \\ Email message headers (read)",
        ],
      },
    ],
  },
  {
    name: "Security administrator",
    allWorkloads: { sameAs: "Global administrator" },
    workloadSpecific: { sameAs: "Global administrator" },
  },
  {
    name: "Global reader",
    allWorkloads: [
      "Security operations \\ Security data \\ Security data basics (read)",
      "Security posture \\ Posture management \\ Secure Score (read)",
    ],
    workloadSpecific: [
      {
        heading: "Defender for Endpoint and Defender Vulnerability Management permissions only permissions",
        cells: ["Security posture \\ Posture management \\ Vulnerability management (read)"],
      },
      {
        heading: "Defender for Office only permissions",
        cells: [
          "Security operations \\ Security data \\ Response (manage)",
          "Security operations \\ Raw data (Email & collaboration) \\ Email message headers (read)",
          "Authorization and settings \\ Authorization (read)",
        ],
      },
      {
        heading: "Defender for Office and Defender for Identity only permissions",
        cells: [
          "Authorization and settings \\ Security settings \\ Core security settings (read)",
          "Authorization and settings \\ System settings (read)",
        ],
      },
    ],
  },
  {
    name: "Security reader",
    allWorkloads: [
      "Security operations \\ Security data \\ Security data basics (read)",
      "Security posture \\ Posture management \\ Secure Score (read)",
    ],
    workloadSpecific: [
      {
        heading: "Defender for Endpoint and Defender Vulnerability Management permissions only permissions",
        cells: ["Security posture \\ Posture management \\ Vulnerability management (read)"],
      },
      {
        heading: "Defender for Office only permissions",
        cells: [
          "Security operations \\ Security data \\ Response (manage)",
          "Security operations \\ Raw data (Email & collaboration) \\ Email message headers (read)",
        ],
      },
      {
        heading: "Defender for Office and Defender for Identity only permissions",
        cells: [
          "Authorization and settings \\ Security settings \\ Core security settings (read)",
          "Authorization and settings \\ System settings (read)",
        ],
      },
    ],
  },
  {
    name: "Security operator",
    allWorkloads: [
      "Security operations \\ Security data \\ Security data basics (read)",
      "Security operations \\ Security data \\ Alerts (manage)",
      "Security operations \\ Security data \\ Response (manage)",
      "Security posture \\ Posture management \\ Secure Score (read)",
      "Authorization and settings \\ Security settings (All permissions)",
    ],
    workloadSpecific: [
      {
        heading: "Defender for Endpoint and Defender Vulnerability Management permissions only permissions",
        cells: [
          "Security operations  \\ Security data \\ Basic live response (manage)",
          "Security operations  \\ Security data \\ Advanced live response (manage)",
          "Security operations \\ Security data \\ File collection (manage)",
          "Security posture \\ Posture management \\ Vulnerability management (read)",
          "Security posture \\ Posture management \\ Exception handling (manage)",
          "Security posture \\ Posture management \\ Remediation handling (manage)",
        ],
      },
      {
        heading: "Defender for Office only permissions",
        cells: [
          "Security operations \\ Raw data (Email & collaboration) \\ Email message headers (read)",
          "Authorization and settings \\ System settings (Read and manage)",
        ],
      },
      {
        heading: "Defender for Identity only permissions",
        cells: ["Authorization and settings \\ System settings (read)"],
      },
    ],
  },
  {
    name: "Exchange Administrator",
    allWorkloads: [
      "Security posture \\ Posture management \\ Secure Score (read)",
      "Security posture \\ Posture management \\ Secure Score (manage)",
    ],
    workloadSpecific: NOT_APPLICABLE,
  },
  {
    name: "SharePoint Administrator",
    allWorkloads: [
      "Security posture \\ Posture management \\ Secure Score (read)",
      "Security posture \\ Posture management \\ Secure Score (manage)",
    ],
    workloadSpecific: NOT_APPLICABLE,
  },
  {
    name: "Service Support Administrator",
    allWorkloads: ["Security posture \\ Posture management \\ Secure Score (read)"],
    workloadSpecific: NOT_APPLICABLE,
  },
  {
    name: "User Administrator",
    allWorkloads: ["Security posture \\ Posture management \\ Secure Score (read)"],
    workloadSpecific: NOT_APPLICABLE,
  },
  {
    name: "HelpDesk Administrator",
    allWorkloads: ["Security posture \\ Posture management \\ Secure Score (read)"],
    workloadSpecific: NOT_APPLICABLE,
  },
  {
    name: "Compliance administrator",
    allWorkloads: NOT_APPLICABLE,
    workloadSpecific: [
      {
        heading: "Defender for Office only permissions",
        cells: [
          "Security operations \\ Security data \\ Security data basics (read)",
          "Security operations \\ Security data \\ Alerts (manage)",
        ],
      },
    ],
  },
  {
    name: "Compliance data administrator",
    allWorkloads: NOT_APPLICABLE,
    workloadSpecific: { sameAs: "Compliance administrator" },
  },
  {
    name: "Billing admin",
    allWorkloads: NOT_APPLICABLE,
    workloadSpecific: NOT_APPLICABLE,
  },
];

// ---- helpers ------------------------------------------------------------------------------------

/** The atom ids one seed cell stands for; asserts that the cell resolves. */
function cellAtoms(cell: string): string[] {
  const r = resolvePermission(cell);
  assert.ok(r.ok, `seed cell "${cell}" does not resolve: ${r.ok ? "" : JSON.stringify(r.issues)}`);
  assert.ok(r.value.atoms.length > 0, `seed cell "${cell}" resolved to no atoms`);
  return r.value.atoms.map((a) => a.id);
}

function unionOf(cells: readonly string[]): Set<string> {
  return new Set(cells.flatMap(cellAtoms));
}

function sorted(xs: Iterable<string>): string[] {
  return [...xs].sort();
}

function mapOk(source: string, names: readonly string[]): Mapping {
  const r = mapLegacyRoles(source, names);
  assert.ok(
    r.ok,
    `mapLegacyRoles(${source}, ${JSON.stringify(names)}) failed: ${r.ok ? "" : JSON.stringify(r.issues)}`,
  );
  return r.value;
}

function ids(m: Mapping): string[] {
  return sorted(m.permissions.map((p) => p.id));
}

function entraRow(name: string): EntraVector {
  const row = ENTRA.find((r) => r.name === name);
  assert.ok(row, `no Entra vector named ${name}`);
  return row;
}

/** The "all workloads" cells of an Entra row, following "Same as X". */
function entraAllCells(v: EntraVector): string[] {
  const c = v.allWorkloads;
  if (c === NOT_APPLICABLE) return [];
  if ("sameAs" in c) return entraAllCells(entraRow(c.sameAs));
  return c;
}

/** The workload-specific sections of an Entra row, following "Same as X". */
function entraSections(v: EntraVector): Section[] {
  const c = v.workloadSpecific;
  if (c === NOT_APPLICABLE) return [];
  if ("sameAs" in c) return entraSections(entraRow(c.sameAs));
  return c;
}

/** Expected atom id → workloads for an Entra row, derived from the seed text only. */
export function entraExpected(v: EntraVector): Map<string, string[]> {
  const all = unionOf(entraAllCells(v));
  const per = new Map<string, Set<Workload>>();
  for (const s of entraSections(v)) {
    const ws = HEADING_WORKLOADS[s.heading];
    assert.ok(ws, `unknown sub-heading "${s.heading}"`);
    for (const id of unionOf(s.cells)) {
      const set = per.get(id) ?? new Set<Workload>();
      for (const w of ws) set.add(w);
      per.set(id, set);
    }
  }
  const out = new Map<string, string[]>();
  for (const id of all) out.set(id, ["all"]);
  for (const [id, ws] of per)
    if (!all.has(id))
      out.set(
        id,
        WORKLOAD_ORDER.filter((w) => ws.has(w)),
      );
  return out;
}

function workloadsById(m: Mapping): Map<string, string[]> {
  return new Map(m.permissions.map((p: MappedPermission) => [p.id, [...p.workloads]]));
}

// ---- tests --------------------------------------------------------------------------------------

describe("seed vectors: Microsoft's 2023 mapping page", () => {
  describe("vector tables", () => {
    it("hold every row of the four tables (13 MDE, 13 MDO, 3 MDI, 13 Entra)", () => {
      assert.equal(MDE.length, 13);
      assert.equal(MDO.length, 13);
      assert.equal(MDI.length, 3);
      assert.equal(ENTRA.length, 13);
    });

    it("have distinct names within each table", () => {
      for (const t of [MDE, MDO, MDI, ENTRA]) assert.equal(new Set(t.map((v) => v.name)).size, t.length);
    });

    it("use only sub-headings the seed defines", () => {
      for (const v of ENTRA) for (const s of entraSections(v)) assert.ok(HEADING_WORKLOADS[s.heading], s.heading);
    });
  });

  const simpleTables: [Source, Vector[]][] = [
    ["mde", MDE],
    ["mdo", MDO],
    ["mdi", MDI],
  ];
  for (const [source, table] of simpleTables) {
    describe(`${source} table`, () => {
      for (const v of table) {
        it(`${v.name}`, () => {
          for (const c of v.cells) cellAtoms(c);
          const m = mapOk(source, [v.name]);
          assert.deepEqual(m.roles, [v.name]);
          assert.deepEqual(ids(m), sorted(unionOf(v.cells)));
          for (const p of m.permissions) assert.deepEqual(p.workloads, ["all"], `${p.id} workloads`);
          assert.deepEqual(m.keys, normalizeKeys([...unionOf(v.cells)].map((id) => atomKey(getAtom(id)!))));
          if (v.unsupported === undefined) assert.deepEqual(m.unsupported, []);
        });
      }
    });
  }

  describe("entra table", () => {
    for (const v of ENTRA) {
      it(`${v.name}`, () => {
        const expected = entraExpected(v);
        const m = mapOk("entra", [v.name]);
        assert.deepEqual(m.roles, [v.name]);
        assert.deepEqual(ids(m), sorted(expected.keys()));
        const actual = workloadsById(m);
        for (const [id, ws] of expected) assert.deepEqual(actual.get(id), ws, `workloads of ${id}`);
        const allIds = [...expected].filter(([, ws]) => ws[0] === "all").map(([id]) => id);
        assert.deepEqual(
          m.keys,
          normalizeKeys(allIds.map((id) => atomKey(getAtom(id)!))),
          "keys: the all-workloads grants",
        );
        assert.deepEqual(m.unsupported, []);
      });
    }

    it("'Same as Global administrator': Security administrator maps exactly like Global administrator", () => {
      const a = mapOk("entra", ["Security administrator"]);
      const b = mapOk("entra", ["Global administrator"]);
      assert.deepEqual(a.permissions, b.permissions);
      assert.deepEqual(a.keys, b.keys);
      assert.deepEqual(a.unsupported, b.unsupported);
    });

    it("'Same as Compliance administrator': Compliance data administrator maps exactly like Compliance administrator", () => {
      const a = mapOk("entra", ["Compliance data administrator"]);
      const b = mapOk("entra", ["Compliance administrator"]);
      assert.deepEqual(a.permissions, b.permissions);
      assert.deepEqual(a.keys, b.keys);
    });

    it("Billing admin ('not applicable' twice) maps to nothing, and not as unsupported", () => {
      const m = mapOk("entra", ["Billing admin"]);
      assert.deepEqual(m.permissions, []);
      assert.deepEqual(m.keys, []);
      assert.deepEqual(m.unsupported, []);
    });

    it("Compliance administrator grants nothing in all workloads (its keys are empty)", () => {
      const m = mapOk("entra", ["Compliance administrator"]);
      assert.deepEqual(m.keys, []);
      for (const p of m.permissions) assert.deepEqual(p.workloads, ["mdo"]);
    });

    it("Global reader: Core security settings (read) and System settings (read) are for mdi and mdo only", () => {
      const w = workloadsById(mapOk("entra", ["Global reader"]));
      assert.deepEqual(w.get("configuration.security.core:read"), ["mdi", "mdo"]);
      assert.deepEqual(w.get("configuration.-.system:read"), ["mdi", "mdo"]);
      assert.deepEqual(w.get("configuration.-.authorization:read"), ["mdo"]);
      assert.deepEqual(w.get("securityposture.posturemanagement.vulnerabilitymanagement:read"), ["mde"]);
      assert.deepEqual(w.get("secops.securitydata.basics:read"), ["all"]);
    });

    it("Security operator: System settings read is mdo+mdi, manage is mdo only", () => {
      const w = workloadsById(mapOk("entra", ["Security operator"]));
      assert.deepEqual(w.get("configuration.-.system:read"), ["mdi", "mdo"]);
      assert.deepEqual(w.get("configuration.-.system:manage"), ["mdo"]);
    });
  });

  describe("unsupported rows", () => {
    it("'Manage endpoint security settings in Microsoft Intune' gives no permissions and one unsupported entry about Intune", () => {
      const row = MDE.find((v) => v.name === "Manage endpoint security settings in Microsoft Intune")!;
      assert.ok(row.unsupported);
      const m = mapOk("mde", [row.name]);
      assert.deepEqual(m.permissions, []);
      assert.deepEqual(m.keys, []);
      assert.equal(m.unsupported.length, 1);
      assert.equal(m.unsupported[0].legacy, row.name);
      assert.match(m.unsupported[0].reason, /Intune/);
    });

    it("the unsupported entry survives next to supported permissions", () => {
      const m = mapOk("mde", ["Alerts investigation", "Manage endpoint security settings in Microsoft Intune"]);
      assert.deepEqual(ids(m), ["secops.securitydata.alerts:manage"]);
      assert.equal(m.unsupported.length, 1);
      assert.match(m.unsupported[0].reason, /Intune/);
    });
  });

  describe("name matching", () => {
    it("accepts a hyphen where the seed has an en dash", () => {
      const hyphen = mapOk("mde", [
        "Defender Vulnerability management - Manage security baselines assessment profiles",
      ]);
      const enDash = mapOk("mde", [
        "Defender Vulnerability management – Manage security baselines assessment profiles",
      ]);
      assert.deepEqual(hyphen.permissions, enDash.permissions);
      assert.deepEqual(hyphen.roles, [
        "Defender Vulnerability management – Manage security baselines assessment profiles",
      ]);
      assert.deepEqual(ids(hyphen), ["securityposture.posturemanagement.baselineassessment:manage"]);
    });

    it("accepts an en dash where the seed has a hyphen", () => {
      const m = mapOk("mde", ["View data – Security operations"]);
      assert.deepEqual(m.roles, ["View data - Security operations"]);
    });

    it("matches names case-insensitively ('global READER')", () => {
      for (const source of ["mdo", "entra"] as const) {
        const a = mapOk(source, ["global READER"]);
        const b = mapOk(source, ["Global reader"]);
        assert.deepEqual(a.permissions, b.permissions, source);
        assert.deepEqual(a.roles, ["Global reader"], source);
      }
      assert.deepEqual(mapOk("mdo", ["SEARCH AND PURGE"]).roles, ["Search and Purge"]);
    });

    it("tolerates extra white space", () => {
      assert.deepEqual(mapOk("mde", ["  Alerts   investigation "]).roles, ["Alerts investigation"]);
    });

    it("MDI accepts Administrator / User / Viewer", () => {
      const pairs: [string, string][] = [
        ["Administrator", "MDI admin"],
        ["User", "MDI user"],
        ["Viewer", "MDI viewer"],
      ];
      for (const [alias, name] of pairs) {
        const a = mapOk("mdi", [alias]);
        assert.deepEqual(a.roles, [name]);
        assert.deepEqual(a.permissions, mapOk("mdi", [name]).permissions);
      }
    });

    it("MDI accepts the Entra group names 'Azure ATP <workspace> Administrators/Users/Viewers'", () => {
      assert.deepEqual(mapOk("mdi", ["Azure ATP contoso Administrators"]).roles, ["MDI admin"]);
      assert.deepEqual(mapOk("mdi", ["Azure ATP contoso Users"]).roles, ["MDI user"]);
      assert.deepEqual(mapOk("mdi", ["Azure ATP contoso Viewers"]).roles, ["MDI viewer"]);
      assert.deepEqual(
        mapOk("mdi", ["Azure ATP contoso Administrators"]).permissions,
        mapOk("mdi", ["MDI admin"]).permissions,
      );
    });
  });

  describe("several names", () => {
    it("mde: several legacy permissions give the union", () => {
      const names = [
        "View data - Security operations",
        "Alerts investigation",
        "Live response capabilities - advanced",
        "Manage portal system settings",
      ];
      const m = mapOk("mde", names);
      const expected = new Set<string>();
      for (const n of names)
        for (const c of MDE.find((v) => v.name === n)!.cells) for (const id of cellAtoms(c)) expected.add(id);
      assert.deepEqual(ids(m), sorted(expected));
      assert.deepEqual(m.roles, names);
    });

    it("mde: the union of every row equals the union of every row's seed cells", () => {
      const m = mapOk(
        "mde",
        MDE.map((v) => v.name),
      );
      assert.deepEqual(ids(m), sorted(unionOf(MDE.flatMap((v) => v.cells))));
      assert.equal(m.unsupported.length, 1);
    });

    it("mdo: a repeated name counts once", () => {
      const m = mapOk("mdo", ["Quarantine", "quarantine"]);
      assert.deepEqual(m.roles, ["Quarantine"]);
      assert.deepEqual(ids(m), ["secops.securitydata.emailquarantine:manage"]);
    });

    it("entra: an atom granted for all workloads by one role and for one workload by another is ['all']", () => {
      const m = mapOk("entra", ["Compliance administrator", "Global reader"]);
      const w = workloadsById(m);
      assert.deepEqual(w.get("secops.securitydata.basics:read"), ["all"]);
      assert.deepEqual(w.get("secops.securitydata.alerts:manage"), ["mdo"]);
    });
  });

  describe("errors", () => {
    it("an unknown name fails with unknown_legacy_role and suggests the closest valid name", () => {
      const cases: [Source, string, string][] = [
        ["mdo", "Securty reader", "Security reader"],
        ["mde", "Alert investigation", "Alerts investigation"],
        ["mdi", "MDI viewers group", "MDI viewer"],
        ["entra", "Global administratr", "Global administrator"],
      ];
      for (const [source, bad, closest] of cases) {
        const r = mapLegacyRoles(source, [bad]);
        assert.equal(r.ok, false, `${source}: ${bad}`);
        if (r.ok) continue;
        assert.equal(r.issues.length, 1);
        assert.equal(r.issues[0].code, "unknown_legacy_role");
        assert.ok(r.issues[0].suggestions && r.issues[0].suggestions.length > 0);
        assert.ok(r.issues[0].suggestions!.includes(closest), `${bad}: ${JSON.stringify(r.issues[0].suggestions)}`);
      }
    });

    it("one unknown name among valid ones fails the whole mapping, with its index in the path", () => {
      const r = mapLegacyRoles("mdo", ["Quarantine", "Nope"], ["roles"]);
      assert.equal(r.ok, false);
      if (r.ok) return;
      assert.equal(r.issues.length, 1);
      assert.equal(r.issues[0].code, "unknown_legacy_role");
      assert.deepEqual(r.issues[0].path, ["roles", 1]);
    });

    it("a name from another table is unknown", () => {
      const r = mapLegacyRoles("mdi", ["Quarantine"]);
      assert.equal(r.ok, false);
      if (!r.ok) assert.equal(r.issues[0].code, "unknown_legacy_role");
    });

    it("an unknown source fails with unknown_source", () => {
      for (const s of ["mda", "MDE ", "", "azuread"]) {
        const r = mapLegacyRoles(s, ["Global reader"]);
        assert.equal(r.ok, false, s);
        if (!r.ok) assert.equal(r.issues[0].code, "unknown_source", s);
      }
    });
  });
});
