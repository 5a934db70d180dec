/**
 * The dynamic-provider process compiles this package and its dependencies (zod, the catalogue, the store,
 * the Graph client) afresh on every `pulumi` run: a few hundred milliseconds of each preview, up and
 * refresh. Node's module compile cache (`module.enableCompileCache`, Node 22.1 and later) keeps V8's code
 * cache on disk, so later runs skip most of that compilation. It is an optimisation only: it never
 * throws, it changes no behaviour, its directory is `NODE_COMPILE_CACHE` (default: `node-compile-cache`
 * under the system temporary directory), and `NODE_DISABLE_COMPILE_CACHE=1` turns it off. Imported first by
 * engine.ts, so it covers every module the provider loads after it; the program's process is the user's
 * and is left alone.
 */
import * as nodeModule from "node:module";

const enable = (nodeModule as { enableCompileCache?: () => unknown }).enableCompileCache;
if (typeof enable === "function") {
  try {
    enable();
  } catch {
    // an optimisation: a runtime where it fails runs as before
  }
}
