/**
 * The SQLite connection of a local tenant store (store.ts): the file's pragmas, nested write
 * transactions and the prepared-statement cache every table module (roles.ts, assignments.ts, …) uses.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import type { DatabaseSync, StatementSync } from "node:sqlite";
import { loadSqlite } from "../sqlite";

export class StoreConnection {
  private readonly db: DatabaseSync;
  private closed = false;
  /** Nesting depth of transaction(): 0 outside, 1 in the outer BEGIN IMMEDIATE, more in savepoints. */
  private depth = 0;
  /** Prepared statements by SQL text: each is compiled once per open store, not once per call. */
  private readonly statements = new Map<string, StatementSync>();

  constructor(readonly file: string) {
    fs.mkdirSync(path.dirname(path.resolve(file)), { recursive: true });
    const { DatabaseSync } = loadSqlite();
    this.db = new DatabaseSync(file);
    try {
      this.db.exec("PRAGMA busy_timeout = 15000");
      this.db.exec("PRAGMA journal_mode = WAL");
      this.db.exec("PRAGMA synchronous = NORMAL");
      this.db.exec("PRAGMA foreign_keys = ON");
    } catch (e) {
      this.db.close(); // a store that refuses to open must not leak its handle
      throw e;
    }
  }

  /**
   * Runs `fn` in one write transaction; the database lock serialises writers across processes.
   * Calls nest (an inner call is a savepoint), so a read-modify-write built from the store's own
   * methods, e.g. `transaction(() => updateRole(id, f(getRole(id))))`, is atomic.
   */
  transaction<T>(fn: () => T): T {
    const outer = this.depth === 0;
    const sp = `sp${this.depth}`;
    this.db.exec(outer ? "BEGIN IMMEDIATE" : `SAVEPOINT ${sp}`);
    this.depth++;
    try {
      const r = fn();
      this.db.exec(outer ? "COMMIT" : `RELEASE ${sp}`);
      return r;
    } catch (e) {
      try {
        this.db.exec(outer ? "ROLLBACK" : `ROLLBACK TO ${sp}; RELEASE ${sp}`);
      } catch {
        // SQLite already rolled the transaction back (e.g. SQLITE_FULL): keep the original error
      }
      throw e;
    } finally {
      this.depth--;
    }
  }

  /** The prepared statement for `text`, compiled on first use. */
  sql(text: string): StatementSync {
    let st = this.statements.get(text);
    if (!st) {
      st = this.db.prepare(text);
      this.statements.set(text, st);
    }
    return st;
  }

  /** A statement used once (schema changes, seeding): not cached. */
  prepare(text: string): StatementSync {
    return this.db.prepare(text);
  }

  exec(text: string): void {
    this.db.exec(text);
  }

  close(): void {
    if (!this.closed) {
      this.closed = true;
      this.db.close();
    }
  }
}
