/** Duplicates, orphans and state/tenant mismatches after a scenario: the program's declarations against state and tenant. */
import type { TenantStore } from "../../provider/backend/store";
import type { StackCli, StateResource } from "./cli";
import type { Figures } from "./scenario";

const ROLE = "pulumi-nodejs:dynamic/defender-rbac:UnifiedRole";
const ASSIGNMENT = "pulumi-nodejs:dynamic/defender-rbac:RoleAssignment";

export interface Declared {
  roles: string[];
  assignments: string[];
}

export interface Audit {
  duplicates: number;
  orphans: number;
  mismatches: number;
  notes: string[];
}

/**
 * duplicates: tenant objects beyond the first with a name the program declares once;
 * orphans: tenant objects with a declared name whose id is not in state;
 * mismatches: state resources whose id is not in the tenant.
 */
export function audit(state: StateResource[], store: TenantStore, declared: Declared): Audit {
  const a: Audit = { duplicates: 0, orphans: 0, mismatches: 0, notes: [] };
  const kinds = [
    {
      type: ROLE,
      names: new Set(declared.roles),
      tenant: store.listRoles().filter((r) => !r.isBuiltIn),
    },
    { type: ASSIGNMENT, names: new Set(declared.assignments), tenant: store.listAssignments() },
  ];
  for (const k of kinds) {
    const inState = new Set(state.filter((r) => r.type === k.type && r.id).map((r) => r.id!.toLowerCase()));
    const byName = new Map<string, string[]>();
    for (const o of k.tenant) {
      if (!k.names.has(o.displayName)) continue;
      byName.set(o.displayName, [...(byName.get(o.displayName) ?? []), o.id]);
      if (!inState.has(o.id.toLowerCase())) {
        a.orphans++;
        a.notes.push(`orphan ${k.type.split(":").pop()} "${o.displayName}" ${o.id}`);
      }
    }
    for (const [name, ids] of byName)
      if (ids.length > 1) {
        a.duplicates += ids.length - 1;
        a.notes.push(`${ids.length} copies of "${name}"`);
      }
    const tenantIds = new Set(k.tenant.map((o) => o.id.toLowerCase()));
    for (const id of inState)
      if (!tenantIds.has(id)) {
        a.mismatches++;
        a.notes.push(`state holds ${id}, which the tenant lacks`);
      }
    const missing = [...k.names].filter((n) => !state.some((r) => r.type === k.type && r.outputs?.displayName === n));
    if (missing.length) {
      a.mismatches += missing.length;
      a.notes.push(`not in state: ${missing.join(", ")}`);
    }
  }
  return a;
}

/** A program of `n` roles, each with one assignment, named `<prefix> role i` / `<prefix> assignment i`. */
export function rolesProgram(prefix: string): string {
  return `const pulumi = require("@pulumi/pulumi");
const { RoleAssignment, Scope, UnifiedRole } = require("pulumi-defender-rbac");
const config = new pulumi.Config();
const n = config.getNumber("count") ?? 5;
const withAssignments = config.getBoolean("assignments") ?? true;
for (let i = 0; i < n; i++) {
  const role = new UnifiedRole(\`r\${i}\`, {
    displayName: \`${prefix} role \${i}\`,
    permissions: ["microsoft.xdr/secops/securitydata/alerts/manage"],
  });
  if (withAssignments)
    new RoleAssignment(\`a\${i}\`, {
      roleId: role.id,
      displayName: \`${prefix} assignment \${i}\`,
      principals: ["8e811502-2c2a-4d1b-9c5e-1f0b2e4f9a10"],
      scope: Scope.all(),
    });
}
`;
}

export function declared(prefix: string, n: number, withAssignments = true): Declared {
  const idx = [...Array(n).keys()];
  return {
    roles: idx.map((i) => `${prefix} role ${i}`),
    assignments: withAssignments ? idx.map((i) => `${prefix} assignment ${i}`) : [],
  };
}

/**
 * The end of a scenario: audits the tenant against the stack's state into `f` (duplicates, orphans,
 * mismatches and their notes), then tells whether the next preview shows no change.
 */
export async function auditInto(f: Figures, cli: StackCli, store: TenantStore, expected: Declared): Promise<boolean> {
  const a = audit(await cli.state(), store, expected);
  Object.assign(f, { duplicates: a.duplicates, orphans: a.orphans, mismatches: a.mismatches });
  f.notes.push(...a.notes);
  return cli.noChangePreview();
}
