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
export function countSteps<T>(run: () => T, budget: number, arrays: readonly unknown[] = []): { result: T; steps: number } {
  // The arrays of this realm, and of the realms the given arrays come from: the unit tier evaluates installed
  // packages once per worker (scripts/jest-runtime.js), so a package's arrays may have another Array.prototype.
  const prototypes = [...new Set([Array.prototype, ...arrays.map((a) => Object.getPrototypeOf(a))])] as Record<
    string,
    (...args: unknown[]) => unknown
  >[];
  const originals = prototypes.map((prototype) => new Map(METHODS.map((name) => [name, prototype[name]])));
  let steps = 0;
  const step = () => {
    if (++steps > budget) throw new StepBudgetExceeded(`more than ${budget} steps`);
  };
  prototypes.forEach((prototype, i) => {
    for (const [name, original] of originals[i]) {
      prototype[name] = function (this: unknown, callback?: unknown, ...rest: unknown[]) {
        if (typeof callback !== 'function') return original.call(this, callback, ...rest);
        const counted = function (this: unknown, ...args: unknown[]) {
          step();
          return (callback as (...a: unknown[]) => unknown).apply(this, args);
        };
        return original.call(this, counted, ...rest);
      };
    }
  });
  try {
    return { result: run(), steps };
  } finally {
    prototypes.forEach((prototype, i) => {
      for (const [name, original] of originals[i]) prototype[name] = original;
    });
  }
}
