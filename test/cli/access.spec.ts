/**
 * `defender-rbac access` on a local tenant (the seeded directory plus a few roles and assignments,
 * Defender for Endpoint active): both directions of the question, every format, principals by name,
 * and the HTML report rendered in headless Chromium (screenshot checked by its pixels, DOM dumped).
 */
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { TenantStore } from "../../provider/backend/store";
import { cli } from "./capture";
import { readPng } from "./png";

const SOC = "8e811502-2c2a-4d1b-9c5e-1f0b2e4f9a10";
const TIER2 = "33333333-3333-4333-8333-000000000001";
const ADELE = "22222222-2222-4222-8222-000000000001";
const MEGAN = "22222222-2222-4222-8222-000000000003";
const LEE = "22222222-2222-4222-8222-000000000004";

/** A tenant: the seed, "sec-admins-all" (Authorization (manage) over all data sources) to SOC analysts, responders on Mde to SOC tier 2. */
export function accessFixture(dir: string): string {
  const file = path.join(dir, "tenant.db");
  const s = new TenantStore(file);
  try {
    const admins = s.createRole({
      displayName: "Security admins",
      description: "",
      actions: ["microsoft.xdr/configuration/authorization/manage", "microsoft.xdr/secops/securitydata/read"],
    });
    s.createAssignment({
      displayName: "sec-admins-all",
      roleDefinitionId: admins.id,
      principalIds: [SOC],
      appScopeIds: ["/"],
    });
    const responders = s.createRole({
      displayName: "Responders",
      description: "",
      actions: ["microsoft.xdr/secops/securitydata/liveresponse-advanced/manage"],
    });
    s.createAssignment({
      displayName: "responders-mde",
      roleDefinitionId: responders.id,
      principalIds: [TIER2],
      appScopeIds: ["Mde"],
    });
    s.setActivation({ workload: "Mde", active: true });
  } finally {
    s.close();
  }
  return file;
}

