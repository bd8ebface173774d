import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { MAX_DEPTH, MAX_STRING_LENGTH, readYamlSettings } from '../../../app/config/yaml-settings';
import { countSteps } from '../../helpers/steps';

const problems = (text: string) => readYamlSettings(text).problems;

describe('readYamlSettings', () => {
  it('turns a settings document into plain data', () => {
    expect(readYamlSettings('name: prod\nadminCidrs: [10.0.0.0/8]\ntags: {a: b}\n')).toEqual({
      data: { name: 'prod', adminCidrs: ['10.0.0.0/8'], tags: { a: 'b' } },
      problems: [],
    });
  });

  it('reads YAML 1.2 core: yes is text, 010 is ten, a %YAML 1.1 directive changes nothing', () => {
    expect(readYamlSettings('a: yes\nb: 010\n').data).toEqual({ a: 'yes', b: 10 });
    expect(readYamlSettings('%YAML 1.1\n---\na: yes\n').data).toEqual({ a: 'yes' });
  });

  it('keeps anchors that nothing refers to, and the core tags', () => {
    expect(readYamlSettings('name: &n prod\nregion: !!str eu-west-1\n').data).toEqual({ name: 'prod', region: 'eu-west-1' });
  });

  it.each([
    [
      'an alias',
      'a: &x 1\nb: *x\n',
      { field: 'b', message: 'YAML aliases (*x) are not supported in settings; write the value out (at line 2, column 4)' },
    ],
    ['an undefined alias', 'a: *x\n', { field: 'a', message: expect.stringContaining('YAML aliases (*x)') }],
    ['an alias as key', 'x: &k a\n*k : 1\n', { field: '(file)', message: expect.stringContaining('not even as keys') }],
    ['a non-core tag', 'tags: !!omap [a: b]\n', { field: 'tags', message: expect.stringContaining('YAML tag !!omap is not supported') }],
    ['a custom tag', 'name: !Sub x\n', { field: 'name', message: expect.stringContaining('YAML tag !Sub') }],
    ['a tag that does not fit', 'a: !!float 1\n', { field: '(file)', message: 'YAML: a tag that does not fit the value at line 1, column 4' }],
    [
      'a duplicate key',
      'a: 1\nb:\n  c: 1\n  c: 2\n',
      { field: 'b.c', message: 'duplicate key: YAML would keep only the last one (first at line 3, column 3) (at line 4, column 3)' },
    ],
    ['a list as key', '? [a]\n: 1\n', { field: '(file)', message: expect.stringContaining('a mapping key must be a plain string') }],
    ['__proto__', '__proto__: {}\n', { field: '__proto__', message: 'a key named __proto__ is not supported (at line 1, column 1)' }],
    [
      'a string too long',
      `a: ${'x'.repeat(MAX_STRING_LENGTH + 1)}\n`,
      { field: 'a', message: `a value of ${MAX_STRING_LENGTH + 1} characters; no setting is longer than ${MAX_STRING_LENGTH} (at line 1, column 4)` },
    ],
    [
      'nesting too deep',
      `${Array.from({ length: MAX_DEPTH + 2 }, (_, i) => `${' '.repeat(i)}k:`).join('\n')} 1\n`,
      {
        field: Array(MAX_DEPTH + 1)
          .fill('k')
          .join('.'),
        message: expect.stringContaining(`nested deeper than ${MAX_DEPTH} levels`),
      },
    ],
    ['a syntax error', 'a: [1, 2\nb: 3\n', { field: '(file)', message: expect.stringMatching(/^YAML: .* at line \d+, column \d+$/) }],
    ['two documents', 'a: 1\n---\nb: 2\n', { field: '(file)', message: expect.stringContaining('more than one YAML document') }],
  ])('refuses %s, naming the field and the line', (_what, text, problem) => {
    expect(problems(text)).toEqual([problem]);
  });

  // A tab gave the right first problem, then one "wrong indentation" for each later line of its block (d0e353c: ten for
  // a tab in rancher.example.yaml's rancher section): the person made one mistake.
  describe('a tab in the indentation', () => {
    const block = [
      'name: prod',
      'rancher:',
      '  version: 2.15.2',
      '\treplicas: 3',
      ...Array.from({ length: 9 }, (_, i) => `  key${i}: ${i}`),
      'region: eu-west-1',
    ];

    it('is one problem, at its line and column, however many lines follow it in its block', () => {
      expect(problems(`${block.join('\n')}\n`)).toEqual([
        { field: '(file)', message: 'YAML: a tab used for indentation (use spaces) at line 4, column 1' },
      ]);
    });

    it('leaves the other mistakes of the file reported as they are without the tab', () => {
      const lines = [...block];
      lines[7] = `   ${lines[7].trimStart()}`;
      lines[13] = 'region: [eu-west-1';
      const spaces = [...lines];
      spaces[3] = `  ${spaces[3].trimStart()}`;
      const others = problems(`${spaces.join('\n')}\n`);
      expect(others.length).toBeGreaterThan(1);
      expect(problems(`${lines.join('\n')}\n`)).toEqual([
        { field: '(file)', message: 'YAML: a tab used for indentation (use spaces) at line 4, column 1' },
        ...others,
      ]);
    });

    it('in place of any indentation of rancher.example.yaml: one problem each time', () => {
      const example = readFileSync(join(__dirname, '../../../rancher.example.yaml'), 'utf8').split('\n');
      const indented = example.map((line, i) => [line, i] as const).filter(([line]) => /^ +[^ #]/.test(line));
      expect(indented.length).toBeGreaterThan(50);
      const many = indented
        .map(([line, i]) => {
          const text = [...example.slice(0, i), `\t${line.trimStart()}`, ...example.slice(i + 1)].join('\n');
          return { line: i + 1, problems: problems(text).map((p) => p.message) };
        })
        .filter((r) => r.problems.length !== 1 || !r.problems[0].startsWith('YAML: a tab used for indentation'));
      expect(many).toEqual([]);
    });

    it('reads the file with spaces in its place, so a duplicate key elsewhere is reported beside it', () => {
      const lines = [...block];
      lines[13] = 'name: staging';
      expect(problems(`${lines.join('\n')}\n`)).toEqual([
        { field: '(file)', message: 'YAML: a tab used for indentation (use spaces) at line 4, column 1' },
        { field: 'name', message: 'duplicate key: YAML would keep only the last one (first at line 1, column 1) (at line 14, column 1)' },
      ]);
    });

    it("hands on the file's data, read with spaces in the tab's place, when the tab is its only YAML problem", () => {
      const spaces = [...block];
      spaces[3] = `  ${spaces[3].trimStart()}`;
      const read = readYamlSettings(`${block.join('\n')}\n`);
      expect(read.problems).toHaveLength(1);
      expect(read.data).toEqual(readYamlSettings(`${spaces.join('\n')}\n`).data);
    });

    it('puts a tabbed line where its key is a setting when more than one indentation reads without an error', () => {
      const text = 'rancher:\n\treplicas: 3\nregion: eu-west-1\n';
      const settings = new Set(['rancher', 'rancher.replicas', 'region']);
      expect(readYamlSettings(text, (path) => settings.has(path.join('.'))).data).toEqual({
        rancher: { replicas: 3 },
        region: 'eu-west-1',
      });
      // With every key a setting, the first candidate (the next line's indentation) is taken.
      expect(readYamlSettings(text).data).toEqual({ rancher: null, replicas: 3, region: 'eu-west-1' });
    });

    it('mends at most ten tab lines; beyond that, each is reported and nothing else', () => {
      const text = `a:\n${Array.from({ length: 12 }, (_, i) => `\tk${i}: 1`).join('\n')}\n  b: [\n`;
      const found = problems(text);
      expect(found).toHaveLength(12);
      for (const p of found) expect(p.message).toMatch(/^YAML: a tab used for indentation \(use spaces\) at line \d+, column 1$/);
    });
  });

  it('never quotes the text in a syntax error', () => {
    for (const text of ['a: "secret-value\n', 'a: |x secret-value\n  b\n', 'a: "\\q secret-value"\n', '{a: secret-value b: c}\n']) {
      const found = problems(text);
      expect(found.length).toBeGreaterThan(0);
      expect(JSON.stringify(found)).not.toContain('secret-value');
    }
  });

  it('stops collecting at 200 problems', () => {
    expect(problems('a: 1\n'.repeat(1000))).toHaveLength(200);
  });

  // The parser's own check compares every key with every other (`items.some` per key: n²/2 steps, 46 s for 50,000
  // keys on this machine); here the work is counted, not timed: about 18 steps a key, bounded at 40.
  it('finds a duplicate among 30,000 keys in linear time (beyond the file cap: straight to the parser)', () => {
    const keys = 30_000;
    const text = `${Array.from({ length: keys }, (_, i) => `k${i}: 1`).join('\n')}\nk0: 2\n`;
    const { result, steps } = countSteps(() => problems(text), 40 * keys);
    expect(result).toEqual([
      { field: 'k0', message: 'duplicate key: YAML would keep only the last one (first at line 1, column 1) (at line 30001, column 1)' },
    ]);
    expect(steps).toBeGreaterThanOrEqual(keys);
  });
});
