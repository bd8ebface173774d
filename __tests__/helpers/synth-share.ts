import { createHash } from 'node:crypto';
import { closeSync, openSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
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
 *
 * One worker synthesizes a key at a time (sharedSynth): the slowest files
 * start together on the two workers and synthesize the same variants in the
 * same order (fsbp and partitions: every variant at describe time), so
 * without a claim both synthesized most of them.
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

/** How long a worker waits for a key another one claimed before it synthesizes the key itself (a claimer killed mid-synth). */
const CLAIM_WAIT_MS = 60_000;
const POLL_MS = 10;
const pause = new Int32Array(new SharedArrayBuffer(4));

/**
 * The text under `key`: another test file's of this run, or `synthesize()`'s,
 * then shared. While another worker synthesizes the same key (its claim, a
 * file made with O_EXCL, is there), this one waits for its text instead of
 * synthesizing it too. A claim lasts one synth, which waits for nothing, so
 * two workers cannot wait on each other; a synth that throws drops its claim,
 * and the waiter then synthesizes and throws the same.
 */
export function sharedSynth(key: string, synthesize: () => string): string {
  if (!DIR) return synthesize();
  const claim = `${fileOf(key)}.claim`;
  const deadline = Date.now() + CLAIM_WAIT_MS;
  for (;;) {
    const shared = sharedText(key);
    if (shared !== undefined) return shared;
    if (claimed(claim)) {
      try {
        // Shared between the read and the claim by a worker that has just dropped its own.
        return sharedText(key) ?? shareText(key, synthesize());
      } finally {
        rmSync(claim, { force: true });
      }
    }
    if (Date.now() > deadline) return shareText(key, synthesize());
    Atomics.wait(pause, 0, 0, POLL_MS);
  }
}

function claimed(claim: string): boolean {
  try {
    closeSync(openSync(claim, 'wx'));
    return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw error;
  }
}
