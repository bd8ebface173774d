import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { SettingsError, SettingsFileError } from '../../../lib/config/errors';
import { DEFAULT_SETTINGS_FILE, loadSettings, parseSettings, parseSettingsText, readSettings } from '../../../app/config/load';
import { DEFAULT_VERSIONS } from '../../../lib/config/versions';

const REPO_ROOT = resolve(__dirname, '../../..');
const INVALID_DIR = resolve(__dirname, '../../fixtures/invalid');
const EXPECT_LINE = /^# expect: (\S.*?)\s*$/;

interface InvalidFixture {
  readonly file: string;
  readonly text: string;
  /** Fields named by the `# expect:` lines of the file's leading comment block. */
  readonly expected: readonly string[];
}

function readInvalidFixtures(): InvalidFixture[] {
  return readdirSync(INVALID_DIR)
    .filter((file) => file.endsWith('.yaml'))
    .sort()
    .map((file) => {
      const text = readFileSync(join(INVALID_DIR, file), 'utf8');
      const header = text.split('\n');
      const expected: string[] = [];
      for (const line of header) {
        if (!line.startsWith('#')) break;
        const m = EXPECT_LINE.exec(line);
        if (m) expected.push(m[1]);
      }
      return { file, text, expected };
    });
}

/** Runs `fn`, expecting a SettingsError, and returns it. */
function settingsErrorOf(fn: () => unknown): SettingsError {
  let thrown: unknown;
  try {
    fn();
  } catch (error) {
    thrown = error;
  }
  if (thrown === undefined) throw new Error('expected a SettingsError, but nothing was thrown');
  if (!(thrown instanceof SettingsError)) throw new Error(`expected a SettingsError, got: ${String(thrown)}`);
  return thrown;
}

const STACK_TRACE_LINE = /^\s*at /m;
const fieldsOf = (error: SettingsError) => error.problems.map((p) => p.field);

const FIXTURES = readInvalidFixtures();

describe('invalid settings fixtures (__tests__/fixtures/invalid)', () => {
  it('has at least 15 fixtures', () => {
    expect(FIXTURES.length).toBeGreaterThanOrEqual(15);
  });

  it.each(FIXTURES.map((f) => [f.file, f] as const))('%s starts with a "# expect: <field>" line', (_file, fixture) => {
    expect(fixture.text.split('\n')[0]).toMatch(EXPECT_LINE);
    expect(fixture.expected.length).toBeGreaterThanOrEqual(1);
  });

  describe.each(FIXTURES.map((f) => [f.file, f] as const))('%s', (file, fixture) => {
    // Loaded through RANCHER_CONFIG, the way a person points the app at a file.
    const load = () => settingsErrorOf(() => loadSettings({ env: { RANCHER_CONFIG: file }, cwd: INVALID_DIR }));

    it('is rejected with a SettingsError', () => {
      expect(() => loadSettings({ env: { RANCHER_CONFIG: file }, cwd: INVALID_DIR })).toThrow(SettingsError);
    });

    it('names every expected field among the problems', () => {
      const fields = fieldsOf(load());
      for (const field of fixture.expected) expect(fields).toContain(field);
    });

    it('reports every mistake at once (at least one problem per expected field)', () => {
      expect(load().problems.length).toBeGreaterThanOrEqual(fixture.expected.length);
    });

    it('formats a message that names the file and each expected field, without a stack trace', () => {
      const { message } = load();
      expect(message).toContain(`Invalid settings in ${file}`);
      for (const field of fixture.expected) expect(message).toContain(`${field}: `);
      expect(message).not.toMatch(STACK_TRACE_LINE);
    });
  });
});

