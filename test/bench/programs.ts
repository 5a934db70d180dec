/**
 * The generated programs the run benchmark deploys: the same resource graph twice, once with this
 * package's UnifiedRole + RoleAssignment, once with a no-op dynamic provider (the floor: what the Pulumi
 * engine, the SDK and the language host cost for as many dynamic resources with the same inputs).
 * Sizes come from the environment at run time, so one program directory serves every phase:
 * BENCH_ROLES, BENCH_ASSIGNMENTS, and BENCH_EDIT (the first BENCH_EDIT roles get one more permission).
 */

/** Permissions the generated roles hold (catalogue ids, a readable name and an action string; all published, so the graph run can hold them); EXTRA is the edit. */
export const PERMISSIONS = [
  "secops.securitydata.basics:read",
  "secops.securitydata.alerts:manage",
  "Security operations \\ Security data \\ Response (manage)",
  "microsoft.xdr/securityposture/posturemanagement/vulnerabilitymanagement/read",
];
export const EXTRA = "secops.securitydata.filecollection:manage";

export type Side = "project" | "floor" | "floor-keys";

/** The part both sides share: sizes, and the inputs of role i and assignment j. */
const SHAPE = `
const ROLES = Number(process.env.BENCH_ROLES ?? "10");
const ASSIGNMENTS = Number(process.env.BENCH_ASSIGNMENTS ?? "20");
const EDIT = Number(process.env.BENCH_EDIT ?? "0");
const PERMISSIONS: string[] = ${JSON.stringify(PERMISSIONS)};
const EXTRA = ${JSON.stringify(EXTRA)};
const hex = (n: number, w: number) => n.toString(16).padStart(w, "0").slice(-w);
const guid = (j: number) => \`\${hex(j, 8)}-\${hex(j * 7, 4)}-4\${hex(j, 3)}-8\${hex(j * 3, 3)}-\${hex(j * 13, 12)}\`;
function roleArgs(i: number) {
  const permissions = [PERMISSIONS[i % PERMISSIONS.length], PERMISSIONS[(i + 1) % PERMISSIONS.length]];
  if (i < EDIT) permissions.push(EXTRA);
  return { displayName: \`Bench role \${i}\`, description: \`generated role \${i}\`, permissions };
}
function assignmentArgs(j: number, roleId: pulumi.Input<string>) {
  return {
    roleId,
    displayName: \`Bench assignment \${j}\`,
    principals: [guid(j + 1)],
    scope: j % 2 ? { kind: "all" as const } : { kind: "workloads" as const, workloads: ["endpoint" as const] },
  };
}
`;

const PROJECT = `import * as pulumi from "@pulumi/pulumi";
import { RoleAssignment, UnifiedRole } from "pulumi-defender-rbac";
${SHAPE}
const roles: UnifiedRole[] = [];
for (let i = 0; i < ROLES; i++) roles.push(new UnifiedRole(\`role-\${i}\`, roleArgs(i)));
for (let j = 0; j < ASSIGNMENTS; j++) new RoleAssignment(\`assignment-\${j}\`, assignmentArgs(j, roles[j % ROLES].id));
`;

/**
 * The floor's provider: check returns the inputs, diff compares them, create returns them as outputs
 * under a fresh id, read returns the state, update the new inputs, delete does nothing.
 */
const NOOP = `
const same = (a: any, b: any) => JSON.stringify(a ?? null) === JSON.stringify(b ?? null);
const noop: pulumi.dynamic.ResourceProvider = {
  async check(_olds: any, news: any) {
    return { inputs: news };
  },
  async diff(_id: string, olds: any, news: any) {
    const keys = new Set([...Object.keys(olds), ...Object.keys(news)].filter((k) => k !== "__provider"));
    return { changes: [...keys].some((k) => !same(olds[k], news[k])) };
  },
  async create(inputs: any) {
    return { id: \`\${inputs.displayName}-\${Date.now().toString(36)}\`, outs: inputs };
  },
  async read(id: string, props: any) {
    return { id, props };
  },
  async update(_id: string, _olds: any, news: any) {
    return { outs: news };
  },
  async delete() {},
};
`;

/** Keys the floor resources declare: `bare` as few as the inputs need, `same` as many as this package's classes. */
function floor(keys: "bare" | "same"): string {
  const roleKeys =
    keys === "bare"
      ? ["roleId"]
      : [
          "actions",
          "resolvedPermissions",
          "privilegedPermissions",
          "roleId",
          "isBuiltIn",
          "imported",
          "catalogueVersion",
          "backend",
        ];
  const assignmentKeys = keys === "bare" ? ["assignmentId"] : ["appScopeIds", "assignmentId", "backend"];
  const undef = (ks: string[]) => ks.map((k) => `${k}: undefined`).join(", ");
  return `import * as pulumi from "@pulumi/pulumi";
${SHAPE}${NOOP}
class FloorRole extends pulumi.dynamic.Resource {
  constructor(name: string, args: any) {
    super(noop, name, { description: undefined, ${undef(roleKeys)}, ...args }, {}, "bench", "FloorRole");
  }
}
class FloorAssignment extends pulumi.dynamic.Resource {
  constructor(name: string, args: any) {
    super(noop, name, { scope: undefined, ${undef(assignmentKeys)}, ...args }, {}, "bench", "FloorAssignment");
  }
}
const roles: FloorRole[] = [];
for (let i = 0; i < ROLES; i++) roles.push(new FloorRole(\`role-\${i}\`, roleArgs(i)));
for (let j = 0; j < ASSIGNMENTS; j++) new FloorAssignment(\`assignment-\${j}\`, assignmentArgs(j, roles[j % ROLES].id));
`;
}

/** The program text (index.ts) of one side. */
export function programSource(side: Side): string {
  return side === "project" ? PROJECT : floor(side === "floor" ? "bare" : "same");
}
