/**
 * Bad configuration through the real CLI: each case is a stack whose config (or environment) is wrong
 * in one way. It holds when `pulumi preview` fails with one line that names the setting and the fix,
 * and no stack trace.
 */
import * as fs from "node:fs";
import * as net from "node:net";
import * as os from "node:os";
import * as path from "node:path";
import { TenantStore } from "../../../provider/backend/store";
import { STACK_FRAME, StackCli } from "../cli";
import { Figures, Scenario, SuiteContext, figures, tally } from "../scenario";

interface ConfigCase {
  name: string;
  config?: (dir: string) => Record<string, string> | Promise<Record<string, string>>;
  env?: Record<string, string>;
  /** The error line must match: it names the key and says what to do. */
  expect: RegExp;
}

const PROGRAM = `const { UnifiedRole } = require("pulumi-defender-rbac");
new UnifiedRole("r", { displayName: "Config case role", permissions: ["microsoft.xdr/secops/securitydata/alerts/manage"] });
`;

const graph = (extra: Record<string, string> = {}) => ({ "defender-rbac:backend": "graph", ...extra });
const TOKEN = { DEFENDER_RBAC_GRAPH_TOKEN: "reliability-token" };

export const CASES: ConfigCase[] = [
  {
    name: "storePath under a regular file",
    config: (d) => {
      fs.writeFileSync(path.join(d, "a-file"), "x");
      return { "defender-rbac:storePath": "a-file/tenant.db" };
    },
    expect:
      /defender-rbac:storePath is ".*a-file\/tenant\.db", which lies under .*a regular file.*; set defender-rbac:storePath/,
  },
  {
    name: "storePath unwritable",
    config: (d) => {
      if (os.userInfo().uid === 0) return { "defender-rbac:storePath": "/sys/defender-rbac-tenant.db" }; // sysfs: read-only even for root
      const ro = path.join(d, "read-only");
      fs.mkdirSync(ro, { recursive: true });
      fs.chmodSync(ro, 0o555);
      return { "defender-rbac:storePath": "read-only/tenant.db" };
    },
    expect: /defender-rbac:storePath is ".*", which cannot be created or written .*; set defender-rbac:storePath/,
  },
  {
    name: "storePath a directory",
    config: (d) => {
      fs.mkdirSync(path.join(d, "a-dir"), { recursive: true });
      return { "defender-rbac:storePath": "a-dir" };
    },
    expect: /defender-rbac:storePath is ".*a-dir", which is a directory.*; set defender-rbac:storePath/,
  },
  {
    name: "storePath a file that is not a store",
    config: (d) => {
      fs.writeFileSync(path.join(d, "notes.txt"), "these are notes, not a database\n".repeat(200));
      return { "defender-rbac:storePath": "notes.txt" };
    },
    expect:
      /defender-rbac:storePath is ".*notes\.txt", which is not a pulumi-defender-rbac store.*; set defender-rbac:storePath/,
  },
  {
    name: "storePath written by a newer version",
    config: (d) => {
      const f = path.join(d, "newer.db");
      const s = new TenantStore(f);
      s.close();
      const { DatabaseSync } = require("node:sqlite") as typeof import("node:sqlite");
      const db = new DatabaseSync(f);
      db.exec("UPDATE meta SET value = '99' WHERE key = 'schema'");
      db.close();
      return { "defender-rbac:storePath": "newer.db" };
    },
    expect: /defender-rbac:storePath: .*newer.db was written by a newer pulumi-defender-rbac .*upgrade the package/,
  },
  {
    name: "backend module that does not load",
    config: () => ({ "defender-rbac:backend": "./no-such-backend.js" }),
    expect: /defender-rbac:backend is "\.\/no-such-backend\.js", which is neither .*; set it to local, graph/,
  },
  {
    name: "backend module without createBackend",
    config: (d) => {
      fs.writeFileSync(path.join(d, "empty-backend.js"), "exports.other = 1;\n");
      return { "defender-rbac:backend": "./empty-backend.js" };
    },
    expect: /defender-rbac:backend module "\.\/empty-backend\.js" must export createBackend\(config\); export it/,
  },
  {
    name: "createBackend throws",
    config: (d) => {
      fs.writeFileSync(
        path.join(d, "throwing-backend.js"),
        'exports.createBackend = () => { throw new Error("acme: no API key in ACME_KEY"); };\n',
      );
      return { "defender-rbac:backend": "./throwing-backend.js" };
    },
    expect:
      /defender-rbac:backend module "\.\/throwing-backend\.js": createBackend\(config\) failed: acme: no API key in ACME_KEY; fix the module/,
  },
  {
    name: "graph without credentials",
    config: () => graph({ "defender-rbac:graphMaxAttempts": "1" }),
    expect:
      /found no Microsoft Graph credential: looked for DEFENDER_RBAC_GRAPH_TOKEN; defender-rbac:useCli .*configure one/,
  },
  {
    name: "graphUrl a closed port",
    config: async () =>
      graph({
        "defender-rbac:graphUrl": `http://127.0.0.1:${await closedPort()}`,
        "defender-rbac:graphMaxAttempts": "2",
      }),
    env: TOKEN,
    expect: /Microsoft Graph at http:\/\/127\.0\.0\.1:\d+ cannot be reached .*check defender-rbac:graphUrl/,
  },
  {
    name: "graphUrl plain http to a remote host",
    config: () => graph({ "defender-rbac:graphUrl": "http://graph.example.com" }),
    env: TOKEN,
    expect:
      /the Graph URL \(defender-rbac:graphUrl\) http:\/\/graph\.example\.com must use https.*set it to an https URL/,
  },
  {
    name: "graphUrl not a URL",
    config: () => graph({ "defender-rbac:graphUrl": "graph dot microsoft" }),
    env: TOKEN,
    expect: /the Graph URL \(defender-rbac:graphUrl\) "graph dot microsoft" is not a URL; set it/,
  },
  {
    name: "unknown cloud",
    config: () => graph({ "defender-rbac:cloud": "mars" }),
    env: TOKEN,
    expect: /defender-rbac:cloud "mars" is not a cloud this backend knows; use one of/,
  },
  {
    name: "tuning value not a number",
    config: () => graph({ "defender-rbac:graphMaxAttempts": "lots" }),
    env: TOKEN,
    expect: /defender-rbac:graphMaxAttempts must be a non-negative number \(got "lots"\); set it/,
  },
  {
    name: "client secret without tenant and client ids",
    config: () => graph({ "defender-rbac:clientSecret": "s3cr3t-value" }),
    expect: /clientSecret needs tenantId and clientId: set defender-rbac:tenantId/,
  },
  {
    name: "oidcRequestUrl plain http to a remote host",
    config: () =>
      graph({
        "defender-rbac:useOidc": "true",
        "defender-rbac:tenantId": "00000000-0000-0000-0000-000000000001",
        "defender-rbac:clientId": "00000000-0000-0000-0000-000000000002",
        "defender-rbac:oidcRequestUrl": "http://token.example.com/issue",
        "defender-rbac:oidcRequestToken": "request-token-value",
      }),
    expect: /the OIDC request URL \(defender-rbac:oidcRequestUrl\) http:\/\/token\.example\.com must use https/,
  },
  {
    name: "useOidc without a token source",
    config: () =>
      graph({
        "defender-rbac:useOidc": "true",
        "defender-rbac:tenantId": "00000000-0000-0000-0000-000000000001",
        "defender-rbac:clientId": "00000000-0000-0000-0000-000000000002",
      }),
    expect: /useOidc is set but there is no OIDC token: set oidcToken/,
  },
];

