/**
 * A configuration problem (a stack config key, an environment variable, a custom backend module): one
 * line that names the setting and says how to fix it. It carries no stack frames, since its `stack` is
 * that same line, and the engine keeps the dynamic-provider server from echoing it as a trace
 * (engine.ts), so `pulumi preview`, `up`, `refresh` and `destroy` print exactly that line.
 */
export class ConfigError extends Error {
  constructor(message: string) {
    super(message.replace(/\s*\n\s*/g, " ").trim());
    this.name = "ConfigError";
    Object.defineProperty(this, "stack", {
      value: `${this.name}: ${this.message}`,
      writable: true,
      configurable: true,
      enumerable: false,
    });
  }
}

/** True for a ConfigError, also one made by another copy of this package (a custom backend's). */
export function isConfigError(e: unknown): e is ConfigError {
  return e instanceof ConfigError || (e instanceof Error && e.name === "ConfigError");
}
