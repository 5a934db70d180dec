/**
 * Loads node:sqlite (Node >= 22.5) without printing its "experimental feature" warning into every
 * Pulumi preview, and with a clear error on an older Node.
 */
import type * as Sqlite from "node:sqlite";

let cached: typeof Sqlite | undefined;

export function loadSqlite(): typeof Sqlite {
  if (cached) return cached;
  const original = process.emitWarning;
  process.emitWarning = ((warning: string | Error, ...rest: unknown[]) => {
    const text = typeof warning === "string" ? warning : warning?.message;
    if (typeof text === "string" && text.includes("SQLite")) return;
    return (original as (...a: unknown[]) => void).call(process, warning, ...rest);
  }) as typeof process.emitWarning;
  try {
    cached = require("node:sqlite") as typeof Sqlite;
    return cached;
  } catch (e) {
    throw new Error(
      `the local backend needs node:sqlite, which Node ${process.versions.node} lacks: use Node 22 or later ` +
        `(${(e as Error).message})`,
    );
  } finally {
    process.emitWarning = original;
  }
}
