/**
 * Permissions on a backend that stores only Graph action strings: unpublished permissions resolve
 * through the tenant's live catalogue only when one literal action clearly names them, and need no
 * string at all when folding already covers them. ImportedRole never duplicates a role on such a
 * backend, though it cannot record the import link.
 */
import assert from "node:assert/strict";
import * as path from "node:path";
import type { Backend, CatalogueAction, RoleInput } from "../../provider/backend/backend";
import { LocalBackend } from "../../provider/backend/local";
import { HANDLERS } from "../../provider/engine";
import type { HandlerContext } from "../../provider/handlers/common";
import { resolveForBackend } from "../../provider/handlers/permissions";
import { tempDir } from "../harness/program";

/** The local store dressed as a Graph-like tenant: action strings only, no import link, a given live catalogue. */
function graphLike(live: CatalogueAction[] | null): Backend {
  const inner = LocalBackend.open(path.join(tempDir("graphlike"), "tenant.db"));
  const b = Object.create(inner) as Backend;
  Object.assign(b, {
    name: "graphlike",
    capabilities: () => ({ ...inner.capabilities(), unpublishedPermissions: false }),
    liveCatalogue: async () => live,
    createRole: (input: RoleInput) => inner.createRole({ ...input, imported: null }),
  });
  return b;
}

const CORE_READ = "Authorization and settings \\ Security settings \\ Core security settings (read)";
const CORE_MANAGE = "Authorization and settings \\ Security settings \\ Core security settings (manage)";
const METADATA = "Security operations \\ Raw data (Email & collaboration) \\ Email & collaboration metadata (read)";

describe("permissions on a backend without unpublished permissions", () => {
  it("an unpublished read level covered by its permission's manage string needs no string of its own", async () => {
    const r = await resolveForBackend(graphLike(null), [CORE_READ, CORE_MANAGE], ["permissions"]);
    assert.ok(r.ok, JSON.stringify(!r.ok && r.issues));
    assert.deepEqual(r.value.actions, ["microsoft.xdr/configuration/security/core/manage"]);
  });

  it("an unpublished permission with no live catalogue fails on its index, naming the way out", async () => {
    const r = await resolveForBackend(graphLike(null), ["Alerts (manage)", METADATA], ["permissions"]);
    assert.equal(r.ok, false);
    assert.deepEqual(!r.ok && r.issues.map((i) => i.path), [["permissions", 1]]);
    assert.match(
      !r.ok ? r.issues[0].message : "",
      /no published Graph action string.*defender-rbac catalog --backend graph/s,
    );
  });

  it("takes the tenant's one literal action whose display text names the permission, under its path", async () => {
    const live: CatalogueAction[] = [
      {
        action: "microsoft.xdr/secops/*/read",
        displayName: "Security operations - All read-only permissions, incl. Email & collaboration metadata",
      },
      {
        action: "microsoft.xdr/secops/rawdata/emailmetadata/read",
        displayName: "Raw data - Email & collaboration metadata",
      },
      {
        action: "microsoft.xdr/secops/rawdata/emailcontent/read",
        displayName: "Raw data - Email & collaboration content",
      },
    ];
    const r = await resolveForBackend(graphLike(live), [METADATA], ["permissions"]);
    assert.ok(r.ok, JSON.stringify(!r.ok && r.issues));
    assert.deepEqual(r.value.actions, ["microsoft.xdr/secops/rawdata/emailmetadata/read"]);
  });

  it("refuses to guess: a match outside the permission's path, a wildcard, or two candidates all fail", async () => {
    const outside: CatalogueAction[] = [
      { action: "microsoft.xdr/configuration/security/read", displayName: "Core security settings and more" },
    ];
    assert.equal((await resolveForBackend(graphLike(outside), [METADATA], ["p"])).ok, false);
    const coreOutside: CatalogueAction[] = [
      {
        action: "microsoft.xdr/configuration/security/read",
        displayName: "Security settings (Core security settings)",
      },
    ];
    const core = await resolveForBackend(graphLike(coreOutside), [CORE_READ], ["p"]);
    assert.equal(
      core.ok,
      false,
      "…/configuration/security/read is the pre-split Security settings string, not Core security settings (read)",
    );
    const two: CatalogueAction[] = [
      { action: "microsoft.xdr/secops/rawdata/emailmetadata/read", displayName: "Email & collaboration metadata" },
      { action: "microsoft.xdr/secops/rawdata/metadata2/read", displayName: "Email & collaboration metadata (new)" },
    ];
    assert.equal((await resolveForBackend(graphLike(two), [METADATA], ["p"])).ok, false);
  });
});

