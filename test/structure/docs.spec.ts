/**
 * docs/permissions.md lists the shipped catalogue: every permission level, wildcard and other known string
 * with its action string, provenance and sources. This keeps that table and provider/core/catalogue.ts
 * in step (a string added or re-sourced in one must be in the other).
 */
import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import { ATOMS, KNOWN_ACTIONS, WILDCARDS } from "../../provider/core/catalogue";
import { atomLabel } from "../../provider/core/labels";

const DOC = path.resolve(__dirname, "..", "..", "..", "docs", "permissions.md");
const esc = (s: string) => s.replace(/\|/g, "\\|");
const code = (s: string) => `\`${s}\``;

describe("docs/permissions.md", () => {
  /** A table row as its trimmed cells, so column padding does not matter. */
  const cells = (row: string) =>
    row
      .trim()
      .replace(/^\|/, "")
      .replace(/\|$/, "")
      .split(/(?<!\\)\|/)
      .map((c) => c.trim())
      .join(" | ");
  const rows = new Set(
    fs
      .readFileSync(DOC, "utf8")
      .split("\n")
      .filter((l) => l.startsWith("| `"))
      .map(cells),
  );
  const has = (row: string) => assert.ok(rows.has(cells(row)), `missing or different row:\n${row}`);

  it("lists every permission level of the catalogue with its action string, provenance and sources", () => {
    const want = ATOMS.map(
      (a) =>
        `| ${code(a.id)} | ${esc(atomLabel(a))} | ${a.info.action ? code(a.info.action) : "not published"} | ${a.info.provenance} | ${a.info.sources.join(", ") || "–"} |`,
    );
    for (const w of want) has(w);
  });

  it("lists every wildcard and every other known string", () => {
    const want = [
      ...WILDCARDS.map((w) => `| ${code(w.action)} | ${w.label} | ${w.provenance} | ${w.sources.join(", ")} |`),
      ...KNOWN_ACTIONS.map((k) => `| ${code(k.action)} | ${k.provenance} | ${k.sources.join(", ")} | ${esc(k.note)} |`),
    ];
    for (const w of want) has(w);
  });

  it("lists nothing the catalogue does not ship", () => {
    assert.equal(rows.size, ATOMS.length + WILDCARDS.length + KNOWN_ACTIONS.length);
  });
});
