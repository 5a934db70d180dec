/**
 * Configuration errors are one line naming the setting and the fix (ConfigError), never a stack trace:
 * the store path cases and custom backends through the provider methods, the echo of the SDK's
 * dynamic-provider server through its real gRPC server, the Graph settings, and the redactor.
 */
import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as net from "node:net";
import * as path from "node:path";
import { ConfigError, isConfigError } from "../../provider/backend/configError";
import { checkOidcRequestUrl, resolveAuthSettings } from "../../provider/backend/graph/auth";
import { Redactor } from "../../provider/backend/graph/errors";
import { tuningFrom } from "../../provider/backend/graph/tuning";
import { check, configure } from "../../provider/engine";
import { Lifeline } from "../../provider/lifeline";
import { MiniEngine } from "../harness/engine";
import { makeProgramDir, tempDir } from "../harness/program";
import { ProviderServer } from "../harness/server";

const ROLE = { displayName: "x", permissions: ["Alerts (manage)"] };
const FRAME = /^\s*at .+:\d+:\d+\)?\s*$/m;

async function configError(config: Record<string, string>): Promise<ConfigError> {
  await configure({ config: { rawConfig: config } });
  try {
    await check("UnifiedRole", {}, ROLE);
  } catch (e) {
    assert.ok(isConfigError(e), `a ConfigError, not ${(e as Error).stack}`);
    assert.equal(e.stack, `ConfigError: ${e.message}`, "no stack frames");
    assert.ok(!e.message.includes("\n"), "one line");
    return e;
  }
  assert.fail("check passed");
}

