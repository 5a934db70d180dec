/**
 * The `defender-rbac` command line (provider/cli): `map` and `catalog`, run in-process through
 * `run(argv, io)` and, where exit codes and the stdout/stderr split matter, as a real process.
 * Expected mappings are written from Microsoft's mapping page (docs/mapping.md), not from legacy.ts.
 */
import assert from "node:assert/strict";
import { spawn, spawnSync } from "node:child_process";
import * as path from "node:path";
import { cli } from "./capture";

const MAIN = path.join(__dirname, "..", "..", "provider", "cli", "main.js");

/** Runs the command and parses its output, which must be exactly one JSON value. */
async function cliJson<T = Record<string, unknown>>(...argv: string[]): Promise<T> {
  const r = await cli(...argv);
  assert.equal(r.code, 0, r.err.join("\n"));
  assert.deepEqual(r.err, []);
  assert.equal(r.out.length, 1, `one line of output, got ${r.out.length}`);
  return JSON.parse(r.out[0]) as T;
}

interface Permission {
  category: string;
  group: string | null;
  name: string;
  level: string;
  action: string | null;
  workloads: string[];
}
interface MapJson {
  permissions: Permission[];
  unsupported: { legacy: string; reason: string }[];
}
interface CatalogJson {
  version: string;
  permissions: {
    id: string;
    category: string;
    group: string | null;
    name: string;
    formerNames: string[];
    level: string;
    action: string | null;
    provenance: string;
  }[];
  wildcards: { action: string; level: string; provenance: string }[];
  knownActions: { action: string; provenance: string }[];
}

const mapJson = (from: string, ...roles: string[]) =>
  cliJson<MapJson>("map", "--from", from, ...roles.flatMap((r) => ["--role", r]), "--json");

/** A permission as the mapping page writes it, e.g. "Security operations \ Security data \ Alerts (manage)". */
const label = (p: Pick<Permission, "category" | "group" | "name" | "level">) =>
  `${[p.category, p.group, p.name].filter(Boolean).join(" \\ ")} (${p.level})`;

let catalog: CatalogJson; // `catalog --json`, loaded by the outer describe's before hook

/** The page's label, with the names the catalogue has renamed since (e.g. Secure Score) resolved to today's. */
function currentLabel(pageLabel: string): string {
  for (const p of catalog.permissions) {
    for (const old of p.formerNames) {
      const parts = pageLabel.split(" \\ ");
      const last = parts[parts.length - 1];
      if (last === `${old} (${p.level})`) {
        const prefix = [p.category, p.group].filter(Boolean).join(" \\ ");
        if (parts.slice(0, -1).join(" \\ ") === prefix) return `${prefix} \\ ${p.name} (${p.level})`;
      }
    }
  }
  return pageLabel;
}

/** `{ label: workloads }` for comparing a mapping with the page. */
function byLabel(m: MapJson): Record<string, string[]> {
  const out: Record<string, string[]> = {};
  for (const p of m.permissions) {
    assert.equal(out[label(p)], undefined, `${label(p)} listed once`);
    out[label(p)] = p.workloads;
  }
  return out;
}
const expected = (rows: [string, string[]][]) => Object.fromEntries(rows.map(([l, w]) => [currentLabel(l), w]));

