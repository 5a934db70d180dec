/**
 * Preloaded into every Node process of a benchmark run (`NODE_OPTIONS=--require …/peak.js`).
 *  - BENCH_PEAK_DIR: records the process's peak resident memory (getrusage maxrss) and CPU time, keyed by what the
 *    process is (`provider`: the dynamic-provider plugin; `program`: the Pulumi program; `other`). It
 *    writes at start, ten times a second and on exit (the engine ends a plugin without letting it exit).
 *  - BENCH_CPU_PROF_DIR: records a V8 CPU profile of the process (what `--cpu-prof` would, which
 *    NODE_OPTIONS does not accept), written when the process exits or is interrupted.
 */
import * as fs from "node:fs";
import * as path from "node:path";

const main = process.argv[1] ?? "";
const role = /dynamic-provider/.test(main) ? "provider" : /[\\/]cmd[\\/]run/.test(main) ? "program" : "other";

const peakDir = process.env.BENCH_PEAK_DIR;
if (peakDir) {
  const file = path.join(peakDir, `${role}-${process.pid}.json`);
  const write = () => {
    try {
      const u = process.resourceUsage();
      const cpuMs = (u.userCPUTime + u.systemCPUTime) / 1000;
      fs.writeFileSync(file, JSON.stringify({ role, main, maxRssKb: u.maxRSS, cpuMs }));
    } catch {
      // the run's directory is gone: nothing to record
    }
  };
  // The engine ends a plugin with SIGKILL, so the last record written is the one that counts: one at once
  // (a process ended early still has a figure) and then ten a second (at most 100 ms of CPU go uncounted).
  write();
  setInterval(write, 100).unref();
  process.on("exit", write);
}

const profDir = process.env.BENCH_CPU_PROF_DIR;
if (profDir && role !== "other") {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const inspector = require("node:inspector") as typeof import("node:inspector");
  const session = new inspector.Session();
  session.connect();
  session.post("Profiler.setSamplingInterval", { interval: 1000 });
  session.post("Profiler.enable");
  session.post("Profiler.start");
  let done = false;
  const stop = () => {
    if (done) return;
    done = true;
    // an in-process session answers synchronously, so this completes inside an exit handler
    session.post("Profiler.stop", (err, res) => {
      if (!err) fs.writeFileSync(path.join(profDir, `${role}-${process.pid}.cpuprofile`), JSON.stringify(res.profile));
    });
  };
  process.on("exit", stop);
  for (const sig of ["SIGINT", "SIGTERM"] as const)
    process.on(sig, () => {
      stop();
      process.exit(128 + (sig === "SIGINT" ? 2 : 15));
    });
}
