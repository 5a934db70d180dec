/**
 * Shared helpers for the provider specs that call the provider's methods directly (engine.ts against
 * a fresh local store per test).
 */
import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import { check, configure, create, diff } from "../../provider/engine";
import type { ResourceKind } from "../../provider/engine";
import { TenantStore } from "../../provider/backend/store";
import { tempDir } from "../harness/program";

/** Property bags as tests read them (the handlers type their own). */
export type Props = Record<string, any>;

export type Kind = ResourceKind;
export const U = "04da6b54-80e4-46f7-96ec-b56ff0331ba9";
export const P1 = "8e811502-2c2a-4d1b-9c5e-1f0b2e4f9a10";
export const P2 = "0b1c2d3e-4f50-4a6b-8c7d-9e0f1a2b3c4d";
/** Seeded built-in role "Global administrator" (seed.ts: stable ids). */
export const BUILT_IN_GLOBAL_ADMIN = "00000000-0000-4000-8000-000000000001";

/** A fresh local store for the engine, and a second connection to it for edits behind the provider's back. */
export class Tenant {
  private handle: TenantStore | undefined;
  constructor(readonly file: string) {}

  static async fresh(): Promise<Tenant> {
    const file = path.join(tempDir("handlers"), "tenant.db");
    await configure({ config: { rawConfig: { "defender-rbac:storePath": file } } });
    return new Tenant(file);
  }

  /** Direct access to the store, as another process (the portal, a colleague) would change the tenant. */
  get store(): TenantStore {
    return (this.handle ??= new TenantStore(this.file));
  }

  customRoles() {
    return this.store.listRoles().filter((r) => !r.isBuiltIn);
  }

  /** Every byte SQLite holds for the store (main file, WAL and shared memory). */
  bytes(): Buffer {
    return Buffer.concat(
      ["", "-wal", "-shm"]
        .map((s) => this.file + s)
        .filter((f) => fs.existsSync(f))
        .map((f) => fs.readFileSync(f)),
    );
  }

  close(): void {
    this.handle?.close();
    this.handle = undefined;
  }
}

export async function failuresOf(kind: Kind, news: Props, olds: Props = {}) {
  return (await check(kind, olds, news)).failures ?? [];
}

/** Asserts a check failure on exactly `property` (and, optionally, a reason matching `reason`). */
export async function assertFailure(
  kind: Kind,
  news: Props,
  property: string,
  reason?: RegExp,
  olds: Props = {},
): Promise<string> {
  const failures = await failuresOf(kind, news, olds);
  const f = failures.find((x) => x.property === property);
  assert.ok(f, `expected a failure on "${property}" for ${JSON.stringify(news)}, got ${JSON.stringify(failures)}`);
  if (reason) assert.match(f.reason, reason);
  return f.reason;
}

/** Runs check and asserts it passes; returns the checked inputs. */
export async function checked(kind: Kind, news: Props, olds: Props = {}): Promise<Props> {
  const r = await check(kind, olds, news);
  assert.deepEqual(r.failures ?? [], [], `check of ${kind} ${JSON.stringify(news)} failed`);
  assert.ok(r.inputs);
  return r.inputs;
}

/** check + create, as `pulumi up` does for a new resource. */
export async function up(kind: Kind, news: Props): Promise<{ id: string; outs: Props; inputs: Props }> {
  const inputs = await checked(kind, news);
  const r = await create(kind, inputs);
  return { id: r.id, outs: r.outs, inputs };
}

/** check + diff against the outputs in state, as the engine does for an existing resource. */
export async function planned(kind: Kind, id: string, state: { outs: Props; inputs: Props }, news: Props) {
  const inputs = await checked(kind, news, state.inputs);
  return { inputs, diff: await diff(kind, id, state.outs, inputs) };
}
