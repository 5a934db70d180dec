/**
 * What an ImportedRole reads and maps before anything is written: the legacy source and role it names
 * (by role name, or an MDE role by its legacy permissions), checked against what the backend can read
 * (Graph cannot read MDE roles or EOP role group members), and the legacy names the mapping tables map.
 * The handler (importedRole.ts) turns the plan into the role's unified permissions.
 */
import type { Backend, LegacyRoleRecord } from "../backend/backend";
import type { LegacySource } from "../core/legacy";
import { SOURCE_NAMES } from "../core/legacy";
import { findLegacyEntry, mapLegacyRoles } from "../core/mapping";
import { foldName, suggest } from "../core/names";
import { legacySourceNamed } from "../core/workloads";
import { CheckFailure, failuresFromIssues, tenantName, unsupportedFailure } from "./common";

/** The inputs of a program's ImportedRole an import plan reads. */
export interface ImportRequest {
  source?: string;
  role?: string;
  permissions?: string[];
  displayName?: string;
  includeAssignments?: boolean;
}

export interface Plan {
  source: LegacySource;
  legacy: LegacyRoleRecord | undefined;
  legacyNames: string[];
  originalId: string;
  /** The legacy role as its own model spells it. */
  label: string;
  displayName: string;
}

export async function planImport(
  backend: Backend,
  data: ImportRequest,
  failures: CheckFailure[],
): Promise<Plan | undefined> {
  const source = legacySourceNamed(data.source);
  if (!source) {
    failures.push({
      property: "source",
      reason:
        String(data.source).toLowerCase() === "entra"
          ? 'Entra roles are not imported: Unified RBAC honours them directly. Use "mde", "mdo" or "mdi".'
          : `unknown source "${data.source}"; use "mde", "mdo" or "mdi".`,
    });
    return undefined;
  }
  const caps = backend.capabilities();
  // Which legacy roles the backend can read (names, members). MDO/EOP role groups and roles map through
  // Microsoft's fixed table and MDE custom roles through the permissions given, so neither needs a read;
  // only what the read would give (members, MDE roles by name) is refused without it.
  const readable = caps.legacyImport.includes(source);
  const tenant = tenantName(backend);
  if (!readable && source === "mdi") {
    failures.push(unsupportedFailure("source", backend, `import ${SOURCE_NAMES[source]}`, caps.notes.legacyImport));
    return undefined;
  }
  if (!data.role && !data.permissions) {
    failures.push({
      property: source === "mde" ? "permissions" : "role",
      reason:
        source === "mde"
          ? "name the MDE role to import (role), or give its legacy permissions (permissions)."
          : `role is required: the ${SOURCE_NAMES[source]} entry to import, e.g. "${source === "mdo" ? "Security reader" : "MDI admin"}".`,
    });
    return undefined;
  }
  if (data.permissions && source !== "mde") {
    failures.push({
      property: "permissions",
      reason: "permissions describe a custom Defender for Endpoint role; for mdo and mdi name the role group in role.",
    });
    return undefined;
  }
  if (!readable && data.includeAssignments) {
    const what =
      source === "mdo"
        ? `the members of the ${SOURCE_NAMES[source]} role group "${data.role}" (Graph has no API for EOP role groups; Security & Compliance PowerShell's Get-RoleGroupMember lists them)`
        : `who holds the Defender for Endpoint role "${data.role ?? "(given by permissions)"}" (Graph has no API for MDE roles)`;
    failures.push({
      property: "includeAssignments",
      reason: `the "${tenant}" backend cannot read ${what}. Set includeAssignments: false and assign the role with a RoleAssignment to the group ids that hold the ${source === "mdo" ? "EOP role group" : "MDE role"}.`,
    });
    return undefined;
  }
  if (!readable && source === "mde" && data.role && !data.permissions) {
    failures.push({
      property: "role",
      reason:
        `the "${tenant}" backend cannot read the Defender for Endpoint role "${data.role}" (Graph has no API for MDE roles or their device-group scoping). ` +
        `Give the permissions of MDE role "${data.role}" in permissions (\`defender-rbac map --from mde\` shows what they map to); its device-group scoping stays in Defender for Endpoint's settings.`,
    });
    return undefined;
  }
  const tenantRoles = readable ? await backend.listLegacyRoles(source) : [];
  const role = data.role ?? ""; // set unless source is mde and permissions are given (checked above)
  let legacy: LegacyRoleRecord | undefined;
  let legacyNames: string[];
  if (source === "mde") {
    if (data.role) legacy = tenantRoles.find((r) => foldName(r.name) === foldName(role));
    if (data.role && !legacy && !data.permissions) {
      failures.push({
        property: "role",
        reason: `no Defender for Endpoint role named "${data.role}" in the ${backend.name} tenant. Did you mean: ${suggest(
          role,
          tenantRoles.map((r) => r.name),
        )
          .map((s) => `"${s}"`)
          .join(", ")}? Or give its legacy permissions in permissions.`,
      });
      return undefined;
    }
    legacyNames = data.permissions ?? legacy!.permissions;
  } else {
    const entry = findLegacyEntry(source, role);
    if (!entry) {
      const r = mapLegacyRoles(source, [role], ["role"]);
      // role is a single name: report the failure on "role", not on "role[0]"
      if (!r.ok) failures.push(...failuresFromIssues(r.issues).map((f) => ({ ...f, property: "role" })));
      return undefined;
    }
    legacy = tenantRoles.find((r) => findLegacyEntry(source, r.name) === entry);
    legacyNames = [entry.name];
  }
  const originalId = legacy?.id ?? `${source}:${foldName(data.role ?? legacyNames.join("+"))}`;
  // the default name is the legacy role's own spelling, so "security reader" and "Security reader" agree
  const canonicalName = source === "mde" ? (legacy?.name ?? data.role) : legacyNames[0];
  const label = canonicalName ?? legacyNames.join(", ");
  return {
    source,
    legacy,
    legacyNames,
    originalId,
    label,
    displayName: data.displayName ?? canonicalName ?? `Imported ${source.toUpperCase()} role`,
  };
}
