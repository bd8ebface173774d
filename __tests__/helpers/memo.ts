/**
 * Results of external tools and stack synths kept for the rest of one test
 * file (jest gives each test file its own copy of this module): the same user
 * data, scripts, expressions and settings recur across a file's tests, and
 * each run of cloud-init, yamllint or terraform, or each stack synth, costs
 * 0.05-0.4 s. Keyed by everything the result depends on (the tool, its
 * arguments and the exact input); the tools and the code do not change
 * during a run.
 */
const inFile = new Map<string, unknown>();

/** What this test file already kept under `key`; undefined when nothing was. */
export function cachedResult<T>(key: string): T | undefined {
  return inFile.get(key) as T | undefined;
}

/** Keeps `result` under `key` for the rest of this test file. */
export function keepResult<T>(key: string, result: T): T {
  inFile.set(key, result);
  return result;
}

/** The kept result under `key`, or `compute()`'s, kept. */
export function runCached<T>(key: string, compute: () => T): T {
  // A kept null is a result too.
  return inFile.has(key) ? (inFile.get(key) as T) : keepResult(key, compute());
}
