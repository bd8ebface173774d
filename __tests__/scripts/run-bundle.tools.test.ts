import { isAscii } from 'node:buffer';
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { compiledMain } from '../helpers/app-process';

const ROOT = join(__dirname, '..', '..');
const RUN_BUNDLE = join(ROOT, 'scripts', 'run-bundle.js');

/** Runs `bundle` through scripts/run-bundle.js in a process of its own; what it printed and what became of the cache. */
function run(bundle: string, env: Record<string, string> = {}, cwd?: string) {
  const script = `process.stderr.write('cache=' + require(${JSON.stringify(RUN_BUNDLE)}).runBundle(${JSON.stringify(bundle)}) + '\\n')`;
  const result = spawnSync(process.execPath, ['-e', script], { cwd, encoding: 'utf8', env: { ...process.env, ...env } });
  return { status: result.status, stdout: result.stdout, cache: /cache=(\w+)/.exec(result.stderr)?.[1], stderr: result.stderr };
}

/** A small CommonJS bundle: prints what its wrapper handed it, calls a function defined in it, may set an exit code. */
const BUNDLE = [
  "const { join } = require('node:path');",
  'function twice(x) { return x * 2; }',
  "console.log(JSON.stringify({ twice: twice(21), file: __filename, dir: __dirname, joined: join('a', 'b'), own: module.filename }));",
  'if (process.env.FAIL) process.exitCode = 3;',
  '',
].join('\n');

describe('scripts/run-bundle.js: the app bundle run with V8 code cache', () => {
  let dir: string;
  let bundle: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'rancher-run-bundle-'));
    bundle = join(dir, 'main.js');
    writeFileSync(bundle, BUNDLE);
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('runs the bundle as require would (its require, __filename, __dirname, module), writes the cache once, then uses it', () => {
    const first = run(bundle);
    expect(first).toMatchObject({ status: 0, cache: 'written' });
    expect(JSON.parse(first.stdout)).toEqual({ twice: 42, file: bundle, dir, joined: join('a', 'b'), own: bundle });
    expect(existsSync(`${bundle}.v8cache`)).toBe(true);
    const second = run(bundle);
    expect(second).toMatchObject({ status: 0, cache: 'used', stdout: first.stdout });
    // No partial file is left beside it.
    expect(readdirSync(dir).sort()).toEqual(['main.js', 'main.js.v8cache']);
  });

  it('writes nothing after a failed run, and keeps its exit code', () => {
    expect(run(bundle, { FAIL: '1' })).toMatchObject({ status: 3, cache: 'unchanged' });
    expect(existsSync(`${bundle}.v8cache`)).toBe(false);
  });

  it('never uses a cache made from another bundle of the same length and modification time: the key holds its text', () => {
    // A whole second, which every file system keeps exactly.
    const when = new Date('2026-01-01T00:00:00Z');
    utimesSync(bundle, when, when);
    expect(run(bundle).cache).toBe('written');
    // Same length, other code, the same modification time: V8 itself checks only the source's length.
    writeFileSync(bundle, BUNDLE.replace('x * 2', 'x + 2'));
    utimesSync(bundle, when, when);
    const changed = run(bundle);
    expect(changed).toMatchObject({ status: 0, cache: 'written' });
    expect(JSON.parse(changed.stdout).twice).toBe(23);
    expect(run(bundle).cache).toBe('used');
  });

  it('writes a new cache over one V8 refuses (another Node, or damaged data under the right key)', () => {
    expect(run(bundle).cache).toBe('written');
    const cache = `${bundle}.v8cache`;
    const data = readFileSync(cache);
    const header = data.indexOf(0x0a) + 1;
    writeFileSync(cache, Buffer.concat([data.subarray(0, header), Buffer.alloc(data.length - header, 7)]));
    const refused = run(bundle);
    expect(refused).toMatchObject({ status: 0, cache: 'written' });
    expect(JSON.parse(refused.stdout).twice).toBe(42);
    expect(run(bundle).cache).toBe('used');
  });

  it('runs without a cache where none can be written (the place taken by a folder), and leaves no partial file', () => {
    mkdirSync(`${bundle}.v8cache`);
    for (let i = 0; i < 2; i++) {
      const result = run(bundle);
      expect(result).toMatchObject({ status: 0, cache: 'unchanged' });
      expect(JSON.parse(result.stdout).twice).toBe(42);
    }
    expect(readdirSync(dir).sort()).toEqual(['main.js', 'main.js.v8cache']);
  });

  it('two runs at once each write whole files; the cache left is one of them and is used', async () => {
    const runs = [0, 1].map(
      () =>
        new Promise<number | null>((done) => {
          const child = spawn(process.execPath, ['-e', `require(${JSON.stringify(RUN_BUNDLE)}).runBundle(${JSON.stringify(bundle)})`], {
            stdio: 'ignore',
          });
          child.on('close', done);
        }),
    );
    expect(await Promise.all(runs)).toEqual([0, 0]);
    expect(readdirSync(dir).sort()).toEqual(['main.js', 'main.js.v8cache']);
    expect(run(bundle).cache).toBe('used');
  });
});

describe('the app bundle through scripts/run-bundle.js', () => {
  it('is ASCII, so V8 holds its source one byte a character (scripts/build.js, asciiOnly)', () => {
    expect(isAscii(readFileSync(compiledMain()))).toBe(true);
  });

  it('writes byte-identical stacks with and without its code cache', () => {
    const main = compiledMain();
    const work = mkdtempSync(join(tmpdir(), 'rancher-run-bundle-app-'));
    try {
      rmSync(`${main}.v8cache`, { force: true });
      const outputs = ['written', 'used'].map((expected) => {
        const out = join(work, expected);
        const result = run(main, { CDKTF_OUTDIR: out, RANCHER_CONFIG: '' }, work);
        expect(result).toMatchObject({ status: 0, cache: expected });
        return Object.fromEntries(
          readdirSync(join(out, 'stacks')).map((stack) => [stack, readFileSync(join(out, 'stacks', stack, 'cdk.tf.json'), 'utf8')]),
        );
      });
      expect(Object.keys(outputs[0]).sort()).toEqual(['docker', 'k8s-ha', 'rke-ha']);
      expect(outputs[1]).toEqual(outputs[0]);
    } finally {
      rmSync(work, { recursive: true, force: true });
    }
  });
});
