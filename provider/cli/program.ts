/** The `defender-rbac` command line, built on commander. `run` is what tests call. */
import { Command, CommanderError } from "commander";
import * as access from "./access";
import * as activationPlan from "./activationPlan";
import * as catalog from "./catalog";
import * as emulator from "./emulator";
import * as exportCmd from "./export";
import * as gitops from "./gitops";
import { Io, Register, processIo } from "./io";
import * as map from "./map";
import * as review from "./review";

/** Every command, in the order `--help` lists them; each module registers its own. */
const COMMANDS: Register[] = [
  map.register,
  catalog.register,
  access.register,
  review.register,
  activationPlan.register,
  exportCmd.register,
  emulator.register,
  gitops.register,
];

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

  for (const register of COMMANDS) register(program, io, setExit);

  try {
    await program.parseAsync(argv, { from: "user" });
  } catch (e) {
    if (e instanceof CommanderError) return e.exitCode === 0 ? 0 : 2;
    io.err(`defender-rbac: ${(e as Error).message}`);
    return 1;
  }
  return exitCode;
}
