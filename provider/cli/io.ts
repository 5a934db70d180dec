/**
 * What the `defender-rbac` commands write to and how they register: the one module every command file
 * and program.ts share, so no command imports program.ts (and program.ts imports the commands).
 */
import type { Command } from "commander";

/** Where a command writes its lines; tests pass one that captures them. */
export interface Io {
  out(line: string): void;
  err(line: string): void;
}

export const processIo: Io = {
  out: (l) => process.stdout.write(`${l}\n`),
  err: (l) => process.stderr.write(`${l}\n`),
};

/** Each command module exports one of these as `register`: it adds its command to `program`; its action reports the exit code through `setExit`. */
export type Register = (program: Command, io: Io, setExit: (code: number) => void) => void;
