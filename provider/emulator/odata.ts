/**
 * The slice of OData `$filter` the emulator understands, compiled to a predicate over entity JSON:
 *   <prop> eq|ne <literal>          displayName eq 'x', id eq 'x', isBuiltIn eq true, roleDefinitionId eq 'x'
 *   startswith(<prop>, 'x')         also endswith / contains
 *   <collection>/any(a: a eq 'x')   principalIds/any(a:a eq '…'), appScopeIds/any(…)
 *   and, or, not, parentheses
 * String comparisons ignore case, as Entra directory filters do (INFERRED for Defender: not documented).
 * Anything else is a `FilterError`, which the server answers 400 like Graph does for a bad clause.
 * Bounds (the emulator's choice; the service's limits are not documented): a clause of at most
 * FILTER_LIMITS.maxLength characters, FILTER_LIMITS.maxTerms comparisons and FILTER_LIMITS.maxDepth
 * levels of nesting, so a hostile clause is a 400, never a stack overflow.
 */

export const FILTER_LIMITS = { maxLength: 4000, maxTerms: 200, maxDepth: 32 };

export class FilterError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "FilterError";
  }
}

type Tok =
  | { t: "str"; v: string }
  | { t: "num"; v: number }
  | { t: "id"; v: string }
  | { t: "p"; v: "(" | ")" | "," | ":" | "/" };

function tokenize(s: string): Tok[] {
  const out: Tok[] = [];
  let i = 0;
  while (i < s.length) {
    const c = s[i];
    if (/\s/.test(c)) {
      i++;
      continue;
    }
    if (c === "'") {
      let v = "";
      i++;
      for (;;) {
        if (i >= s.length) throw new FilterError("unterminated string literal");
        if (s[i] === "'") {
          if (s[i + 1] === "'") {
            v += "'";
            i += 2;
            continue;
          }
          i++;
          break;
        }
        v += s[i++];
      }
      out.push({ t: "str", v });
      continue;
    }
    if ("(),:/".includes(c)) {
      out.push({ t: "p", v: c as "(" });
      i++;
      continue;
    }
    const num = /^-?\d+(\.\d+)?/.exec(s.slice(i));
    if (num && !/[A-Za-z_]/.test(s[i + num[0].length] ?? "")) {
      out.push({ t: "num", v: Number(num[0]) });
      i += num[0].length;
      continue;
    }
    const id = /^[A-Za-z_@$][A-Za-z0-9_@.$]*/.exec(s.slice(i));
    if (id) {
      out.push({ t: "id", v: id[0] });
      i += id[0].length;
      continue;
    }
    throw new FilterError(`unexpected character '${c}' at ${i}`);
  }
  return out;
}

type Env = Record<string, unknown>;
type Expr = (entity: Record<string, unknown>, env: Env) => unknown;

const lower = (v: unknown) => (typeof v === "string" ? v.toLowerCase() : v);
const equal = (a: unknown, b: unknown) => lower(a) === lower(b);

class Parser {
  private i = 0;
  private depth = 0;
  private terms = 0;
  constructor(private readonly toks: Tok[]) {}

  /** Runs `fn` one nesting level deeper, refusing clauses nested beyond the bound. */
  private nested<T>(fn: () => T): T {
    if (++this.depth > FILTER_LIMITS.maxDepth)
      throw new FilterError(`the clause is nested more than ${FILTER_LIMITS.maxDepth} levels deep`);
    try {
      return fn();
    } finally {
      this.depth--;
    }
  }

  parse(): Expr {
    const e = this.or();
    if (this.i < this.toks.length) throw new FilterError(`unexpected ${this.show(this.toks[this.i])}`);
    return e;
  }

  private show(t: Tok | undefined): string {
    return t ? (t.t === "str" ? `'${t.v}'` : String(t.v)) : "end of clause";
  }

  private peek(): Tok | undefined {
    return this.toks[this.i];
  }

  private isWord(w: string): boolean {
    const t = this.peek();
    return !!t && t.t === "id" && t.v.toLowerCase() === w;
  }

  private expectP(v: string): void {
    const t = this.toks[this.i++];
    if (!t || t.t !== "p" || t.v !== v) throw new FilterError(`expected '${v}' but found ${this.show(t)}`);
  }

