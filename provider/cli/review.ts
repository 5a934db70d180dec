/**
 * `defender-rbac review --preview <pulumi-preview.json>`: the access change of a pull request, per
 * principal: permissions gained and lost by workload, privileged ones first, as Markdown (for a PR
 * comment) or JSON. Without a tenant it compares the stack's own roles, assignments and activations
 * before and after (workloads the stack does not activate count as active); with `--backend`/`--store`
 * it applies the change to the tenant as it is now, so Entra roles, legacy roles, group membership and
 * display names count too. `--fail-on-privileged` makes the exit status a gate: 3 when the change grants
 * a privileged permission to anyone.
 */
import * as fs from "node:fs";
import { Option } from "commander";
import { ACCESS_WORKLOADS, AccessInput, AccessReport, AccessWorkload, sourceText } from "../core/access";
import { AccessChange, diffAccess } from "../core/accessChange";
import { EMPTY_DIRECTORY } from "../core/directory";
import { effectiveAccess } from "../core/effectiveAccess";
import { readTenantAccess } from "../backend/access";
import { PreviewChange, StackSide, readPreview } from "./preview";
import { principalLabel } from "./accessView";
import { emit, type Io, type Register } from "./io";
import { TenantOptions, openTenant, withTenantOptions } from "./tenant";

export interface ReviewOptions extends Partial<TenantOptions> {
  preview: string;
  format: "md" | "json";
  output?: string;
  failOnPrivileged?: boolean;
}

/** Exit status of `review --fail-on-privileged` when the change grants a privileged permission. */
export const PRIVILEGED_GRANT_EXIT = 3;

export interface Review {
  changes: AccessChange[];
  before: AccessReport;
  after: AccessReport;
  preview: PreviewChange;
  notes: string[];
}

/** The tenant (or an empty one) with the stack's objects replaced by their state on one side. */
function apply(base: AccessInput, stack: PreviewChange, side: StackSide): AccessInput {
  const ownedRoles = new Set([...stack.before.roles, ...stack.after.roles].map((r) => r.id.toLowerCase()));
  const ownedAssignments = new Set(
    [...stack.before.assignments, ...stack.after.assignments].map((a) => a.id.toLowerCase()),
  );
  const act = new Map(base.activation.map((s) => [s.workload, s.active]));
  for (const s of side.activation) act.set(s.workload, s.active);
  return {
    ...base,
    roles: [...base.roles.filter((r) => !ownedRoles.has(r.id.toLowerCase())), ...side.roles],
    assignments: [...base.assignments.filter((a) => !ownedAssignments.has(a.id.toLowerCase())), ...side.assignments],
    activation: [...act].map(([workload, active]) => ({ workload, active })),
  };
}

/** The access change of a preview against a base tenant (pure). */
export function reviewPreview(preview: PreviewChange, base: AccessInput, notes: string[] = []): Review {
  const sides = [apply(base, preview, preview.before), apply(base, preview, preview.after)];
  const missing = new Set<string>();
  for (const side of sides) {
    const roles = new Set(side.roles.map((r) => r.id.toLowerCase()));
    for (const a of side.assignments)
      if (!roles.has(a.roleDefinitionId.toLowerCase()))
        missing.add(
          `assignment "${a.displayName}" names role ${a.roleDefinitionId}, which is neither in the preview nor in the tenant: its access is not counted ` +
            "(run `pulumi preview --json --show-sames` so unchanged roles are listed, or pass --backend/--store)",
        );
  }
  const [before, after] = sides.map(effectiveAccess);
  return {
    changes: diffAccess(before, after),
    before,
    after,
    preview,
    notes: [...notes, ...preview.notes, ...[...missing].sort()],
  };
}

const ALL_ACTIVE: AccessInput["activation"] = ACCESS_WORKLOADS.map((w) => ({ workload: w, active: true }));

interface Folded {
  change: "gained" | "lost";
  privileged: boolean;
  label: string;
  workloads: AccessWorkload[];
  through: string;
}

function principalsOf(review: Review) {
  const byId = new Map([...review.before.principals, ...review.after.principals].map((p) => [p.id, p]));
  const name = (id: string) => byId.get(id)?.displayName ?? id;
  const ids = [...new Set(review.changes.map((c) => c.principalId))];
  const rank = (id: string) =>
    review.changes.some((c) => c.principalId === id && c.privileged && c.change === "gained") ? 0 : 1;
  ids.sort((a, b) => rank(a) - rank(b) || name(a).localeCompare(name(b)) || a.localeCompare(b));
  return ids.map((id) => {
    const rows = new Map<string, Folded>();
    for (const c of review.changes.filter((x) => x.principalId === id)) {
      const through = c.sources.map((s) => sourceText(s, name)).join("; ");
      const k = `${c.change}|${c.permission}|${through}`;
      const row = rows.get(k) ?? { change: c.change, privileged: c.privileged, label: c.label, workloads: [], through };
      row.workloads.push(c.workload);
      rows.set(k, row);
    }
    const p = byId.get(id) ?? { id, kind: "unknown" as const, displayName: id };
    return { principal: p, rows: [...rows.values()] };
  });
}

const mdCell = (s: string) => s.replace(/\\/g, "\\\\").replace(/\|/g, "\\|");
const workloadsText = (ws: readonly AccessWorkload[]) => (ws.length === ACCESS_WORKLOADS.length ? "all" : ws.join(" "));

