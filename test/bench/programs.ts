/**
 * The generated programs the run benchmark deploys: the same resource graph twice, once with this
 * package's UnifiedRole + RoleAssignment, once with a no-op dynamic provider (the floor: what the Pulumi
 * engine, the SDK and the language host cost for as many dynamic resources with the same inputs; the
 * `state` floor also carries the state content this package adds, which isolates this package's own code).
 * Sizes come from the environment at run time, so one program directory serves every phase:
 * BENCH_ROLES, BENCH_ASSIGNMENTS, and BENCH_EDIT (the first BENCH_EDIT roles get one more permission).
 */
import { CATALOGUE_VERSION } from "../../provider/core/catalogue";
import { grantsFor, labelsFor, privilegedLabels } from "../../provider/core/labels";
import { resolvePermission } from "../../provider/core/resolve";
import { scopeToAppScopeIds } from "../../provider/core/scope";

/** Permissions the generated roles hold (catalogue ids, a readable name and an action string; all published, so the graph run can hold them); EXTRA is the edit. */
export const PERMISSIONS = [
  "secops.securitydata.basics:read",
  "secops.securitydata.alerts:manage",
  "Security operations \\ Security data \\ Response (manage)",
  "microsoft.xdr/securityposture/posturemanagement/vulnerabilitymanagement/read",
];
export const EXTRA = "secops.securitydata.filecollection:manage";

export type Side = "project" | "floor" | "floor-keys" | "floor-state";

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

/**
 * What this package's check and create add to the generated resources' state, computed here with its own
 * catalogue (the keys each permission reference grants, their labels, the privileged ones, the appScopeIds
 * of each scope), for the `state` floor: a no-op provider whose state carries the same content, so the
 * engine and the SDK move the same properties for it as for this package.
 */
function stateContent() {
  const keys: Record<string, string[]> = {};
  for (const ref of [...PERMISSIONS, EXTRA]) {
    const r = resolvePermission(ref);
    if (!r.ok) throw new Error(`bench permission ${ref} does not resolve`);
    keys[ref] = r.value.keys;
  }
  const all = [...new Set(Object.values(keys).flat())];
  const scopes = (scope: unknown) => {
    const r = scopeToAppScopeIds(scope);
    if (!r.ok) throw new Error(`bench scope ${JSON.stringify(scope)} does not map`);
    return r.value;
  };
  return {
    keys,
    labels: grantsFor(all),
    plainLabels: Object.fromEntries(all.map((k) => [k, labelsFor([k])[0]])),
    privileged: Object.fromEntries(all.map((k) => [k, privilegedLabels([k])])),
    catalogueVersion: CATALOGUE_VERSION,
    appScopeIds: { all: scopes({ kind: "all" }), endpoint: scopes({ kind: "workloads", workloads: ["endpoint"] }) },
  };
}

/**
 * The `state` floor's provider, as a module the program's provider requires at call time (installed as
 * `node_modules/bench-floor-state`), as this package's classes require its engine: the serialized
 * provider stays as small as this package's. It is the no-op provider, with the content of
 * {@link stateContent} added where this package adds it.
 */
