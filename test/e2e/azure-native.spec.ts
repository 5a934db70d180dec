/**
 * examples/azure-native under Pulumi's mocks: Defender for Cloud plans with azure-native beside a
 * cloud-scoped Defender XDR role from this package. The azure-native resource plugin cannot be downloaded
 * here, so the engine and both providers are mocked: what is checked is the program (the real
 * @pulumi/azure-native SDK and this package, installed side by side from the registry and the tarball),
 * the type tokens and inputs each resource registers, and that neither carries credentials (both read the
 * same `azure-native:` config / ARM_* environment when they run). Not checked: Azure's answers.
 */
import * as assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { REPO, addProgram, tarballProject } from "./project";

const AZURE_NATIVE = "@pulumi/azure-native@^3.28.0";

/** Runs the program under setMocks in a node of the project, and prints what it registered. */
const RUNNER = `
const pulumi = require("@pulumi/pulumi");
const registered = [];
pulumi.runtime.setMocks(
  {
    newResource: (args) => {
      registered.push({ type: args.type, name: args.name, inputs: args.inputs });
      const state = { ...args.inputs };
      if (args.type === "azure-native:security:Pricing") state.name = args.inputs.pricingName;
      if (args.type.endsWith(":UnifiedRole")) state.resolvedPermissions = ["(mocked)"];
      return { id: args.name + "-id", state };
    },
    call: (args) => args.inputs,
  },
  "defender-for-cloud",
  "dev",
  false,
);
pulumi.runtime.setAllConfig({
  "defender-for-cloud:subscriptionId": "11111111-2222-4333-8444-555555555555",
  "defender-for-cloud:cloudSecurityGroup": "1b2c3d4e-0000-4000-8000-00000000abcd",
});
require("ts-node").register({ transpileOnly: true, skipProject: true, compilerOptions: { module: "node16", moduleResolution: "node16", target: "es2022", esModuleInterop: true } });
const program = require(process.argv[2]);
const wait = (o) => new Promise((r) => pulumi.output(o).apply(r));
Promise.all(Object.values(program).map(wait)).then(async (values) => {
  await new Promise((r) => setTimeout(r, 200));
  process.stdout.write(JSON.stringify({ registered, exports: values }));
});
`;

describe("example azure-native under Pulumi's mocks", function () {
  this.timeout(10 * 60 * 1000);

  it("registers Defender for Cloud plans (azure-native) and a role over Defender for Cloud (this provider)", () => {
    const project = tarballProject();
    if (!fs.existsSync(path.join(project.dir, "node_modules", "@pulumi", "azure-native")))
      execFileSync(
        "npm",
        ["install", "--no-save", "--prefer-offline", "--no-audit", "--no-fund", "--loglevel=error", AZURE_NATIVE],
        {
          cwd: project.dir,
          stdio: ["ignore", "ignore", "inherit"],
        },
      );
    const dir = addProgram(project, path.join(REPO, "examples", "azure-native"), "example-azure-native");
    const runner = path.join(project.dir, "azure-native-mocks.js");
    fs.writeFileSync(runner, RUNNER);
    const out = execFileSync(process.execPath, [runner, path.join(dir, "index.ts")], {
      cwd: project.dir,
      encoding: "utf8",
      env: { ...process.env, PULUMI_NODEJS_TRANSPILE_ONLY: "true" },
    });
    const { registered, exports } = JSON.parse(out) as {
      registered: { type: string; name: string; inputs: Record<string, any> }[];
      exports: unknown[];
    };
    const pricings = registered.filter((r) => r.type === "azure-native:security:Pricing");
    assert.deepEqual(
      pricings.map((p) => [p.inputs.pricingName, p.inputs.pricingTier, p.inputs.scopeId]),
      ["VirtualMachines", "StorageAccounts", "KeyVaults", "Arm"].map((plan) => [
        plan,
        "Standard",
        "/subscriptions/11111111-2222-4333-8444-555555555555",
      ]),
    );
    const role = registered.find((r) => r.type === "pulumi-nodejs:dynamic/defender-rbac:UnifiedRole")!;
    const assignment = registered.find((r) => r.type === "pulumi-nodejs:dynamic/defender-rbac:RoleAssignment")!;
    assert.equal(role.inputs.displayName, "Cloud security analyst");
    assert.equal(assignment.inputs.roleId, "cloud-analyst-id", "the assignment gets the role's id");
    assert.deepEqual(assignment.inputs.scope, { kind: "workloads", workloads: ["cloud"] });
    assert.deepEqual(assignment.inputs.principals, ["1b2c3d4e-0000-4000-8000-00000000abcd"]);
    assert.ok(String(role.inputs.__provider).length > 0, "a real dynamic resource, with its serialized provider");
    const text = JSON.stringify(registered);
    assert.doesNotMatch(text, /clientSecret|clientId|oidcToken|tenantId/i, "no credentials in any resource");
    assert.deepEqual(exports[0], ["VirtualMachines", "StorageAccounts", "KeyVaults", "Arm"]);
  });
});
