import { existsSync } from 'node:fs';
import { Worker } from 'node:worker_threads';
import { createHash } from 'node:crypto';
import { join } from 'node:path';
import { sharedSynth, sharedText } from './synth-share';

/**
 * The run's synth share (synth-share.ts) as two jest workers use it: a key
 * one worker is synthesizing is waited for by the other, not synthesized
 * twice. The other worker is a thread here, writing as shareText writes.
 */
const DIR = process.env.RANCHER_TEST_SYNTH_SHARE;
const fileOf = (key: string) => join(DIR!, createHash('sha256').update(key).digest('hex'));
const unique = (name: string) => `synth-share.test\0${name}\0${process.pid}\0${Date.now()}`;

/** Another worker holding the claim on `key` for `ms`, then sharing `text` and dropping the claim. */
function otherWorker(key: string, text: string, ms: number): Worker {
  const code = `
    const { closeSync, openSync, renameSync, rmSync, writeFileSync } = require('node:fs');
    const { file, text, ms } = require('node:worker_threads').workerData;
    closeSync(openSync(file + '.claim', 'wx'));
    require('node:worker_threads').parentPort.postMessage('claimed');
    Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
    writeFileSync(file + '.other', text);
    renameSync(file + '.other', file);
    rmSync(file + '.claim');`;
  return new Worker(code, { eval: true, workerData: { file: fileOf(key), text, ms } });
}

describe('the synth share of a run', () => {
  beforeAll(() => expect(DIR).toBeTruthy());

  it('waits for the text of a key another worker is synthesizing instead of synthesizing it too', async () => {
    const key = unique('claimed');
    const worker = otherWorker(key, 'the other worker synthesized this', 300);
    await new Promise((claimed) => worker.once('message', claimed));
    const synthesize = jest.fn(() => 'synthesized here');
    expect(sharedSynth(key, synthesize)).toBe('the other worker synthesized this');
    expect(synthesize).not.toHaveBeenCalled();
    await new Promise((done) => worker.once('exit', done));
  });

  it('synthesizes and shares a key nobody claimed, and drops its claim', () => {
    const key = unique('free');
    expect(sharedSynth(key, () => 'synthesized here')).toBe('synthesized here');
    expect(sharedText(key)).toBe('synthesized here');
    expect(existsSync(`${fileOf(key)}.claim`)).toBe(false);
    expect(sharedSynth(key, () => 'synthesized twice')).toBe('synthesized here');
  });

  it('drops the claim of a synth that throws, so the next caller synthesizes (and throws the same)', () => {
    const key = unique('throws');
    const refuse = () => {
      throw new Error('refused');
    };
    expect(() => sharedSynth(key, refuse)).toThrow('refused');
    expect(existsSync(`${fileOf(key)}.claim`)).toBe(false);
    expect(sharedText(key)).toBeUndefined();
    expect(sharedSynth(key, () => 'synthesized after')).toBe('synthesized after');
  });
});
