/**
 * The known key a mistyped one most likely meant, for "did you mean" in the
 * unknown-setting message: the same key in another spelling (case, `_`, `-`:
 * `no_proxy` for `noProxy`), or the closest by edit distance when at most two
 * edits away (one for short keys, so `tls` does not suggest `tag`).
 */
export function nearestKey(key: string, known: readonly string[]): string | undefined {
  const folded = fold(key);
  const same = known.find((k) => fold(k) === folded);
  if (same !== undefined) return same;
  const budget = folded.length <= 4 ? 1 : 2;
  let best: string | undefined;
  let bestDistance = budget + 1;
  for (const candidate of known) {
    const d = editDistance(folded, fold(candidate), budget);
    if (d < bestDistance) [best, bestDistance] = [candidate, d];
  }
  return best;
}

/**
 * The known keys that have `key` as one of their words (`schedule` in `scheduleCron`, `name` in `clusterName`): a
 * setting perhaps named by a part of its name. A weaker sign than nearestKey's: the reader weighs it (by the value
 * given) before offering one.
 */
export function keysWithWord(key: string, known: readonly string[]): string[] {
  const folded = fold(key);
  return known.filter((k) => wordsOf(k).includes(folded));
}

/** A key's words, folded: `scheduleCron` is schedule and cron, `registry_mirrors` registry and mirrors. */
const wordsOf = (key: string) =>
  key
    .split(/(?=[A-Z])|[-_]/)
    .map((word) => word.toLowerCase())
    .filter((word) => word.length > 0);

const fold = (key: string) => key.toLowerCase().replace(/[-_]/g, '');

/** The same key in another spelling (case, `_`, `-`). */
export const sameKey = (a: string, b: string): boolean => fold(a) === fold(b);

/** Levenshtein distance with adjacent transpositions, stopped early above `limit` (returns limit + 1). */
function editDistance(a: string, b: string, limit: number): number {
  if (Math.abs(a.length - b.length) > limit) return limit + 1;
  // Keys beyond this length are never settings; a long hostile key must not cost a quadratic table.
  if (a.length > 64 || b.length > 64) return limit + 1;
  let previous2: number[] = [];
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i += 1) {
    const row = [i];
    for (let j = 1; j <= b.length; j += 1) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      row[j] = Math.min(previous[j] + 1, row[j - 1] + 1, previous[j - 1] + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) row[j] = Math.min(row[j], previous2[j - 2] + 1);
    }
    if (Math.min(...row) > limit) return limit + 1;
    [previous2, previous] = [previous, row];
  }
  return previous[b.length];
}
