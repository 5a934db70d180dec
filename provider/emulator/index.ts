/** The Graph emulator: `startEmulator` for tests and tools, `defender-rbac emulator` on the command line. */
export { startEmulator, EmulatorOptions, EmulatorBehaviour, EmulatorStats, RunningEmulator } from "./server";
export { FaultSpec, FaultRule, FaultEngine, parseFaults } from "./faults";
export { SeedData, applySeed, readSeedFile } from "./seed";
export { compileFilter, FilterError } from "./odata";