describe("defender-rbac access", () => {
  let dir: string;
  let store: string;
  before(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), "access-cli-"));
    store = accessFixture(dir);
  });
  after(() => fs.rmSync(dir, { recursive: true, force: true }));

  it("per principal: a nested member's grants with the groups they come through", async () => {
    const r = await cli("access", "--store", store, "--principal", "lee.gu@contoso.example");
    assert.equal(r.code, 0, r.err.join("\n"));
    const text = r.out.join("\n");
    assert.match(text, /^Lee Gu \(user, lee\.gu@contoso\.example, 22222222-2222-4222-8222-000000000004\)$/m);
    assert.match(
      text,
      /Mde Mdc +! Authorization and settings \\ Authorization \(manage\) +assignment "sec-admins-all" → role "Security admins" \(all data sources\) via group SOC tier 2 ← group SOC analysts/,
    );
    assert.match(
      text,
      /Mde +! Security operations \\ Security data \\ Advanced live response \(manage\) +assignment "responders-mde" → role "Responders" \(Mde\) via group SOC tier 2/,
    );
    assert.doesNotMatch(text, /Megan/, "only the principal asked for");
  });

  it("the inverse: who holds Authorization (manage) in Defender for Endpoint", async () => {
    const r = await cli(
      "access",
      "--store",
      store,
      "--permission",
      "Authorization (manage)",
      "--workload",
      "endpoint",
      "--format",
      "json",
    );
    assert.equal(r.code, 0, r.err.join("\n"));
    const j = JSON.parse(r.out[0]) as { grants: { principalId: string; workload: string; privileged: boolean }[] };
    assert.deepEqual([...new Set(j.grants.map((g) => g.principalId))].sort(), [ADELE, MEGAN, LEE, SOC, TIER2].sort());
    assert.ok(j.grants.every((g) => g.workload === "Mde" && g.privileged));
  });

  it("--privileged keeps privileged grants only; a group name resolves", async () => {
    const r = await cli("access", "--store", store, "--privileged", "--principal", "SOC tier 2", "--format", "json");
    const j = JSON.parse(r.out[0]) as { grants: { label: string; workload: string }[] };
    assert.deepEqual(
      j.grants.map((g) => `${g.workload} ${g.label}`),
      [
        "Mde Security operations \\ Security data \\ Advanced live response (manage)",
        "Mde Authorization and settings \\ Authorization (manage)",
        "Mdc Authorization and settings \\ Authorization (manage)",
      ],
    );
  });

  it("unknown and ambiguous names fail with one clear line", async () => {
    const r = await cli("access", "--store", store, "--principal", "lee.gu@contoso.exampel");
    assert.equal(r.code, 1);
    assert.match(
      r.err.join("\n"),
      /--principal: "lee\.gu@contoso\.exampel" is neither an Entra object id nor a user principal name or group name/,
    );
    const s = new TenantStore(store);
    s.putDirectoryObject({ id: "44444444-4444-4444-8444-000000000001", kind: "group", displayName: "soc analysts" });
    s.close();
    const amb = await cli("access", "--store", store, "--principal", "SOC analysts");
    assert.equal(amb.code, 1);
    assert.match(amb.err.join("\n"), /2 principals are named "SOC analysts" \(group .*; give the object id/);
    assert.ok(amb.err[0].includes("44444444-4444-4444-8444-000000000001") && amb.err[0].includes(SOC));
    assert.equal(amb.err.length, 1);
  });

  it("a principal with nothing says so", async () => {
    const r = await cli("access", "--store", store, "--principal", "grady.archie@contoso.example");
    assert.match(r.out.join("\n"), /Grady Archie \(user, grady\.archie@contoso\.example, .*\): no access/);
  });

  it("csv: one row per grant, the same grants as json; md: a section per principal", async () => {
    const j = JSON.parse((await cli("access", "--store", store, "--format", "json")).out[0]) as { grants: unknown[] };
    const csv = (await cli("access", "--store", store, "--format", "csv")).out.join("\n").split("\n");
    assert.equal(
      csv[0],
      "principal_id,principal,kind,user_principal_name,workload,permission_id,permission,privileged,partial,provenance",
    );
    assert.equal(csv.length - 1, j.grants.length);
    assert.ok(
      csv.some((l) =>
        l.startsWith(`${LEE},Lee Gu,user,lee.gu@contoso.example,Mde,configuration.-.authorization:manage,`),
      ),
    );
    const md = (await cli("access", "--store", store, "--format", "md", "--principal", MEGAN)).out.join("\n");
    assert.match(md, /^## Megan Bowen \(user, megan\.bowen@contoso\.example, 22222222-2222-4222-8222-000000000003\)$/m);
    assert.match(
      md,
      /^\| Mde Mdc \| Authorization and settings \\\\ Authorization \(manage\) \| \*\*yes\*\* \| assignment "sec-admins-all" .* via group SOC analysts \|$/m,
    );
  });

  it("notes assignments that are not in effect, and an unknown workload is refused", async () => {
    const s = new TenantStore(store);
    const role = s.listRoles().find((x) => x.displayName === "Responders")!;
    s.createAssignment({
      displayName: "dormant-mdi",
      roleDefinitionId: role.id,
      principalIds: [MEGAN],
      appScopeIds: ["Mdi"],
    });
    s.close();
    const r = await cli("access", "--store", store, "--principal", MEGAN);
    assert.match(
      r.out.join("\n"),
      /Note: assignment "dormant-mdi" \(.*\) is not in effect: Unified RBAC is not active in Mdi/,
    );
    const bad = await cli("access", "--store", store, "--workload", "endpiont");
    assert.equal(bad.code, 1);
    assert.match(bad.err[0], /--workload: unknown workload "endpiont"/);
  });

  describe("the HTML report", () => {
    it("is one self-contained file: no URL, a matrix per workload, privileged columns marked", async () => {
      const file = path.join(dir, "access.html");
      const r = await cli("access", "--store", store, "--format", "html", "-o", file);
      assert.equal(r.code, 0, r.err.join("\n"));
      const html = fs.readFileSync(file, "utf8");
      assert.doesNotMatch(html, /\b(src|href)=|https?:\/\//, "nothing to fetch");
      assert.match(html, /<table data-workload="Mde">/);
      assert.match(html, /<th class="priv" title="Authorization and settings \\ Authorization \(manage\)"/);
      assert.match(html, new RegExp(`<tr class="row" data-principal="${LEE}">`));
    });

    it("renders in headless Chromium: screenshot shows the matrix with privileged cells, script ran", function () {
      const chromium = findChromium();
      if (!chromium) {
        if (process.env.CI) assert.fail("chromium is not installed: .ci/run installs it (apt-get install -y chromium)");
        this.skip();
      }
      this.timeout(120_000);
      const file = path.join(dir, "access.html");
      if (!fs.existsSync(file)) assert.fail("the previous test writes access.html");
      const png = path.join(os.tmpdir(), "defender-rbac-access-report.png");
      fs.rmSync(png, { force: true });
      const flags = ["--headless", "--no-sandbox", "--disable-gpu", "--hide-scrollbars", "--no-first-run"];
      const shot = spawnSync(
        chromium!,
        [...flags, `--screenshot=${png}`, "--window-size=1600,1000", `file://${file}`],
        {
          encoding: "utf8",
          timeout: 90_000,
        },
      );
      assert.ok(fs.existsSync(png), `no screenshot: ${shot.stderr}`);
      console.log(`      HTML access report screenshot: ${png}`);
      const img = readPng(fs.readFileSync(png));
      assert.deepEqual([img.width, img.height], [1600, 1000]);
      let red = 0;
      let green = 0;
      for (let y = 0; y < img.height; y += 2)
        for (let x = 0; x < img.width; x += 2) {
          const [r, g, b] = img.pixel(x, y);
          if (Math.abs(r - 0xc6) < 12 && Math.abs(g - 0x28) < 12 && Math.abs(b - 0x28) < 12) red++;
          if (Math.abs(r - 0x2e) < 12 && Math.abs(g - 0x7d) < 12 && Math.abs(b - 0x32) < 12) green++;
        }
      assert.ok(red > 200, `privileged (red) cells visible: ${red} sampled pixels`);
      assert.ok(green > 200, `granted (green) cells visible: ${green} sampled pixels`);
      const dom = spawnSync(chromium!, [...flags, "--dump-dom", `file://${file}`], {
        encoding: "utf8",
        timeout: 90_000,
      });
      const cells = /<body data-cells="(\d+)" data-ready="1">/.exec(dom.stdout);
      assert.ok(cells, `the page's script ran: ${dom.stdout.slice(0, 200)} ${dom.stderr}`);
      const html = fs.readFileSync(file, "utf8");
      assert.equal(Number(cells[1]), (html.match(/<td class="g/g) ?? []).length);
      assert.match(
        dom.stdout,
        /<th class="p" title="Lee Gu \(user, lee\.gu@contoso\.example, [^"]+">Lee Gu <small>user<\/small><\/th>/,
      );
    });
  });
});

function findChromium(): string | undefined {
  const candidates = [process.env.DEFENDER_RBAC_CHROMIUM, "chromium", "chromium-browser", "google-chrome"].filter(
    (c): c is string => !!c,
  );
  for (const c of candidates) {
    const r = spawnSync(c, ["--version"], { encoding: "utf8" });
    if (r.status === 0) return c;
  }
  return undefined;
}
