/**
 * The commands the GitOps workflows call (examples/gitops), fed with the JSON of real
 * `pulumi preview --json` runs of a stack on the graph backend against the Graph emulator, and posting
 * to a stand-in GitHub API: the pull-request comment (created, then replaced on the next push) and the
 * nightly drift issue (opened when the tenant is edited behind Pulumi's back, left alone while the
 * drift is the same, closed once `pulumi up --refresh` put the program back).
 */
import * as assert from "node:assert/strict";
import { spawn } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import type { Stack } from "@pulumi/pulumi/automation";
import { RunningEmulator, startEmulator } from "../../provider/emulator";
import { cli } from "../cli/capture";
import { FakeGitHub, startFakeGitHub } from "../gitops/fake-github";
import {
  HOOK_TIMEOUT,
  Project,
  REPO,
  STEP_TIMEOUT,
  addProgram,
  launcherPack,
  stackIn,
  useTarballProject,
} from "./project";
const STACK = "gitops";

describe("GitOps commands on previews of a graph-backend stack against the emulator", function () {
  this.timeout(STEP_TIMEOUT);
  let project: Project;
  let dir: string;
  let stack: Stack;
  let emu: RunningEmulator;
  let gh: FakeGitHub;
  let env: Record<string, string>;
  const saved = { ...process.env };

  /**
   * `pulumi preview --json` (extra flags), as the workflows run it; the JSON whatever the exit code.
   * Asynchronous: the emulator answers from this process.
   */
  function previewJson(file: string, ...flags: string[]): Promise<number> {
    return new Promise((resolve, reject) => {
      const child = spawn("pulumi", ["preview", "--json", "--stack", STACK, "--non-interactive", ...flags], {
        cwd: dir,
        env: { ...process.env, ...env, PULUMI_DEBUG_COMMANDS: "true" }, // --event-log is a debug flag
        stdio: ["ignore", "pipe", "pipe"],
      });
      let out = "";
      let err = "";
      child.stdout.on("data", (c) => (out += c));
      child.stderr.on("data", (c) => (err += c));
      child.on("error", reject);
      child.on("close", (code) => {
        if (!out.trim().startsWith("{")) return reject(new Error(`pulumi preview --json printed no JSON: ${err}`));
        fs.writeFileSync(path.join(dir, file), out);
        resolve(code ?? 1);
      });
    });
  }

  before(async function () {
    this.timeout(HOOK_TIMEOUT);
    project = useTarballProject();
    dir = addProgram(project, path.join(REPO, "test", "e2e", "programs", "lifecycle"), "gitops");
    emu = await startEmulator({ store: path.join(dir, "graph-tenant.db"), faults: "lag:ms=100;seed=3" });
    gh = await startFakeGitHub();
    env = {
      ...project.env,
      PULUMI_BACKEND_URL: `file://${project.stateDir}`,
      DEFENDER_RBAC_GRAPH_TOKEN: "gitops-static-token",
    };
    stack = await stackIn(project, dir, STACK, env);
    await stack.setAllConfig({
      "defender-rbac:backend": { value: "graph" },
      "defender-rbac:graphUrl": { value: emu.url },
      "defender-rbac:graphRetryBaseMs": { value: "5" },
      "lifecycle:withImport": { value: "false" },
    });
    await stack.up();
    Object.assign(process.env, {
      GITHUB_TOKEN: gh.token,
      GITHUB_REPOSITORY: gh.repo,
      GITHUB_API_URL: gh.url,
      GITHUB_SERVER_URL: "https://github.test",
      GITHUB_RUN_ID: "42",
      GITHUB_SHA: "0123456789abcdef",
    });
  });

  after(async () => {
    for (const k of Object.keys(process.env)) if (k.startsWith("GITHUB_") && !(k in saved)) delete process.env[k];
    await gh?.close();
    await emu?.close();
  });

  it("pr-comment: the change in words on the pull request, one comment replaced on each push", async () => {
    await stack.setConfig("permissions", {
      value: JSON.stringify([
        "Security operations \\ Security data \\ Security data basics (read)",
        "Authorization and settings \\ Authorization (Read and manage)",
      ]),
    });
    // with the policy pack and its event log, as the preview workflow runs it: the new grant of
    // Authorization (manage) breaks a mandatory rule, and the comment names it
    fs.writeFileSync(path.join(dir, "policy-config.json"), "{}");
    const withPolicies = [
      "--policy-pack",
      launcherPack(project),
      "--policy-pack-config",
      path.join(dir, "policy-config.json"),
      "--event-log",
      path.join(dir, "events.jsonl"),
    ];
    const failed = await previewJson("preview.json", ...withPolicies);
    assert.notEqual(failed, 0, "a mandatory policy fails the preview");
    // `defender-rbac review` (the access review) exists from the effective-access work on; use it when it is there
    const hasReview = !/unknown command 'review'/.test((await cli("review")).err.join("\n"));
    const reviewArgs: string[] = [];
    if (hasReview) {
      const r = await cli(
        "review",
        "--preview",
        path.join(dir, "preview.json"),
        "--format",
        "md",
        "-o",
        path.join(dir, "review.md"),
      );
      assert.equal(r.code, 0, r.err.join("\n"));
    }
    reviewArgs.push("--review", path.join(dir, "review.md"));
    const args = [
      "pr-comment",
      "--preview",
      path.join(dir, "preview.json"),
      "--events",
      path.join(dir, "events.jsonl"),
      "--stack",
      STACK,
      "--pr",
      "7",
      ...reviewArgs,
    ];
    const first = await cli(...args);
    assert.equal(first.code, 0, first.err.join("\n"));
    assert.match(first.out.join("\n"), /created the preview comment on pull request #7/);
    const pr = gh.issues.find((i) => i.number === 7)!;
    assert.equal(pr.comments.length, 1);
    const body = pr.comments[0].body;
    assert.match(body, /<!-- defender-rbac:preview:gitops -->/);
    assert.match(body, /1 to update at 0123456/);
    assert.match(
      body,
      /\*\*update UnifiedRole `analyst`\*\*: grants "Authorization and settings \\ Authorization \(manage\)"; no longer grants "Security operations \\ Security data \\ Alerts \(manage\)"/,
    );
    assert.match(
      body,
      /#### Policy violations\n\n- \*\*mandatory\*\* `authorization-designated-roles` on `analyst`: role "E2E analyst" grants Authorization and settings \\ Authorization \(manage\)/,
    );
    assert.match(
      body,
      /Privileged grants[^]*`analyst` now grants "Authorization and settings \\ Authorization \(manage\)"/,
    );
    if (hasReview) assert.doesNotMatch(body, /No access review/);
    else assert.match(body, /No access review: .*review\.md was not written/);
    assert.ok(!body.includes("gitops-static-token"), "no secret in the comment");

    // the next push: the same comment is replaced, not a second one
    await stack.setConfig("permissions", {
      value: JSON.stringify(["Security operations \\ Security data \\ Security data basics (read)"]),
    });
    assert.equal(await previewJson("preview.json", ...withPolicies), 0);
    const second = await cli(...args);
    assert.match(second.out.join("\n"), /updated the preview comment/);
    assert.equal(pr.comments.length, 1);
    assert.match(pr.comments[0].body, /no longer grants "Security operations \\ Security data \\ Alerts \(manage\)"/);
    assert.doesNotMatch(pr.comments[0].body, /Authorization \(manage\)/);
    assert.doesNotMatch(pr.comments[0].body, /Policy violations/);
    await stack.removeConfig("permissions");
  });

  it("drift-issue: a portal edit opens one issue with the drift in words; it closes once up puts the program back", async () => {
    await stack.removeConfig("permissions").catch(() => undefined); // the program's own permissions
    const role = emu.store.listRoles().find((r) => r.displayName === "E2E analyst")!;
    const assignment = emu.store.listAssignments()[0];
    emu.store.updateRole(role.id, {
      actions: ["microsoft.xdr/secops/securitydata/basics/read", "microsoft.xdr/secops/securitydata/response/manage"],
    });
    emu.store.updateAssignment(assignment.id, {
      principalIds: [...assignment.principalIds, "5f1f8c3a-9b1e-4c39-a7d5-2f6d3b0e9c11"],
    });
    const code = await previewJson("drift.json", "--refresh", "--expect-no-changes");
    assert.notEqual(code, 0, "--expect-no-changes fails on drift");
    const args = ["drift-issue", "--preview", path.join(dir, "drift.json"), "--stack", STACK];
    const r = await cli(...args, "--fail-on-drift");
    assert.equal(r.code, 3, r.err.join("\n"));
    assert.match(r.out.join("\n"), /drift found; issue opened #\d+/);
    const issue = gh.issues.find((i) => i.labels.some((l) => l.name === "defender-rbac-drift"))!;
    assert.equal(issue.title, "Defender XDR RBAC drift in gitops");
    assert.match(
      issue.body,
      /UnifiedRole `analyst`\*\*: lost "Security operations \\ Security data \\ Alerts \(manage\)" in the tenant \(up grants it again\); was given "Security operations \\ Security data \\ Response \(manage\)" in the tenant \(up removes it\)/,
    );
    assert.match(
      issue.body,
      /RoleAssignment `analyst-endpoint`\*\*: "5f1f8c3a-9b1e-4c39-a7d5-2f6d3b0e9c11" added in the tenant \(up removes them\)/,
    );
    assert.match(issue.body, /\[run\]\(https:\/\/github\.test\/contoso\/rbac\/actions\/runs\/42\)/);

    // the next night, same drift: the issue is left as it is
    const again = await cli(...args);
    assert.equal(again.code, 0);
    assert.match(again.out.join("\n"), /issue unchanged/);
    assert.equal(gh.issues.filter((i) => i.labels.length).length, 1);

    // deploy puts the program back; the next check closes the issue
    await stack.up({ refresh: true });
    assert.equal(await previewJson("drift.json", "--refresh", "--expect-no-changes"), 0);
    const clean = await cli(...args);
    assert.match(clean.out.join("\n"), /no drift; closed issue #\d+/);
    assert.equal(issue.state, "closed");
    assert.match(issue.comments.at(-1)!.body, /matches the program again/);
  });
});
