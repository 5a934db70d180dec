/** `defender-rbac catalog`: the unified permissions, their levels, action strings and provenance. */
import { ATOMS, CATALOGUE_VERSION, KNOWN_ACTIONS, WILDCARDS, atomLabel, getCategory, getGroup } from "../core/catalogue";
import { table } from "./table";
import type { Io } from "./program";

export function catalogJson() {
  return {
    version: CATALOGUE_VERSION,
    permissions: ATOMS.map((a) => ({
      id: a.id,
      category: getCategory(a.permission.category).name,
      group: a.permission.group ? getGroup(a.permission.group)!.name : null,
      name: a.permission.name,
      formerNames: a.permission.formerNames,
      level: a.level,
      action: a.info.action,
      provenance: a.info.provenance,
      sources: a.info.sources,
      ...(a.info.note ? { note: a.info.note } : {}),
    })),
    wildcards: WILDCARDS.map((w) => ({ action: w.action, category: getCategory(w.category).name, group: w.group ? getGroup(w.group)!.name : null, level: w.level, label: w.label, provenance: w.provenance, sources: w.sources })),
    knownActions: KNOWN_ACTIONS.map((k) => ({ ...k })),
  };
}

export function catalogCommand(opts: { json?: boolean }, io: Io): number {
  if (opts.json) {
    io.out(JSON.stringify(catalogJson()));
    return 0;
  }
  io.out(`Unified RBAC permission catalogue ${CATALOGUE_VERSION}`);
  io.out("");
  io.out(table(["Id", "Permission", "Action string", "Provenance"], ATOMS.map((a) => [a.id, atomLabel(a), a.info.action ?? "(not published)", `${a.info.provenance}${a.info.sources.length ? ` (${a.info.sources.join(", ")})` : ""}`])));
  io.out("");
  io.out("Wildcards (a * segment matches one or more segments; manage covers read):");
  io.out(table(["Action string", "Grants", "Provenance"], WILDCARDS.map((w) => [w.action, w.label, `${w.provenance} (${w.sources.join(", ")})`])));
  io.out("");
  io.out("Other strings seen in sources:");
  for (const k of KNOWN_ACTIONS) io.out(`  ${k.action}  ${k.provenance} (${k.sources.join(", ")}): ${k.note}`);
  return 0;
}