describe("a tenant with a live catalogue is the authority on which strings exist", () => {
  it("a permission whose string the tenant does not list fails at check, on its index", async () => {
    const live: CatalogueAction[] = [
      { action: "microsoft.xdr/secops/securitydata/basics/read", displayName: "Security data basics" },
    ];
    const r = await resolveForBackend(
      graphLike(live),
      ["Security data basics (read)", "Alerts (manage)"],
      ["permissions"],
    );
    assert.equal(r.ok, false);
    assert.deepEqual(!r.ok && r.issues.map((i) => i.path), [["permissions", 1]]);
    assert.match(
      !r.ok ? r.issues[0].message : "",
      /not in the graphlike tenant's permission catalogue \(microsoft\.xdr\/secops\/securitydata\/alerts\/manage\)/,
    );
  });

  it("an action string only the tenant knows is accepted as it is", async () => {
    const live: CatalogueAction[] = [
      { action: "microsoft.xdr/aicodesecurity/scans/manage", displayName: "AI code scan - Run scan" },
    ];
    const r = await resolveForBackend(graphLike(live), ["microsoft.xdr/aicodesecurity/scans/manage"], ["permissions"]);
    assert.ok(r.ok, JSON.stringify(!r.ok && r.issues));
    assert.deepEqual(r.value.actions, ["microsoft.xdr/aicodesecurity/scans/manage"]);
  });

  it("a repeated resolution within one process gives the same answer as a copy of its own; a new catalogue read resolves anew", async () => {
    let live: CatalogueAction[] = [{ action: "microsoft.xdr/secops/securitydata/alerts/manage" }];
    const backend = graphLike(null);
    backend.liveCatalogue = async () => live;
    const refs = ["Alerts (manage)", "secops.securitydata.basics:read"];
    const first = await resolveForBackend(backend, refs, ["permissions"]);
    assert.ok(!first.ok, "basics is not in this tenant's catalogue");
    assert.deepEqual(
      first.issues.map((i) => i.path),
      [["permissions", 1]],
    );
    first.issues[0].path.push("changed by the caller");
    const again = await resolveForBackend(backend, refs, ["permissions"]);
    assert.deepEqual(
      !again.ok && again.issues.map((i) => i.path),
      [["permissions", 1]],
      "the cached answer is not the caller's object",
    );
    // the tenant's catalogue read again (a new list) now lists basics too: the same refs resolve
    live = [...live, { action: "microsoft.xdr/secops/securitydata/basics/read" }];
    const later = await resolveForBackend(backend, refs, ["permissions"]);
    assert.ok(later.ok, JSON.stringify(!later.ok && later.issues));
    later.value.actions.push("changed by the caller");
    const last = await resolveForBackend(backend, refs, ["permissions"]);
    assert.deepEqual(last.ok && last.value.actions, [
      "microsoft.xdr/secops/securitydata/alerts/manage",
      "microsoft.xdr/secops/securitydata/basics/read",
    ]);
  });
});

describe("ImportedRole on a backend that cannot record the import link", () => {
  it("re-running from empty state adopts the role imported earlier instead of creating a duplicate", async () => {
    const backend = graphLike(null);
    const ctx: HandlerContext = { backend: async () => backend };
    const h = HANDLERS.ImportedRole;
    const checked = await h.check(ctx, {}, { source: "mdo", role: "Quarantine" });
    assert.deepEqual(checked.failures ?? [], []);
    const first = await h.create(ctx, checked.inputs!);
    const second = await h.create(ctx, checked.inputs!); // state lost: the engine creates again
    assert.equal(second.id, first.id);
    assert.equal((await backend.findRolesByName("Quarantine")).length, 1);
  });
});
