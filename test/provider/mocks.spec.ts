/**
 * Level B: programs under `pulumi.runtime.setMocks` (docs/pulumi.md). The provider's methods never run
 * here; what is tested is what the program side does: the type tokens, the wiring of outputs into
 * inputs, the pre-declared outputs, and the serialized provider (`__provider`) every resource carries:
 * small, free of machine paths, loading the implementation by reference, one text per kind.
 */
import assert from "node:assert/strict";
import * as os from "node:os";
import * as pulumi from "@pulumi/pulumi";
import { z } from "zod";
import { ImportedRole, RoleAssignment, Scope, UnifiedRole, WorkloadActivation } from "../../provider";
import { PROVIDERS } from "../../provider/resources/shell";
import type { ResourceKind } from "../../provider/engine";
import { providerText, serializeProvider } from "../harness/engine";

const P1 = "8e811502-2c2a-4d1b-9c5e-1f0b2e4f9a10";
const KINDS: ResourceKind[] = ["UnifiedRole", "RoleAssignment", "ImportedRole", "WorkloadActivation"];
const TYPE_PREFIX = "pulumi-nodejs:dynamic/defender-rbac:";
const LONG_WARNING =
  "By activating Unified RBAC for Defender for Endpoint, users with the Security reader and Global reader roles will have access to Defender for Endpoint data.";

/** What the mock "provider" computes, so outputs that are not inputs can be observed. */
const COMPUTED: Record<string, (name: string) => Record<string, unknown>> = {
  UnifiedRole: (n) => ({
    description: "",
    actions: ["microsoft.xdr/secops/securitydata/alerts/manage"],
    resolvedPermissions: ["Alerts (manage)"],
    privilegedPermissions: n === "admins" ? ["Authorization and settings \\ Authorization (manage)"] : [],
    roleId: `${n}-id`,
    isBuiltIn: false,
    imported: false,
    catalogueVersion: "test",
    backend: "local",
  }),
  RoleAssignment: (n) => ({
    scope: { kind: "all" },
    appScopeIds: ["Mde", "Mdo"],
    assignmentId: `${n}-id`,
    backend: "local",
  }),
  ImportedRole: (n) => ({
    displayName: "Security reader",
    description: "Imported",
    unifiedPermissions: ["x"],
    actions: ["a"],
    unsupported: [],
    legacyPermissions: ["Security reader"],
    legacyMembers: [],
    originalId: "Security reader",
    sourceId: "mdo",
    roleId: `${n}-id`,
    imported: true,
    assignmentId: null,
    catalogueVersion: "test",
  }),
  WorkloadActivation: (n) => ({
    workloadId: "Mde",
    active: true,
    warnings: n === "mde" ? [LONG_WARNING, "Entra Security operator gains in MDE: Alerts (manage)."] : [],
    backend: "local",
  }),
};

const value = <T>(o: pulumi.Output<T>): Promise<T> => new Promise((resolve) => o.apply(resolve));