describe("configuration errors: one line naming the setting and the fix", () => {
  const dir = tempDir("config-errors");

  it("store path under a regular file, a directory, or a file that is not a store", async () => {
    fs.writeFileSync(path.join(dir, "plain"), "x");
    let e = await configError({ "defender-rbac:storePath": path.join(dir, "plain", "tenant.db") });
    assert.match(
      e.message,
      /^defender-rbac:storePath is ".*plain\/tenant\.db", which lies under .*plain, a regular file/,
    );
    assert.match(e.message, /set defender-rbac:storePath \(or DEFENDER_RBAC_STORE\) to a file in a writable directory/);
    e = await configError({ "defender-rbac:storePath": dir });
    assert.match(e.message, /which is a directory, not a store file/);
    const notes = path.join(dir, "notes.txt");
    fs.writeFileSync(notes, "not a database\n".repeat(300));
    e = await configError({ "defender-rbac:storePath": notes });
    assert.match(e.message, /which is not a pulumi-defender-rbac store/);
    assert.equal(fs.readFileSync(notes, "utf8"), "not a database\n".repeat(300), "the file is left as it was");
  });

  it("a custom backend whose createBackend throws, or returns nothing", async () => {
    const throwing = path.join(dir, "throwing.js");
    fs.writeFileSync(
      throwing,
      'exports.createBackend = () => { throw new Error("no key\\n    at somewhere (x.js:1:1)"); };',
    );
    let e = await configError({ "defender-rbac:backend": throwing });
    assert.match(
      e.message,
      /defender-rbac:backend module ".*throwing\.js": createBackend\(config\) failed: no key; fix the module/,
    );
    const empty = path.join(dir, "returns-nothing.js");
    fs.writeFileSync(empty, "exports.createBackend = async () => undefined;");
    e = await configError({ "defender-rbac:backend": empty });
    assert.match(e.message, /it returned no backend/);
  });

  it("graph settings: URLs, clouds, tuning numbers and missing ids are ConfigErrors naming the key", () => {
    const cfg = (settings: Record<string, string>) => ({ settings, stack: {}, cwd: dir });
    const thrown = (fn: () => unknown) => {
      try {
        fn();
      } catch (e) {
        assert.ok(isConfigError(e), String(e));
        return e.message;
      }
      assert.fail("did not throw");
    };
    assert.match(
      thrown(() => resolveAuthSettings(cfg({ graphUrl: "http://graph.example.com" }), {})),
      /the Graph URL \(defender-rbac:graphUrl\) http:\/\/graph\.example\.com must use https/,
    );
    assert.match(
      thrown(() => resolveAuthSettings(cfg({}), { DEFENDER_RBAC_GRAPH_URL: "nope" })),
      /the Graph URL \(\$DEFENDER_RBAC_GRAPH_URL\) "nope" is not a URL/,
    );
    assert.match(
      thrown(() => resolveAuthSettings(cfg({ cloud: "mars" }), {})),
      /defender-rbac:cloud "mars"/,
    );
    assert.match(
      thrown(() => tuningFrom({ graphTimeoutMs: "-1" })),
      /defender-rbac:graphTimeoutMs must be a non-negative number/,
    );
  });

  it("oidcRequestUrl must be https, or loopback http (the request token is sent there)", () => {
    const cfg = (settings: Record<string, string>) => ({ settings, stack: {}, cwd: dir });
    assert.throws(
      () =>
        resolveAuthSettings(cfg({}), {
          ACTIONS_ID_TOKEN_REQUEST_URL: "http://evil.example.com/t",
          ARM_USE_OIDC: "true",
        }),
      (e: Error) =>
        isConfigError(e) &&
        /OIDC request URL \(\$ACTIONS_ID_TOKEN_REQUEST_URL\) http:\/\/evil\.example\.com must use https/.test(
          e.message,
        ),
    );
    assert.equal(
      checkOidcRequestUrl("https://pipelines.actions.githubusercontent.com/x?api-version=2.0"),
      "https://pipelines.actions.githubusercontent.com/x?api-version=2.0",
    );
    assert.equal(checkOidcRequestUrl("http://127.0.0.1:8080/token"), "http://127.0.0.1:8080/token");
    assert.throws(() => checkOidcRequestUrl("file:///etc/passwd"), /must use https/);
  });

  it("through the SDK's real dynamic-provider server: the error reaches the engine once, with no trace in its output", async function () {
    this.timeout(180_000); // starting the server takes seconds, more on a loaded machine
    const programDir = makeProgramDir("config-echo");
    fs.writeFileSync(path.join(programDir, "blocker"), "x");
    const server = await ProviderServer.start(programDir, "echo", {});
    try {
      await server.configure({ "defender-rbac:storePath": "blocker/tenant.db" });
      const engine = new MiniEngine(server, "echo");
      await assert.rejects(
        engine.register("UnifiedRole", "r", ROLE),
        /defender-rbac:storePath is ".*blocker\/tenant\.db"/,
      );
      await new Promise((r) => setTimeout(r, 200));
      const log = server.log.join("");
      assert.doesNotMatch(log, FRAME, `the server printed a stack trace:\n${log}`);
      assert.doesNotMatch(log, /ConfigError/, `the server echoed the error:\n${log}`);
    } finally {
      await server.stop();
    }
  });
});

describe("the redactor masks short secrets too", () => {
  it("a 3-character token is masked where it stands alone; words containing it stay readable", () => {
    const r = new Redactor();
    r.add("dev");
    assert.equal(
      r.redact('Authorization: Bearer dev, token "dev"; device developer'),
      'Authorization: Bearer [REDACTED], token "[REDACTED]"; device developer',
    );
    r.add("x");
    assert.equal(r.redact("got x=1 from box"), "got [REDACTED]=1 from box");
  });
  it("any bearer value is masked, however short", () => {
    assert.equal(new Redactor().redact("sent Bearer ab1 to the service"), "sent Bearer [REDACTED] to the service");
    assert.equal(new Redactor().redact("a bearer token is needed"), "a bearer token is needed");
  });
});

