#!/usr/bin/env node
import { run } from "./program";
import "./commands";

run(process.argv.slice(2)).then(
  (code) => { process.exitCode = code; },
  (e) => { process.stderr.write(`defender-rbac: ${(e as Error).message}\n`); process.exitCode = 1; },
);
