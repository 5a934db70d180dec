/**
 * `defender-rbac access`: who can do what, where, and why (core/access.ts), in both directions:
 * per principal (`--principal`), or who holds a permission (`--permission`, `--privileged`), filtered
 * by workload. Formats: a table (default), JSON, Markdown, CSV, and a self-contained HTML matrix.
 */
import { Option } from "commander";
import { activationWorkload } from "../core/activation";
import { ACCESS_WORKLOADS, AccessFilter, AccessWorkload, AccessReport, filterGrants, sourceText } from "../core/access";
import { EMPTY_DIRECTORY, resolvePrincipalRef } from "../core/directory";
import { effectiveAccess } from "../core/effectiveAccess";
import { formatIssue, Issue } from "../core/errors";
import { resolvePermission } from "../core/resolve";
import { readTenantAccess } from "../backend/access";
import { accessHtml } from "./accessHtml";
import { AccessView, principalLabel } from "./accessView";
export type { AccessView } from "./accessView";
import { table } from "./table";
import { emit, type Io, type Register } from "./io";
import { TenantOptions, openTenant, withTenantOptions } from "./tenant";

export type AccessFormat = "table" | "json" | "md" | "csv" | "html";

export interface AccessOptions extends TenantOptions {
  principal?: string[];
  workload?: string[];
  permission?: string[];
  privileged?: boolean;
  active?: string;
  format: AccessFormat;
  output?: string;
}

const collect = (value: string, previous: string[] = []) => [...previous, value];

/** Workload names as the CLI accepts them: endpoint / Mde, office365 / Mdo, … */
export function parseWorkloads(list: readonly string[], option: string): AccessWorkload[] {
  const names = list
    .flatMap((s) => s.split(","))
    .map((s) => s.trim())
    .filter(Boolean);
  if (names.some((s) => s.toLowerCase() === "all")) return [...ACCESS_WORKLOADS];
  return names.map((s) => {
    const w = activationWorkload(s) as AccessWorkload | undefined;
    if (!w)
      throw new Error(
        `${option}: unknown workload "${s}"; use endpoint, office365, identity, cloudApps, cloud (or Mde, Mdo, Mdi, Mda, Mdc)`,
      );
    return w;
  });
}

function fail(issues: Issue[]): never {
  throw new Error(issues.map(formatIssue).join("; "));
}

/** Builds the view the options ask for (pure apart from the report it is given). */
export function selectAccess(
  report: AccessReport,
  opts: Pick<AccessOptions, "principal" | "workload" | "permission" | "privileged">,
  directory = EMPTY_DIRECTORY,
): Omit<AccessView, "title" | "assumptions"> {
  const f: AccessFilter = { privileged: opts.privileged };
  if (opts.principal?.length)
    f.principals = opts.principal.map((p) => {
      const r = resolvePrincipalRef(directory, p, ["--principal"]);
      return r.ok ? r.value : fail(r.issues);
    });
  if (opts.workload?.length) f.workloads = parseWorkloads(opts.workload, "--workload");
  if (opts.permission?.length)
    f.permissions = opts.permission.flatMap((p) => {
      const r = resolvePermission(p, ["--permission"]);
      if (!r.ok) return fail(r.issues);
      return r.value.atoms.length ? r.value.atoms.map((a) => a.id) : r.value.keys.map((k) => k.toLowerCase());
    });
  const grants = filterGrants(report.grants, f);
  const holding = new Set(grants.map((g) => g.principalId));
  const principals = report.principals.filter((p) => holding.has(p.id));
  const empty = (f.principals ?? [])
    .filter((id) => !holding.has(id))
    .map((id) => report.principals.find((p) => p.id === id) ?? { id, kind: "unknown" as const, displayName: id });
  return { report, grants, principals, empty };
}

const nameOf = (report: AccessReport) => {
  const names = new Map(report.principals.map((p) => [p.id, p.displayName]));
  return (id: string) => names.get(id) ?? id;
};

/** A principal's grants folded across workloads: one row per permission and provenance. */
export function foldedRows(view: AccessView, principalId: string) {
  const name = nameOf(view.report);
  const rows = new Map<
    string,
    { workloads: AccessWorkload[]; label: string; privileged: boolean; partial: boolean; from: string }
  >();
  for (const g of view.grants.filter((x) => x.principalId === principalId)) {
    const from = g.sources.map((s) => sourceText(s, name)).join("; ");
    const k = `${g.permission}|${from}`;
    const row = rows.get(k) ?? { workloads: [], label: g.label, privileged: g.privileged, partial: g.partial, from };
    row.workloads.push(g.workload);
    rows.set(k, row);
  }
  return [...rows.values()].sort((a, b) => Number(b.privileged) - Number(a.privileged));
}

const workloadsText = (ws: readonly AccessWorkload[]) => (ws.length === ACCESS_WORKLOADS.length ? "all" : ws.join(" "));

function header(view: AccessView): string[] {
  const act = view.report.workloads;
  const on = act.filter((w) => w.active).map((w) => w.workload);
  const off = act.filter((w) => !w.active).map((w) => w.workload);
  return [
    `${view.title}: ${view.principals.length} principals, ${view.grants.length} grants` +
      ` (${view.grants.filter((g) => g.privileged).length} privileged)`,
    `Unified RBAC active: ${on.join(", ") || "none"}; not active (legacy model applies): ${off.join(", ") || "none"}`,
  ];
}

