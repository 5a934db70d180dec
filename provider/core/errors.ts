/**
 * Errors as data: every problem the domain core finds is an `Issue` with a stable code, the path of
 * the property at fault and a message that says how to fix it. The handlers turn issues into check
 * failures (property = path), the CLI into messages and a non-zero exit.
 */
export type IssueCode =
  | "unknown_permission"
  | "ambiguous_permission"
  | "invalid_level"
  | "unknown_action"
  | "unknown_legacy_role"
  | "unknown_source"
  | "unsupported_legacy_permission"
  | "invalid_scope"
  | "invalid_principal"
  | "invalid_value"
  | "activation_lockout"
  | "activation_dependency"
  | "backend_unsupported";

export interface Issue {
  code: IssueCode;
  /** Property path, e.g. ["permissions", 2]. Empty for the whole object. */
  path: (string | number)[];
  message: string;
  /** Closest valid names, when the input looked like a typo. */
  suggestions?: string[];
}

export function formatPath(path: (string | number)[]): string {
  return path.reduce<string>((acc, p) => (typeof p === "number" ? `${acc}[${p}]` : acc ? `${acc}.${p}` : p), "");
}

export function formatIssue(issue: Issue): string {
  const where = issue.path.length ? `${formatPath(issue.path)}: ` : "";
  return `${where}${issue.message}`;
}

/** Result of a pure operation that can fail: a value, or the issues that prevented it. */
export type Result<T> = { ok: true; value: T } | { ok: false; issues: Issue[] };

/**
 * A refusal meant for the user (a lockout, a cascading delete, a bad adopt found at create): its message
 * says what was refused and how to go on, and its `stack` is that message alone, so it is printed without
 * frames (engine.ts keeps the dynamic-provider server from echoing it as a trace).
 */
export class Refusal extends Error {
  constructor(message: string) {
    super(message);
    this.name = "Refusal";
    Object.defineProperty(this, "stack", { value: message, writable: true, configurable: true, enumerable: false });
  }
}

/** True for a Refusal, also one made by another copy of this package. */
export function isRefusal(e: unknown): e is Refusal {
  return e instanceof Refusal || (e instanceof Error && e.name === "Refusal");
}