export function reviewSummary(review: Review) {
  const c = review.changes;
  return {
    principals: new Set(c.map((x) => x.principalId)).size,
    gained: c.filter((x) => x.change === "gained").length,
    lost: c.filter((x) => x.change === "lost").length,
    privilegedGained: c.filter((x) => x.change === "gained" && x.privileged).length,
    privilegedLost: c.filter((x) => x.change === "lost" && x.privileged).length,
  };
}

export function reviewMarkdown(review: Review, title = "Defender XDR access review"): string {
  const s = reviewSummary(review);
  const out = [`## ${title}`, ""];
  if (review.changes.length === 0) out.push("This change does not change who can do what.");
  else
    out.push(
      `${s.principals} principal${s.principals === 1 ? "" : "s"}: ${s.gained} grant${s.gained === 1 ? "" : "s"} gained, ${s.lost} lost.` +
        (s.privilegedGained
          ? ` **⚠ ${s.privilegedGained} privileged grant${s.privilegedGained === 1 ? "" : "s"} added.**`
          : "") +
        (s.privilegedLost ? ` ${s.privilegedLost} privileged grant${s.privilegedLost === 1 ? "" : "s"} removed.` : ""),
    );
  for (const { principal, rows } of principalsOf(review)) {
    const warn = rows.some((r) => r.privileged && r.change === "gained") ? "⚠ " : "";
    out.push(
      "",
      `### ${warn}${mdCell(principalLabel(principal))}`,
      "",
      "| Change | Workloads | Permission | Through |",
      "|---|---|---|---|",
    );
    const order = (r: Folded) => (r.privileged ? 0 : 2) + (r.change === "gained" ? 0 : 1);
    for (const r of [...rows].sort((a, b) => order(a) - order(b)))
      out.push(
        `| ${r.change === "gained" ? "➕ gained" : "➖ lost"}${r.privileged ? " **privileged**" : ""} | ${workloadsText(r.workloads)} | ${mdCell(r.label)} | ${mdCell(r.through)} |`,
      );
  }
  if (review.preview.resources.length) {
    out.push("", "<details><summary>Resources changed</summary>", "");
    for (const r of review.preview.resources) out.push(`- ${r.op} ${r.kind} \`${r.name}\``);
    out.push("", "</details>");
  }
  if (review.notes.length) out.push("", ...review.notes.map((n) => `- Note: ${mdCell(n)}`));
  return out.join("\n");
}

export function reviewJson(review: Review): string {
  const byId = new Map([...review.before.principals, ...review.after.principals].map((p) => [p.id, p]));
  return JSON.stringify({
    summary: reviewSummary(review),
    changes: review.changes.map((c) => ({
      ...c,
      principal: byId.get(c.principalId) ?? { id: c.principalId, kind: "unknown", displayName: c.principalId },
    })),
    resources: review.preview.resources,
    notes: review.notes,
  });
}

export async function reviewCommand(opts: ReviewOptions, io: Io): Promise<number> {
  let text: string;
  try {
    text = fs.readFileSync(opts.preview, "utf8");
  } catch (e) {
    throw new Error(
      `--preview: cannot read ${opts.preview} (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`,
    );
  }
  const preview = readPreview(text, `--preview ${opts.preview}`);
  let base: AccessInput = { roles: [], assignments: [], activation: ALL_ACTIVE, directory: EMPTY_DIRECTORY };
  let notes: string[] = [
    "compared without the tenant: only the stack's roles and assignments count, workloads the stack does not activate count as active (pass --backend/--store to count Entra roles, legacy roles and groups)",
  ];
  if (opts.backend || opts.store) {
    const backend = await openTenant({ ...opts, backend: opts.backend ?? "local" } as TenantOptions);
    try {
      const t = await readTenantAccess(backend);
      base = t.input;
      notes = t.assumptions;
    } finally {
      await backend.close?.().catch(() => undefined);
    }
  }
  const review = reviewPreview(preview, base, notes);
  const out = opts.format === "json" ? reviewJson(review) : reviewMarkdown(review);
  emit(io, out, opts.output, `wrote ${opts.output}`);
  const s = reviewSummary(review);
  if (opts.failOnPrivileged && s.privilegedGained > 0) {
    io.err(
      `defender-rbac review: the change grants ${s.privilegedGained} privileged permission${s.privilegedGained === 1 ? "" : "s"} (--fail-on-privileged)`,
    );
    return PRIVILEGED_GRANT_EXIT;
  }
  return 0;
}

export const register: Register = (program, io, setExit) => {
  withTenantOptions(program.command("review"))
    .description(
      "The access change of a pull request: reads `pulumi preview --json` and prints, per principal, the permissions gained and lost by workload (privileged first). Read-only.",
    )
    .requiredOption("--preview <file>", "the output of `pulumi preview --json`")
    .addOption(new Option("--format <format>", "md (a PR comment) or json").choices(["md", "json"]).default("md"))
    .option("-o, --output <file>", "write to a file instead of standard output")
    .option(
      "--fail-on-privileged",
      `exit with status ${PRIVILEGED_GRANT_EXIT} when the change grants a privileged permission`,
    )
    .action(async (opts: ReviewOptions) => setExit(await reviewCommand(opts, io)));
};
