/**
 * Fault injection for the emulator, repeatable by construction: each rule fires either on every Nth
 * request it matches (`every`, a deterministic counter) or with probability `p` drawn from a seeded
 * RNG (`seed`, default 1), optionally at most `limit` times and only for some `methods`.
 *
 * Faults, in the order they are considered for an API request:
 *   drop            the socket is destroyed before the request runs (the client sees a reset)
 *   throttle        429 TooManyRequests with Retry-After (`retryAfter` seconds, default 1; `retryAfterDate`
 *                   sends an HTTP date instead)
 *   unavailable     503 ServiceUnavailable, Retry-After when `retryAfter` is set
 *   echoAuth        400 whose message repeats the request's Authorization header (a badly behaved
 *                   service, to prove the client redacts what it is told)
 *   — the request runs —
 *   ambiguousPost   a POST that created its object is answered with a redirect to an http:// Location
 *                   (`mode: "redirect"`, the measured Defender behaviour) or a 500 (`mode: "500"`), or
 *                   alternately (`"alternate"`)
 *   dropAfterWrite  a write that ran is answered by destroying the socket
 *   slow            the answer is delayed by `ms` (after the request ran: a client that times out
 *                   has to cope with a write that happened)
 *   lag             read-after-write lag: for `ms` after a create, GET of the object answers 404; after an
 *                   update, GET answers the previous version
 *
 * Textual form (CLI `--faults`, also accepted by the control endpoint):
 *   "throttle:every=3,retryAfter=0;unavailable:every=5;drop:p=0.1;lag:ms=200;ambiguousPost:every=2,mode=redirect;seed=7"
 * `methods=POST|PATCH` restricts a rule. JSON (`{"throttle":{"every":3}}`) is accepted too.
 */

export interface FaultRule {
  /** Fire on every Nth matching request (deterministic). */
  every?: number;
  /** Fire with this probability (seeded RNG). */
  p?: number;
  /** Fire at most this many times. */
  limit?: number;
  /** Only for these HTTP methods (upper case). */
  methods?: string[];
}

export interface FaultSpec {
  seed?: number;
  drop?: FaultRule;
  throttle?: FaultRule & { retryAfter?: number; retryAfterDate?: boolean };
  unavailable?: FaultRule & { retryAfter?: number };
  echoAuth?: FaultRule;
  ambiguousPost?: FaultRule & { mode?: "redirect" | "500" | "alternate" };
  dropAfterWrite?: FaultRule;
  slow?: FaultRule & { ms?: number };
  lag?: { ms: number };
}

export type FaultName = Exclude<keyof FaultSpec, "seed" | "lag">;
export const FAULT_NAMES: readonly FaultName[] = [
  "drop",
  "throttle",
  "unavailable",
  "echoAuth",
  "ambiguousPost",
  "dropAfterWrite",
  "slow",
];

const DEFAULT_METHODS: Partial<Record<FaultName, string[]>> = {
  ambiguousPost: ["POST"],
  dropAfterWrite: ["POST", "PATCH", "DELETE"],
};

/** mulberry32: a small, good-enough seeded PRNG. */
export function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function coerce(v: string): unknown {
  if (/^-?\d+(\.\d+)?$/.test(v)) return Number(v);
  if (v === "true") return true;
  if (v === "false") return false;
  return v;
}

/** Parses the textual or JSON form; throws with a readable message on anything unknown. */
export function parseFaults(spec: string | FaultSpec | undefined | null): FaultSpec {
  if (!spec) return {};
  let out: Record<string, unknown>;
  if (typeof spec === "object") out = { ...spec };
  else {
    const s = spec.trim();
    if (s === "" || s === "none") return {};
    if (s.startsWith("{")) out = JSON.parse(s);
    else {
      out = {};
      for (const part of s
        .split(";")
        .map((x) => x.trim())
        .filter(Boolean)) {
        const m = /^([A-Za-z]+)\s*(?::(.*)|=(.*))?$/.exec(part);
        if (!m) throw new Error(`fault "${part}" is not name:key=value,…`);
        if (m[3] !== undefined) {
          out[m[1]] = coerce(m[3].trim());
          continue;
        }
        const rule: Record<string, unknown> = {};
        for (const kv of (m[2] ?? "")
          .split(",")
          .map((x) => x.trim())
          .filter(Boolean)) {
          const [k, v] = kv.split("=").map((x) => x.trim());
          if (!k || v === undefined) throw new Error(`fault option "${kv}" in "${part}" is not key=value`);
          rule[k] = k === "methods" ? v.split("|").map((x) => x.toUpperCase()) : coerce(v);
        }
        out[m[1]] = rule;
      }
    }
  }
  for (const k of Object.keys(out)) {
    if (k !== "seed" && k !== "lag" && !(FAULT_NAMES as readonly string[]).includes(k)) {
      throw new Error(`unknown fault "${k}"; faults are ${[...FAULT_NAMES, "lag", "seed"].join(", ")}`);
    }
  }
  if (out.lag !== undefined && (typeof out.lag !== "object" || typeof (out.lag as { ms?: unknown }).ms !== "number"))
    throw new Error("lag needs ms, e.g. lag:ms=200");
  return out as FaultSpec;
}

export interface FaultStats {
  requests: number;
  fired: Record<FaultName, number>;
}

/** Decides, request by request, which faults fire. */
export class FaultEngine {
  private spec: FaultSpec = {};
  private random: () => number = rng(1);
  private counters = new Map<FaultName, number>();
  private firedCount = new Map<FaultName, number>();
  private requests = 0;
  private alternate = 0;

  constructor(spec?: string | FaultSpec) {
    this.set(spec);
  }

  /** Replaces the spec and resets counters and the RNG. */
  set(spec: string | FaultSpec | undefined | null): void {
    this.spec = parseFaults(spec ?? {});
    this.random = rng(this.spec.seed ?? 1);
    this.counters.clear();
    this.firedCount.clear();
    this.requests = 0;
    this.alternate = 0;
  }

  get current(): FaultSpec {
    return this.spec;
  }

  get lagMs(): number {
    return this.spec.lag?.ms ?? 0;
  }

  countRequest(): void {
    this.requests++;
  }

  /** Whether fault `name` fires for a request with this method (advances its counter when it applies). */
  fires(name: FaultName, method: string): boolean {
    const rule = this.spec[name] as FaultRule | undefined;
    if (!rule) return false;
    const methods = rule.methods ?? DEFAULT_METHODS[name];
    if (methods && !methods.includes(method.toUpperCase())) return false;
    const fired = this.firedCount.get(name) ?? 0;
    if (rule.limit !== undefined && fired >= rule.limit) return false;
    const n = (this.counters.get(name) ?? 0) + 1;
    this.counters.set(name, n);
    let hit = false;
    if (rule.every && rule.every > 0) hit = n % rule.every === 0;
    if (!hit && rule.p !== undefined && rule.p > 0) hit = this.random() < rule.p;
    if (hit) this.firedCount.set(name, fired + 1);
    return hit;
  }

  /** For ambiguousPost: which answer to give this time. */
  ambiguousMode(): "redirect" | "500" {
    const m = this.spec.ambiguousPost?.mode ?? "redirect";
    if (m === "alternate") return this.alternate++ % 2 === 0 ? "redirect" : "500";
    return m;
  }

  stats(): FaultStats {
    const fired = Object.fromEntries(FAULT_NAMES.map((n) => [n, this.firedCount.get(n) ?? 0])) as Record<
      FaultName,
      number
    >;
    return { requests: this.requests, fired };
  }
}
