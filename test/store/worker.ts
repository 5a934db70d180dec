/**
 * Child process for the store's multi-process tests (store.spec.ts). Not a spec: mocha never loads it.
 * It opens the same store file as the parent through the compiled store (dist/provider/backend/store.js)
 * and reports on stdout, one line per event, written synchronously so that a SIGKILL cannot lose a
 * line the parent was meant to see:
 *
 *   ready                  the store is open; for increment/create, waits for "go" on stdin
 *   done <json>            finished (increment, create)
 *   inserted               hold: the uncommitted writes are in, the transaction is still open
 *   committed <n> <id>     loop: row n is committed
 *
 * Usage: node worker.js <mode> <file> [args...]
 *   increment <file> <roleId> <count> <tag>   read-modify-write the role <count> times
 *   create    <file> <count> <tag>            create <count> roles
 *   open      <file>                          open (and so migrate/seed) the store, then exit
 *   hold      <file> <count>                  write <count> roles in one transaction, then block forever
 *   loop      <file> <tag>                    create roles one transaction at a time until killed
 */
import * as fs from "node:fs";
import { TenantStore } from "../../provider/backend/store";

export const LOOP_ACTIONS = 40;

/** The actions of row `n` of a `loop` worker: whole rows are recognisable after a crash. */
export function loopActions(tag: string, n: number): string[] {
  return Array.from({ length: LOOP_ACTIONS }, (_, j) => `urn:defender-rbac:test:${tag}:${n}:${j}`);
}

const say = (line: string) => fs.writeSync(1, `${line}\n`);

/** Blocks the thread, holding whatever locks the process holds. */
const sleepSync = (ms: number) => Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);

function waitForGo(): Promise<void> {
  return new Promise((resolve) => {
    let buf = "";
    process.stdin.on("data", (d) => {
      buf += d;
      if (buf.includes("go\n")) {
        process.stdin.destroy(); // or the open pipe keeps this process alive
        resolve();
      }
    });
  });
}

async function main(): Promise<void> {
  const [mode, file, ...args] = process.argv.slice(2);
  const store = new TenantStore(file);
  switch (mode) {
    case "open": {
      say(`done ${JSON.stringify({ roles: store.listRoles().length })}`);
      break;
    }
    case "increment": {
      const [roleId, count, tag] = args;
      say("ready");
      await waitForGo();
      for (let i = 0; i < Number(count); i++) {
        store.transaction(() => {
          const cur = store.getRole(roleId)!;
          sleepSync(1); // widen the read-modify-write window: without the write lock, updates would be lost
          store.updateRole(roleId, {
            description: String(Number(cur.description) + 1),
            actions: [...cur.actions, `urn:defender-rbac:test:${tag}:${i}`],
          });
        });
      }
      say(`done ${JSON.stringify({ count: Number(count) })}`);
      break;
    }
    case "create": {
      const [count, tag] = args;
      say("ready");
      await waitForGo();
      const ids: string[] = [];
      for (let i = 0; i < Number(count); i++) {
        ids.push(
          store.createRole({
            displayName: `${tag}-${i}`,
            description: tag,
            actions: [`urn:defender-rbac:test:${tag}:${i}`],
          }).id,
        );
      }
      say(`done ${JSON.stringify({ ids })}`);
      break;
    }
    case "hold": {
      const [count] = args;
      store.transaction(() => {
        for (let i = 0; i < Number(count); i++)
          store.createRole({ displayName: `half-${i}`, description: "uncommitted", actions: [] });
        store.setActivation({ workload: "Mde", active: true });
        say("inserted");
        sleepSync(60_000); // the parent SIGKILLs us here, before COMMIT
      });
      say("committed-unexpectedly");
      break;
    }
    case "loop": {
      const [tag] = args;
      for (let n = 0; ; n++) {
        const r = store.createRole({
          displayName: `${tag}-${n}`,
          description: `${tag}:${n}:${LOOP_ACTIONS}`,
          actions: loopActions(tag, n),
        });
        say(`committed ${n} ${r.id}`);
      }
    }
    default:
      throw new Error(`unknown mode ${mode}`);
  }
  store.close();
}

if (require.main === module) {
  main().catch((e) => {
    process.stderr.write(`worker: ${(e as Error).stack}\n`);
    process.exit(1);
  });
}
