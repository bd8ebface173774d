import { createHash } from 'node:crypto';
import { readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/**
 * Results of external tools and stack synths, kept in memory for the rest of
 * the test file and shared by the test files of one jest run (a folder
 * global-setup.js creates for the run, global-teardown.js removes): the same
 * user data, scripts, expressions and settings recur in many files, and each
 * run of cloud-init, yamllint or terraform, or each stack synth, costs
 * 0.05-0.4 s. Keyed by everything the result depends on (the tool, its
 * arguments and the exact input); the tools and the code do not change
 * during a run.
 */
const DIR = process.env.RANCHER_TEST_VALIDATOR_CACHE;

const fileOf = (key: string) => join(DIR!, createHash('sha256').update(key).digest('hex'));

/** What this test file already has, by key (jest gives each test file its own copy of this module). */
const inFile = new Map<string, unknown>();

/** What this test file or an earlier one of this run kept under `key`; undefined when none did. */
export function cachedResult<T>(key: string): T | undefined {
  if (inFile.has(key)) return inFile.get(key) as T;
  if (!DIR) return undefined;
  try {
    const kept = JSON.parse(readFileSync(fileOf(key), 'utf8')) as T;
    inFile.set(key, kept);
    return kept;
  } catch {
    return undefined;
  }
}

/** Keeps `result` under `key` for the rest of this test file and the other test files of this run. */
export function keepResult<T>(key: string, result: T): T {
  inFile.set(key, result);
  if (!DIR) return result;
  // Written whole or not at all, for a reader in the other worker.
  writeFileSync(`${fileOf(key)}.${process.pid}`, JSON.stringify(result));
  renameSync(`${fileOf(key)}.${process.pid}`, fileOf(key));
  return result;
}

/** The kept result under `key`, or `compute()`'s, kept. */
export function runCached<T>(key: string, compute: () => T): T {
  const kept = cachedResult<T>(key);
  // A kept null is a result too.
  return kept !== undefined ? kept : keepResult(key, compute());
}
