/** What the graph backend reports beyond the client's events: reconciles, adoptions, dedupes and read-backs. */
import type { Redactor } from "./errors";

export interface BackendEvent {
  kind: "reconcile" | "adopt" | "dedupe" | "readback";
  detail: string;
}

/** Sends an event to `onEvent` and, with DEFENDER_RBAC_GRAPH_DEBUG set, to stderr (redacted). */
export function eventSink(
  onEvent: ((e: BackendEvent) => void) | undefined,
  redactor: Redactor,
): (e: BackendEvent) => void {
  return (e) => {
    onEvent?.(e);
    if (process.env.DEFENDER_RBAC_GRAPH_DEBUG)
      process.stderr.write(redactor.redact(`defender-rbac graph: ${e.kind}: ${e.detail}\n`));
  };
}
