/** The pure domain core: no IO, no Pulumi. */
export * from "./errors";
export * from "./names";
export * from "./catalogue";
export * from "./labels";
export * from "./normalise";
export * from "./resolve";
export * from "./legacy";
export * from "./mapping";
export * from "./scope";
export * from "./activation";
export * from "./workloads";
export * from "./directory";
export * from "./access";
export * from "./effectiveAccess";
export * from "./accessChange";
