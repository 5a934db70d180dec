/**
 * The shipped policy pack through the real CLI: `pulumi preview --policy-pack` with the pack directory
 * of the installed tarball (the launcher `pulumi-analyzer-policy` comes from .ci/ensure-pulumi.sh).
 * One stack: a violating program (every resource rule fails; enforcement levels switched by policy
 * config), the clean program (no violation; deployed), then a change that removes the last
 * authorization assignment of an active workload (the stack rule fails at preview).
 */
import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import type { Stack } from "@pulumi/pulumi/automation";
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

const USER = "8e811502-2c2a-4d1b-9c5e-1f0b2e4f9a10";
const GROUP = "1b2c3d4e-0000-4000-8000-00000000abcd";
const BREAK_GLASS = "2b2c3d4e-0000-4000-8000-00000000abcd";

const AUTHZ = "Authorization and settings \\ Authorization (Read and manage)";
const BASICS = "Security operations \\ Security data \\ Security data basics (read)";

/** The policy lines of a preview's output: "[level]  policy-name  (type: resource)". */
function violations(text: string): { level: string; policy: string; resource: string }[] {
  const out: { level: string; policy: string; resource: string }[] = [];
  for (const m of text.matchAll(/\[(mandatory|advisory)\]\s+([a-z-]+)\s+\(([^)]*)\)/g))
    out.push({ level: m[1], policy: m[2], resource: m[3] });
  return out;
}

describe("policy pack through pulumi preview --policy-pack", function () {
  this.timeout(STEP_TIMEOUT);
  let project: Project;
  let stack: Stack;
  let pack: string;
  let dir: string;

  async function preview(policyConfig: object): Promise<{ ok: boolean; text: string }> {
    const file = path.join(dir, "policy-config.json");
    fs.writeFileSync(file, JSON.stringify(policyConfig));
    try {
      const r = await stack.preview({ policyPacks: [pack], policyPackConfigs: [file] });
      return { ok: true, text: r.stdout + r.stderr };
    } catch (e) {
      return { ok: false, text: String((e as Error).message) };
    }
  }

  async function program(p: { roles: object[]; assignments: object[]; activations: object[] }) {
    await stack.setAllConfig({
      "governed:roles": { value: JSON.stringify(p.roles) },
      "governed:assignments": { value: JSON.stringify(p.assignments) },
      "governed:activations": { value: JSON.stringify(p.activations) },
    });
  }

  before(async function () {
    this.timeout(HOOK_TIMEOUT);
    project = useTarballProject();
    pack = launcherPack(project);
    dir = addProgram(project, path.join(REPO, "test", "e2e", "programs", "governed"), "governed");
    stack = await stackIn(project, dir, "policy");
  });

  it("a violating program fails each resource rule, at the configured enforcement level", async () => {
    await program({
      roles: [
        { name: "helpdesk", displayName: "Helpdesk", permissions: [BASICS, AUTHZ] },
        { name: "responders", displayName: "Responders", permissions: ["microsoft.xdr/secops/*/manage"] },
        {
          name: "collectors",
          displayName: "Collectors",
          permissions: [BASICS, "Advanced live response", "File collection"],
        },
      ],
      assignments: [
        { name: "helpdesk-everywhere", role: "helpdesk", principals: [GROUP] },
        { name: "collectors-endpoint", role: "collectors", principals: [USER], workloads: ["endpoint"] },
      ],
      activations: [],
    });
    const r = await preview({
      "assign-groups-not-users": { enforcementLevel: "mandatory", userIds: [USER] },
    });
    assert.equal(r.ok, false, "mandatory violations fail the preview");
    const found = violations(r.text);
    const has = (level: string, policy: string, resource: string) =>
      assert.ok(
        found.some((v) => v.level === level && v.policy === policy && v.resource.endsWith(resource)),
        `expected [${level}] ${policy} on ${resource} in:\n${r.text}`,
      );
    has("mandatory", "authorization-designated-roles", "helpdesk");
    has("mandatory", "authorization-not-over-all-data-sources", "helpdesk-everywhere");
    has("mandatory", "no-manage-wildcards", "responders");
    has("advisory", "flag-live-response-and-file-collection", "collectors");
    has("advisory", "flag-live-response-and-file-collection", "responders"); // the wildcard covers both
    has("mandatory", "assign-groups-not-users", "collectors-endpoint");
    assert.match(
      r.text,
      /Advanced live response \(manage\) and Security operations \\ Security data \\ File collection/,
    );
    assert.ok(!found.some((v) => v.policy === "keep-authorization-manager"), "no workload is active in this stack");
    assert.ok(
      !found.some((v) => v.policy === "assign-groups-not-users" && v.resource.endsWith("helpdesk-everywhere")),
      "a principal not listed as a user passes",
    );
  });

  it("the clean program passes every rule, and deploys", async () => {
    await program({
      roles: [
        { name: "break-glass", displayName: "Break glass", permissions: [BASICS, AUTHZ] },
        { name: "analysts", displayName: "Analysts", permissions: [BASICS, "Alerts (manage)"] },
      ],
      assignments: [
        { name: "break-glass-endpoint", role: "break-glass", principals: [BREAK_GLASS], workloads: ["endpoint"] },
        { name: "analysts-all", role: "analysts", principals: [GROUP] },
      ],
      activations: [{ name: "endpoint", workload: "endpoint", authorizationAssignments: ["break-glass-endpoint"] }],
    });
    const config = {
      "authorization-designated-roles": { designatedRoles: ["break-glass"] },
      "assign-groups-not-users": { groupIds: [GROUP, BREAK_GLASS] },
    };
    // up runs the same policies (no separate preview: each CLI run costs seconds)
    const file = path.join(dir, "policy-config.json");
    fs.writeFileSync(file, JSON.stringify(config));
    const up = await stack.up({ policyPacks: [pack], policyPackConfigs: [file] });
    assert.equal(up.summary.result, "succeeded");
    assert.equal(up.summary.resourceChanges?.create, 6, up.stdout); // stack + 2 roles + 2 assignments + activation
    assert.deepEqual(violations(up.stdout + up.stderr), [], up.stdout);
    assert.match(up.stdout, /defender-rbac@v0\.1\.0/, "the pack ran");
  });

  it("removing the last authorization assignment of an active workload fails the stack rule at preview", async () => {
    await program({
      roles: [
        { name: "break-glass", displayName: "Break glass", permissions: [BASICS, AUTHZ] },
        { name: "analysts", displayName: "Analysts", permissions: [BASICS, "Alerts (manage)"] },
      ],
      assignments: [{ name: "analysts-all", role: "analysts", principals: [GROUP] }],
      activations: [{ name: "endpoint", workload: "endpoint" }],
    });
    const r = await preview({ "authorization-designated-roles": { designatedRoles: ["break-glass"] } });
    assert.equal(r.ok, false, r.text);
    const found = violations(r.text);
    assert.deepEqual(
      [...new Set(found.map((v) => `${v.level} ${v.policy} ${v.resource}`))],
      ["mandatory keep-authorization-manager pulumi-nodejs:dynamic/defender-rbac:WorkloadActivation: endpoint"],
    );
    assert.match(
      r.text,
      /Microsoft Defender for Endpoint.*\(Mde\) is active but after this stack's changes no assignment/,
    );
  });
});
