import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const ROOT = join(__dirname, '..', '..');
const JEST = join(ROOT, 'node_modules', 'jest', 'bin', 'jest.js');

/**
 * scripts/jest-runtime.js, the unit tier's runtime, run by jest on a small
 * project of its own: three test files in one worker, in a fixed order, each
 * loading an installed package (which records each time it is evaluated and
 * requires a second module only when called) and a module of the project.
 */
function runProject(withRuntime: boolean) {
  const dir = mkdtempSync(join(tmpdir(), 'rancher-jest-runtime-'));
  try {
    const log = join(dir, 'evaluations.log');
    const files: Record<string, string> = {
      'node_modules/counted/package.json': JSON.stringify({ name: 'counted', main: 'index.js' }),
      'node_modules/counted/index.js': `require('fs').appendFileSync(${JSON.stringify(log)}, 'package\\n');\nexports.later = () => require('./later').value;\n`,
      'node_modules/counted/later.js': 'exports.value = 42;\n',
      'own.js': `require('fs').appendFileSync(${JSON.stringify(log)}, 'own\\n');\nexports.own = true;\n`,
      'a.test.js': "it('a', () => { expect(typeof require('counted').later).toBe('function'); expect(require('./own').own).toBe(true); });\n",
      'b.test.js': "it('b', () => { expect(typeof require('counted').later).toBe('function'); expect(require('./own').own).toBe(true); });\n",
      // Its package was loaded by a.test.js, whose runtime jest has torn down when this one calls it.
      'c.test.js': "it('c', () => { expect(require('counted').later()).toBe(42); expect(require('./own').own).toBe(true); });\n",
      'sequencer.js':
        'const Sequencer = require(' +
        JSON.stringify(join(ROOT, 'node_modules', '@jest', 'test-sequencer')) +
        ').default;\nmodule.exports = class extends Sequencer { sort(tests) { return [...tests].sort((x, y) => x.path.localeCompare(y.path)); } };\n',
      'jest.config.js': `module.exports = ${JSON.stringify({
        rootDir: dir,
        testEnvironment: 'node',
        testMatch: ['**/*.test.js'],
        transform: {},
        testSequencer: join(dir, 'sequencer.js'),
        ...(withRuntime ? { runtime: join(ROOT, 'scripts', 'jest-runtime.js') } : {}),
      })};\n`,
    };
    for (const [path, text] of Object.entries(files)) {
      mkdirSync(join(dir, path, '..'), { recursive: true });
      writeFileSync(join(dir, path), text);
    }
    const run = spawnSync(process.execPath, [JEST, '--config', join(dir, 'jest.config.js'), '--runInBand', '--no-cache', '--ci'], {
      cwd: dir,
      encoding: 'utf8',
    });
    const evaluations = readFileSync(log, 'utf8').trim().split('\n');
    return { status: run.status, output: run.stdout + run.stderr, evaluations };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

describe('the unit tier runtime (scripts/jest-runtime.js)', () => {
  it('evaluates an installed package once for the files of a worker, and the project modules once per file', () => {
    const run = runProject(true);
    expect({ status: run.status, passed: run.output.match(/Tests:\s+3 passed/) !== null }).toEqual({ status: 0, passed: true });
    expect(run.evaluations.filter((e) => e === 'package')).toHaveLength(1);
    expect(run.evaluations.filter((e) => e === 'own')).toHaveLength(3);
  });

  it('lets a package require a module later through the file running now, not the torn-down runtime that loaded it', () => {
    const run = runProject(true);
    expect(run.output).not.toMatch(/torn down/);
    expect(run.output).toMatch(/PASS .*c\.test\.js/);
  });

  it('is what makes the difference: jest alone evaluates the package once per file', () => {
    const run = runProject(false);
    expect(run.status).toBe(0);
    expect(run.evaluations.filter((e) => e === 'package')).toHaveLength(3);
  });
});
