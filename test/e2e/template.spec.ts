/**
 * The `pulumi new` template, as the README's install section says to use it: `pulumi new <path>
 * --generate-only`, then `npm install <the package tarball>`, then a preview. The project it makes
 * compiles with the devDependencies the template lists and previews a role and an assignment.
 */
import * as assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { LocalWorkspace } from "@pulumi/pulumi/automation";
import { REPO, tarballProject } from "./project";

describe("pulumi new from templates/defender-rbac", function () {
  this.timeout(10 * 60 * 1000);

  it("makes a project that installs the package tarball and previews", async () => {
    const project = tarballProject(); // the packed tarball and the CLI
    const tarball = fs.readdirSync(project.dir).find((f) => /^pulumi-defender-rbac-.*\.tgz$/.test(f))!;
    const root = fs.mkdtempSync(path.join(os.tmpdir(), "defender-rbac-template-"));
    const dir = path.join(root, "my-rbac");
    Object.assign(process.env, project.env); // the Automation API finds the CLI on this process's PATH
    const env = { ...process.env, ...project.env, PULUMI_BACKEND_URL: `file://${root}` };
    execFileSync(
      "pulumi",
      [
        "new",
        path.join(REPO, "templates", "defender-rbac"),
        "--dir",
        dir,
        "--name",
        "my-rbac",
        "--description",
        "Contoso Defender XDR roles",
        "--generate-only",
        "--yes",
        "--non-interactive",
      ],
      { env, stdio: ["ignore", "ignore", "inherit"] },
    );
    const pkg = JSON.parse(fs.readFileSync(path.join(dir, "package.json"), "utf8"));
    assert.equal(pkg.name, "my-rbac");
    assert.match(fs.readFileSync(path.join(dir, "index.ts"), "utf8"), /^\/\/ Contoso Defender XDR roles$/m);
    execFileSync(
      "npm",
      ["install", "--prefer-offline", "--no-audit", "--no-fund", "--loglevel=error", path.join(project.dir, tarball)],
      { cwd: dir, env, stdio: ["ignore", "ignore", "inherit"] },
    );
    assert.match(
      JSON.parse(fs.readFileSync(path.join(dir, "package.json"), "utf8")).dependencies["pulumi-defender-rbac"],
      /^file:.*\.tgz$/,
    );
    const stack = await LocalWorkspace.createOrSelectStack(
      { stackName: "dev", workDir: dir },
      { envVars: { ...project.env, PULUMI_BACKEND_URL: `file://${root}` }, pulumiHome: project.env.PULUMI_HOME },
    );
    const preview = await stack.preview({ diff: true });
    assert.equal(preview.changeSummary.create, 3, preview.stdout); // stack, role, assignment
    assert.match(preview.stdout, /Security operations \\+ Security data \\+ Alerts \(manage\)/);
    assert.match(preview.stdout, /00000000-0000-4000-8000-000000000001/);
  });
});
