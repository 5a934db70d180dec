/**
 * The emulator's hardening, probed over raw HTTP: control endpoints want the control token and a JSON
 * content type (no CSRF), the Host header is never reflected, hostile `$filter` clauses and malformed
 * ids are 400s in the Graph envelope, oversized request lines a 431 in the envelope, and a body that
 * never arrives a 408.
 */
import * as http from "node:http";
import * as net from "node:net";
import { startEmulator } from "../../../provider/emulator";
import { Figures, Scenario, figures, tally } from "../scenario";

interface Answer {
  status: number;
  body: any;
  text: string;
}

function request(
  url: string,
  opts: { method?: string; headers?: Record<string, string>; body?: string } = {},
): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = http.request(url, { method: opts.method ?? "GET", headers: opts.headers }, (res) => {
      let text = "";
      res.on("data", (d) => (text += d));
      res.on("end", () => {
        let body: unknown;
        try {
          body = JSON.parse(text);
        } catch {
          body = undefined;
        }
        resolve({ status: res.statusCode ?? 0, body, text });
      });
    });
    req.on("error", reject);
    req.end(opts.body);
  });
}

/** A request whose body never comes: the answer the emulator gives, or "none". */
function stalledBody(port: number, path: string): Promise<string> {
  return new Promise((resolve) => {
    const sock = net.connect(port, "127.0.0.1", () =>
      sock.write(
        `POST ${path} HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer x\r\nContent-Type: application/json\r\nContent-Length: 50\r\n\r\n{`,
      ),
    );
    let text = "";
    sock.on("data", (d) => (text += d));
    sock.on("close", () => resolve(text || "none"));
    sock.on("error", () => resolve(text || "none"));
    setTimeout(() => sock.destroy(), 8000);
  });
}

const envelope = (a: Answer, status: number) =>
  a.status === status && typeof a.body?.error?.code === "string" && typeof a.body?.error?.message === "string";

async function probes(): Promise<Figures> {
  const f = figures();
  const emu = await startEmulator({ pageSize: 2, bodyTimeoutMs: 1000 });
  const roles = `${emu.url}/beta/roleManagement/defender/roleDefinitions`;
  const auth = { Authorization: "Bearer x" };
  try {
    // control endpoints
    const noToken = await request(`${emu.url}/_emulator/faults`, {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: '{"drop":{"every":1}}',
    });
    tally(f, noToken.status === 401, `control POST without the token answered ${noToken.status}`);
    const textPlain = await request(`${emu.url}/_emulator/faults`, {
      method: "POST",
      headers: { "Content-Type": "text/plain", "X-Emulator-Token": emu.controlToken },
      body: '{"drop":{"every":1}}',
    });
    tally(f, textPlain.status === 415, `control POST as text/plain (a CSRF form) answered ${textPlain.status}`);
    const wrong = await request(`${emu.url}/_emulator/stats`, { headers: { "X-Emulator-Token": "guess" } });
    tally(f, wrong.status === 401, `control GET with a wrong token answered ${wrong.status}`);
    const ok = await request(`${emu.url}/_emulator/faults`, {
      method: "POST",
      headers: { "Content-Type": "application/json", "X-Emulator-Token": emu.controlToken },
      body: "{}",
    });
    tally(f, ok.status === 200, `control POST with the token and JSON answered ${ok.status}`);
    tally(f, (await request(`${emu.url}/_emulator/health`)).status === 200, "health is not open");
    const faults = Object.values(emu.stats().fired).reduce((a, b) => a + b, 0);
    tally(f, faults === 0, "a refused control request changed the faults");

    // Host is never reflected
    const evil = await request(`${roles}?$top=1`, { headers: { ...auth, Host: "evil.example.com" } });
    const links = [evil.body?.["@odata.context"], evil.body?.["@odata.nextLink"]];
    tally(
      f,
      evil.status === 200 && links.every((l) => typeof l === "string" && l.startsWith(emu.url)),
      `links name the Host header: ${links.join(", ")}`,
    );

    // hostile $filter and ids
    const deep = `${"(".repeat(5000)}displayName eq 'x'${")".repeat(5000)}`;
    const a = await request(`${roles}?$filter=${encodeURIComponent(deep)}`, { headers: auth });
    tally(
      f,
      envelope(a, 400) || envelope(a, 431),
      `5,000 nested parentheses answered ${a.status}: ${a.text.slice(0, 120)}`,
    );
    const nested = `${"(".repeat(100)}displayName eq 'x'${")".repeat(100)}`;
    const n = await request(`${roles}?$filter=${encodeURIComponent(nested)}`, { headers: auth });
    tally(f, envelope(n, 400), `100 nested parentheses answered ${n.status}: ${n.text.slice(0, 120)}`);
    const ors = Array.from({ length: 2000 }, (_, i) => `displayName eq 'r${i}'`).join(" or ");
    const o = await request(`${roles}?$filter=${encodeURIComponent(ors)}`, { headers: auth });
    tally(f, envelope(o, 400) || envelope(o, 431), `2,000 or terms answered ${o.status}: ${o.text.slice(0, 120)}`);
    const ors300 = Array.from({ length: 300 }, (_, i) => `id eq '${i}'`).join(" or ");
    const o3 = await request(`${roles}?$filter=${encodeURIComponent(ors300)}`, { headers: auth });
    tally(f, envelope(o3, 400), `300 or terms answered ${o3.status}: ${o3.text.slice(0, 120)}`);
    const nots = `${"not ".repeat(200)}isBuiltIn eq true`;
    const nt = await request(`${roles}?$filter=${encodeURIComponent(nots)}`, { headers: auth });
    tally(f, envelope(nt, 400), `200 nested nots answered ${nt.status}`);
    const bad = await request(`${roles}/%E0%A4%A`, { headers: auth });
    tally(
      f,
      envelope(bad, 400),
      `a malformed percent-escape in an id answered ${bad.status}: ${bad.text.slice(0, 120)}`,
    );
    const bad2 = await request(`${roles}/%ZZ`, { headers: auth });
    tally(f, envelope(bad2, 400), `an invalid percent-escape in an id answered ${bad2.status}`);
    const fine = await request(
      `${roles}?$filter=${encodeURIComponent("displayName eq 'Global reader' or isBuiltIn eq false")}`,
      {
        headers: auth,
      },
    );
    tally(f, fine.status === 200, `an ordinary filter answered ${fine.status}`);

    // a body that never arrives
    const stalled = await stalledBody(emu.port, "/beta/roleManagement/defender/roleDefinitions");
    tally(
      f,
      /^HTTP\/1\.1 408 /.test(stalled) && /RequestTimeout/.test(stalled),
      `a stalled body got: ${stalled.slice(0, 80)}`,
    );
  } finally {
    await emu.close();
  }
  return f;
}

export const emulatorScenarios: Scenario[] = [
  { name: "emulator hardening (control token, Host, $filter, ids, body timeout)", quick: true, run: probes },
];
