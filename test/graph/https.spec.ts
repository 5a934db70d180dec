/**
 * The emulator over https, driven by Microsoft's own JavaScript Graph client
 * (@microsoft/microsoft-graph-client): its PageIterator follows `@odata.nextLink` as an absolute URL
 * and attaches the token only to https URLs, so a user's own scripts rehearse against the emulator
 * unchanged once they trust the CA it prints (NODE_EXTRA_CA_CERTS). The client runs in a child Node
 * process started with NODE_EXTRA_CA_CERTS, exactly as a user runs a script.
 */
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import * as tls from "node:tls";
import { promisify } from "node:util";
import { emulatorCommand } from "../../provider/cli/emulator";
import { RunningEmulator, startEmulator } from "../../provider/emulator";

const run = promisify(execFile);
const ROOT = path.resolve(__dirname, "..", "..", "..");

/** Pages through roleDefinitions with the Graph client's PageIterator and prints what it saw. */
const SCRIPT = `
const { Client, PageIterator } = require(process.argv[3]);
(async () => {
  const url = new URL(process.argv[2]);
  const client = Client.init({
    authProvider: (done) => done(null, "rehearsal-token"),
    baseUrl: url.origin,
    defaultVersion: "beta",
    customHosts: new Set([url.hostname]),
  });
  const names = [];
  let pages = 0;
  const first = await client.api("/roleManagement/defender/roleDefinitions").top(2).get();
  const it = new PageIterator(client, first, (r) => { names.push(r.displayName); return true; });
  const origNext = it.fetchAndUpdateNextPageData.bind(it);
  it.fetchAndUpdateNextPageData = async () => { pages++; return origNext(); };
  await it.iterate();
  console.log(JSON.stringify({ names, pages }));
})().catch((e) => { console.log(JSON.stringify({ error: String(e && (e.statusCode || e.message || e)) })); process.exit(0); });
`;

describe("emulator over https with Microsoft's JavaScript Graph client", function () {
  this.timeout(60_000);
  let emu: RunningEmulator;
  let dir: string;
  let script: string;
  before(async () => {
    emu = await startEmulator({ https: true, pageSize: 3 });
    dir = fs.mkdtempSync(path.join(os.tmpdir(), "drbac-https-"));
    script = path.join(dir, "page.js");
    fs.writeFileSync(script, SCRIPT);
    fs.writeFileSync(path.join(dir, "ca.pem"), emu.caPem!);
  });
  after(async () => {
    await emu.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  async function page(
    url: string,
    env: Record<string, string> = {},
  ): Promise<{ names?: string[]; pages?: number; error?: string }> {
    const { stdout } = await run(
      process.execPath,
      [script, url, require.resolve("@microsoft/microsoft-graph-client")],
      {
        cwd: ROOT,
        env: { ...process.env, ...env },
      },
    );
    return JSON.parse(stdout.trim().split("\n").pop()!);
  }

  it("serves https with a certificate for 127.0.0.1 signed by the CA it hands out", async () => {
    assert.match(emu.url, /^https:\/\/127\.0\.0\.1:\d+$/);
    const cert = await new Promise<tls.PeerCertificate>((resolve, reject) => {
      const s = tls.connect({ host: "127.0.0.1", port: emu.port, ca: emu.caPem, servername: "localhost" }, () => {
        resolve(s.getPeerCertificate());
        s.end();
      });
      s.on("error", reject);
    });
    assert.match(cert.subjectaltname ?? "", /IP Address:127\.0\.0\.1/);
    // without the CA the certificate is not trusted: nothing passes silently
    await assert.rejects(
      new Promise<void>((resolve, reject) => {
        const s = tls.connect({ host: "127.0.0.1", port: emu.port, servername: "localhost" }, () => {
          s.end();
          resolve();
        });
        s.on("error", reject);
      }),
    );
  });

  it("the Graph client's PageIterator pages through every role definition, token attached to each page", async () => {
    const expected = emu.store.listRoles().map((r) => r.displayName);
    assert.ok(expected.length > 4, "enough roles for several pages");
    const before = emu.stats().byRoute["GET /beta/roleManagement/defender/roleDefinitions"] ?? 0;
    const r = await page(emu.url, { NODE_EXTRA_CA_CERTS: path.join(dir, "ca.pem") });
    assert.equal(r.error, undefined, `the client failed: ${r.error}`);
    assert.deepEqual([...r.names!].sort(), [...expected].sort());
    assert.ok(r.pages! >= 2, `followed nextLink ${r.pages} times`);
    const after = emu.stats().byRoute["GET /beta/roleManagement/defender/roleDefinitions"] ?? 0;
    assert.equal(after - before, r.pages! + 1, "every page was one authorised request to the emulator");
  });

  it("over plain http the same client sends no token and gets 401 (why https is needed)", async () => {
    const plain = await startEmulator({ pageSize: 3 });
    try {
      const r = await page(plain.url);
      // the client attaches the token only to https URLs: the emulator answers 401, as Graph would
      assert.equal(r.error, "401");
    } finally {
      await plain.close();
    }
  });

  it("`defender-rbac emulator --https` prints the CA file; the project's own CLI exports through it", async () => {
    const out: string[] = [];
    const err: string[] = [];
    const caFile = path.join(dir, "cli-ca.pem");
    const code = await emulatorCommand(
      { port: "0", store: path.join(dir, "cli.db"), https: true, caFile },
      { out: (l: string) => out.push(l), err: (l: string) => err.push(l) },
      async (served) => {
        assert.match(out[0], /^DEFENDER_RBAC_GRAPH_URL=https:\/\/127\.0\.0\.1:\d+$/);
        assert.ok(out.includes(`NODE_EXTRA_CA_CERTS=${caFile}`), out.join("\n"));
        assert.ok(
          out.some((l) => /^DEFENDER_RBAC_EMULATOR_TOKEN=\S+$/.test(l)),
          "the control token is printed too",
        );
        assert.equal(fs.readFileSync(caFile, "utf8"), served.caPem);
        const { stdout } = await run(
          process.execPath,
          [path.join(ROOT, "dist", "provider", "cli", "main.js"), "export", "--backend", "graph", "--format", "json"],
          {
            cwd: dir,
            env: {
              ...process.env,
              NODE_EXTRA_CA_CERTS: caFile,
              DEFENDER_RBAC_GRAPH_URL: served.url,
              DEFENDER_RBAC_GRAPH_TOKEN: "rehearsal",
            },
          },
        );
        const exported = JSON.parse(stdout) as { roles: { displayName: string }[] };
        assert.deepEqual(
          exported.roles.map((r) => r.displayName).sort(),
          served.store
            .listRoles()
            .map((r) => r.displayName)
            .sort(),
        );
      },
    );
    assert.equal(code, 0, err.join("\n"));
  });
});