/** A loopback port nothing listens on (bound, then closed). */
function closedPort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.once("error", reject);
    srv.listen(0, "127.0.0.1", () => {
      const { port } = srv.address() as net.AddressInfo;
      srv.close(() => resolve(port));
    });
  });
}

/** Runs the cases, `parallel` at a time; each case is its own stack of one program. */
async function runCases(ctx: SuiteContext, cases: ConfigCase[], parallel: number): Promise<Figures> {
  const f = figures();
  const dir = path.join(ctx.workDir, "program");
  StackCli.writeProgram(dir, "config-cases", PROGRAM);
  const queue = cases.map((c, i) => ({ c, i }));
  const worker = async () => {
    for (let next = queue.shift(); next; next = queue.shift()) {
      const { c, i } = next;
      const cli = new StackCli(dir, `case-${i}`, ctx.project, path.join(ctx.workDir, "state"), c.env ?? {});
      const config = (await c.config?.(dir)) ?? {};
      // relative paths in config resolve against the program directory
      await cli.init(config);
      const r = await cli.run(["preview"], 180_000);
      const lines = r.out.split("\n").filter((l) => /error: /.test(l));
      const matched = lines.some((l) => c.expect.test(l));
      const frame = STACK_FRAME.exec(r.out);
      const ok = r.code !== 0 && matched && !frame && !r.timedOut;
      const why = r.timedOut
        ? "timed out"
        : r.code === 0
          ? "preview passed"
          : !matched
            ? `no line matched ${c.expect}: ${lines.join(" | ").slice(0, 400)}`
            : `stack frame printed: ${frame?.[0].trim()}`;
      tally(f, ok, `${c.name}: ${why}`);
      ctx.log(`  ${ok ? "held" : "FAILED"}: ${c.name}`);
    }
  };
  await Promise.all([...Array(parallel)].map(worker));
  return f;
}

export const configScenarios: Scenario[] = [
  {
    name: "bad configuration (every case)",
    run: (ctx) => runCases(ctx, CASES, 3),
  },
  {
    name: "bad configuration (store path, custom backend, closed Graph port)",
    quick: true,
    run: (ctx) =>
      runCases(
        ctx,
        CASES.filter((c) =>
          ["storePath under a regular file", "createBackend throws", "graphUrl a closed port"].includes(c.name),
        ),
        3,
      ),
  },
];
