/**
 * `defender-rbac emulator`: serves the Graph beta /roleManagement/defender surface on 127.0.0.1 from
 * a local tenant store (emulator/server.ts), until interrupted. Point the graph backend at it with
 *   DEFENDER_RBAC_GRAPH_URL=<printed url> DEFENDER_RBAC_GRAPH_TOKEN=<anything>
 * (or `pulumi config set defender-rbac:graphUrl <url>`).
 */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { Option } from "commander";
import { storePathFor } from "../backend/local";
import { TenantStore } from "../backend/store";
import { startEmulator, type EmulatorBehaviour, type RunningEmulator } from "../emulator/server";
import type { Io, Register } from "./io";

export interface EmulatorCommandOptions {
  port?: string;
  store?: string;
  seed?: string;
  faults?: string;
  pageSize?: string;
  patchResponse?: EmulatorBehaviour["patchResponse"];
  strict?: boolean;
  rejectDataops?: boolean;
  inactive?: boolean;
  https?: boolean;
  caFile?: string;
  catalogue?: string;
  verbose?: boolean;
  controlToken?: string;
}

/** Starts the emulator and resolves when `stop` resolves (by default: SIGINT or SIGTERM). */
export async function emulatorCommand(
  opts: EmulatorCommandOptions,
  io: Io,
  stop?: (emu: RunningEmulator) => Promise<void>,
): Promise<number> {
  const port = opts.port === undefined ? 0 : Number(opts.port);
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    io.err(`defender-rbac emulator: --port must be a port number (got "${opts.port}")`);
    return 2;
  }
  const pageSize = opts.pageSize === undefined ? undefined : Number(opts.pageSize);
  if (pageSize !== undefined && (!Number.isInteger(pageSize) || pageSize < 1)) {
    io.err(`defender-rbac emulator: --page-size must be a positive integer (got "${opts.pageSize}")`);
    return 2;
  }
  const file = opts.store ? path.resolve(opts.store) : storePathFor({ settings: {}, cwd: process.cwd() });
  let store: TenantStore | undefined;
  let emu: RunningEmulator | undefined;
  try {
    store = new TenantStore(file);
    emu = await startEmulator({
      port,
      store,
      seed: opts.seed,
      faults: opts.faults,
      pageSize,
      patchResponse: opts.patchResponse,
      strict: !!opts.strict,
      rejectDataops: !!opts.rejectDataops,
      inactive: !!opts.inactive,
      https: !!opts.https,
      catalogue: opts.catalogue ? path.resolve(opts.catalogue) : undefined,
      log: opts.verbose ? (l) => io.err(l) : undefined,
      controlToken: opts.controlToken || process.env.DEFENDER_RBAC_EMULATOR_TOKEN || undefined,
    });
    io.out(`DEFENDER_RBAC_GRAPH_URL=${emu.url}`);
    io.out(`DEFENDER_RBAC_EMULATOR_TOKEN=${emu.controlToken}`);
    if (emu.caPem) {
      const caFile = path.resolve(opts.caFile ?? path.join(os.tmpdir(), `defender-rbac-emulator-ca-${emu.port}.pem`));
      fs.writeFileSync(caFile, emu.caPem, { mode: 0o644 });
      io.out(`NODE_EXTRA_CA_CERTS=${caFile}`);
      io.err(
        `  https:   the certificate authority is in ${caFile}; trust it with NODE_EXTRA_CA_CERTS (Node) or your trust store`,
      );
    }
    io.err(`Graph emulator for /beta/roleManagement/defender listening on ${emu.url} (store ${file})`);
    io.err(`  catalogue: ${emu.catalogue}`);
    io.err(
      `  use it:  export DEFENDER_RBAC_GRAPH_URL=${emu.url} DEFENDER_RBAC_GRAPH_TOKEN=emulator; pulumi config set defender-rbac:backend graph`,
    );
    io.err(
      `  faults:  curl -X POST ${emu.url}/_emulator/faults -H "X-Emulator-Token: $DEFENDER_RBAC_EMULATOR_TOKEN" ` +
        `-H 'Content-Type: application/json' -d '{"throttle":{"every":3,"retryAfter":1}}'`,
    );
    io.err("Press Ctrl+C to stop.");
    await (stop ? stop(emu) : untilSignal());
    return 0;
  } catch (e) {
    io.err(`defender-rbac emulator: ${(e as Error).message}`);
    return 1;
  } finally {
    await emu?.close();
    store?.close();
  }
}

function untilSignal(): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      process.off("SIGINT", done);
      process.off("SIGTERM", done);
      resolve();
    };
    process.on("SIGINT", done);
    process.on("SIGTERM", done);
  });
}

export const register: Register = (program, io, setExit) => {
  program
    .command("emulator")
    .description(
      "Serve a local emulator of Microsoft Graph beta /roleManagement/defender (for tests and offline work), backed by a local tenant store.",
    )
    .option("--port <n>", "port on 127.0.0.1 (default: a free port, printed)")
    .option("--store <file>", "tenant store to serve (default: DEFENDER_RBAC_STORE or .defender-rbac/tenant.db)")
    .option("--seed <file>", "JSON seed applied at start (the shape `defender-rbac export --format json` prints)")
    .option(
      "--faults <spec>",
      'fault injection, e.g. "throttle:every=3,retryAfter=1;drop:p=0.05;lag:ms=300;ambiguousPost:every=4;seed=7"',
    )
    .option(
      "--catalogue <file>",
      "serve a tenant's recorded catalogue (written by `defender-rbac catalog --backend graph --json`) and accept only its strings",
    )
    .option("--page-size <n>", "page size of every collection (default 3, so clients always page)")
    .addOption(
      new Option("--patch-response <code>", "what a successful PATCH answers").choices(["204", "200", "alternate"]),
    )
    .option("--strict", "reject @odata.type on assignment POST with the 400 measured on live tenants")
    .option(
      "--reject-dataops",
      'answer dataops permissions with the measured 400 "… is not a valid permission for storage"',
    )
    .option(
      "--inactive",
      "emulate a tenant where Unified RBAC is not active (roleDefinitions and roleAssignments answer 403)",
    )
    .option(
      "--https",
      "serve https with a certificate generated at start (its CA file is printed as NODE_EXTRA_CA_CERTS=…)",
    )
    .option(
      "--ca-file <file>",
      "with --https: where to write the CA certificate (default: a file in the temp directory)",
    )
    .option(
      "--control-token <secret>",
      "the secret the /_emulator control endpoints want in X-Emulator-Token (default: DEFENDER_RBAC_EMULATOR_TOKEN, else a random one, printed)",
    )
    .option("--verbose", "log every request to standard error")
    .action(async (opts: EmulatorCommandOptions) => setExit(await emulatorCommand(opts, io)));
};
