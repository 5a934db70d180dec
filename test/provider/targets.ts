/**
 * The tenants a program can be checked against, side by side: the Graph backend through the emulator
 * (with or without a recorded catalogue) and the local backend (plain, or in parity mode with the
 * same catalogue). Used to show that what works offline predicts what a real tenant accepts.
 */
import * as path from "node:path";
import * as engine from "../../provider/engine";
import { RunningEmulator, startEmulator } from "../../provider/emulator";
import type { Raw as Props } from "../../provider/handlers/common";
import { TOKEN } from "../graph/helpers";
import { tempDir } from "../harness/program";

/** The recorded catalogue fixture: the shipped strings plus marked fixture-only strings for unpublished permissions. */
export const FIXTURE_CATALOGUE = path.resolve(
  __dirname,
  "..",
  "..",
  "..",
  "test",
  "fixtures",
  "recorded-catalogue.json",
);

export type TargetName = "local" | "graph" | "graph+catalogue" | "local parity" | "local parity+catalogue";

export class Targets {
  private emus: Partial<Record<"graph" | "graph+catalogue", RunningEmulator>> = {};
  private stores: Partial<Record<TargetName, string>> = {};
  private readonly saved = process.env.DEFENDER_RBAC_GRAPH_TOKEN;

  async start(): Promise<void> {
    this.emus.graph = await startEmulator({ pageSize: 50 });
    this.emus["graph+catalogue"] = await startEmulator({ pageSize: 50, catalogue: FIXTURE_CATALOGUE });
    process.env.DEFENDER_RBAC_GRAPH_TOKEN = TOKEN;
  }

  async stop(): Promise<void> {
    await engine.configure(undefined);
    if (this.saved === undefined) delete process.env.DEFENDER_RBAC_GRAPH_TOKEN;
    else process.env.DEFENDER_RBAC_GRAPH_TOKEN = this.saved;
    for (const e of Object.values(this.emus)) await e?.close();
  }

  config(target: TargetName): Record<string, string> {
    const store = (this.stores[target] ??= path.join(tempDir("targets"), "tenant.db"));
    switch (target) {
      case "local":
        return { "defender-rbac:storePath": store };
      case "local parity":
        return { "defender-rbac:storePath": store, "defender-rbac:parity": "graph" };
      case "local parity+catalogue":
        return { "defender-rbac:storePath": store, "defender-rbac:parity": FIXTURE_CATALOGUE };
      default:
        return {
          "defender-rbac:backend": "graph",
          "defender-rbac:graphUrl": this.emus[target]!.url,
          "defender-rbac:graphRetryBaseMs": "2",
          "defender-rbac:graphConsistencyWaitMs": "250",
        };
    }
  }

  /** `check` of one resource on a target: its failures (undefined when it passes) and computed inputs. */
  async check(target: TargetName, kind: engine.ResourceKind, news: Props) {
    await engine.configure({ config: { rawConfig: this.config(target) } });
    const r = await engine.check(kind, {}, news);
    return { failures: r.failures, inputs: r.inputs ?? {} };
  }
}
