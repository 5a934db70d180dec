/** The emulator's behaviour switches, settable at start and at run time (POST /_emulator/options). */
export interface EmulatorBehaviour {
  /** Default page size of every collection (default 3). */
  pageSize: number;
  /** What a successful PATCH answers: 204 (Graph convention, default), 200 with the entity, or alternately. */
  patchResponse: "204" | "200" | "alternate";
  /** Reject `@odata.type` on assignment POST with the measured 400. */
  strict: boolean;
  /** Answer dataops actions with the measured 400 "… is not a valid permission for storage". */
  rejectDataops: boolean;
  /** A tenant where Unified RBAC is not active: roleDefinitions and roleAssignments answer 403 (measured). */
  inactive: boolean;
}

export function checkBehaviour(b: EmulatorBehaviour): EmulatorBehaviour {
  if (!Number.isInteger(b.pageSize) || b.pageSize < 1) throw new Error("pageSize must be a positive integer");
  if (!["204", "200", "alternate"].includes(String(b.patchResponse)))
    throw new Error("patchResponse must be 204, 200 or alternate");
  return {
    pageSize: b.pageSize,
    patchResponse: String(b.patchResponse) as EmulatorBehaviour["patchResponse"],
    strict: !!b.strict,
    rejectDataops: !!b.rejectDataops,
    inactive: !!b.inactive,
  };
}