describe("defender-rbac CLI", () => {
  before(async () => {
    catalog = await cliJson<CatalogJson>("catalog", "--json");
  });

  // ---- map --json --------------------------------------------------------------------------------

  describe("map --json", () => {
    it("prints one object with exactly permissions and unsupported, each permission of a fixed shape", async () => {
      const m = await mapJson("mde", "View data - Security operations", "Alerts investigation");
      assert.deepEqual(Object.keys(m).sort(), ["permissions", "unsupported"]);
      assert.deepEqual(m.unsupported, []);
      for (const p of m.permissions) {
        assert.deepEqual(Object.keys(p).sort(), ["action", "category", "group", "level", "name", "workloads"]);
        assert.equal(typeof p.category, "string");
        assert.equal(typeof p.name, "string");
        assert.ok(p.group === null || typeof p.group === "string");
        assert.ok(p.action === null || typeof p.action === "string");
        assert.ok(p.level === "read" || p.level === "manage");
        assert.ok(Array.isArray(p.workloads) && p.workloads.every((w) => typeof w === "string"));
      }
      assert.deepEqual(byLabel(m), {
        "Security operations \\ Security data \\ Security data basics (read)": ["all"],
        "Security operations \\ Security data \\ Alerts (manage)": ["all"],
      });
      assert.deepEqual(
        m.permissions.map((p) => p.action),
        ["microsoft.xdr/secops/securitydata/basics/read", "microsoft.xdr/secops/securitydata/alerts/manage"],
      );
    });

    it("maps the legacy permissions of one MDE role to their union, independent of order and repeats", async () => {
      const names = [
        "Live response capabilities - advanced",
        "Live response capabilities",
        "Manage security settings in the Security Center",
      ];
      const union = await mapJson("mde", ...names);
      const singles = await Promise.all(names.map((n) => mapJson("mde", n)));
      const expectedSet = new Set(singles.flatMap((s) => s.permissions.map((p) => JSON.stringify(p))));
      assert.deepEqual(new Set(union.permissions.map((p) => JSON.stringify(p))), expectedSet);
      assert.equal(union.permissions.length, expectedSet.size, "no duplicates");
      assert.deepEqual(byLabel(union), {
        "Security operations \\ Security data \\ Basic live response (manage)": ["all"],
        "Security operations \\ Security data \\ Advanced live response (manage)": ["all"],
        "Security operations \\ Security data \\ File collection (manage)": ["all"],
        "Authorization and settings \\ Security settings \\ Core security settings (manage)": ["all"],
        "Authorization and settings \\ Security settings \\ Detection tuning (manage)": ["all"],
      });
      assert.deepEqual(await mapJson("mde", ...[...names].reverse(), names[0]), union);
    });

    it("gives Entra Global reader the page's workloads: all, Defender for Endpoint only, Office only, Office and Identity", async () => {
      assert.deepEqual(
        byLabel(await mapJson("entra", "Global reader")),
        expected([
          ["Security operations \\ Security data \\ Security data basics (read)", ["all"]],
          ["Security posture \\ Posture management \\ Secure Score (read)", ["all"]],
          ["Security posture \\ Posture management \\ Vulnerability management (read)", ["mde"]],
          ["Security operations \\ Security data \\ Response (manage)", ["mdo"]],
          ["Security operations \\ Raw data (Email & collaboration) \\ Email message headers (read)", ["mdo"]],
          ["Authorization and settings \\ Authorization (read)", ["mdo"]],
          ["Authorization and settings \\ Security settings \\ Core security settings (read)", ["mdi", "mdo"]],
          ["Authorization and settings \\ System settings (read)", ["mdi", "mdo"]],
        ]),
      );
    });

    it("gives Entra Security operator System settings read in Office and Identity but manage in Office only", async () => {
      assert.deepEqual(
        byLabel(await mapJson("entra", "Security operator")),
        expected([
          ["Security operations \\ Security data \\ Security data basics (read)", ["all"]],
          ["Security operations \\ Security data \\ Alerts (manage)", ["all"]],
          ["Security operations \\ Security data \\ Response (manage)", ["all"]],
          ["Security posture \\ Posture management \\ Secure Score (read)", ["all"]],
          ["Authorization and settings \\ Security settings \\ Core security settings (read)", ["all"]],
          ["Authorization and settings \\ Security settings \\ Core security settings (manage)", ["all"]],
          ["Authorization and settings \\ Security settings \\ Detection tuning (manage)", ["all"]],
          ["Security operations \\ Security data \\ Basic live response (manage)", ["mde"]],
          ["Security operations \\ Security data \\ Advanced live response (manage)", ["mde"]],
          ["Security operations \\ Security data \\ File collection (manage)", ["mde"]],
          ["Security posture \\ Posture management \\ Vulnerability management (read)", ["mde"]],
          ["Security posture \\ Posture management \\ Exception handling (manage)", ["mde"]],
          ["Security posture \\ Posture management \\ Remediation handling (manage)", ["mde"]],
          ["Security operations \\ Raw data (Email & collaboration) \\ Email message headers (read)", ["mdo"]],
          ["Authorization and settings \\ System settings (read)", ["mdi", "mdo"]],
          ["Authorization and settings \\ System settings (manage)", ["mdo"]],
        ]),
      );
    });

    it("gives Compliance administrator its Office-only permissions and nothing everywhere", async () => {
      assert.deepEqual(byLabel(await mapJson("entra", "Compliance administrator")), {
        "Security operations \\ Security data \\ Security data basics (read)": ["mdo"],
        "Security operations \\ Security data \\ Alerts (manage)": ["mdo"],
      });
    });

    it("reports the Intune permission as unsupported, not as an empty success", async () => {
      const m = await mapJson("mde", "Manage endpoint security settings in Microsoft Intune");
      assert.deepEqual(m.permissions, []);
      assert.equal(m.unsupported.length, 1);
      assert.deepEqual(Object.keys(m.unsupported[0]).sort(), ["legacy", "reason"]);
      assert.match(m.unsupported[0].legacy, /Intune/);
      assert.match(m.unsupported[0].reason, /Intune/);
    });

    it("ignores --explain, so the output stays one JSON object", async () => {
      const r = await cli("map", "--from", "mde", "--role", "Alerts investigation", "--json", "--explain");
      assert.equal(r.out.length, 1);
      assert.deepEqual(JSON.parse(r.out[0]), await mapJson("mde", "Alerts investigation"));
    });

    it("prints, for every permission, the catalogue's own action string (null where unpublished)", async () => {
      const actions = new Map(catalog.permissions.map((p) => [label(p), p.action]));
      for (const [from, role] of [
        ["entra", "Global administrator"],
        ["mdo", "Organization Management"],
        ["mdi", "MDI admin"],
        ["mde", "Live response capabilities - advanced"],
      ]) {
        for (const p of (await mapJson(from, role)).permissions) {
          assert.ok(actions.has(label(p)), `${label(p)} is in the catalogue`);
          assert.equal(p.action, actions.get(label(p)), `${label(p)} has the catalogue's action string`);
        }
      }
    });
  });

  // ---- name tolerance --------------------------------------------------------------------------

  describe("map: name tolerance", () => {
    it("treats an en dash like a hyphen, both ways", async () => {
      assert.deepEqual(
        await mapJson("mde", "View data \u2013 Security operations"),
        await mapJson("mde", "View data - Security operations"),
      );
      // the page itself writes this one with an en dash
      const baseline = await mapJson(
        "mde",
        "Defender Vulnerability management - Manage security baselines assessment profiles",
      );
      assert.deepEqual(
        baseline,
        await mapJson("mde", "Defender Vulnerability management \u2013 Manage security baselines assessment profiles"),
      );
      assert.deepEqual(byLabel(baseline), {
        "Security posture \\ Posture management \\ Security baseline assessment (manage)": ["all"],
      });
    });

    it("ignores case and extra white space", async () => {
      const ref = await mapJson("entra", "Global reader");
      assert.deepEqual(await mapJson("entra", "global READER"), ref);
      assert.deepEqual(await mapJson("entra", "  Global   reader "), ref);
      assert.deepEqual(
        await mapJson("mdo", "organization management"),
        await mapJson("mdo", "Organization Management"),
      );
    });
  });

  // ---- errors ----------------------------------------------------------------------------------

  describe("map: errors", () => {
    it("rejects an unknown role, naming it and suggesting the closest valid names", async () => {
      const r = await cli("map", "--from", "mde", "--role", "Alerts investigaton");
      assert.notEqual(r.code, 0);
      assert.deepEqual(r.out, [], "nothing on stdout");
      const err = r.err.join("\n");
      assert.ok(err.includes('"Alerts investigaton"'), err);
      assert.match(err, /closest valid names: "Alerts investigation"/);
    });

    it("suggests within the named source", async () => {
      const r = await cli("map", "--from", "mdo", "--role", "Quarantaine");
      assert.notEqual(r.code, 0);
      assert.match(r.err.join("\n"), /closest valid names: "Quarantine"/);
    });

    it("fails as a whole when one of several roles is unknown", async () => {
      const r = await cli("map", "--from", "mde", "--role", "Alerts investigation", "--role", "Make coffee", "--json");
      assert.notEqual(r.code, 0);
      assert.deepEqual(r.out, []);
      assert.ok(r.err.join("\n").includes('"Make coffee"'));
      assert.ok(!r.err.join("\n").includes('"Alerts investigation" is not'), "only the bad name is reported");
    });

    it("rejects an unknown source and lists the valid ones", async () => {
      const r = await cli("map", "--from", "mdx", "--role", "Global reader");
      assert.notEqual(r.code, 0);
      assert.deepEqual(r.out, []);
      const err = r.err.join("\n");
      assert.ok(err.includes('"mdx"'));
      for (const s of ["mde", "mdo", "mdi", "entra"]) assert.ok(err.includes(s), `lists ${s}`);
    });

    it("rejects a missing --role or --from with commander's message", async () => {
      let r = await cli("map", "--from", "mde");
      assert.notEqual(r.code, 0);
      assert.deepEqual(r.out, []);
      assert.match(r.err.join("\n"), /required option '--role <name>' not specified/);
      r = await cli("map", "--role", "Global reader");
      assert.notEqual(r.code, 0);
      assert.match(r.err.join("\n"), /required option '--from <source>' not specified/);
    });
  });

  // ---- map as a table ----------------------------------------------------------------------------

  describe("map: table output", () => {
    it("prints a title, an aligned table with a header row, and no JSON", async () => {
      const r = await cli("map", "--from", "entra", "--role", "Global reader");
      assert.equal(r.code, 0);
      assert.deepEqual(r.err, []);
      assert.equal(r.out[0], "ENTRA: Global reader");
      const lines = r.out.join("\n").split("\n");
      const h = lines.findIndex((l) => /^Permission\s{2,}Level\s{2,}Action string\s{2,}Workloads$/.test(l));
      assert.ok(h >= 0, `header row in:\n${lines.join("\n")}`);
      assert.match(lines[h + 1], /^-+( {2}-+){3}$/);
      const rows = lines.slice(h + 2).filter((l) => l.trim() !== "");
      const m = await mapJson("entra", "Global reader");
      assert.equal(rows.length, m.permissions.length);
      const col = (name: string) => lines[h].indexOf(name);
      for (const [i, p] of m.permissions.entries()) {
        const row = rows[i];
        assert.ok(row.startsWith([p.category, p.group, p.name].filter(Boolean).join(" \\ ")));
        assert.equal(row.slice(col("Level")).split(/\s{2,}/)[0], p.level, "level column aligned");
        assert.equal(row.slice(col("Action string")).split(/\s{2,}/)[0], p.action ?? "(not published)");
        assert.equal(row.slice(col("Workloads")), p.workloads.join(", "));
      }
    });

    it("lists the Intune permission under Not supported", async () => {
      const r = await cli("map", "--from", "mde", "--role", "Manage endpoint security settings in Microsoft Intune");
      assert.equal(r.code, 0);
      const lines = r.out.join("\n").split("\n");
      const i = lines.indexOf("Not supported in Unified RBAC:");
      assert.ok(i >= 0, lines.join("\n"));
      assert.match(lines[i + 1], /^\s+Manage endpoint security settings in Microsoft Intune: .*Intune admin center/);
    });

    it("--explain prints which legacy entry produced which permission, and in which workloads", async () => {
      let r = await cli(
        "map",
        "--from",
        "mde",
        "--role",
        "View data - Security operations",
        "--role",
        "Alerts investigation",
        "--explain",
      );
      assert.equal(r.code, 0);
      let lines = r.out.join("\n").split("\n");
      let e = lines.indexOf("Explanation:");
      assert.ok(e >= 0);
      assert.deepEqual(lines.slice(e + 1), [
        "  View data - Security operations → Security operations \\ Security data \\ Security data basics (read)",
        "  Alerts investigation → Security operations \\ Security data \\ Alerts (manage)",
      ]);
      r = await cli("map", "--from", "entra", "--role", "Global reader", "--explain");
      lines = r.out.join("\n").split("\n");
      e = lines.indexOf("Explanation:");
      const trace = lines.slice(e + 1);
      assert.ok(
        trace.includes("  Global reader → Security operations \\ Security data \\ Security data basics (read)"),
      );
      assert.ok(
        trace.includes(
          "  Global reader → Security posture \\ Posture management \\ Vulnerability management (read) [mde only]",
        ),
      );
      assert.equal(
        trace.filter((l) => / \\ System settings \(read\) \[(mdo|mdi) only\]$/.test(l)).length,
        2,
        "one line per workload",
      );
    });

    it("without --explain prints no trace", async () => {
      const r = await cli("map", "--from", "mde", "--role", "Alerts investigation");
      assert.ok(!r.out.join("\n").includes("Explanation:"));
    });
  });

  // ---- catalog ---------------------------------------------------------------------------------

  describe("catalog", () => {
    it("--json prints one object: version, permissions, wildcards, knownActions", () => {
      assert.ok(["version", "permissions", "wildcards", "knownActions"].every((k) => k in catalog));
      assert.match(catalog.version, /^\d{4}-\d{2}-\d{2}\+[0-9a-f]{8}$/);
      assert.ok(catalog.permissions.length > 0);
      const ids = new Set<string>();
      for (const p of catalog.permissions) {
        assert.equal(typeof p.id, "string");
        assert.ok(!ids.has(p.id), `id ${p.id} unique`);
        ids.add(p.id);
        assert.ok(p.level === "read" || p.level === "manage", p.id);
        assert.ok(p.id.endsWith(`:${p.level}`), p.id);
        assert.ok(p.action === null || typeof p.action === "string", p.id);
        assert.ok(["documented", "community", "unknown"].includes(p.provenance), p.id);
        // an action string is never guessed: no source, no string
        assert.equal(p.action === null, p.provenance === "unknown", p.id);
        if (p.action) assert.ok(p.action.startsWith("microsoft.xdr/") && p.action.endsWith(`/${p.level}`), p.action);
      }
      assert.ok(catalog.wildcards.length > 0);
      for (const w of catalog.wildcards) {
        assert.ok(w.action.includes("/*/") && w.action.endsWith(`/${w.level}`), w.action);
        assert.ok(["documented", "community", "unknown"].includes(w.provenance));
      }
      assert.ok(Array.isArray(catalog.knownActions));
      for (const k of catalog.knownActions) assert.equal(typeof k.action, "string");
      const basics = catalog.permissions.find((p) => p.id === "secops.securitydata.basics:read")!;
      assert.deepEqual(
        [basics.action, basics.provenance],
        ["microsoft.xdr/secops/securitydata/basics/read", "documented"],
      );
    });

    it("prints a readable table of every permission with the same version", async () => {
      const r = await cli("catalog");
      assert.equal(r.code, 0);
      assert.deepEqual(r.err, []);
      const lines = r.out.join("\n").split("\n");
      assert.equal(lines[0], `Unified RBAC permission catalogue ${catalog.version}`);
      const h = lines.findIndex((l) => /^Id\s{2,}Permission\s{2,}Action string\s{2,}Provenance$/.test(l));
      assert.ok(h >= 0);
      for (const p of catalog.permissions) {
        const row = lines.find((l) => l.startsWith(`${p.id} `));
        assert.ok(row, `row for ${p.id}`);
        assert.ok(row.includes(p.action ?? "(not published)"));
        assert.ok(row.includes(p.provenance));
      }
      for (const w of catalog.wildcards)
        assert.ok(
          lines.some((l) => l.startsWith(w.action)),
          w.action,
        );
    });
  });

  // ---- as a real process ------------------------------------------------------------------------

  describe("as a process", function () {
    this.timeout(20_000);
    const exec = (...argv: string[]) => spawnSync(process.execPath, [MAIN, ...argv], { encoding: "utf8" });

    it("prints the JSON alone on stdout, nothing on stderr, and exits 0", () => {
      const r = exec(
        "map",
        "--from",
        "mde",
        "--role",
        "View data - Security operations",
        "--role",
        "Alerts investigation",
        "--json",
      );
      assert.equal(r.status, 0, r.stderr);
      assert.equal(r.stderr, "", "no warning (e.g. node:sqlite's) leaks into stderr");
      assert.ok(r.stdout.endsWith("}\n") && r.stdout.indexOf("\n") === r.stdout.length - 1, "one line");
      const m = JSON.parse(r.stdout) as MapJson;
      assert.deepEqual(
        m.permissions.map((p) => p.name),
        ["Security data basics", "Alerts"],
      );
    });

    it("exits non-zero with the message on stderr only, for an unknown role and a missing option", () => {
      let r = exec("map", "--from", "entra", "--role", "Global raeder", "--json");
      assert.notEqual(r.status, 0);
      assert.equal(r.stdout, "");
      assert.match(r.stderr, /"Global raeder"/);
      assert.match(r.stderr, /closest valid names: "Global reader"/);
      r = exec("map", "--from", "entra");
      assert.notEqual(r.status, 0);
      assert.equal(r.stdout, "");
      assert.match(r.stderr, /required option '--role <name>'/);
      r = exec("frobnicate");
      assert.notEqual(r.status, 0);
      assert.match(r.stderr, /unknown command 'frobnicate'/);
    });

    it("exits quietly when its reader goes away (defender-rbac catalog | head)", async () => {
      const proc = spawn(process.execPath, [MAIN, "catalog"], { stdio: ["ignore", "pipe", "pipe"] });
      proc.stdout.destroy(); // the pipe is closed before the first write: every write fails with EPIPE
      let err = "";
      proc.stderr.on("data", (d) => (err += d));
      const code = await new Promise<number | null>((resolve) => proc.on("close", (c) => resolve(c)));
      assert.equal(err, "", "no stack trace");
      assert.equal(code, 0);
    });
  });
});
