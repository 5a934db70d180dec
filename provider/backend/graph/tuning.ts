/** Tuning of the graph backend: the `defender-rbac:graph*` settings as numbers. */
import { ConfigError } from "../configError";
import type { RetryOptions } from "./client";

const num = (settings: Record<string, string>, key: string): number | undefined => {
  const v = settings[key];
  if (v === undefined || v === "") return undefined;
  const n = Number(v);
  if (!Number.isFinite(n) || n < 0)
    throw new ConfigError(
      `defender-rbac:${key} must be a non-negative number (got "${v}"); set it to one, or remove it`,
    );
  return n;
};

/** The retry and consistency settings of a config (`defender-rbac:graph*`). */
export function tuningFrom(settings: Record<string, string>): {
  retry: Partial<RetryOptions>;
  consistencyWaitMs?: number;
} {
  return {
    retry: {
      maxAttempts: num(settings, "graphMaxAttempts"),
      baseDelayMs: num(settings, "graphRetryBaseMs"),
      maxDelayMs: num(settings, "graphRetryMaxMs"),
      maxRetryAfterMs: num(settings, "graphMaxRetryAfterMs"),
      timeoutMs: num(settings, "graphTimeoutMs"),
    },
    consistencyWaitMs: num(settings, "graphConsistencyWaitMs"),
  };
}