describe("program under setMocks", () => {
  const registrations: pulumi.runtime.MockResourceArgs[] = [];
  let role: UnifiedRole, role2: UnifiedRole, assignment: RoleAssignment, assignment2: RoleAssignment;
  let imported: ImportedRole, imported2: ImportedRole, activation: WorkloadActivation, activation2: WorkloadActivation;
  let admins: UnifiedRole, adminsAll: RoleAssignment;
  const warnings: { message: string; resource?: pulumi.Resource }[] = [];
  const realWarn = pulumi.log.warn;
  const reg = (name: string) => {
    const r = registrations.find((x) => x.name === name);
    assert.ok(r, `${name} was not registered`);
    return r;
  };

  before(async function () {
    this.timeout(30000);
    await pulumi.runtime.setMocks(
      {
        newResource(args) {
          registrations.push(args);
          const kind = args.type.slice(TYPE_PREFIX.length);
          const given = Object.fromEntries(Object.entries(args.inputs).filter(([, v]) => v !== undefined));
          return { id: `${args.name}-id`, state: { ...(COMPUTED[kind]?.(args.name) ?? {}), ...given } };
        },
        call(args) {
          throw new Error(`Mock not implemented: ${args.token}`);
        },
      },
      "urbac-it",
      "ci",
      false,
    );

    (pulumi.log as { warn: typeof pulumi.log.warn }).warn = async (message, resource) => {
      warnings.push({ message, resource });
    };
    admins = new UnifiedRole("admins", {
      displayName: "Security admins",
      permissions: ["Authorization and settings \\ Authorization (manage)"],
    });
    adminsAll = new RoleAssignment("admins-all", {
      displayName: "sec-admins-all",
      roleId: admins, // the role resource itself
      principals: [P1],
    });
    role = new UnifiedRole("soc", {
      displayName: "SOC",
      permissions: ["Security operations \\ Security data \\ Alerts (manage)"],
    });
    role2 = new UnifiedRole("soc2", {
      displayName: "SOC 2",
      description: "second",
      permissions: ["secops.securitydata.basics:read"],
    });
    assignment = new RoleAssignment("soc-team", {
      displayName: "SOC team",
      roleId: role.id,
      principals: [P1],
      scope: Scope.workloads("endpoint", "office365"),
    });
    assignment2 = new RoleAssignment("soc2-team", { displayName: "SOC 2 team", roleId: role2.id, principals: [P1] });
    imported = new ImportedRole("readers", { source: "mdo", role: "Security reader" });
    imported2 = new ImportedRole("tier1", {
      source: "mde",
      role: "Tier 1 analyst",
      includeAssignments: true,
      displayName: "Tier 1",
    });
    activation = new WorkloadActivation("mde", { workload: "endpoint", authorizationAssignments: [assignment.id] });
    activation2 = new WorkloadActivation("mdi", { workload: "identity", active: false });
    await Promise.all(
      [role, role2, assignment, assignment2, imported, imported2, activation, activation2, admins, adminsAll].map((r) =>
        value(r.id),
      ),
    );
    await new Promise((r) => setTimeout(r, 50)); // let the warning applies run
  });
  after(() => {
    (pulumi.log as { warn: typeof pulumi.log.warn }).warn = realWarn;
  });

  it("privileged grants raise a warning on the role and on an assignment given the role itself; others none", () => {
    assert.equal(reg("admins-all").inputs.roleId, "admins-id", "the role resource stands for its id");
    const on = (r: pulumi.Resource) => warnings.filter((w) => w.resource === r).map((w) => w.message);
    assert.deepEqual(on(admins), [
      "grants privileged permissions (a second reviewer is advised): Authorization and settings \\ Authorization (manage)",
    ]);
    assert.deepEqual(on(adminsAll), [
      `hands privileged permissions of role "Security admins" to ${P1} over Mde, Mdo: Authorization and settings \\ Authorization (manage)`,
    ]);
    assert.equal(warnings.length, 4, warnings.map((w) => w.message).join("\n"));
  });

  it("an activation's warnings are Pulumi warnings of their own, one per item, each whole", () => {
    const on = (r: pulumi.Resource) => warnings.filter((w) => w.resource === r).map((w) => w.message);
    assert.deepEqual(on(activation), [LONG_WARNING, "Entra Security operator gains in MDE: Alerts (manage)."]);
    assert.deepEqual(on(activation2), []);
  });

  it("registers each resource with its dynamic type token", () => {
    assert.equal(reg("soc").type, `${TYPE_PREFIX}UnifiedRole`);
    assert.equal(reg("soc-team").type, `${TYPE_PREFIX}RoleAssignment`);
    assert.equal(reg("readers").type, `${TYPE_PREFIX}ImportedRole`);
    assert.equal(reg("mde").type, `${TYPE_PREFIX}WorkloadActivation`);
  });

  it("wires outputs into inputs: the role's id into the assignment, the assignment's id into the activation", async () => {
    assert.equal(reg("soc-team").inputs.roleId, "soc-id");
    assert.equal(reg("soc2-team").inputs.roleId, "soc2-id");
    assert.deepEqual(reg("mde").inputs.authorizationAssignments, ["soc-team-id"]);
    assert.deepEqual(reg("soc-team").inputs.scope, { kind: "workloads", workloads: ["endpoint", "office365"] });
    assert.deepEqual(reg("soc").inputs.permissions, ["Security operations \\ Security data \\ Alerts (manage)"]);
    assert.equal(await value(assignment.roleId), "soc-id");
  });

  it("roleId and assignmentId are the resources' ids; managedBy is the resource's URN, a plain string without a parent", async () => {
    assert.equal(await value(role.roleId), "soc-id");
    assert.equal(await value(assignment.assignmentId), "soc-team-id");
    assert.equal(reg("soc").inputs.managedBy, await value(role.urn));
    assert.equal(reg("soc-team").inputs.managedBy, await value(assignment.urn));
    assert.equal(reg("soc").inputs.managedBy, `urn:pulumi:ci::urbac-it::${TYPE_PREFIX}UnifiedRole::soc`);
    // under a parent the URN follows the parent's type chain
    const group = new pulumi.ComponentResource("bench:index:Group", "grp");
    const nested = new UnifiedRole(
      "nested",
      { displayName: "Nested", permissions: ["Alerts (manage)"] },
      { parent: group },
    );
    await value(nested.id);
    assert.equal(reg("nested").inputs.managedBy, await value(nested.urn));
    assert.match(
      reg("nested").inputs.managedBy,
      /::bench:index:Group\$pulumi-nodejs:dynamic\/defender-rbac:UnifiedRole::nested$/,
    );
  });

  it("skips the SDK's unread promise traces while a constructor runs, and gives the program its stack limit back", async () => {
    const before = Error.stackTraceLimit;
    // counts the stack traces formatted with frames (what the SDK's per-promise `new Error().stack` costs),
    // but the one the SDK takes on purpose, with its own limit, for the resource's source position
    const prepare = Error.prepareStackTrace;
    let framed = 0;
    const traced = (make: () => pulumi.Resource): number => {
      framed = 0;
      Error.prepareStackTrace = (err, frames) => {
        // the SDK's record of where the program made the resource (its source position) is kept
        if (frames.length && !String(frames[0]).startsWith("Resource.callsites")) framed++;
        return prepare ? prepare(err, frames) : [String(err), ...frames.map((f) => `    at ${f}`)].join("\n");
      };
      try {
        make();
      } finally {
        Error.prepareStackTrace = prepare;
      }
      return framed;
    };
    const role = () => new UnifiedRole(`quiet-${framed}-${Math.random()}`, { displayName: "Q", permissions: ["x"] });
    const assignment = () =>
      new RoleAssignment(`quiet-a-${Math.random()}`, { displayName: "Q", roleId: "r", principals: [P1] });
    assert.equal(traced(role), 0, "no trace formatted while a role is made");
    assert.equal(traced(assignment), 0, "no trace formatted while an assignment is made");
    assert.equal(Error.stackTraceLimit, before, "the program's own stack limit is restored");
    // control, and what the SDK's leak report needs: with PULUMI_DEBUG_PROMISE_LEAKS the traces are taken
    process.env.PULUMI_DEBUG_PROMISE_LEAKS = "1";
    try {
      assert.ok(traced(role) >= 13, "one trace at least per declared output");
    } finally {
      delete process.env.PULUMI_DEBUG_PROMISE_LEAKS;
    }
    // an error thrown inside a constructor still says where the program made the resource
    for (const make of [
      () => new UnifiedRole("", { displayName: "No name", permissions: ["Alerts (manage)"] }),
      () => new RoleAssignment("", { displayName: "No name", roleId: "r", principals: [P1] }),
    ])
      assert.throws(make, (e: Error) => {
        assert.match(e.message, /Missing resource name/);
        assert.match(e.stack ?? "", /mocks\.spec\.(ts|js):\d+/);
        return true;
      });
    assert.equal(Error.stackTraceLimit, before, "restored after a throw too");
  });

  it("the Scope helpers build the three scope forms", () => {
    assert.deepEqual(Scope.all(), { kind: "all" });
    assert.deepEqual(Scope.workloads("identity"), { kind: "workloads", workloads: ["identity"] });
    assert.deepEqual(Scope.specific(["/CloudSet/1"]), { kind: "scopes", scopes: ["/CloudSet/1"] });
    assert.deepEqual(Scope.specific(["/CloudSet/1"], ["endpoint"]), {
      kind: "scopes",
      scopes: ["/CloudSet/1"],
      workloads: ["endpoint"],
    });
  });

  it("every declared output is pre-declared, so computed values reach the program (even for omitted optional inputs)", async () => {
    const outputs: [pulumi.dynamic.Resource, string[]][] = [
      [
        role,
        [
          "displayName",
          "description",
          "permissions",
          "actions",
          "resolvedPermissions",
          "grants",
          "roleId",
          "isBuiltIn",
          "imported",
          "catalogueVersion",
          "backend",
        ],
      ],
      [
        assignment2,
        [
          "roleId",
          "displayName",
          "principals",
          "scope",
          "appScopeIds",
          "grants",
          "principalNames",
          "assignmentId",
          "backend",
        ],
      ],
      [
        imported,
        [
          "displayName",
          "description",
          "unifiedPermissions",
          "actions",
          "grants",
          "unsupported",
          "legacyPermissions",
          "legacyMembers",
          "originalId",
          "sourceId",
          "roleId",
          "imported",
          "assignmentId",
          "catalogueVersion",
        ],
      ],
      [activation, ["workloadId", "active", "exchangeOnline", "warnings", "accessChange", "backend"]],
    ];
    const missing = outputs.flatMap(([res, keys]) =>
      keys.filter((k) => !pulumi.Output.isInstance((res as any)[k])).map((k) => `${res.constructor.name}.${k}`),
    );
    assert.deepEqual(
      missing,
      [],
      "declared outputs that are not pre-declared (undefined at run time when the input is omitted)",
    );
    assert.deepEqual(await value(role.actions), ["microsoft.xdr/secops/securitydata/alerts/manage"]);
    assert.equal(await value(role.description), "");
    assert.deepEqual(await value(assignment.appScopeIds), ["Mde", "Mdo"]);
    assert.equal(await value(imported.displayName), "Security reader");
    assert.equal(await value(imported.sourceId), "mdo");
    assert.equal(await value(activation.workloadId), "Mde");
    assert.equal(await value(activation.active), true);
    assert.deepEqual(await value(assignment2.scope), { kind: "all" }, "the default scope reaches the program");
    assert.equal(
      reg("soc2").inputs.description,
      "second",
      "a given optional input still wins over the pre-declaration",
    );
    assert.equal(reg("tier1").inputs.displayName, "Tier 1");
  });

  describe("__provider sent with each registration", () => {
    const text = (name: string): string => reg(name).inputs.__provider;
    const byKind: Record<ResourceKind, string[]> = {
      UnifiedRole: ["soc", "soc2"],
      RoleAssignment: ["soc-team", "soc2-team"],
      ImportedRole: ["readers", "tier1"],
      WorkloadActivation: ["mde", "mdi"],
    };

    it("is a plain string under 4 KB that loads the engine by package name", () => {
      for (const names of Object.values(byKind)) {
        for (const n of names) {
          assert.equal(typeof text(n), "string", `${n}: __provider is not a plain string (secret or missing)`);
          assert.ok(text(n).length < 4096, `${n}: __provider is ${text(n).length} characters`);
          assert.ok(text(n).includes('require("pulumi-defender-rbac/engine")'), n);
        }
      }
    });

    it("names no absolute path of this machine", () => {
      const paths = ["/work", os.homedir(), process.cwd(), __dirname, os.tmpdir()];
      for (const names of Object.values(byKind)) {
        for (const n of names) for (const p of paths) assert.ok(!text(n).includes(p), `${n}: __provider contains ${p}`);
      }
    });

    it("is identical across resources of the same kind, and differs between kinds", () => {
      for (const [kind, [a, b]] of Object.entries(byKind)) {
        assert.equal(text(a), text(b), `${kind}: the singleton provider was serialized twice differently`);
        assert.ok(text(a).includes(`kind: "${kind}"`), `${kind}: the text dispatches to ${kind}`);
      }
      assert.equal(new Set(Object.values(byKind).map(([a]) => text(a))).size, 4);
    });

    it("is exactly what the gRPC harness sends (serializeFunction(() => provider), as dynamic.Resource does)", async () => {
      for (const kind of KINDS) {
        const s = await serializeProvider(PROVIDERS[kind]);
        assert.equal(s.text, text(byKind[kind][0]));
        assert.equal(s.containsSecrets, false);
        assert.equal(await providerText(kind), text(byKind[kind][0]));
      }
    });
  });
});