export function floorStateModule(): string {
  return `"use strict";
const C = ${JSON.stringify(stateContent())};
const PERMISSIONS = ${JSON.stringify(PERMISSIONS)};
const ROLES = Number(process.env.BENCH_ROLES || "10");
const crypto = require("node:crypto");
const keysOf = (perms) => [...new Set(perms.flatMap((p) => C.keys[p]))].sort();
const isRole = (x) => x.roleId === undefined;
// an assignment's role is role j % ROLES (j is in its display name), with the permissions the tenant
// holds for it before any edit: this package reads them from the tenant at check
function tenantPermissionsOf(x) {
  const i = Number(String(x.displayName).split(" ").pop()) % ROLES;
  return [PERMISSIONS[i % PERMISSIONS.length], PERMISSIONS[(i + 1) % PERMISSIONS.length]];
}
function checked(news) {
  const keys = keysOf(isRole(news) ? news.permissions : tenantPermissionsOf(news));
  const grants = Object.fromEntries(keys.map((k) => [k, C.labels[k]]));
  if (isRole(news)) return { ...news, adopts: "", grants, privilegedPermissions: [...new Set(keys.flatMap((k) => C.privileged[k]))].sort() };
  return {
    ...news,
    adopts: "",
    grants,
    appScopeIds: news.scope.kind === "all" ? C.appScopeIds.all : C.appScopeIds.endpoint,
    principalNames: Object.fromEntries(news.principals.map((p) => [p, "(not in the local directory)"])),
  };
}
function outputs(id, inputs) {
  if (!isRole(inputs)) return { ...inputs, assignmentId: id, backend: "local" };
  const keys = keysOf(inputs.permissions);
  return {
    ...inputs,
    actions: keys,
    resolvedPermissions: [...new Set(keys.map((k) => C.plainLabels[k]))].sort(),
    roleId: id,
    isBuiltIn: false,
    imported: false,
    catalogueVersion: C.catalogueVersion,
    backend: "local",
  };
}
const same = (a, b) => JSON.stringify(a ?? null) === JSON.stringify(b ?? null);
exports.check = async (_olds, news) => ({ inputs: checked(news) });
exports.diff = async (_id, olds, news) => ({
  changes: Object.keys(news).some((k) => k !== "__provider" && !same(olds[k], news[k])),
});
exports.create = async (inputs) => {
  const id = crypto.randomUUID();
  return { id, outs: outputs(id, inputs) };
};
exports.read = async (id, props) => ({ id, props });
exports.update = async (id, _olds, news) => ({ outs: outputs(id, news) });
exports.delete = async () => {};
`;
}

/** The `state` floor's provider object in the program: every method calls the module at call time. */
const STATE_NOOP = `
const floorState = () => require("bench-floor-state");
const noop: pulumi.dynamic.ResourceProvider = {
  check: (olds: any, news: any) => floorState().check(olds, news),
  diff: (id: string, olds: any, news: any) => floorState().diff(id, olds, news),
  create: (inputs: any) => floorState().create(inputs),
  read: (id: string, props: any) => floorState().read(id, props),
  update: (id: string, olds: any, news: any) => floorState().update(id, olds, news),
  delete: (id: string, props: any) => floorState().delete(id, props),
};
`;

/**
 * The floor's program. Keys the floor resources declare: `bare` as few as the inputs need, `same` as many
 * as this package's classes; `state` as many, and the same state content too (managedBy from the
 * constructor, as this package's classes pass it).
 */
function floor(keys: "bare" | "same" | "state"): string {
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
  const marker = (type: string) =>
    keys === "state"
      ? `managedBy: \`urn:pulumi:\${pulumi.getStack()}::\${pulumi.getProject()}::pulumi-nodejs:dynamic/bench:${type}::\${name}\`, `
      : "";
  return `import * as pulumi from "@pulumi/pulumi";
${SHAPE}${keys === "state" ? STATE_NOOP : NOOP}
class FloorRole extends pulumi.dynamic.Resource {
  constructor(name: string, args: any) {
    super(noop, name, { description: undefined, ${undef(roleKeys)}, ${marker("FloorRole")}...args }, {}, "bench", "FloorRole");
  }
}
class FloorAssignment extends pulumi.dynamic.Resource {
  constructor(name: string, args: any) {
    super(noop, name, { scope: undefined, ${undef(assignmentKeys)}, ${marker("FloorAssignment")}...args }, {}, "bench", "FloorAssignment");
  }
}
const roles: FloorRole[] = [];
for (let i = 0; i < ROLES; i++) roles.push(new FloorRole(\`role-\${i}\`, roleArgs(i)));
for (let j = 0; j < ASSIGNMENTS; j++) new FloorAssignment(\`assignment-\${j}\`, assignmentArgs(j, roles[j % ROLES].id));
`;
}

/** The program text (index.ts) of one side. */
export function programSource(side: Side): string {
  if (side === "project") return PROJECT;
  return floor(side === "floor" ? "bare" : side === "floor-keys" ? "same" : "state");
}
