/**
 * The policy pack's rules called directly with resources shaped as the engine hands them to an analyzer
 * (checked inputs; unknown values as @pulumi/policy's proxy raises them), and the shipped pack directory.
 */
import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import type { PolicyResource, ResourceValidationArgs, StackValidationArgs } from "@pulumi/policy";
import { unknownCheckingProxy } from "@pulumi/policy";
import {
  authorizationDesignatedRoles,
  keepAuthorizationManager,
  noManageWildcards,
  policies,
  withEnforcementLevels,
} from "../../provider/policy";
import { typeToken } from "../../provider/resources/shell";

const REPO = path.resolve(__dirname, "..", "..", "..");
const UNKNOWN = "04da6b54-80e4-46f7-96ec-b56ff0331ba9";
const AUTHZ = "microsoft.xdr/configuration/authorization/manage";

function resource(kind: Parameters<typeof typeToken>[0], name: string, props: Record<string, unknown>): PolicyResource {
  return {
    type: typeToken(kind),
    name,
    urn: `urn:pulumi:dev::p::${typeToken(kind)}::${name}`,
    props: unknownCheckingProxy(props),
    opts: {} as any,
    dependencies: [],
    propertyDependencies: {},
    isType: () => false,
    asType: () => undefined,
  } as unknown as PolicyResource;
}

function validateOne(policy: any, r: PolicyResource, config: object = {}): string[] {
  const out: string[] = [];
  const args = { ...r, stackTags: new Map(), getConfig: () => config, notApplicable: () => undefined };
  policy.validateResource(args as unknown as ResourceValidationArgs, (m: string) => out.push(m));
  return out;
}

function validateStack(policy: any, resources: PolicyResource[], config: object = {}): string[] {
  const out: string[] = [];
  const args = { resources, stackTags: new Map(), getConfig: () => config, notApplicable: () => undefined };
  policy.validateStack(args as unknown as StackValidationArgs, (m: string) => out.push(m));
  return out;
}

describe("policy pack rules", () => {
  it("Authorization (manage) through a wildcard counts; designation by resource or display name clears it", () => {
    const r = resource("UnifiedRole", "admins", {
      displayName: "Admins",
      actions: ["microsoft.xdr/configuration/*/manage"],
    });
    assert.equal(validateOne(authorizationDesignatedRoles, r).length, 1);
    assert.match(validateOne(authorizationDesignatedRoles, r)[0], /through microsoft\.xdr\/configuration\/\*\/manage/);
    assert.deepEqual(validateOne(authorizationDesignatedRoles, r, { designatedRoles: ["ADMINS"] }), []);
    assert.equal(validateOne(noManageWildcards, r).length, 1);
  });

  it("a role created in the same preview (unknown id) is found through the assignment's dependency", () => {
    const role = resource("UnifiedRole", "break-glass", {
      displayName: "Break glass",
      actions: [AUTHZ],
      roleId: UNKNOWN,
    });
    const assignment = resource("RoleAssignment", "bg", {
      roleId: UNKNOWN,
      displayName: "bg",
      principals: ["1b2c3d4e-0000-4000-8000-00000000abcd"],
      appScopeIds: ["Mde"],
    });
    assignment.propertyDependencies.roleId = [role];
    const activation = resource("WorkloadActivation", "endpoint", { workload: "endpoint", active: true });
    assert.deepEqual(validateStack(keepAuthorizationManager, [role, assignment, activation]), []);
    // without the assignment the workload has nobody left; a workload activated elsewhere counts too
    assert.equal(validateStack(keepAuthorizationManager, [role, activation]).length, 1);
    assert.match(
      validateStack(keepAuthorizationManager, [role, assignment], { activeWorkloads: ["identity"] })[0],
      /Microsoft Defender for Identity \(Mdi\) is active \(policy config activeWorkloads\)/,
    );
    assert.throws(
      () => validateStack(keepAuthorizationManager, [], { activeWorkloads: ["edr"] }),
      /unknown workload "edr"/,
    );
  });

  it("an assignment whose role is neither known nor linked cannot be judged: the framework's unknown error", () => {
    const assignment = resource("RoleAssignment", "x", { roleId: UNKNOWN, principals: [], appScopeIds: ["/"] });
    const activation = resource("WorkloadActivation", "endpoint", { workload: "endpoint", active: true });
    assert.throws(
      () => validateStack(keepAuthorizationManager, [assignment, activation]),
      /can't be known during preview/,
    );
  });

  it("enforcement levels are replaced by name, and an unknown name is refused", () => {
    const levels = withEnforcementLevels({ "no-manage-wildcards": "advisory" });
    assert.equal(levels.find((p) => p.name === "no-manage-wildcards")!.enforcementLevel, "advisory");
    assert.equal(levels.length, policies.length);
    assert.throws(() => withEnforcementLevels({ "no-wildcards": "disabled" }), /unknown policy "no-wildcards"/);
  });

  it("the shipped pack directory: runtime nodejs, the package's version, an entry that loads the compiled pack", () => {
    const dir = path.join(REPO, "provider", "policy", "pack");
    assert.match(fs.readFileSync(path.join(dir, "PulumiPolicy.yaml"), "utf8"), /^runtime: nodejs$/m);
    const version = JSON.parse(fs.readFileSync(path.join(REPO, "package.json"), "utf8")).version;
    assert.equal(JSON.parse(fs.readFileSync(path.join(dir, "package.json"), "utf8")).version, version);
    const entry = fs.readFileSync(path.join(dir, "index.js"), "utf8");
    const target = /require\("([^"]+)"\)/.exec(entry)![1];
    assert.ok(fs.existsSync(path.join(dir, `${target}.js`)) || fs.existsSync(path.join(dir, target, "index.js")));
    const files: string[] = JSON.parse(fs.readFileSync(path.join(REPO, "package.json"), "utf8")).files;
    for (const f of ["PulumiPolicy.yaml", "package.json", "index.js"])
      assert.ok(files.includes(`provider/policy/pack/${f}`));
  });
});
