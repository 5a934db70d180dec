/**
 * The HTML access report: one self-contained file (inline style and script, no network), a matrix of
 * principals × permissions for each workload, privileged permissions marked, the provenance of each
 * cell written in it (A assignment, E Entra role, L legacy role, g through a group) and in full in its
 * tooltip; privileged columns come first. A filter box narrows the rows; the page reads without its script.
 */
import { ATOMS } from "../core/catalogue";
import { sourceText } from "../core/access";
import { AccessView, principalLabel } from "./accessView";

const esc = (s: string) =>
  s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;").replace(/'/g, "&#39;");

const ATOM_ORDER = new Map(ATOMS.map((a, i) => [a.id, i]));
const KIND_LETTER = { assignment: "A", entraRole: "E", legacyRole: "L" } as const;

const STYLE = `
body{font:13px/1.4 system-ui,-apple-system,"Segoe UI",sans-serif;margin:16px;color:#1b1b1b;background:#fff}
h1{font-size:20px;margin:0 0 4px}h2{font-size:16px;margin:24px 0 6px}
.meta{color:#555;margin:2px 0}
table{border-collapse:collapse;margin-top:6px}
th,td{border:1px solid #c8c8c8;padding:3px 6px;text-align:center}
th.p{text-align:left;font-weight:normal;white-space:nowrap;max-width:360px;overflow:hidden;text-overflow:ellipsis}
thead th{vertical-align:bottom;font-weight:600;background:#f3f3f3;max-width:120px}
thead th.priv{background:#c62828;color:#fff}
td.g{background:#2e7d32;color:#fff;font-weight:600}
td.g.priv{background:#c62828}
td.g.partial{background:#81c784}
td.n{background:#fafafa}
.legend span{display:inline-block;padding:1px 6px;margin-right:8px;color:#fff}
#filter{margin:8px 0;padding:4px;width:320px}
.notes li{color:#555}
`;

const SCRIPT = `
(function(){
  var box=document.getElementById('filter');
  function apply(){var q=box.value.toLowerCase();
    document.querySelectorAll('tr.row').forEach(function(r){r.style.display=!q||r.textContent.toLowerCase().indexOf(q)>=0?'':'none';});}
  box.addEventListener('input',apply);
  document.body.setAttribute('data-cells',String(document.querySelectorAll('td.g').length));
  document.body.setAttribute('data-ready','1');
})();
`;

export function accessHtml(view: AccessView): string {
  const names = new Map(view.report.principals.map((p) => [p.id, p.displayName]));
  const name = (id: string) => names.get(id) ?? id;
  const parts: string[] = [];
  parts.push(`<h1>${esc(view.title)}</h1>`);
  const on = view.report.workloads.filter((w) => w.active).map((w) => w.workload);
  const off = view.report.workloads.filter((w) => !w.active).map((w) => w.workload);
  parts.push(
    `<p class="meta">${view.principals.length} principals, ${view.grants.length} grants, ${view.grants.filter((g) => g.privileged).length} privileged. ` +
      `Unified RBAC active: ${esc(on.join(", ") || "none")}; not active (legacy model applies): ${esc(off.join(", ") || "none")}.</p>`,
    `<p class="legend"><span style="background:#2e7d32">granted</span><span style="background:#c62828">privileged</span>` +
      `<span style="background:#81c784">part of the workload</span> In each cell: A assignment, E Entra role, L legacy role, g through a group; hover for the full provenance.</p>`,
    `<input id="filter" type="search" placeholder="Filter principals…" aria-label="Filter principals">`,
  );
  for (const { workload, active } of view.report.workloads) {
    const grants = view.grants.filter((g) => g.workload === workload);
    if (grants.length === 0) continue;
    const perms = new Map<string, { label: string; privileged: boolean }>();
    for (const g of grants) perms.set(g.permission, { label: g.label, privileged: g.privileged });
    const cols = [...perms.entries()].sort(
      (a, b) =>
        Number(b[1].privileged) - Number(a[1].privileged) ||
        (ATOM_ORDER.get(a[0]) ?? 1e9) - (ATOM_ORDER.get(b[0]) ?? 1e9) ||
        a[0].localeCompare(b[0]),
    );
    const byCell = new Map(grants.map((g) => [`${g.principalId}|${g.permission}`, g]));
    const rows = view.principals.filter((p) => grants.some((g) => g.principalId === p.id));
    parts.push(
      `<h2 id="w-${workload}">${esc(workload)} <small>(${active ? "Unified RBAC active" : "not active: legacy model"}; ${rows.length} principals)</small></h2>`,
      `<table data-workload="${workload}"><thead><tr><th>Principal</th>`,
      ...cols.map(
        ([id, p]) =>
          `<th class="${p.privileged ? "priv" : ""}" title="${esc(p.label)}" data-permission="${esc(id)}">${p.privileged ? "⚠ " : ""}${esc(shortLabel(p.label))}</th>`,
      ),
      `</tr></thead><tbody>`,
    );
    for (const p of rows) {
      parts.push(
        `<tr class="row" data-principal="${esc(p.id)}"><th class="p" title="${esc(principalLabel(p))}">${esc(p.displayName)} <small>${p.kind}</small></th>`,
      );
      for (const [id] of cols) {
        const g = byCell.get(`${p.id}|${id}`);
        if (!g) {
          parts.push(`<td class="n"></td>`);
          continue;
        }
        const letters = [...new Set(g.sources.map((s) => KIND_LETTER[s.kind] + (s.via.length ? "g" : "")))].join(" ");
        const title = g.sources.map((s) => sourceText(s, name)).join("\n");
        const cls = ["g", g.privileged ? "priv" : "", g.partial ? "partial" : ""].filter(Boolean).join(" ");
        parts.push(`<td class="${cls}" title="${esc(`${g.label}\n${title}`)}">${esc(letters)}</td>`);
      }
      parts.push(`</tr>`);
    }
    parts.push(`</tbody></table>`);
  }
  if (view.grants.length === 0) parts.push(`<p>No grants match.</p>`);
  const notes = [...view.assumptions.map((a) => `Assumed: ${a}`), ...view.report.notes];
  if (notes.length) parts.push(`<h2>Notes</h2><ul class="notes">`, ...notes.map((n) => `<li>${esc(n)}</li>`), `</ul>`);
  return [
    "<!DOCTYPE html>",
    `<html lang="en"><head><meta charset="utf-8">`,
    `<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; script-src 'unsafe-inline'">`,
    `<title>${esc(view.title)}</title><style>${STYLE}</style></head><body>`,
    ...parts,
    `<script>${SCRIPT}</script>`,
    "</body></html>",
  ].join("\n");
}

/** "Authorization and settings \ Authorization (manage)" → "Authorization (manage)". */
function shortLabel(label: string): string {
  const parts = label.split(" \\ ");
  return parts[parts.length - 1];
}
