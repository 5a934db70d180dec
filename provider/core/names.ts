/**
 * Name matching shared by the catalogue and the legacy tables. Microsoft's pages spell the same thing
 * several ways (en dash or hyphen, "Global reader" or "Global Reader", doubled spaces, "\" with or
 * without spaces), so every lookup goes through one folding function, and misses get suggestions.
 */

/** Folds a display name for comparison: case, dashes, quotes, ampersands and white space. */
export function foldName(s: string): string {
  return s
    .normalize("NFKC")
    .toLowerCase()
    .replace(/[\u2010-\u2015\u2212]/g, "-") // en dash, em dash, minus → hyphen
    .replace(/[\u2018\u2019]/g, "'")
    .replace(/\s*-\s*/g, " - ")
    .replace(/\s*\\\s*/g, " \\ ")
    .replace(/\s*&\s*/g, " & ")
    .replace(/\s+/g, " ")
    .trim();
}

/** Levenshtein distance, bounded work for short strings. */
export function editDistance(a: string, b: string): number {
  if (a === b) return 0;
  const prev = new Array<number>(b.length + 1);
  for (let j = 0; j <= b.length; j++) prev[j] = j;
  for (let i = 1; i <= a.length; i++) {
    let diag = prev[0];
    prev[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const tmp = prev[j];
      prev[j] = Math.min(prev[j] + 1, prev[j - 1] + 1, diag + (a[i - 1] === b[j - 1] ? 0 : 1));
      diag = tmp;
    }
  }
  return prev[b.length];
}

/**
 * The closest candidates to `input`: substring matches first, then by edit distance. Returns at most
 * `limit` distinct display strings.
 */
export function suggest(input: string, candidates: readonly string[], limit = 3): string[] {
  const q = foldName(input);
  const scored = candidates.map((c) => {
    const f = foldName(c);
    const contains = f.includes(q) || (q.length > 3 && q.includes(f));
    const words = q.split(/[ \\()]+/).filter((w) => w.length > 2);
    const shared = words.filter((w) => f.includes(w)).length;
    const score = (contains ? 0 : 1000) + editDistance(q, f) - shared * 4;
    return { c, score };
  });
  scored.sort((x, y) => x.score - y.score || x.c.localeCompare(y.c));
  const out: string[] = [];
  for (const { c } of scored) {
    if (!out.includes(c)) out.push(c);
    if (out.length >= limit) break;
  }
  return out;
}