  private or(): Expr {
    let l = this.and();
    while (this.isWord("or")) {
      this.i++;
      const a = l;
      const b = this.and();
      l = (e, env) => !!a(e, env) || !!b(e, env);
    }
    return l;
  }

  private and(): Expr {
    let l = this.unary();
    while (this.isWord("and")) {
      this.i++;
      const a = l;
      const b = this.unary();
      l = (e, env) => !!a(e, env) && !!b(e, env);
    }
    return l;
  }

  private unary(): Expr {
    if (this.isWord("not")) {
      this.i++;
      const x = this.nested(() => this.unary());
      return (e, env) => !x(e, env);
    }
    if (++this.terms > FILTER_LIMITS.maxTerms)
      throw new FilterError(`the clause has more than ${FILTER_LIMITS.maxTerms} terms`);
    return this.comparison();
  }

  private comparison(): Expr {
    const left = this.operand();
    const t = this.peek();
    if (t && t.t === "id" && ["eq", "ne"].includes(t.v.toLowerCase())) {
      this.i++;
      const right = this.operand();
      return t.v.toLowerCase() === "eq"
        ? (e, env) => equal(left(e, env), right(e, env))
        : (e, env) => !equal(left(e, env), right(e, env));
    }
    if (t && t.t === "id" && ["gt", "ge", "lt", "le", "in", "has"].includes(t.v.toLowerCase())) {
      throw new FilterError(`the operator '${t.v}' is not supported`);
    }
    return left;
  }

  private operand(): Expr {
    const t = this.toks[this.i++];
    if (!t) throw new FilterError("unexpected end of clause");
    if (t.t === "str") return () => t.v;
    if (t.t === "num") return () => t.v;
    if (t.t === "p" && t.v === "(") {
      const e = this.nested(() => this.or());
      this.expectP(")");
      return e;
    }
    if (t.t !== "id") throw new FilterError(`unexpected ${this.show(t)}`);
    const word = t.v.toLowerCase();
    if (word === "true") return () => true;
    if (word === "false") return () => false;
    if (word === "null") return () => null;
    const next = this.peek();
    if (next && next.t === "p" && next.v === "(") {
      if (!["startswith", "endswith", "contains"].includes(word))
        throw new FilterError(`the function '${t.v}' is not supported`);
      this.i++;
      const a = this.operand();
      this.expectP(",");
      const b = this.operand();
      this.expectP(")");
      return (e, env) => {
        const x = lower(a(e, env));
        const y = lower(b(e, env));
        if (typeof x !== "string" || typeof y !== "string") return false;
        return word === "startswith" ? x.startsWith(y) : word === "endswith" ? x.endsWith(y) : x.includes(y);
      };
    }
    // property path, possibly a lambda: prop/any(x: …)
    const name = t.v;
    if (next && next.t === "p" && next.v === "/") {
      this.i++;
      const fn = this.toks[this.i++];
      if (!fn || fn.t !== "id" || !["any", "all"].includes(fn.v.toLowerCase()))
        throw new FilterError(`only ${name}/any(…) and ${name}/all(…) are supported`);
      this.expectP("(");
      const v = this.toks[this.i++];
      if (!v || v.t !== "id") throw new FilterError("expected a lambda variable");
      this.expectP(":");
      const body = this.nested(() => this.or());
      this.expectP(")");
      const isAny = fn.v.toLowerCase() === "any";
      return (e, env) => {
        const arr = e[name];
        if (!Array.isArray(arr)) return false;
        const test = (x: unknown) => !!body(e, { ...env, [v.v]: x });
        return isAny ? arr.some(test) : arr.every(test);
      };
    }
    return (e, env) => (name in env ? env[name] : e[name]);
  }
}

/** Compiles a `$filter` clause; throws FilterError for anything outside the supported slice. */
export function compileFilter(clause: string): (entity: Record<string, unknown>) => boolean {
  if (clause.length > FILTER_LIMITS.maxLength)
    throw new FilterError(`the clause is longer than ${FILTER_LIMITS.maxLength} characters`);
  const expr = new Parser(tokenize(clause)).parse();
  return (entity) => !!expr(entity, {});
}
