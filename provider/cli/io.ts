/**
 * What the `defender-rbac` commands write to and how they register: the one module every command file
 * and program.ts share, so no command imports program.ts (and program.ts imports the commands).
 */
import * as fs from "node:fs";
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

/**
 * A command's result: to `output` when `-o` names a file (ending in one newline, and `wrote` reported on
 * stderr), else printed on stdout.
 */
export function emit(io: Io, text: string, output: string | undefined, wrote: string): void {
  const body = text.replace(/\n*$/, "");
  if (output) {
    fs.writeFileSync(output, `${body}\n`);
    io.err(wrote);
  } else io.out(body);
}
