/**
 * The Graph HTTP client against the emulator's fault injection: Retry-After (seconds and HTTP date),
 * 503, dropped connections, timeouts, create semantics (never a blind re-POST), 404 handling, and
 * redaction of what a misbehaving service echoes back.
 */
import assert from "node:assert/strict";
import { ClientEvent, GraphClient, RetryOptions, parseRetryAfter } from "../../provider/backend/graph/client";
import { AmbiguousWriteError, GraphError, Redactor } from "../../provider/backend/graph/errors";
import { paths, roleCreateBody } from "../../provider/backend/graph/requests";
import { RunningEmulator, startEmulator } from "../../provider/emulator";
import { FaultEngine, FaultSpec, parseFaults } from "../../provider/emulator/faults";
import { FAST, TOKEN, assertNoSecrets, staticToken } from "./helpers";

describe("graph client: retries, timeouts, create semantics", () => {
  let emu: RunningEmulator;
  before(async () => {
    emu = await startEmulator();
  });
  after(async () => emu.close());
  afterEach(() => emu.setFaults(null));

  function client(retry: Partial<RetryOptions> = {}) {
    const sleeps: number[] = [];
    const events: ClientEvent[] = [];
    const redactor = new Redactor();
    redactor.add(TOKEN);
    const c = new GraphClient({
      root: emu.url,
      token: staticToken(),
      redactor,
      retry: { ...FAST, ...retry },
      sleep: async (ms) => {
        sleeps.push(ms);
      },
      onEvent: (e) => events.push(e),
    });
    return { c, sleeps, events };
  }

  it("honours Retry-After in seconds on 429", async () => {
    emu.setFaults({ throttle: { every: 1, limit: 2, retryAfter: 7 } });
    const { c, sleeps } = client({ maxRetryAfterMs: 60_000 });
    const roles = await c.list(paths.roleDefinitions);
    assert.ok(roles.length > 0);
    assert.deepEqual(sleeps, [7000, 7000]);
    assert.equal(emu.stats().fired.throttle, 2);
  });

  it("honours Retry-After as an HTTP date, and caps what it honours", async () => {
    emu.setFaults({ throttle: { every: 1, limit: 1, retryAfter: 3, retryAfterDate: true } });
    const a = client({ maxRetryAfterMs: 60_000 });
    await a.c.get(paths.roleDefinitions);
    assert.equal(a.sleeps.length, 1);
    assert.ok(a.sleeps[0] > 1000 && a.sleeps[0] <= 3000, `waited ${a.sleeps[0]}`);
    emu.setFaults({ throttle: { every: 1, limit: 1, retryAfter: 120 } });
    const b = client({ maxRetryAfterMs: 25 });
    await b.c.get(paths.roleDefinitions);
    assert.deepEqual(b.sleeps, [25]);
    assert.equal(parseRetryAfter("2"), 2000);
    assert.equal(parseRetryAfter("Wed, 21 Oct 2015 07:28:00 GMT", Date.parse("Wed, 21 Oct 2015 07:27:58 GMT")), 2000);
    assert.equal(parseRetryAfter("soon"), undefined);
  });

  it("a Retry-After shorter than the backoff waits the backoff: repeated throttles spread out instead of retrying at once", async () => {
    emu.setFaults({ throttle: { every: 1, limit: 3, retryAfter: 0 } });
    const { c, sleeps } = client({ baseDelayMs: 100, maxDelayMs: 1000 });
    await c.get(paths.roleDefinitions);
    assert.equal(sleeps.length, 3);
    // attempt n waits in [d/2, d] with d = 100·2^(n-1), though the service said 0
    sleeps.forEach((s, i) => assert.ok(s >= 50 * 2 ** i && s <= 100 * 2 ** i, `sleep ${i} = ${s}`));
    // a Retry-After longer than the backoff is what is waited, as above
    emu.setFaults({ throttle: { every: 1, limit: 1, retryAfter: 1 } });
    const b = client({ baseDelayMs: 100, maxDelayMs: 1000, maxRetryAfterMs: 60_000 });
    await b.c.get(paths.roleDefinitions);
    assert.deepEqual(b.sleeps, [1000]);
  });

  it("backs off exponentially with jitter on 503 and dropped connections, within bounds", async () => {
    emu.setFaults({ unavailable: { every: 1, limit: 2 }, drop: { every: 1, limit: 2 } });
    const { c, sleeps, events } = client({ baseDelayMs: 100, maxDelayMs: 150 });
    assert.ok(Array.isArray(await c.list(paths.roleAssignments)));
    assert.equal(sleeps.length, 4);
    // attempt n waits in [d/2, d] with d = min(150, 100·2^(n-1))
    const caps = [100, 150, 150, 150];
    sleeps.forEach((s, i) => assert.ok(s >= caps[i] / 2 && s <= caps[i], `sleep ${i} = ${s}`));
    assert.ok(events.some((e) => /connection failed/.test(e.reason)));
    assert.ok(events.some((e) => /^503/.test(e.reason)));
  });

  it("times out a slow answer and retries a GET", async () => {
    emu.setFaults({ slow: { every: 1, limit: 1, ms: 300 } });
    const { c, events } = client({ timeoutMs: 100 });
    assert.ok(await c.get(paths.roleDefinitions));
    assert.ok(events.some((e) => /no answer within 100 ms/.test(e.reason)));
  });

  it("gives up after maxAttempts with the last status and the request ids", async () => {
    emu.setFaults({ unavailable: { every: 1 } });
    const { c } = client({ maxAttempts: 3 });
    await assert.rejects(c.get(paths.roleDefinitions), (e: GraphError) => {
      assert.ok(e instanceof GraphError);
      assert.equal(e.status, 503);
      assert.equal(e.code, "ServiceUnavailable");
      assert.match(e.message, /gave up after 3 attempt/);
      assert.match(e.requestId ?? "", /^[0-9a-f-]{36}$/);
      return true;
    });
    assert.equal(emu.stats().fired.unavailable, 3);
  });

  it("POST: retries a 429 (nothing was created) but reports every ambiguous outcome instead of posting again", async () => {
    const body = roleCreateBody({
      displayName: "post semantics",
      description: "",
      actions: ["microsoft.xdr/secops/*/read"],
    });
    emu.setFaults({ throttle: { every: 1, limit: 1, retryAfter: 0 } });
    assert.equal((await client().c.post(paths.roleDefinitions, body)).status, 201);

    const cases: [FaultSpec, RegExp][] = [
      [{ ambiguousPost: { every: 1, mode: "redirect" } }, /redirect/],
      [{ ambiguousPost: { every: 1, mode: "500" } }, /500/],
      [{ dropAfterWrite: { every: 1 } }, /connection failed/],
      [{ unavailable: { every: 1, methods: ["POST"] } }, /503/],
      [{ slow: { every: 1, ms: 600, methods: ["POST"] } }, /no answer within/],
    ];
    for (const [spec, reason] of cases) {
      emu.setFaults(spec);
      const before = emu.stats().byRoute["POST /beta/roleManagement/defender/roleDefinitions"] ?? 0;
      await assert.rejects(client({ timeoutMs: 250 }).c.post(paths.roleDefinitions, body), (e: AmbiguousWriteError) => {
        assert.ok(e instanceof AmbiguousWriteError, String(e));
        assert.match(e.reason, reason);
        return true;
      });
      const after = emu.stats().byRoute["POST /beta/roleManagement/defender/roleDefinitions"] ?? 0;
      assert.ok(after - before <= 1, "one POST, never a blind second one");
    }
    emu.setFaults({ ambiguousPost: { every: 1, mode: "redirect" } });
    await assert.rejects(client().c.post(paths.roleDefinitions, body), (e: AmbiguousWriteError) =>
      /^http:\/\/.*\/roleDefinitions\/[0-9a-f-]{36}$/.test(e.location ?? ""),
    );
  });

  it("404: GET is null, DELETE is success, PATCH is an error", async () => {
    const { c } = client();
    assert.equal(await c.get(paths.role("3f1b7c1e-0000-4000-8000-000000000999")), null);
    await c.delete(paths.role("3f1b7c1e-0000-4000-8000-000000000999"));
    await assert.rejects(
      c.patch(paths.role("3f1b7c1e-0000-4000-8000-000000000999"), { description: "x" }),
      (e: GraphError) => e.status === 404,
    );
  });

  it("redacts the token when a service echoes it back in an error", async () => {
    emu.setFaults({ echoAuth: { every: 1 } });
    const { c } = client();
    const e = await c.get(paths.roleDefinitions).then(
      () => undefined,
      (x: unknown) => x,
    );
    assert.ok(e instanceof GraphError);
    assert.match(e.message, /Authorization: Bearer \[REDACTED\]/);
    assertNoSecrets(e, [TOKEN]);
  });

  it("fault specs parse from text and JSON, and counters are deterministic", () => {
    assert.deepEqual(parseFaults("throttle:every=3,retryAfter=0;drop:p=0.25,methods=POST|patch;lag:ms=200;seed=7"), {
      throttle: { every: 3, retryAfter: 0 },
      drop: { p: 0.25, methods: ["POST", "PATCH"] },
      lag: { ms: 200 },
      seed: 7,
    });
    assert.deepEqual(parseFaults('{"unavailable":{"every":2}}'), { unavailable: { every: 2 } });
    assert.throws(() => parseFaults("explode:every=1"), /unknown fault "explode"/);
    const run = () => {
      const f = new FaultEngine({ seed: 42, drop: { p: 0.3 }, throttle: { every: 4 } });
      return Array.from({ length: 40 }, () => `${+f.fires("drop", "GET")}${+f.fires("throttle", "GET")}`).join("");
    };
    assert.equal(run(), run());
  });
});
