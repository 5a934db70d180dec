/**
 * The permission catalogue the emulator serves (resourceNamespaces?$expand=resourceActions) and
 * accepts in role writes: by default the shipped catalogue's strings (backend/recorded.ts
 * shippedTenantCatalogue), or a tenant's recorded catalogue (`--catalogue FILE`), so a user replays
 * their own tenant offline: what it lists is served and accepted, and nothing else.
 */
import * as fs from "node:fs";
import { isPrivilegedAction } from "../core/catalogue";
import { RecordedAction, RecordedCatalogue, parseRecordedCatalogue, shippedTenantCatalogue } from "../backend/recorded";

export interface ServedCatalogue {
  actions: Required<RecordedAction>[];
  /** Lower-cased action strings a role write may use. */
  valid: ReadonlySet<string>;
  /** "shipped catalogue", or the recorded catalogue's source and hash. */
  source: string;
}

export function servedCatalogue(recorded?: RecordedCatalogue | string): ServedCatalogue {
  if (recorded === undefined) {
    const actions = shippedTenantCatalogue();
    return { actions, valid: new Set(actions.map((a) => a.action.toLowerCase())), source: "shipped catalogue" };
  }
  const rec =
    typeof recorded === "string" ? parseRecordedCatalogue(fs.readFileSync(recorded, "utf8"), recorded) : recorded;
  const actions = rec.actions.map((a) => {
    const text = a.displayName ?? a.description ?? a.action;
    return {
      action: a.action,
      displayName: text,
      description: a.description ?? text,
      isPrivileged: a.isPrivileged ?? isPrivilegedAction(a.action),
    };
  });
  return {
    actions,
    valid: new Set(actions.map((a) => a.action.toLowerCase())),
    source: `recorded catalogue ${rec.sha256.slice(0, 12)}${rec.source ? ` of ${rec.source}` : ""}${rec.recordedAt ? ` (${rec.recordedAt})` : ""}`,
  };
}
