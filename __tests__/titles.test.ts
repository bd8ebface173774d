import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

// A test's title says what behaviour it holds, so a failure reads as the broken behaviour; an issue number says where
// the work came from, which the commit and CHANGELOG keep (docs/development.md). Upstream references
// (`rancher/rancher#53134`) cite a fact and are not looked at.

const ROOT = join(__dirname, '..');
/** The title literal of `describe(`, `it(`, `test(` (with .only, .skip) and of a `.each(...)(` call. */
const TITLE = /(?:\b(?:describe|it|test)(?:\.(?:only|skip|concurrent))?|\.each\([\s\S]*?\))\(\s*(['"`])((?:\\.|(?!\1)[\s\S])*?)\1/g;
/** This project's issues as a title would name them. */
const ISSUE = /\bissue \d+|\bissues \d+(,| and) \d+/i;

const files = readdirSync(join(ROOT, '__tests__'), { recursive: true, encoding: 'utf8' })
  .filter((file) => /\.test\.ts$/.test(file))
  .map((file) => join('__tests__', file));
const titles = files.flatMap((file) => [...readFileSync(join(ROOT, file), 'utf8').matchAll(TITLE)].map((m) => ({ file, title: m[2] })));

describe('test titles', () => {
  it('are found (the scan reads describe, it and each)', () => {
    expect(titles.length).toBeGreaterThan(2000);
    expect(titles).toContainEqual({ file: join('__tests__', 'titles.test.ts'), title: 'name behaviour, never an issue of this project' });
  });

  it('name behaviour, never an issue of this project', () => {
    expect(titles.filter(({ title }) => ISSUE.test(title))).toEqual([]);
  });
});