describe("serialized provider shell", () => {
  const serialized: Partial<Record<ResourceKind, string>> = {};
  let literal = "";
  before(async function () {
    this.timeout(30000);
    for (const kind of KINDS) serialized[kind] = (await serializeProvider(PROVIDERS[kind])).text;
    literal = (await pulumi.runtime.serializeFunction(() => PROVIDERS.UnifiedRole, { allowSecrets: true })).text;
  });

  const IMPLEMENTATION = [
    "normalizeKeys",
    "zod",
    "safeParse",
    "sqlite",
    "TenantStore",
    "LocalBackend",
    "resolvePermission",
    "resolveForBackend",
    "validateKnown",
    "unifiedRoleHandler",
    "HANDLERS",
    "catalogue",
    "microsoft.xdr",
    "04da6b54-80e4-46f7-96ec-b56ff0331ba9",
  ];
  const assertShellOnly = (what: string, text: string) => {
    for (const word of IMPLEMENTATION)
      assert.ok(!text.includes(word), `${what}: the serialized text contains "${word}"`);
    const requires = [...text.matchAll(/require\(\s*([^)]*)\)/g)].map((m) => m[1]);
    assert.ok(requires.length >= 7);
    assert.deepEqual(
      [...new Set(requires)],
      ['"pulumi-defender-rbac/engine"'],
      `${what}: requires ${requires.join(", ")}`,
    );
  };

  it("contains no implementation code (so it does not change when the implementation does)", () => {
    for (const kind of KINDS) assertShellOnly(kind, serialized[kind]!);
    assertShellOnly("() => PROVIDERS.UnifiedRole", literal);
    assert.ok(literal.length < 16 * 1024);
  });

  /** Loads a serialized text as the dynamic-provider server does, with `require` answered by `resolve`. */
  function load(text: string, resolve: (id: string) => unknown): pulumi.dynamic.ResourceProvider {
    const module = { exports: {} as { handler: () => pulumi.dynamic.ResourceProvider } };
    // eslint-disable-next-line @typescript-eslint/no-implied-eval
    new Function("exports", "require", "module", text)(module.exports, resolve, module);
    return module.exports.handler();
  }

  it("binds to the installed engine at call time: every method dispatches (kind, ...args) to whatever the package exports", async () => {
    for (const kind of KINDS) {
      const calls: unknown[][] = [];
      const engine = (tag: string) =>
        new Proxy(
          {},
          {
            get:
              (_t, method) =>
              (...args: unknown[]) => {
                calls.push([tag, method, ...args]);
                return Promise.resolve({ tag });
              },
          },
        );
      let installed = engine("v1");
      const provider = load(serialized[kind]!, (id) => {
        assert.equal(id, "pulumi-defender-rbac/engine");
        return installed;
      });
      await provider.configure!({ config: { get: () => undefined, require: () => "" } } as any);
      await provider.check!({ a: 1 }, { b: 2 });
      await provider.diff!("id1", { a: 1 }, { b: 2 });
      await provider.create({ c: 3 });
      await provider.read!("id1", { d: 4 });
      await provider.update!("id1", { a: 1 }, { b: 2 });
      // an upgraded package: same serialized text, new implementation
      installed = engine("v2");
      assert.deepEqual(await provider.delete!("id1", { e: 5 }), { tag: "v2" });
      assert.deepEqual(calls.slice(1), [
        ["v1", "check", kind, { a: 1 }, { b: 2 }],
        ["v1", "diff", kind, "id1", { a: 1 }, { b: 2 }],
        ["v1", "create", kind, { c: 3 }],
        ["v1", "read", kind, "id1", { d: 4 }],
        ["v1", "update", kind, "id1", { a: 1 }, { b: 2 }],
        ["v2", "remove", kind, "id1", { e: 5 }],
      ]);
      assert.equal(calls[0][1], "configure");
    }
  });

  it("control: a provider capturing a module-level zod schema cannot be serialized (what the shell avoids)", async () => {
    const schema = z.object({ displayName: z.string() });
    const bad: pulumi.dynamic.ResourceProvider = {
      async create(inputs) {
        return { id: String(schema.parse(inputs).displayName) };
      },
    };
    await assert.rejects(pulumi.runtime.serializeFunction(() => bad, { allowSecrets: true }));
  });
});