describe('loadSettings: which file is read', () => {
  let cwd: string;
  beforeEach(() => {
    cwd = mkdtempSync(join(tmpdir(), 'rancher-settings-'));
  });
  afterEach(() => {
    rmSync(cwd, { recursive: true, force: true });
  });
  const write = (name: string, text: string) => writeFileSync(join(cwd, name), text);

  it('uses the defaults when there is no settings file in the working directory', () => {
    const settings = loadSettings({ env: {}, cwd });
    expect(settings).toEqual(parseSettings({}, 'defaults'));
    expect(settings.name).toBe('rancher');
    expect(settings.region).toBe('us-east-1');
    expect(settings.hostname).toBeUndefined();
    expect(settings.backend).toEqual({ type: 'local' });
    expect(settings.versions).toEqual({ ...DEFAULT_VERSIONS, releaseSums: {} });
    expect(settings.rancher.replicas).toBe(3);
    expect(settings.rkeHa.etcdSnapshots.retention).toBe(28);
  });

  it(`reads ${DEFAULT_SETTINGS_FILE} from the working directory`, () => {
    write('rancher.yaml', 'region: eu-west-1\nrancher:\n  replicas: 5\n');
    const settings = loadSettings({ env: {}, cwd });
    expect(settings.region).toBe('eu-west-1');
    expect(settings.rancher.replicas).toBe(5);
    // Unset fields keep their defaults.
    expect(settings.name).toBe('rancher');
  });

  it(`names ${DEFAULT_SETTINGS_FILE} as the source when it is invalid`, () => {
    write('rancher.yaml', 'region: Ireland\n');
    const error = settingsErrorOf(() => loadSettings({ env: {}, cwd }));
    expect(error.source).toBe('rancher.yaml');
    expect(error.message).toContain('Invalid settings in rancher.yaml');
  });

  it('reads the file named by RANCHER_CONFIG (relative to the working directory) instead of rancher.yaml', () => {
    write('rancher.yaml', 'region: eu-west-1\n');
    write('staging.yaml', 'region: eu-central-1\n');
    expect(loadSettings({ env: { RANCHER_CONFIG: 'staging.yaml' }, cwd }).region).toBe('eu-central-1');
  });

  it('accepts an absolute RANCHER_CONFIG path', () => {
    write('staging.yaml', 'region: eu-central-1\n');
    expect(loadSettings({ env: { RANCHER_CONFIG: join(cwd, 'staging.yaml') }, cwd: tmpdir() }).region).toBe('eu-central-1');
  });

  it('treats an empty RANCHER_CONFIG as unset', () => {
    write('rancher.yaml', 'region: eu-west-1\n');
    expect(loadSettings({ env: { RANCHER_CONFIG: '' }, cwd }).region).toBe('eu-west-1');
  });

  it('fails, naming the file, when RANCHER_CONFIG names a file that does not exist (no fallback to rancher.yaml)', () => {
    write('rancher.yaml', 'region: eu-west-1\n');
    const error = settingsErrorOf(() => loadSettings({ env: { RANCHER_CONFIG: 'prod.yaml' }, cwd }));
    expect(fieldsOf(error)).toEqual(['(file)']);
    expect(error.problems[0].value).toBe('prod.yaml');
    expect(error.message).toContain('prod.yaml');
    expect(error.message).toMatch(/does not exist/);
    expect(error.message).not.toMatch(STACK_TRACE_LINE);
  });

  // Issue 22: each of these used every default without a word.
  it.each([
    ['empty', ''],
    ['only comments', '# nothing set yet\n# region: eu-west-1\n'],
    ['a document marker', '---\n'],
  ])('refuses a file that is %s (a lost copy), saying how to ask for every default', (_what, text) => {
    write('rancher.yaml', text);
    const error = settingsErrorOf(() => loadSettings({ env: {}, cwd }));
    expect(error.problems).toEqual([{ field: '(file)', message: expect.stringContaining('holds no settings') }]);
    expect(error.message).toContain('write {} in it or remove the file');
  });

  it('uses every default for a file holding {}', () => {
    write('rancher.yaml', '# every default, on purpose\n{}\n');
    expect(readSettings({ env: {}, cwd })).toEqual({ settings: parseSettings({}, 'defaults'), source: 'rancher.yaml' });
  });

  it.each(['rancher.yml', 'Rancher.yaml', 'rancher.YAML', 'rancher.yaml.txt', 'rancher.json'])(
    'refuses to use the defaults when only %s is there, naming it and both ways out',
    (name) => {
      write(name, 'region: eu-west-1\n');
      write('rancher.example.yaml', 'region: eu-west-1\n');
      const error = settingsErrorOf(() => loadSettings({ env: {}, cwd }));
      expect(error).toBeInstanceOf(SettingsFileError);
      expect(error.message).toContain(`does not exist, but ${name} does: rename it to rancher.yaml, or set RANCHER_CONFIG=${name}`);
    },
  );

  it('still uses the defaults beside rancher.example.yaml alone (the repository root), saying no file was read', () => {
    write('rancher.example.yaml', 'region: eu-west-1\n');
    expect(readSettings({ env: {}, cwd })).toEqual({ settings: parseSettings({}, 'defaults'), source: undefined });
  });

  it('refuses rancher.example.yaml copied unchanged: its example.com zone is a placeholder', () => {
    write('rancher.yaml', readFileSync(join(REPO_ROOT, 'rancher.example.yaml'), 'utf8'));
    const error = settingsErrorOf(() => loadSettings({ env: {}, cwd }));
    expect(error.problems).toEqual([{ field: 'hostedZone', value: 'example.com', message: expect.stringContaining('reserved for documentation') }]);
  });

  it.each(['example.com', 'dev.example.org', 'corp.test', 'lab.example'])('refuses the reserved zone %s in a settings file', (zone) => {
    write('rancher.yaml', `hostname: rancher.${zone}\nhostedZone: ${zone}\n`);
    expect(fieldsOf(settingsErrorOf(() => loadSettings({ env: {}, cwd })))).toEqual(['hostedZone']);
  });

  it('accepts a zone that only looks like one (myexample.com)', () => {
    write('rancher.yaml', 'hostname: rancher.myexample.com\nhostedZone: myexample.com\n');
    expect(loadSettings({ env: {}, cwd }).hostedZone).toBe('myexample.com');
  });
});

