/** The array methods whose callback runs once per element looked at (sort's comparator once per comparison). */
const METHODS = ['every', 'filter', 'find', 'findIndex', 'findLast', 'findLastIndex', 'flatMap', 'forEach', 'map', 'reduce', 'some', 'sort'] as const;

/** A step budget that ran out: the work grew past what the test allows. */
export class StepBudgetExceeded extends Error {}

/**
 * Runs `run` and counts its steps: the calls of the callbacks it (and the libraries it calls) hands to the array
 * methods, sort's comparisons included. A measure of work, the same on a quiet and a loaded machine, for code that
 * loops through those methods (the YAML parser's key check, the CIDR merge); a test bounds it instead of the time.
 * Past `budget` the next step throws StepBudgetExceeded, so a quadratic regression fails at once rather than after
 * minutes; the count is also returned.
 */
export function countSteps<T>(run: () => T, budget: number): { result: T; steps: number } {
  const prototype = Array.prototype as unknown as Record<string, (...args: unknown[]) => unknown>;
  const originals = new Map(METHODS.map((name) => [name, prototype[name]]));
  let steps = 0;
  const step = () => {
    if (++steps > budget) throw new StepBudgetExceeded(`more than ${budget} steps`);
  };
  for (const [name, original] of originals) {
    prototype[name] = function (this: unknown, callback?: unknown, ...rest: unknown[]) {
      if (typeof callback !== 'function') return original.call(this, callback, ...rest);
      const counted = function (this: unknown, ...args: unknown[]) {
        step();
        return (callback as (...a: unknown[]) => unknown).apply(this, args);
      };
      return original.call(this, counted, ...rest);
    };
  }
  try {
    return { result: run(), steps };
  } finally {
    for (const [name, original] of originals) prototype[name] = original;
  }
}
