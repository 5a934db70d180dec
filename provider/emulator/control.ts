/** Control endpoints (no auth, no faults): GET /_emulator/health, GET|POST /_emulator/faults, GET|POST /_emulator/options, GET /_emulator/stats. */
import { EmulatorBehaviour, checkBehaviour } from "./behaviour";
import type { FaultEngine, FaultSpec } from "./faults";
import type { Reply } from "./http";

/** What the control endpoints read and change. */
export interface Controlled {
  readonly faults: FaultEngine;
  readonly byRoute: Map<string, number>;
  behaviour: EmulatorBehaviour;
  setFaults(spec: FaultSpec | string | null): void;
}

export function control(emu: Controlled, method: string, path: string, raw: string): Reply {
  const json = (): unknown => (raw.trim() ? JSON.parse(raw) : {});
  try {
    switch (`${method} ${path.replace(/\/+$/, "")}`) {
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
