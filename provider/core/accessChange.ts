/** What changes in effective access (core/access.ts) between two reports, and on turning a workload on or off. */
import { AccessGrant, AccessInput, AccessReport, AccessWorkload, GrantSource, comparePlace } from "./access";
import { effectiveAccess } from "./effectiveAccess";

export interface AccessChange {
  principalId: string;
  workload: AccessWorkload;
  permission: string;
  label: string;
  privileged: boolean;
  change: "gained" | "lost";
  /** Provenance after the change (gained) or before it (lost). */
  sources: GrantSource[];
}

/**
 * What changes between two reports: grants gained and lost, per principal, privileged ones first
 * within each principal. A grant whose sources change but which is held before and after is not a change.
 */
export function diffAccess(before: AccessReport, after: AccessReport): AccessChange[] {
  const key = (g: AccessGrant) => `${g.principalId}|${g.workload}|${g.permission}`;
  const b = new Map(before.grants.map((g) => [key(g), g]));
  const a = new Map(after.grants.map((g) => [key(g), g]));
  const out: AccessChange[] = [];
  const add = (g: AccessGrant, change: "gained" | "lost") =>
    out.push({
      principalId: g.principalId,
      workload: g.workload,
      permission: g.permission,
      label: g.label,
      privileged: g.privileged,
      change,
      sources: g.sources,
    });
  for (const [k, g] of a) if (!b.has(k)) add(g, "gained");
  for (const [k, g] of b) if (!a.has(k)) add(g, "lost");
  return out.sort(
    (x, y) =>
      x.principalId.localeCompare(y.principalId) ||
      Number(y.privileged) - Number(x.privileged) ||
      (x.change === y.change ? 0 : x.change === "gained" ? -1 : 1) ||
      comparePlace(x, y),
  );
}

/** The access change of turning `workload` on (or off) now, all else equal. */
export function activationChange(input: AccessInput, workload: AccessWorkload, activeAfter = true): AccessChange[] {
  const set = (on: boolean) => [...input.activation.filter((s) => s.workload !== workload), { workload, active: on }];
  return diffAccess(
    effectiveAccess({ ...input, activation: set(!activeAfter) }),
    effectiveAccess({ ...input, activation: set(activeAfter) }),
  );
}
