/**
 * Reads what effective access is computed from (core/access.ts) out of a backend: roles, assignments,
 * activation, the legacy roles the backend can read and, where the backend has one, the directory.
 */
import { ACCESS_WORKLOADS, AccessWorkload } from "../core/access";
import type { AccessInput, AccessLegacyRole } from "../core/access";
import type { Backend } from "./backend";

export interface AccessReadOptions {
  /**
   * The workloads to count as active when the backend cannot read activation (Graph): there is no
   * public API for it. Default: every workload.
   */
  assumeActive?: readonly AccessWorkload[];
}

export interface TenantAccess {
  input: AccessInput;
  /** What was assumed rather than read, for the reader of the report. */
  assumptions: string[];
}

export async function readTenantAccess(backend: Backend, opts: AccessReadOptions = {}): Promise<TenantAccess> {
  const caps = backend.capabilities();
  const assumptions: string[] = [];
  const [roles, assignments] = await Promise.all([backend.listRoles(), backend.listAssignments()]);
  let activation: AccessInput["activation"];
  if (caps.activation === "none") {
    const on = new Set(opts.assumeActive ?? ACCESS_WORKLOADS);
    activation = ACCESS_WORKLOADS.map((w) => ({ workload: w, active: on.has(w) }));
    assumptions.push(
      `the ${backend.name} backend cannot read activation; assumed active: ${[...on].join(", ") || "none"} (--active to change)`,
    );
  } else activation = (await backend.getActivation()).map((s) => ({ workload: s.workload, active: s.active }));
  const legacyRoles: AccessLegacyRole[] = [];
  for (const source of caps.legacyImport)
    if (source !== "entra")
      for (const l of await backend.listLegacyRoles(source))
        legacyRoles.push({ source, id: l.id, name: l.name, permissions: l.permissions, members: l.members });
  const principals = [
    ...new Set([...assignments.flatMap((a) => a.principalIds), ...legacyRoles.flatMap((l) => l.members)]),
  ];
  const directory = backend.directory ? await backend.directory(principals) : undefined;
  if (!directory)
    assumptions.push(
      `the ${backend.name} backend has no directory: principals are ids, groups are not expanded, Entra roles are not counted`,
    );
  return {
    input: {
      roles: roles.map((r) => ({ id: r.id, displayName: r.displayName, actions: r.actions })),
      assignments: assignments.map((a) => ({
        id: a.id,
        displayName: a.displayName,
        roleDefinitionId: a.roleDefinitionId,
        principalIds: a.principalIds,
        appScopeIds: a.appScopeIds,
      })),
      activation,
      directory,
      legacyRoles,
    },
    assumptions,
  };
}
