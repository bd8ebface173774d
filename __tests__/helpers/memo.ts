/**
 * Results of external tools and stack synths kept for the rest of one test
 * file (jest gives each test file its own copy of this module): the same user
 * data, scripts, expressions and settings recur across a file's tests, and
 * each run of cloud-init, yamllint or terraform, or each stack synth, costs
 * 0.05-0.4 s. Keyed by everything the result depends on (the tool, its
 * arguments and the exact input); the tools and the code do not change
 * during a run. A tool's result can also be shared with the other files of
 * the run (runShared, below).
 */
import { sharedText, shareText } from './synth-share';

const inFile = new Map<string, unknown>();

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

/**
 * The result of an external tool kept under `key` by this test file, or by another test file of this run of the
 * tier (synth-share.ts's folder, as JSON); undefined when none did. For results that are a function of the key alone
 * (the tool, its arguments and the exact input, as above): the same default stack's user data, scripts, conditions
 * and root modules are checked by several files, and each run of terraform, cloud-init, yamllint or shellcheck
 * costs 0.05-0.5 s of CPU.
 */
export function cachedShared<T>(key: string): T | undefined {
  if (inFile.has(key)) return inFile.get(key) as T;
  const text = sharedText(`tool result\0${key}`);
  return text === undefined ? undefined : keepResult(key, JSON.parse(text) as T);
}

/** Keeps `result` (plain JSON) under `key` for the rest of this test file and for the other files of this run. */
export function keepShared<T>(key: string, result: T): T {
  shareText(`tool result\0${key}`, JSON.stringify(result));
  return keepResult(key, result);
}

/** The result kept under `key` by this or another test file of this run (cachedShared), or `compute()`'s, shared. */
export function runShared<T>(key: string, compute: () => T): T {
  const kept = cachedShared<T>(key);
  return kept !== undefined ? kept : keepShared(key, compute());
}
