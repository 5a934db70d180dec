/**
 * The Graph request budget, as counts (never times): the provider on `defender-rbac:backend graph`
 * against the emulator, called the way the engine calls it in each run (a new backend per run, as a
 * new provider process has), with every request the emulator answers recorded.
 *  - up: at most 2 requests per object created (plus one catalogue read per run);
 *  - a no-change preview and a preview after an edit: no request per resource (one catalogue read);
 *  - refresh and `defender-rbac export`: collections read in pages (O(pages), not O(resources));
 *  - within a run, no GET repeated while nothing was written (its answer cannot have changed).
 * `npm run bench` prints the same counts for a run of the real CLI.
 */
import assert from "node:assert/strict";
import * as engine from "../../provider/engine";
import { readTenant } from "../../provider/cli/export";
import { RunningEmulator, startEmulator } from "../../provider/emulator";
import { TOKEN, fastBackend, guid } from "./helpers";

const ROLES = 30;
const ASSIGNMENTS = 60;
const PAGE = 10;
/** Reads by id a run makes before it reads the collection instead (graph/burst.ts). */
const BURST = 10;

interface Request {
  method: string;
  url: string;
}

describe("Graph request budget (requests counted at the emulator)", function () {
  this.timeout(120_000);
  let emu: RunningEmulator;
  let requests: Request[] = [];
  let run = 0;
  const saved = process.env.DEFENDER_RBAC_GRAPH_TOKEN;

  /** A new provider process: a new backend (nothing cached from an earlier run). */
  async function newRun(): Promise<void> {
    await engine.configure({
      config: {
        rawConfig: {
          "defender-rbac:backend": "graph",
          "defender-rbac:graphUrl": emu.url,
          "defender-rbac:graphConsistencyWaitMs": "200",
          "defender-rbac:benchRun": String(++run), // a different configuration: the engine opens a new backend
        },
      },
    });
  }

  /** Runs `fn` as one run and returns the requests it made. */
  async function counted(fn: () => Promise<void>): Promise<Request[]> {
    await newRun();
    requests = [];
    await fn();
    const made = requests;
    requests = [];
    return made;
  }

  const byRoute = (rs: Request[]) => {
    const out: Record<string, number> = {};
    for (const r of rs) {
      const route = `${r.method} ${r.url.split("?")[0].replace(/[0-9a-f]{8}-[0-9a-f-]{27}/gi, "{id}")}`;
      out[route] = (out[route] ?? 0) + 1;
    }
    return out;
  };

  /** GETs of the same URL with no write between them: the second could not have learnt anything new. */
  function repeatedReads(rs: Request[]): string[] {
    const seen = new Set<string>();
    const repeats: string[] = [];
    for (const r of rs) {
      if (r.method !== "GET") {
        seen.clear();
        continue;
      }
      if (seen.has(r.url)) repeats.push(r.url);
      seen.add(r.url);
    }
    return repeats;
  }

  const roleNews = (i: number, edited = false) => ({
    displayName: `Budget role ${i}`,
    description: `role ${i}`,
    permissions: [
      "Security operations \\ Security data \\ Alerts (manage)",
      ...(edited ? ["Security operations \\ Security data \\ Response (manage)"] : []),
    ],
  });
  const assignmentNews = (j: number, roleId: string) => ({
    roleId,
    displayName: `Budget assignment ${j}`,
    principals: [guid(j + 1)],
    scope: j % 2 ? { kind: "all" } : { kind: "workloads", workloads: ["endpoint"] },
  });

  interface Res {
    kind: "UnifiedRole" | "RoleAssignment";
    news: Record<string, unknown>;
    id: string;
    inputs: Record<string, any>;
    outs: Record<string, any>;
  }
  const state: Res[] = [];
  let upRequests: Request[];

  before(async () => {
    emu = await startEmulator({
      pageSize: PAGE,
      log: (line) => {
        const m = /^(GET|POST|PATCH|DELETE) (\S+) → /.exec(line);
        if (m) requests.push({ method: m[1], url: m[2] });
      },
    });
    process.env.DEFENDER_RBAC_GRAPH_TOKEN = TOKEN;
    upRequests = await counted(async () => {
      for (let i = 0; i < ROLES; i++) {
        const news = roleNews(i);
        const c = await engine.check("UnifiedRole", {}, news);
        assert.equal(c.failures, undefined, JSON.stringify(c.failures));
        const r = await engine.create("UnifiedRole", c.inputs!);
        state.push({ kind: "UnifiedRole", news, id: r.id, inputs: c.inputs!, outs: r.outs });
      }
      for (let j = 0; j < ASSIGNMENTS; j++) {
        const news = assignmentNews(j, state[j % ROLES].id);
        const c = await engine.check("RoleAssignment", {}, news);
        assert.equal(c.failures, undefined, JSON.stringify(c.failures));
        const r = await engine.create("RoleAssignment", c.inputs!);
        state.push({ kind: "RoleAssignment", news, id: r.id, inputs: c.inputs!, outs: r.outs });
      }
    });
  });
  after(async () => {
    await engine.configure(undefined);
    if (saved === undefined) delete process.env.DEFENDER_RBAC_GRAPH_TOKEN;
    else process.env.DEFENDER_RBAC_GRAPH_TOKEN = saved;
    await emu.close();
  });

  it("up: at most 2 requests per object created, plus one catalogue read", () => {
    const routes = byRoute(upRequests);
    assert.equal(routes["POST /beta/roleManagement/defender/roleDefinitions"], ROLES);
    assert.equal(routes["POST /beta/roleManagement/defender/roleAssignments"], ASSIGNMENTS);
    assert.equal(routes["GET /beta/roleManagement/defender/resourceNamespaces"], 1, JSON.stringify(routes));
    assert.ok(
      upRequests.length <= 2 * (ROLES + ASSIGNMENTS) + 1,
      `${upRequests.length} requests for ${ROLES + ASSIGNMENTS} objects: ${JSON.stringify(routes)}`,
    );
    assert.deepEqual(repeatedReads(upRequests), []);
  });

  async function preview(edited: number): Promise<Request[]> {
    return counted(async () => {
      for (const [i, r] of state.entries()) {
        const news = r.kind === "UnifiedRole" && i < edited ? roleNews(i, true) : r.news;
        const c = await engine.check(r.kind, r.inputs, news);
        assert.equal(c.failures, undefined, JSON.stringify(c.failures));
        const d = await engine.diff(r.kind, r.id, r.outs, c.inputs!);
        assert.equal(d.changes, i < edited, `${r.kind} ${i}`);
      }
    });
  }

  it("a no-change preview makes no request per resource: one catalogue read", async () => {
    const made = await preview(0);
    assert.deepEqual(byRoute(made), { "GET /beta/roleManagement/defender/resourceNamespaces": 1 });
  });

  it("a preview after editing roles makes no request per resource either", async () => {
    const made = await preview(5);
    assert.deepEqual(byRoute(made), { "GET /beta/roleManagement/defender/resourceNamespaces": 1 });
  });

  it("refresh reads the collections in pages, not one GET per resource", async () => {
    const pages = (n: number) => Math.ceil(n / PAGE);
    const tenantRoles = emu.store.listRoles().length; // the built-in roles are in the collection too
    const made = await counted(async () => {
      for (const r of state) {
        const got = await engine.read(r.kind, r.id, r.outs);
        assert.equal(got.id, r.id);
      }
    });
    const routes = byRoute(made);
    const bound = 2 * (BURST - 1) + pages(tenantRoles) + 1 + pages(ASSIGNMENTS) + 1;
    assert.ok(made.length <= bound, `${made.length} requests (bound ${bound}): ${JSON.stringify(routes)}`);
    assert.ok(made.length < (ROLES + ASSIGNMENTS) / 2, `${made.length} requests for ${ROLES + ASSIGNMENTS} resources`);
    assert.deepEqual(repeatedReads(made), []);
  });

  it("refresh still sees a change made outside Pulumi, and a deletion", async () => {
    const role = state[0];
    const assignment = state[ROLES];
    emu.store.updateRole(role.id, { description: "edited in the portal" });
    emu.store.deleteAssignment(assignment.id);
    const seen: Record<string, unknown> = {};
    await counted(async () => {
      for (const r of state) seen[r.id] = await engine.read(r.kind, r.id, r.outs);
    });
    assert.equal((seen[role.id] as any).inputs.description, "edited in the portal");
    assert.equal((seen[assignment.id] as any).id, "", "a deleted assignment reads as gone");
    // put it back as it was for the tests after this one
    emu.store.updateRole(role.id, { description: role.outs.description });
    const c = await engine.create("RoleAssignment", assignment.inputs);
    assignment.id = c.id;
    assignment.outs = c.outs;
  });

  it("defender-rbac export reads each collection in pages", async () => {
    const { backend } = fastBackend(emu.url);
    requests = [];
    const data = await readTenant(backend);
    const made = requests;
    assert.equal(data.assignments.length, ASSIGNMENTS);
    const pages = (n: number) => Math.ceil(n / PAGE);
    assert.ok(
      made.length <= pages(data.roles.length) + 1 + pages(data.assignments.length) + 1,
      `${made.length} requests: ${JSON.stringify(byRoute(made))}`,
    );
  });

  it("destroy: at most 3 requests per object deleted", async () => {
    const made = await counted(async () => {
      for (const r of [...state].reverse()) await engine.remove(r.kind, r.id, r.outs);
    });
    const routes = byRoute(made);
    assert.equal(routes["DELETE /beta/roleManagement/defender/roleDefinitions/{id}"], ROLES);
    assert.equal(routes["DELETE /beta/roleManagement/defender/roleAssignments/{id}"], ASSIGNMENTS);
    assert.ok(made.length <= 3 * (ROLES + ASSIGNMENTS), `${made.length} requests: ${JSON.stringify(routes)}`);
    assert.equal(emu.store.listRoles().filter((r) => !r.isBuiltIn).length, 0);
  });
});
