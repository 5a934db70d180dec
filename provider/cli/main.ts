#!/usr/bin/env node
import { run } from "./program";

// `defender-rbac catalog | head`: the reader went away; stop writing quietly instead of crashing.
process.stdout.on("error", (e: NodeJS.ErrnoException) => {
  if (e.code !== "EPIPE") throw e;
});

run(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (e) => {
    process.stderr.write(`defender-rbac: ${(e as Error).message}\n`);
    process.exitCode = 1;
  },
);
