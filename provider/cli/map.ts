/** `defender-rbac map`: what legacy roles become in Unified RBAC. */
import { LEGACY_SOURCES } from "../core/legacy";
import { mapLegacyRoles } from "../core/mapping";
import { formatIssue } from "../core/errors";
import { Option } from "commander";
import type { Io, Register } from "./io";
import { table } from "./table";

export interface MapOptions {
  from: string;
  role: string[];
  json?: boolean;
  explain?: boolean;
}

export function mapCommand(opts: MapOptions, io: Io): number {
  const r = mapLegacyRoles(opts.from, opts.role ?? [], []);
  if (!r.ok) {
    for (const issue of r.issues) {
      io.err(`defender-rbac map: ${formatIssue(issue)}`);
      if (issue.suggestions?.length)
        io.err(`  closest valid names: ${issue.suggestions.map((s) => `"${s}"`).join(", ")}`);
    }
    if (r.issues.some((i) => i.code === "unknown_source")) io.err(`  sources: ${LEGACY_SOURCES.join(", ")}`);
    return 2;
  }
  const m = r.value;
  if (opts.json) {
    io.out(
      JSON.stringify({
        permissions: m.permissions.map((p) => ({
          category: p.category,
          group: p.group,
          name: p.name,
          level: p.level,
          action: p.action,
          workloads: p.workloads,
        })),
        unsupported: m.unsupported.map((u) => ({ legacy: u.legacy, reason: u.reason })),
      }),
    );
    return 0;
  }
  io.out(`${m.source.toUpperCase()}: ${m.roles.join(", ")}`);
  io.out("");
  io.out(
    table(
      ["Permission", "Level", "Action string", "Workloads"],
      m.permissions.map((p) => [
        [p.category, p.group, p.name].filter(Boolean).join(" \\ "),
        p.level,
        p.action ?? "(not published)",
        p.workloads.join(", "),
      ]),
    ),
  );
  if (m.unsupported.length) {
    io.out("");
    io.out("Not supported in Unified RBAC:");
    for (const u of m.unsupported) io.out(`  ${u.legacy}: ${u.reason}`);
  }
  if (opts.explain) {
    io.out("");
    io.out("Explanation:");
    for (const t of m.trace)
      io.out(`  ${t.legacy} → ${t.permission}${t.workloads[0] === "all" ? "" : ` [${t.workloads.join(", ")} only]`}`);
  }
  return 0;
}

const collect = (value: string, previous: string[] = []) => [...previous, value];

export const register: Register = (program, io, setExit) => {
  program
    .command("map")
    .description("Show the Unified RBAC permissions that legacy roles map to (Microsoft's migration tables).")
    .addOption(new Option("--from <source>", "legacy model: mde, mdo, mdi or entra").makeOptionMandatory())
    .requiredOption(
      "--role <name>",
      "legacy role or permission (repeat; for mde, the permissions of one custom role)",
      collect,
    )
    .option("--json", "print one JSON object")
    .option("--explain", "show which legacy entry produced which permission")
    .action((opts: MapOptions) => setExit(mapCommand(opts, io)));
};