describe("the lifeline: the provider process stops when the engine is gone", () => {
  const listen = () =>
    new Promise<net.Server>((resolve) => {
      const s = net.createServer((c) => c.destroy());
      s.listen(0, "127.0.0.1", () => resolve(s));
    });

  it("is alive while the engine's address answers, and gone once it refuses connections", async () => {
    const srv = await listen();
    const port = (srv.address() as net.AddressInfo).port;
    const gone: string[] = [];
    const l = new Lifeline({ address: `127.0.0.1:${port}`, onGone: (w) => gone.push(w) });
    assert.equal(await l.check(), true);
    await new Promise<void>((r) => srv.close(() => r()));
    assert.equal(await l.check(), false);
    assert.equal(gone.length, 1);
    assert.match(gone[0], /refuses connections/);
    assert.equal(await l.check(), false, "stays gone");
    assert.equal(gone.length, 1, "onGone once");
  });

  it("checks made while a probe is on the wire share its connection; a later check probes again", async () => {
    let connections = 0;
    const srv = await new Promise<net.Server>((resolve) => {
      const s = net.createServer((c) => {
        connections++;
        c.destroy();
      });
      s.listen(0, "127.0.0.1", () => resolve(s));
    });
    const port = (srv.address() as net.AddressInfo).port;
    const l = new Lifeline({ address: `127.0.0.1:${port}` });
    try {
      assert.deepEqual(await Promise.all(Array.from({ length: 20 }, () => l.check())), Array(20).fill(true));
      await new Promise((r) => setTimeout(r, 50)); // the server has counted what reached it
      assert.equal(connections, 1, "twenty concurrent writes, one probe");
      assert.equal(await l.check(), true);
      await new Promise((r) => setTimeout(r, 50));
      assert.equal(connections, 2, "a check after the probe ended makes its own");
    } finally {
      await new Promise<void>((r) => srv.close(() => r()));
    }
  });

  it("never fires for an address that never answered (the harness passes port 0), nor before the first answer", async () => {
    const srv = await listen();
    const port = (srv.address() as net.AddressInfo).port;
    await new Promise<void>((r) => srv.close(() => r()));
    const gone: string[] = [];
    const l = new Lifeline({ address: `127.0.0.1:${port}`, onGone: (w) => gone.push(w) });
    assert.equal(await l.check(), true);
    assert.equal(new Lifeline({ address: "127.0.0.1:0" }).watchable, false);
    assert.deepEqual(gone, []);
  });
});

describe("names and descriptions with control characters fail at preview", () => {
  before(async () => {
    await configure({ config: { rawConfig: { "defender-rbac:storePath": path.join(tempDir("control"), "t.db") } } });
  });

  it("a NUL, an escape or a line break in a displayName, or a NUL in a description, is a check failure naming the property", async () => {
    const cases: [string, Record<string, unknown>, string][] = [
      ["UnifiedRole", { displayName: "SOC\u0000admin", permissions: ["Alerts (manage)"] }, "displayName"],
      ["UnifiedRole", { displayName: "SOC\u001b[31m", permissions: ["Alerts (manage)"] }, "displayName"],
      ["UnifiedRole", { displayName: "two\nlines", permissions: ["Alerts (manage)"] }, "displayName"],
      ["UnifiedRole", { displayName: "SOC", description: "a\u0000b", permissions: ["Alerts (manage)"] }, "description"],
      ["UnifiedRole", { displayName: "SOC\u0085", permissions: ["Alerts (manage)"] }, "displayName"],
      [
        "RoleAssignment",
        { displayName: "a\u0007", roleId: "00000000-0000-4000-8000-000000000001", principals: [] },
        "displayName",
      ],
      ["ImportedRole", { source: "mdo", role: "Security reader", displayName: "x\u0000" }, "displayName"],
    ];
    for (const [kind, news, property] of cases) {
      const r = await check(kind, {}, news);
      const f = (r.failures ?? []).find((x) => x.property === property);
      assert.ok(f, `${kind} ${JSON.stringify(news)}: ${JSON.stringify(r.failures)}`);
      assert.match(
        f.reason,
        new RegExp(
          `^${property} must not contain control characters \\(U\\+[0-9A-F]{4} at position \\d+\\); remove it\\.$`,
        ),
      );
    }
    const ok = await check(
      "UnifiedRole",
      {},
      {
        displayName: "SOC – analysts (EU)",
        description: "line one\nline two\ttabbed",
        permissions: ["Alerts (manage)"],
      },
    );
    assert.deepEqual(ok.failures ?? [], [], "line breaks and tabs are fine in a description, as is any printable text");
  });
});
