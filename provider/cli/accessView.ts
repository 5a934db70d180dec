/** What the access renderers share: the selected part of a report, and how a principal is named. */
import type { AccessGrant, AccessPrincipal, AccessReport } from "../core/access";

/** The selected part of a report, ready to render. */
export interface AccessView {
  title: string;
  report: AccessReport;
  grants: AccessGrant[];
  principals: AccessPrincipal[];
  /** Principals asked for by --principal that hold nothing. */
  empty: AccessPrincipal[];
  assumptions: string[];
}

export function principalLabel(p: AccessPrincipal): string {
  const extra = [p.kind, p.userPrincipalName].filter((x) => x && x !== "unknown");
  return p.displayName === p.id
    ? `${p.id}${extra.length ? ` (${extra.join(", ")})` : ""}`
    : `${p.displayName} (${[...extra, p.id].join(", ")})`;
}
