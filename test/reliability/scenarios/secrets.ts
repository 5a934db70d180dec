/**
 * What the README says of secrets, checked on a real state file: a `--secret` stack config value never
 * appears in plain text in the state file or in the CLI's output; the engine keeps the config in the
 * default provider's state with that value encrypted; and no resource of this package holds it.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { StackCli } from "../cli";
import { Figures, Scenario, SuiteContext, figures, tally } from "../scenario";

const SECRET = "reliability-Secret-7f3a9c";

async function secretsInState(ctx: SuiteContext): Promise<Figures> {
  const f = figures();
  const dir = path.join(ctx.workDir, "secrets");
  StackCli.writeProgram(
    dir,
    "secrets",
    `const { UnifiedRole } = require("pulumi-defender-rbac");
new UnifiedRole("r", { displayName: "Secrets role", permissions: ["microsoft.xdr/secops/securitydata/alerts/manage"] });
`,
  );
  const stateDir = path.join(ctx.workDir, "state");
  const cli = new StackCli(dir, "secrets", ctx.project, stateDir);
  // a secret the local backend does not use: the engine still sends it and stores it
  await cli.init({ "defender-rbac:storePath": "tenant.db" }, { "defender-rbac:clientSecret": SECRET });
  const up = await cli.up();
  tally(f, up.code === 0, `up failed: ${up.out.slice(-500)}`);
  tally(f, !up.out.includes(SECRET), "the CLI output of up shows the secret");
  const file = path.join(stateDir, ".pulumi", "stacks", "secrets", "secrets.json");
  const raw = fs.readFileSync(file, "utf8");
  tally(f, !raw.includes(SECRET), `the state file ${file} holds the secret in plain text`);
  const resources = (await cli.state()) as {
    type: string;
    inputs?: Record<string, unknown>;
    outputs?: Record<string, unknown>;
  }[];
  const provider = resources.find((r) => r.type === "pulumi:providers:pulumi-nodejs");
  const stored = provider?.inputs?.["defender-rbac:clientSecret"] as Record<string, unknown> | undefined;
  tally(
    f,
    !!stored && typeof stored === "object" && "ciphertext" in stored,
    `the default provider's state does not hold the secret encrypted: ${JSON.stringify(stored)}`,
  );
  const ours = resources.filter((r) => r.type.startsWith("pulumi-nodejs:dynamic/defender-rbac:"));
  tally(
    f,
    ours.length === 1 && ours.every((r) => !JSON.stringify(r).includes("clientSecret")),
    "a resource of this package holds the config",
  );
  await cli.run(["destroy", "--yes", "--skip-preview"]);
  return f;
}

export const secretsScenarios: Scenario[] = [
  { name: "secrets: state file, default provider state, CLI output", quick: true, run: secretsInState },
];
