import { createHash } from 'node:crypto';
import { readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/**
 * Synthesized stack texts shared by the test files of one run of a tier: the
 * same settings variants are synthesized in several files (every variant in
 * fsbp, deployer-policy, root-module and first-boot-egress; the defaults in
 * most stack files), and a stack synth costs 0.1 s idle. 454 synths, 231
 * distinct, in a unit-tier run (measured 2026-11-23; docs/design-notes.md,
 * "Performance"). A folder per run (unit-setup.js makes it, unit-teardown.js
 * removes it), one file per synth, keyed by the stack and the parsed settings;
 * without the folder (a file run on its own outside jest's global setup) the
 * text is only kept for the file, as memo.ts keeps it.
 */
const DIR = process.env.RANCHER_TEST_SYNTH_SHARE;

const fileOf = (key: string) => join(DIR!, createHash('sha256').update(key).digest('hex'));

/** The text another test file of this run synthesized under `key`; undefined when none did. */
export function sharedText(key: string): string | undefined {
  if (!DIR) return undefined;
  try {
    return readFileSync(fileOf(key), 'utf8');
  } catch {
    return undefined;
  }
}

/** Shares `text` under `key` with the other test files of this run. */
export function shareText(key: string, text: string): string {
  if (!DIR) return text;
  // Written whole or not at all, for a reader in the other worker.
  writeFileSync(`${fileOf(key)}.${process.pid}`, text);
  renameSync(`${fileOf(key)}.${process.pid}`, fileOf(key));
  return text;
}
