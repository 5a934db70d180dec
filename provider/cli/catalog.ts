/** `defender-rbac catalog`: the unified permissions, their levels, action strings and provenance. */
import {
  ATOMS,
  CATALOGUE_VERSION,
  KNOWN_ACTIONS,
  WILDCARDS,
  atomForKey,
  getCategory,
  getGroup,
  knownActionByAction,
  wildcardByAction,
} from "../core/catalogue";
import { atomLabel } from "../core/labels";
import type { Io, Register } from "./io";
import { recordCatalogue } from "../backend/recorded";
import { table } from "./table";
import { TenantOptions, openTenant, withTenantOptions } from "./tenant";

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
    wildcards: WILDCARDS.map((w) => ({
      action: w.action,
      category: getCategory(w.category).name,
      group: w.group ? getGroup(w.group)!.name : null,
      level: w.level,
      label: w.label,
      provenance: w.provenance,
      sources: w.sources,
    })),
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
  io.out(
    table(
      ["Id", "Permission", "Action string", "Provenance"],
      ATOMS.map((a) => [
        a.id,
        atomLabel(a),
        a.info.action ?? "(not published)",
        `${a.info.provenance}${a.info.sources.length ? ` (${a.info.sources.join(", ")})` : ""}`,
      ]),
    ),
  );
  io.out("");
  io.out("Wildcards (a * segment matches one or more segments; manage covers read):");
  io.out(
    table(
      ["Action string", "Grants", "Provenance"],
      WILDCARDS.map((w) => [w.action, w.label, `${w.provenance} (${w.sources.join(", ")})`]),
    ),
  );
  io.out("");
  io.out("Other strings seen in sources:");
  for (const k of KNOWN_ACTIONS) io.out(`  ${k.action}  ${k.provenance} (${k.sources.join(", ")}): ${k.note}`);
  return 0;
}

/**
 * `catalog --backend graph`: the tenant's own catalogue, next to what the shipped one knows of each
 * action. With --json, a recorded catalogue (format, date, source, sha256, actions) to replay offline.
 */
export async function liveCatalogCommand(opts: TenantOptions & { json?: boolean }, io: Io): Promise<number> {
  const backend = await openTenant(opts);
  try {
    const live = await backend.liveCatalogue();
    if (!live) {
      io.err(
        `defender-rbac catalog: the ${backend.name} backend has no live catalogue; it uses the shipped one (run without --backend).`,
      );
      return 1;
    }
    const rows = live.map((a) => {
      const action = a.action.toLowerCase();
      const atom = atomForKey(action);
      const shipped = atom
        ? `${atom.id} (${atom.info.provenance})`
        : wildcardByAction.has(action)
          ? "wildcard"
          : knownActionByAction.has(action)
            ? "known string"
            : "not in the shipped catalogue";
      return {
        action: a.action,
        ...(a.displayName ? { displayName: a.displayName } : {}),
        ...(a.description ? { description: a.description } : {}),
        shipped,
      };
    });
    // --json is a recorded catalogue (backend/recorded.ts): `emulator --catalogue` and `defender-rbac:parity` read it back
    if (opts.json)
      io.out(
        JSON.stringify(
          recordCatalogue(rows, {
            backend: backend.name,
            source:
              opts.graphUrl ||
              process.env.DEFENDER_RBAC_GRAPH_URL ||
              (opts.tenantId ? `tenant ${opts.tenantId}` : undefined),
          }),
          null,
          1,
        ),
      );
    else {
      io.out(`Live catalogue of the ${backend.name} tenant: ${rows.length} actions`);
      io.out("");
      io.out(
        table(
          ["Action string", "Display text", "Shipped catalogue"],
          rows.map((r) => [r.action, r.displayName ?? "", r.shipped]),
        ),
      );
    }
    return 0;
  } finally {
    await backend.close?.().catch(() => undefined);
  }
}

export const register: Register = (program, io, setExit) => {
  withTenantOptions(
    program
      .command("catalog")
      .description(
        "List the unified permissions with their levels, action strings and provenance; with --backend graph, the tenant's own catalogue.",
      )
      .option("--json", "print one JSON object"),
  ).action(async (opts: TenantOptions & { json?: boolean }) =>
    setExit(opts.backend ? await liveCatalogCommand(opts, io) : catalogCommand(opts, io)),
  );
};
