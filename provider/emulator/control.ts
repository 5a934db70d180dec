/**
 * Control endpoints (no faults): GET /_emulator/health is open; GET|POST|DELETE /_emulator/faults,
 * GET|POST /_emulator/options and GET /_emulator/stats need the emulator's control token in
 * `X-Emulator-Token` (a random secret printed at start, or the one given), and a POST a JSON
 * content type: a web page cannot forge either (a cross-origin text/plain form POST is refused), so a
 * browser on this machine cannot switch faults on.
 */
import { timingSafeEqual } from "node:crypto";
import { EmulatorBehaviour, checkBehaviour } from "./behaviour";
import type { FaultEngine, FaultSpec } from "./faults";
import type { Reply } from "./http";

/** What the control endpoints read and change. */
export interface Controlled {
  readonly faults: FaultEngine;
  readonly byRoute: Map<string, number>;
  behaviour: EmulatorBehaviour;
  setFaults(spec: FaultSpec | string | null): void;
  readonly controlToken: string;
}

function safeEqual(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

export function control(
  emu: Controlled,
  method: string,
  path: string,
  raw: string,
  headers: { token?: string; contentType?: string } = {},
): Reply {
  const json = (): unknown => (raw.trim() ? JSON.parse(raw) : {});
  const route = `${method} ${path.replace(/\/+$/, "")}`;
  if (route !== "GET /_emulator/health") {
    if (!headers.token || !safeEqual(headers.token, emu.controlToken))
      return {
        status: 401,
        body: {
          error: {
            code: "Unauthorized",
            message: "the control endpoints need the emulator's control token in X-Emulator-Token (printed at start)",
          },
        },
      };
    if ((method === "POST" || method === "PUT") && !/^application\/json\b/i.test(headers.contentType ?? ""))
      return {
        status: 415,
        body: {
          error: { code: "UnsupportedMediaType", message: "control requests must be Content-Type: application/json" },
        },
      };
  }
  try {
    switch (route) {
      case "GET /_emulator/health":
        return { status: 200, body: { ok: true } };
      case "GET /_emulator/faults":
        return { status: 200, body: emu.faults.current };
      case "POST /_emulator/faults":
      case "PUT /_emulator/faults": {
        const b = json() as { spec?: string } | FaultSpec;
        emu.setFaults(
          typeof (b as { spec?: unknown }).spec === "string" ? (b as { spec: string }).spec : (b as FaultSpec),
        );
        return { status: 200, body: emu.faults.current };
      }
      case "DELETE /_emulator/faults":
        emu.setFaults({});
        return { status: 200, body: {} };
      case "GET /_emulator/options":
        return { status: 200, body: emu.behaviour };
      case "POST /_emulator/options":
        emu.behaviour = checkBehaviour({ ...emu.behaviour, ...(json() as Partial<EmulatorBehaviour>) });
        return { status: 200, body: emu.behaviour };
      case "GET /_emulator/stats":
        return { status: 200, body: { ...emu.faults.stats(), byRoute: Object.fromEntries(emu.byRoute) } };
      default:
        return {
          status: 404,
          body: { error: { code: "NotFound", message: `no control endpoint ${method} ${path}` } },
        };
    }
  } catch (e) {
    return { status: 400, body: { error: { code: "BadRequest", message: (e as Error).message } } };
  }
}
