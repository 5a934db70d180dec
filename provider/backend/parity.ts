/**
 * Parity mode of the local backend: `defender-rbac:parity` makes the embedded tenant behave, at preview,
 * like a Graph tenant, so what works offline predicts what a real tenant accepts:
 *   - `graph`: a tenant whose catalogue lists exactly the shipped catalogue's strings (what the emulator
 *     serves without `--catalogue`);
 *   - a recorded catalogue file (`defender-rbac catalog --backend graph --json > tenant-catalogue.json`,
 *     relative to the program directory): that tenant's catalogue.
 * It takes the graph backend's capabilities (graph/capabilities.ts), so the resources refuse exactly what
 * Graph refuses, with the same messages; its live catalogue is the recorded one, so permissions resolve
 * to the strings that tenant lists (and refuse what it does not list). Roles and assignments are still
 * kept in the local store.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import type { LegacySource } from "../core/legacy";
import { parseRecordedCatalogue, shippedTenantCatalogue } from "./recorded";
import {
  Backend,
  BackendCapabilities,
  BackendConfig,
  CatalogueAction,
  LegacyRoleRecord,
  UnsupportedOperationError,
  WorkloadState,
} from "./backend";
import { NOTES, graphCapabilities } from "./graph/capabilities";
import type { LocalBackend } from "./local";

export interface ParityTarget {
  catalogue: CatalogueAction[];
  /** "graph (shipped catalogue)" or "graph (recorded catalogue <sha> of <source>)". */
  description: string;
}

/** Reads `defender-rbac:parity`: "graph", or a recorded catalogue file. Throws one line naming the key. */
export function parityTarget(value: string, cwd: string): ParityTarget {
  if (value.trim().toLowerCase() === "graph") {
    return {
      catalogue: shippedTenantCatalogue().map((a) => ({
        action: a.action,
        displayName: a.displayName,
        description: a.description,
      })),
      description: "graph (shipped catalogue)",
    };
  }
  const file = path.resolve(cwd, value);
  if (!fs.existsSync(file))
    throw new Error(
      `defender-rbac:parity must be "graph" or a recorded catalogue file (\`defender-rbac catalog --backend graph --json\`); there is no file ${file}.`,
    );
  let rec;
  try {
    rec = parseRecordedCatalogue(fs.readFileSync(file, "utf8"), file);
  } catch (e) {
    throw new Error(`defender-rbac:parity: ${(e as Error).message}`);
  }
  return {
    catalogue: rec.actions.map((a) => ({
      action: a.action,
      ...(a.displayName ? { displayName: a.displayName } : {}),
      ...(a.description ? { description: a.description } : {}),
    })),
    description: `graph (recorded catalogue ${rec.sha256.slice(0, 12)}${rec.source ? ` of ${rec.source}` : ""})`,
  };
}

/** What parity mode leaves to the local store as it is: roles, assignments, and closing the store. */
const STORED = [
  "listRoles",
  "getRole",
  "findRolesByName",
  "createRole",
  "updateRole",
  "deleteRole",
  "listAssignments",
  "getAssignment",
  "createAssignment",
  "updateAssignment",
  "deleteAssignment",
  "close",
] as const;
type Stored = Pick<Backend, (typeof STORED)[number]>;

/** The STORED methods: the local backend's own, bound to it in the constructor. */
export interface ParityBackend extends Stored {}

export class ParityBackend implements Backend {
  readonly name = "local";
  constructor(
    readonly local: LocalBackend,
    readonly target: ParityTarget,
  ) {
    for (const m of STORED) Object.assign(this, { [m]: local[m].bind(local) });
  }

  static wrap(local: LocalBackend, config: Pick<BackendConfig, "settings" | "cwd">): ParityBackend {
    try {
      return new ParityBackend(local, parityTarget(config.settings.parity!, config.cwd));
    } catch (e) {
      void local.close();
      throw e;
    }
  }

  capabilities(): BackendCapabilities {
    return { ...graphCapabilities(), behavesAs: "graph" };
  }

  async listLegacyRoles(source: LegacySource): Promise<LegacyRoleRecord[]> {
    if (!graphCapabilities().legacyImport.includes(source))
      throw new UnsupportedOperationError("graph", `read ${source} roles`, NOTES.legacyImport);
    return this.local.listLegacyRoles(source);
  }

  async getActivation(): Promise<WorkloadState[]> {
    throw new UnsupportedOperationError("graph", "read Unified RBAC activation", NOTES.activation);
  }
  async setActivation(_state: WorkloadState): Promise<WorkloadState> {
    throw new UnsupportedOperationError("graph", "change Unified RBAC activation", NOTES.activation);
  }

  async liveCatalogue(): Promise<CatalogueAction[] | null> {
    return this.target.catalogue;
  }
}
