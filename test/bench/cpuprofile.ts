/**
 * Reads V8 `.cpuprofile` files (node --cpu-prof) and names where a process spent its time: self time per
 * function, and per source area (this package's files, the Pulumi SDK, zod, node internals, …).
 */
import * as fs from "node:fs";

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  hitCount?: number;
  children?: number[];
}
interface Profile {
  nodes: ProfileNode[];
  startTime: number;
  endTime: number;
  samples?: number[];
  timeDeltas?: number[];
}

export interface ProfileSummary {
  /** CPU time: every sample but idle ones. */
  totalMs: number;
  /** Self time per function ("name file:line"), largest first. */
  functions: { name: string; ms: number }[];
  /** Self time per area, largest first. */
  areas: { area: string; ms: number }[];
}

/** Where a script URL belongs. */
export function areaOf(url: string): string {
  if (!url) return "(native / idle / gc)";
  if (url.startsWith("node:")) return "node internals";
  const m = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url);
  if (m) return m[1];
  const p = /dist\/provider\/([^/]+)/.exec(url);
  if (p) return `provider/${p[1].replace(/\.js$/, "")}`;
  return "other";
}

export function summarise(files: string[], top = 12): ProfileSummary {
  const fn = new Map<string, number>();
  const area = new Map<string, number>();
  let total = 0;
  for (const f of files) {
    const prof = JSON.parse(fs.readFileSync(f, "utf8")) as Profile;
    const byId = new Map(prof.nodes.map((n) => [n.id, n]));
    const self = new Map<number, number>();
    const samples = prof.samples ?? [];
    const deltas = prof.timeDeltas ?? [];
    for (let i = 0; i < samples.length; i++) {
      const us = deltas[i + 1] ?? 0; // a sample's time is the gap to the next one
      self.set(samples[i], (self.get(samples[i]) ?? 0) + us);
    }
    for (const [id, us] of self) {
      const n = byId.get(id)!;
      const ms = us / 1000;
      const name = n.callFrame.functionName || "(anonymous)";
      if (name !== "(idle)") total += ms;
      if (name === "(idle)" || name === "(program)" || name === "(garbage collector)") {
        fn.set(name, (fn.get(name) ?? 0) + ms);
        area.set(name, (area.get(name) ?? 0) + ms);
        continue;
      }
      const where = n.callFrame.url.replace(/^.*\/(node_modules|dist)\//, "$1/");
      const key = `${name} ${where}:${n.callFrame.lineNumber + 1}`;
      fn.set(key, (fn.get(key) ?? 0) + ms);
      const a = areaOf(n.callFrame.url);
      area.set(a, (area.get(a) ?? 0) + ms);
    }
  }
  const sorted = (m: Map<string, number>) => [...m].sort((a, b) => b[1] - a[1]);
  return {
    totalMs: total,
    functions: sorted(fn)
      .slice(0, top)
      .map(([name, ms]) => ({ name, ms })),
    areas: sorted(area)
      .slice(0, top)
      .map(([a, ms]) => ({ area: a, ms })),
  };
}
