/** The activation table of the local tenant store: whether Unified RBAC is on in each workload. */
import type { WorkloadState } from "../backend";
import type { Workload } from "../../core/workloads";
import type { StoreConnection } from "./connection";

export function getActivation(db: StoreConnection): WorkloadState[] {
  const rows = db.sql("SELECT * FROM activation ORDER BY workload").all() as unknown as {
    workload: Workload["appScope"];
    active: number;
    exchange_online: number;
  }[];
  return rows.map((r) => ({
    workload: r.workload,
    active: r.active === 1,
    ...(r.workload === "Mdo" ? { exchangeOnline: r.exchange_online === 1 } : {}),
  }));
}

export function setActivation(db: StoreConnection, state: WorkloadState): WorkloadState {
  return db.transaction(() => {
    writeActivation(db, state);
    return getActivation(db).find((s) => s.workload === state.workload)!;
  });
}

/** Writes one workload's state, inside the caller's transaction. */
export function writeActivation(db: StoreConnection, state: WorkloadState): void {
  db.sql("INSERT OR REPLACE INTO activation (workload, active, exchange_online, modified_at) VALUES (?, ?, ?, ?)").run(
    state.workload,
    state.active ? 1 : 0,
    state.exchangeOnline ? 1 : 0,
    new Date().toISOString(),
  );
}