function footer(view: AccessView): string[] {
  return [...view.assumptions.map((a) => `Assumed: ${a}`), ...view.report.notes.map((n) => `Note: ${n}`)];
}

export function renderTable(view: AccessView): string {
  const out = [...header(view), "! = privileged (control of who can do what, advanced live response)", ""];
  for (const p of view.principals) {
    out.push(principalLabel(p));
    const t = table(
      ["Workloads", "Permission", "From"],
      foldedRows(view, p.id).map((r) => [
        workloadsText(r.workloads),
        `${r.privileged ? "! " : "  "}${r.label}${r.partial ? " (part of the workload)" : ""}`,
        r.from,
      ]),
    );
    out.push(...t.split("\n").map((l) => `  ${l}`), "");
  }
  for (const p of view.empty) out.push(`${principalLabel(p)}: no access`, "");
  out.push(...footer(view));
  return out.join("\n").trimEnd();
}

const mdCell = (s: string) => s.replace(/\\/g, "\\\\").replace(/\|/g, "\\|");

export function renderMarkdown(view: AccessView): string {
  const [h1, h2] = header(view);
  const out = [`# ${h1}`, "", h2, ""];
  for (const p of view.principals) {
    out.push(
      `## ${mdCell(principalLabel(p))}`,
      "",
      "| Workloads | Permission | Privileged | From |",
      "|---|---|---|---|",
    );
    for (const r of foldedRows(view, p.id))
      out.push(
        `| ${workloadsText(r.workloads)} | ${mdCell(r.label)}${r.partial ? " (part of the workload)" : ""} | ${r.privileged ? "**yes**" : ""} | ${mdCell(r.from)} |`,
      );
    out.push("");
  }
  for (const p of view.empty) out.push(`## ${mdCell(principalLabel(p))}`, "", "No access.", "");
  const f = footer(view);
  if (f.length) out.push(...f.map((l) => `- ${mdCell(l)}`));
  return out.join("\n").trimEnd();
}

const csvCell = (s: string) => (/[",\n\r]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s);

export function renderCsv(view: AccessView): string {
  const name = nameOf(view.report);
  const byId = new Map(view.report.principals.map((p) => [p.id, p]));
  const lines = [
    "principal_id,principal,kind,user_principal_name,workload,permission_id,permission,privileged,partial,provenance",
  ];
  for (const g of view.grants) {
    const p = byId.get(g.principalId)!;
    lines.push(
      [
        g.principalId,
        p.displayName,
        p.kind,
        p.userPrincipalName ?? "",
        g.workload,
        g.permission,
        g.label,
        String(g.privileged),
        String(g.partial),
        g.sources.map((s) => sourceText(s, name)).join("; "),
      ]
        .map(csvCell)
        .join(","),
    );
  }
  return lines.join("\n");
}

export function renderJson(view: AccessView): string {
  return JSON.stringify({
    title: view.title,
    workloads: view.report.workloads,
    principals: view.principals,
    grants: view.grants,
    noAccess: view.empty,
    assumptions: view.assumptions,
    notes: view.report.notes,
  });
}

export function renderAccess(view: AccessView, format: AccessFormat): string {
  switch (format) {
    case "json":
      return renderJson(view);
    case "md":
      return renderMarkdown(view);
    case "csv":
      return renderCsv(view);
    case "html":
      return accessHtml(view);
    default:
      return renderTable(view);
  }
}

export async function accessCommand(opts: AccessOptions, io: Io): Promise<number> {
  const backend = await openTenant(opts);
  try {
    const act = opts.active?.trim().toLowerCase();
    const assumeActive = act === undefined ? undefined : act === "none" ? [] : parseWorkloads([act], "--active");
    const { input, assumptions } = await readTenantAccess(backend, { assumeActive });
    const report = effectiveAccess(input);
    const view: AccessView = {
      title: `Effective access, ${backend.name} tenant`,
      assumptions,
      ...selectAccess(report, opts, input.directory),
    };
    const text = renderAccess(view, opts.format);
    emit(
      io,
      text,
      opts.output,
      `wrote ${opts.output} (${view.principals.length} principals, ${view.grants.length} grants)`,
    );
    return 0;
  } finally {
    await backend.close?.().catch(() => undefined);
  }
}

export const register: Register = (program, io, setExit) => {
  withTenantOptions(program.command("access"), "local")
    .description(
      "Who can do what, where: every principal's effective permissions per workload, with where each comes from (assignments, Entra roles, legacy roles, groups). Read-only.",
    )
    .option(
      "--principal <id|upn|group>",
      "only this principal: object id, user principal name or group name (repeat)",
      collect,
    )
    .option(
      "--workload <workload>",
      "only this workload: endpoint, office365, identity, cloudApps, cloud (repeat)",
      collect,
    )
    .option(
      "--permission <permission>",
      "only who holds this permission: readable name, id or action string (repeat)",
      collect,
    )
    .option("--privileged", "only privileged grants (Authorization (manage), Advanced live response)")
    .option("--active <workloads>", "graph backend: workloads to count as active (comma list, or none); default all")
    .addOption(
      new Option("--format <format>", "table, json, md, csv or html")
        .choices(["table", "json", "md", "csv", "html"])
        .default("table"),
    )
    .option("-o, --output <file>", "write to a file instead of standard output")
    .action(async (opts: AccessOptions) => setExit(await accessCommand(opts, io)));
};
