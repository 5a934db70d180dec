/**
 * What `pulumi preview --diff` says, through the real `pulumi` CLI (Automation API, file:// backend,
 * the package installed from its packed tarball): a permission added to a role is one added line; a new
 * assignment shows what it hands out (its role's grants, privileged ones marked) and to whom (the
 * principals' names); an activation shows each warning whole on a line of its own, and per principal
 * the access gained and lost if it were applied now.
 *
 * Set DEFENDER_RBAC_E2E_TRANSCRIPT=<file> to collect the previews.
 */
import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import type { Stack } from "@pulumi/pulumi/automation";
import { wideningWarnings } from "../../provider/core/activation";
import { HOOK_TIMEOUT, Project, REPO, STEP_TIMEOUT, addProgram, stackIn, useTarballProject } from "./project";
const SOC_ANALYSTS = "8e811502-2c2a-4d1b-9c5e-1f0b2e4f9a10";
const GRADY = "22222222-2222-4222-8222-000000000005";

function record(label: string, text: string): void {
  const file = process.env.DEFENDER_RBAC_E2E_TRANSCRIPT;
  if (file) fs.appendFileSync(file, `\n===== ${label} =====\n${text}\n`);
}

/** The preview's lines, trimmed, with the CLI's key padding folded ("key   : v" -> "key: v"). */
const linesOf = (out: string) =>
  out.split("\n").map((l) => l.trim().replace(/^((?:[+\-~] )?[^\s:"[][^:]*?)\s+:( |$)/, "$1:$2"));

describe("previews through the pulumi CLI", function () {
  this.timeout(STEP_TIMEOUT);
  let project: Project;
  let stack: Stack;

  before(async function () {
    this.timeout(HOOK_TIMEOUT);
    project = useTarballProject();
    const dir = addProgram(project, path.join(REPO, "test", "e2e", "programs", "previews"), "previews");
    stack = await stackIn(project, dir, "previews");
    await stack.up();
  });

  it("adding one permission to a role previews as one added line", async () => {
    await stack.setConfig("permissions", {
      value: JSON.stringify([
        "Security operations \\ Security data \\ Security data basics (read)",
        "Security operations \\ Security data \\ Alerts (manage)",
        "Authorization and settings \\ Authorization (read)",
      ]),
    });
    const preview = await stack.preview({ diff: true });
    record("adding one permission to a role", preview.stdout);
    assert.equal(preview.changeSummary.update, 1);
    const lines = linesOf(preview.stdout);
    assert.deepEqual(
      lines.filter((l) => /^[+\-~] /.test(l) && l.includes("microsoft.xdr/")),
      ['+ microsoft.xdr/configuration/authorization/read: "Authorization and settings \\\\ Authorization (read)"'],
      preview.stdout,
    );
    await stack.up();
    await stack.preview({ expectNoChanges: true });
  });

  it("a new assignment of a privileged role to a group shows what it hands out and to whom", async () => {
    await stack.setConfig("admins", { value: "true" });
    const preview = await stack.preview({ diff: true });
    const out = `${preview.stdout}\n${preview.stderr}`;
    record("a new assignment of a privileged role to a group", out);
    assert.equal(preview.changeSummary.create, 2);
    const assignment = preview.stdout.slice(preview.stdout.indexOf("RoleAssignment: (create)"));
    const created = linesOf(assignment);
    const has = (l: string) => assert.ok(created.includes(l), `no line ${JSON.stringify(l)} in\n${assignment}`);
    // what: the role's grants, known before the role exists, the privileged one marked
    has('microsoft.xdr/configuration/authorization/manage: "⚠ Authorization and settings \\\\ Authorization (manage)"');
    has(
      'microsoft.xdr/secops/securitydata/basics/read: "Security operations \\\\ Security data \\\\ Security data basics (read)"',
    );
    // to whom: the group given by name and the user given by id, by their names
    has(`${SOC_ANALYSTS}: "SOC analysts (group)"`);
    has(`${GRADY}: "Grady Archie (grady.archie@contoso.example)"`);
    // and the privileged warning names them
    assert.match(out, /hands privileged permissions of role "Defender admins" to .*SOC analysts \(group\) 8e811502-/);
    await stack.up();
    await stack.preview({ expectNoChanges: true });
  });

  it("an activation shows each warning whole, one per line, and per principal the access it changes", async () => {
    await stack.setConfig("activate", { value: "true" });
    const preview = await stack.preview({ diff: true });
    const out = `${preview.stdout}\n${preview.stderr}`;
    record("an activation with its access change", out);
    assert.equal(preview.changeSummary.create, 1);
    const lines = linesOf(out);
    const expected = wideningWarnings("Mde");
    assert.ok(expected.length >= 2 && expected.some((w) => w.length > 150), "long warnings are part of the test");
    for (const w of expected)
      assert.ok(lines.includes(`warning: ${w}`), `no whole warning line ${JSON.stringify(w)} in\n${out}`);
    // per principal, what activating gives and takes away: the assignment starts to apply in Endpoint
    const soc = lines.indexOf(`SOC analysts (${SOC_ANALYSTS}): {`);
    assert.ok(soc >= 0, out);
    assert.ok(
      lines
        .slice(soc)
        .includes(
          'gained ⚠ Authorization and settings \\ Authorization (manage): "assignment \\"Defender admins over all data sources\\" → role \\"Defender admins\\" (all data sources)"',
        ),
      out,
    );
    // the Entra Security reader's holder gains Endpoint data; a legacy MDE role's member loses its grants
    assert.ok(
      lines.some((l) => l.startsWith("Alex Wilber (") && l.endsWith(": {")),
      out,
    );
    assert.ok(
      lines.some((l) => /^lost .*: "legacy MDE role/.test(l)),
      out,
    );
    // nothing is cut short: no value of the preview ends in the CLI's ellipsis
    const activation = linesOf(preview.stdout.slice(preview.stdout.indexOf("WorkloadActivation: (create)")));
    assert.deepEqual(
      activation.filter((l) => l.startsWith("gained") || l.startsWith("lost")).filter((l) => l.endsWith('..."')),
      [],
    );
    const up = await stack.up();
    assert.equal(up.summary.result, "succeeded");
    await stack.preview({ expectNoChanges: true });
  });
});
