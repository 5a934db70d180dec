/** The `defender-rbac` command line, built on commander. `run` is what tests call. */
import { Command, CommanderError, Option } from "commander";
import { catalogCommand, liveCatalogCommand } from "./catalog";
import { withTenantOptions } from "./tenant";
import { mapCommand } from "./map";

export interface Io {
  out(line: string): void;
  err(line: string): void;
}

export const processIo: Io = {
  out: (l) => process.stdout.write(`${l}\n`),
  err: (l) => process.stderr.write(`${l}\n`),
};

const collect = (value: string, previous: string[] = []) => [...previous, value];

/** Extra commands (export, emulator) register here, so each stays in its own file. */
export type CommandInstaller = (program: Command, io: Io, setExit: (code: number) => void) => void;
const installers: CommandInstaller[] = [];
export function addCommand(installer: CommandInstaller): void {
  installers.push(installer);
}

export async function run(argv: string[], io: Io = processIo): Promise<number> {
  let exitCode = 0;
  const setExit = (c: number) => {
    exitCode = c;
  };
  const program = new Command()
    .name("defender-rbac")
    .description(
      "Microsoft Defender XDR Unified RBAC: map legacy roles, list the permission catalogue, export a tenant.",
    )
    .exitOverride()
    .configureOutput({ writeOut: (s) => io.out(s.replace(/\n$/, "")), writeErr: (s) => io.err(s.replace(/\n$/, "")) });

  program
    .command("map")
    .description("Show the Unified RBAC permissions that legacy roles map to (Microsoft's migration tables).")
    .addOption(new Option("--from <source>", "legacy model: mde, mdo, mdi or entra").makeOptionMandatory())
    .requiredOption(
      "--role <name>",
      "legacy role or permission (repeat; for mde, the permissions of one custom role)",
      collect,
    )
    .option("--json", "print one JSON object")
    .option("--explain", "show which legacy entry produced which permission")
    .action((opts) => setExit(mapCommand(opts, io)));

  withTenantOptions(
    program
      .command("catalog")
      .description(
        "List the unified permissions with their levels, action strings and provenance; with --backend graph, the tenant's own catalogue.",
      )
      .option("--json", "print one JSON object"),
  ).action(async (opts) => setExit(opts.backend ? await liveCatalogCommand(opts, io) : catalogCommand(opts, io)));

  for (const install of installers) install(program, io, setExit);

  try {
    await program.parseAsync(argv, { from: "user" });
  } catch (e) {
    if (e instanceof CommanderError) return e.exitCode === 0 ? 0 : 2;
    io.err(`defender-rbac: ${(e as Error).message}`);
    return 1;
  }
  return exitCode;
}
