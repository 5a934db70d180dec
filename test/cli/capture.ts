/** The `defender-rbac` command run in-process (`run(argv, io)` of provider/cli/program.ts), its output captured. */
import type { Io } from "../../provider/cli/io";
import { run } from "../../provider/cli/program";

export interface Captured {
  code: number;
  out: string[];
  err: string[];
}

/** An Io that keeps the lines each stream is given. */
export function capture(): { io: Io; out: string[]; err: string[] } {
  const out: string[] = [];
  const err: string[] = [];
  return { io: { out: (l) => out.push(l), err: (l) => err.push(l) }, out, err };
}

/** Runs `defender-rbac <argv>` in this process: its exit code and the lines it wrote to stdout and stderr. */
export async function cli(...argv: string[]): Promise<Captured> {
  const c = capture();
  const code = await run(argv, c.io);
  return { code, out: c.out, err: c.err };
}
