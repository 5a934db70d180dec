/**
 * The dynamic-provider process stops when the engine is gone.
 *
 * The `pulumi` CLI starts the dynamic-provider server (through a `sh` wrapper) with the address of the
 * engine's gRPC endpoint as its argument. When the CLI dies (kill -9, a crashed CI runner), nothing
 * stops that process: it is re-parented and finishes the creates it was given, and the objects land in
 * the tenant with no state to record them. So, inside that server only, this module probes the
 * engine's address every `intervalMs`; once the address has answered and then refuses a connection
 * (nothing listens there any more), or the process is re-parented, it exits at once, so no write
 * starts after the CLI died. `beforeWrite` probes once more right before each create, update and delete.
 */
import * as net from "node:net";

export interface LifelineOptions {
  /** The engine's address, `host:port` (the server's first argument). */
  address: string;
  intervalMs?: number;
  /** What to do when the engine is gone (default: exit the process with status 1). */
  onGone?: (why: string) => void;
}

type Probe = "alive" | "gone" | "unknown";

function probe(host: string, port: number, timeoutMs: number): Promise<Probe> {
  return new Promise((resolve) => {
    const sock = net.connect({ host, port });
    const done = (p: Probe) => {
      sock.removeAllListeners();
      sock.on("error", () => undefined);
      sock.destroy();
      resolve(p);
    };
    sock.setTimeout(timeoutMs, () => done("unknown"));
    sock.once("connect", () => done("alive"));
    sock.once("error", (e: NodeJS.ErrnoException) => done(e.code === "ECONNREFUSED" ? "gone" : "unknown"));
  });
}

export class Lifeline {
  private readonly host: string;
  private readonly port: number;
  private readonly ppid = process.ppid;
  private armed = false;
  private timer: NodeJS.Timeout | undefined;
  private gone = false;

  constructor(private readonly opts: LifelineOptions) {
    const m = /^(.*):(\d+)$/.exec(opts.address.trim());
    this.host = m ? m[1].replace(/^\[|\]$/g, "") : "";
    this.port = m ? Number(m[2]) : 0;
  }

  /** True when the address can be watched (a real port; the test harness passes port 0). */
  get watchable(): boolean {
    return this.host !== "" && this.port > 0;
  }

  start(): this {
    if (!this.watchable || this.timer) return this;
    const tick = async () => {
      await this.check();
      if (!this.gone) this.timer = setTimeout(tick, this.opts.intervalMs ?? 500).unref();
    };
    void tick();
    return this;
  }

  stop(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
  }

  /**
   * Probes the engine now; calls onGone when it is gone. Resolves true while the engine is alive. Calls
   * made while a probe is on the wire share it (the engine runs many creates at once: one connection
   * answers for all of them, started at most one loopback round trip before the call that joins it).
   */
  check(): Promise<boolean> {
    if (this.gone) return Promise.resolve(false);
    if (!this.watchable) return Promise.resolve(true);
    if (!this.inFlight)
      this.inFlight = this.probeOnce().finally(() => {
        this.inFlight = undefined;
      });
    return this.inFlight;
  }

  private inFlight: Promise<boolean> | undefined;

  private async probeOnce(): Promise<boolean> {
    if (process.ppid !== this.ppid) return this.lost(`re-parented (parent ${this.ppid} exited)`);
    const p = await probe(this.host, this.port, 2000);
    if (p === "alive") this.armed = true;
    if (p === "gone" && this.armed) return this.lost(`the engine at ${this.opts.address} refuses connections`);
    return true;
  }

  private lost(why: string): false {
    this.gone = true;
    this.stop();
    (this.opts.onGone ?? defaultGone)(why);
    return false;
  }
}

function defaultGone(why: string): void {
  process.stderr.write(`pulumi-defender-rbac: the Pulumi engine is gone (${why}); stopping the provider\n`);
  process.exit(1);
}

let current: Lifeline | undefined;

/**
 * The lifeline of this process when it is the SDK's dynamic-provider server (started once, on first
 * use); undefined in any other process (tests, the CLI), which keep running as before.
 */
export function processLifeline(): Lifeline | undefined {
  if (current) return current;
  const main = process.argv[1] ?? "";
  if (!/[\\/]cmd[\\/]dynamic-provider([\\/]index(\.js)?)?$/.test(main)) return undefined;
  const address = process.argv[2];
  if (!address) return undefined;
  current = new Lifeline({ address }).start();
  return current;
}

/** Before a write: the engine must still be there (no-op outside the dynamic-provider server). */
export async function beforeWrite(): Promise<void> {
  const l = processLifeline();
  if (l && !(await l.check())) throw new Error("the Pulumi engine is gone; the write was not started");
}