describe('parseSettingsText', () => {
  it('accepts rancher.example.yaml from the repository root as settings text (a valid, fully filled-in file)', () => {
    expect(() => parseSettingsText(readFileSync(join(REPO_ROOT, 'rancher.example.yaml'), 'utf8'), 'rancher.example.yaml', REPO_ROOT)).not.toThrow();
  });

  describe('a key with nothing under it', () => {
    it('means the defaults of a section, and a kubeconfig with its default path', () => {
      const settings = parseSettingsText('rkeHa:\nk8sHa:\n  access:\n    kubeconfig:\n', 'rancher.yaml');
      expect(settings.rkeHa).toEqual(parseSettings({}, 'defaults').rkeHa);
      expect(settings.k8sHa.access).toEqual({ kubeconfig: { path: '~/.kube/config' } });
    });

    it('is reported where no setting is named: a tag value, a mirror list, an unknown key', () => {
      const error = settingsErrorOf(() =>
        parseSettingsText('tags:\n  Team:\nairGap:\n  registryMirrors:\n    docker.io:\nrkeHa:\n  instanceTyp:\n', 'rancher.yaml'),
      );
      expect(fieldsOf(error).sort()).toEqual(['airGap.registryMirrors.docker.io', 'rkeHa.instanceTyp', 'tags.Team']);
    });
  });

  it('does not echo a file that is not settings: a top level that is not a mapping gives its type only', () => {
    const error = settingsErrorOf(() => parseSettingsText('DB_PASSWORD=hunter2\n', '.env'));
    expect(error.problems).toEqual([{ field: '(file)', message: 'expected a mapping of settings at the top level, got a single text value' }]);
  });

  it('calls a mapping none of whose top-level keys is a setting foreign, without listing them', () => {
    const error = settingsErrorOf(() => parseSettingsText('apiVersion: v1\nkind: Config\nusers: []\ncurrent-context: prod-admin\n', 'kubeconfig'));
    expect(error.problems).toEqual([
      { field: '(file)', message: expect.stringMatching(/^none of its 4 top-level keys is a setting; is this the settings file\?/) },
    ]);
    expect(error.message).not.toContain('current-context');
  });

  it('lists up to 3 unknown keys of a file with no setting (typos)', () => {
    expect(fieldsOf(settingsErrorOf(() => parseSettingsText('nmae: a\nregoin: b\n', 'a.yaml')))).toEqual(['nmae', 'regoin']);
  });

  it('lists 50 problems and counts the rest', () => {
    const error = settingsErrorOf(() => parseSettingsText(`name: ab\n${Array.from({ length: 120 }, (_, i) => `k${i}: 1`).join('\n')}\n`, 'a.yaml'));
    const lines = error.message.split('\n');
    expect(lines[0]).toBe('Invalid settings in a.yaml (120 problems):');
    expect(lines).toHaveLength(52);
    expect(lines[51]).toBe('  ... and 70 more problems');
  });

  it('shows the value given next to the problem', () => {
    const error = settingsErrorOf(() => parseSettingsText('rkeHa:\n  instanceType: m6i\n', 'rancher.yaml'));
    expect(error.problems).toEqual([expect.objectContaining({ field: 'rkeHa.instanceType', value: 'm6i' })]);
    expect(error.message).toContain('rkeHa.instanceType: ');
    expect(error.message).toContain('(got "m6i")');
  });

  it('shows numbers and lists as given', () => {
    const error = settingsErrorOf(() => parseSettingsText('rancher:\n  replicas: 0\nadminCidrs: 10.0.0.0/8\n', 'rancher.yaml'));
    expect(error.message).toContain('rancher.replicas: expected a whole number from 1 to 15 (got 0)');
    expect(error.message).toContain('adminCidrs: expected a list (got "10.0.0.0/8")');
  });

  it('suggests the nearest known key and lists the allowed keys for an unknown key', () => {
    const error = settingsErrorOf(() => parseSettingsText('rkeHa:\n  instanceTyp: m6i.xlarge\n', 'rancher.yaml'));
    expect(error.message).toMatch(/rkeHa\.instanceTyp: unknown setting; did you mean instanceType\? allowed here: [a-zA-Z, ]*\binstanceType\b/);
  });

  it('counts the problems in the message header', () => {
    const one = settingsErrorOf(() => parseSettingsText('name: X\n', 'a.yaml'));
    const two = settingsErrorOf(() => parseSettingsText('name: X\nregion: Y\n', 'a.yaml'));
    expect(one.message.split('\n')[0]).toBe('Invalid settings in a.yaml (1 problem):');
    expect(two.message.split('\n')[0]).toBe('Invalid settings in a.yaml (2 problems):');
  });

  it('rejects a scalar at the top level', () => {
    const error = settingsErrorOf(() => parseSettingsText('rancher\n', 'a.yaml'));
    expect(fieldsOf(error)).toEqual(['(file)']);
  });

  // The rules over the other settings ran on the refused section and broke reading rancher.tls.mode: an internal error.
  it.each([
    ['rancher: x', '"x"'],
    ['rancher: 1.5', '1.5'],
    ['rancher: [a]', '["a"]'],
  ])('refuses %s as a section that is not a mapping, with that one problem', (text, shown) => {
    const error = settingsErrorOf(() => parseSettingsText(`hostname: rancher.acme.io\nhostedZone: acme.io\n${text}\n`, 'a.yaml'));
    expect(error.problems).toEqual([{ field: 'rancher', message: 'expected a mapping', value: expect.anything() }]);
    expect(error.message).toContain(`rancher: expected a mapping (got ${shown})`);
  });

  describe('a tab in the indentation', () => {
    const TAB = { field: '(file)', message: 'YAML: a tab used for indentation (use spaces) at line 3, column 1' };

    it('is reported beside an unknown setting elsewhere in the file', () => {
      const error = settingsErrorOf(() => parseSettingsText('name: prod\nrancher:\n\treplicas: 3\nregoin: eu-west-1\n', 'a.yaml'));
      expect(error.problems).toEqual([TAB, { field: 'regoin', message: expect.stringMatching(/^unknown setting; did you mean region\?/) }]);
    });

    it('is reported beside a duplicate key elsewhere in the file', () => {
      const error = settingsErrorOf(() => parseSettingsText('name: prod\nrancher:\n\treplicas: 3\nname: staging\n', 'a.yaml'));
      expect(error.problems).toEqual([TAB, { field: 'name', message: expect.stringContaining('duplicate key') }]);
    });

    it('is the only problem of a file that has no other', () => {
      const error = settingsErrorOf(() => parseSettingsText('name: prod\nrancher:\n\treplicas: 3\nregion: eu-west-1\n', 'a.yaml'));
      expect(error.problems).toEqual([TAB]);
    });

    it("in place of any indentation of rancher.example.yaml: the tab is the file's one problem each time", () => {
      const example = readFileSync(join(REPO_ROOT, 'rancher.example.yaml'), 'utf8').split('\n');
      const indented = example.map((line, i) => [line, i] as const).filter(([line]) => /^ +[^ #]/.test(line));
      expect(indented.length).toBeGreaterThan(50);
      const more = indented
        .map(([line, i]) => {
          const text = [...example.slice(0, i), `\t${line.trimStart()}`, ...example.slice(i + 1)].join('\n');
          return { line: i + 1, fields: fieldsOf(settingsErrorOf(() => parseSettingsText(text, 'rancher.yaml', REPO_ROOT))) };
        })
        .filter((r) => r.fields.length !== 1);
      expect(more).toEqual([]);
    });
  });

  it.each([
    ['rkeHa:\n  etcdSnapshots:\n    schedule: "0 */5 * * *"\n', 'rkeHa.etcdSnapshots.schedule', 'scheduleCron'],
    ['k8sHa:\n  eks:\n    name: prod-eks\n', 'k8sHa.eks.name', 'clusterName'],
  ])('suggests the key of its own section for %j, not one of that name elsewhere', (text, field, near) => {
    const error = settingsErrorOf(() => parseSettingsText(text, 'a.yaml'));
    expect(error.problems).toEqual([
      { field, message: expect.stringMatching(new RegExp(`^unknown setting; did you mean ${near}\\? allowed here: `)) },
    ]);
  });

  it.each([
    ['versions:\n  rancher: 2.15\n', 2.15],
    ['versions:\n  rancher: "2.15"\n', '2.15'],
  ])('refuses %j with one problem that gives the full version to write', (text, value) => {
    const error = settingsErrorOf(() => parseSettingsText(text, 'a.yaml'));
    expect(error.problems).toEqual([
      { field: 'versions.rancher', message: expect.stringMatching(/: write versions\.rancher: "2\.15\.\d+"$/), value },
    ]);
  });

  it('gives the line number of a YAML error', () => {
    const error = settingsErrorOf(() => parseSettingsText('region: eu-west-1\nname: a\nregion: eu-central-1\n', 'a.yaml'));
    expect(error.message).toContain('at line 3');
  });

  it('reports cross-field problems next to a non-integer number', () => {
    const error = settingsErrorOf(() =>
      parseSettingsText('hostname: rancher.example.com\nhostedZone: example.org\nrancher:\n  replicas: 2.5\n', 'a.yaml'),
    );
    expect(fieldsOf(error)).toEqual(expect.arrayContaining(['rancher.replicas', 'hostname']));
    expect(error.message).toContain('rancher.replicas: expected a whole number (got 2.5)');
  });

  it('shows the unknown backend type itself, and says a missing bucket is required', () => {
    const error = settingsErrorOf(() => parseSettingsText('backend:\n  type: gcs\n', 'a.yaml'));
    expect(error.message).toContain('backend.type: expected one of "local", "s3" (got "gcs")');
    const missing = settingsErrorOf(() => parseSettingsText('backend:\n  type: s3\n', 'a.yaml'));
    expect(missing.message).toContain('backend.bucket: required');
  });
});

describe('formatProblems', () => {
  describe('truncates a long value to 80 characters', () => {
    it('through the loader: a long value never floods the message', () => {
      const long = 'a'.repeat(500);
      let error: unknown;
      try {
        parseSettingsText(`region: ${long}\n`, 'a.yaml');
      } catch (e) {
        error = e;
      }
      expect(error).toBeInstanceOf(SettingsError);
      const { message, problems } = error as SettingsError;
      expect(problems[0].value).toBe(long); // the problem keeps the whole value
      expect(message).toBe(
        `Invalid settings in a.yaml (1 problem):\n  - region: expected an AWS region such as eu-west-1 (got "${'a'.repeat(76)}...)`,
      );
    });
  });
});
