import { rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { EXIT_CODES } from '../../../app/config/exit-codes';
import { readSettings } from '../../../app/config/load';
import { nullMeaning } from '../../../app/config/settings-fields';
import { SettingsError, SettingsFileError, type SettingsProblem } from '../../../lib/config/errors';
import { scratchFolder } from '../../helpers/scratch';
import { kindsOf, sectionSettings, sectionTypeCases, type SectionTypeCase } from '../../helpers/section-types';

/*
 * A section, or a setting of a section, given a value of a type it does not take (`rancher: x`, `rancher: 1.5`,
 * `rancher: [a]`, `rkeHa: {loadBalancer: true}`) is the person's mistake: the settings refuse it, naming it (exit 1),
 * and no rule over the other settings breaks on it (an internal error, exit 4). The cases come from the settings schema
 * (helpers/section-types.ts); each is loaded as the synth loads a settings file (readSettings, RANCHER_CONFIG), which
 * refuses before anything is synthesized.
 */

/** A settings file for each stack, as a person deploying it might write one. */
const STACK_FILES: Readonly<Record<string, Readonly<Record<string, unknown>>>> = {
  'rke-ha': {
    name: 'prod',
    region: 'eu-west-1',
    hostname: 'rancher.acme.io',
    hostedZone: 'acme.io',
    adminCidrs: ['85.214.10.0/24'],
    rancher: { tls: { mode: 'ingress', issuer: 'rancher' } },
    rkeHa: { nodeCount: 3, instanceType: 'm6i.xlarge', loadBalancer: { type: 'nlb' }, etcdSnapshots: { retention: 10 } },
  },
  'k8s-ha': {
    hostname: 'rancher.acme.io',
    hostedZone: 'acme.io',
    rancher: { replicas: 3 },
    k8sHa: {
      access: { kubeconfig: { path: '~/.kube/config', context: 'prod' } },
      ingress: { className: 'traefik' },
      dns: { target: 'k8s-ingress-0123456789abcdef.elb.eu-west-1.amazonaws.com' },
    },
  },
  docker: {
    hostname: 'rancher.acme.io',
    hostedZone: 'acme.io',
    adminCidrs: ['85.214.10.0/24'],
    docker: { instanceType: 'm6i.large', tls: { issuer: 'rancher' } },
  },
};

type Outcome =
  | { readonly exit: typeof EXIT_CODES.ok; readonly settings: unknown }
  | { readonly exit: typeof EXIT_CODES.invalidSettings | typeof EXIT_CODES.settingsFile; readonly problems: readonly SettingsProblem[] }
  | { readonly exit: typeof EXIT_CODES.internalError; readonly error: string };

let dir: string;
let files = 0;

/** The settings loaded as the synth loads them (app/main.ts: readSettings, its errors to exit codes). */
function load(data: unknown): Outcome {
  const path = join(dir, `settings-${(files += 1)}.yaml`);
  writeFileSync(path, stringify(data));
  try {
    return { exit: EXIT_CODES.ok, settings: readSettings({ env: { RANCHER_CONFIG: path }, cwd: dir }).settings };
  } catch (error) {
    if (error instanceof SettingsFileError) return { exit: EXIT_CODES.settingsFile, problems: error.problems };
    if (error instanceof SettingsError) return { exit: EXIT_CODES.invalidSettings, problems: error.problems };
    return { exit: EXIT_CODES.internalError, error: String(error) };
  } finally {
    rmSync(path);
  }
}

const CASES = sectionTypeCases(STACK_FILES);

/** What a case's null must mean (load.ts, withoutNulls): the setting left out, or an empty mapping for a section with no defaults of its own. */
function nullRead(c: SectionTypeCase): Readonly<Record<string, unknown>> {
  if (nullMeaning(c.path) !== 'empty-mapping') return c.without;
  const [top, key] = c.path;
  if (key === undefined) return { ...c.without, [top]: {} };
  return { ...c.without, [top]: { ...(c.without[top] as Record<string, unknown> | undefined), [key]: {} } };
}

describe('a section given a value of a type it does not take', () => {
  beforeAll(() => {
    dir = scratchFolder('rancher-section-types-');
  });
  afterAll(() => {
    rmSync(dir, { recursive: true, force: true });
    const wrong = CASES.filter((c) => c.given !== 'null').length;
    console.log(
      `section types: ${CASES.length} cases (${wrong} of a wrong type, ${CASES.length - wrong} null) over ${Object.keys(STACK_FILES).length} stacks' settings files`,
    );
  });

  it.each(Object.keys(STACK_FILES))('starts from a %s settings file that loads', (stack) => {
    expect(load(STACK_FILES[stack])).toEqual(expect.objectContaining({ exit: EXIT_CODES.ok }));
  });

  it('covers every top-level setting and every setting of each section, each given every type it does not take', () => {
    const settings = sectionSettings();
    expect(settings.filter((s) => s.path.length === 1).map((s) => s.path[0])).toEqual(
      expect.arrayContaining(['rancher', 'versions', 'backend', 'rkeHa', 'k8sHa', 'docker']),
    );
    expect(settings.map((s) => s.path.join('.'))).toEqual(expect.arrayContaining(['rancher.tls', 'rkeHa.etcdSnapshots', 'backend.bucket']));
    // A setting whose input the schema's definition does not tell would be no case at all: there is none.
    expect(settings.filter((s) => kindsOf(s.schema).size === 5).map((s) => s.path.join('.'))).toEqual([]);
    const givenTo = (path: string) => CASES.filter((c) => c.stack === 'k8s-ha' && c.path.join('.') === path).map((c) => c.given);
    expect(givenTo('rancher')).toEqual(['text', 'number', 'boolean', 'list', 'null']);
    expect(givenTo('rancher.replicas')).toEqual(['text', 'boolean', 'list', 'mapping', 'null']);
    expect(givenTo('adminCidrs')).toEqual(['text', 'number', 'boolean', 'mapping', 'null']);
  });

  const wrongType = CASES.filter((c) => c.given !== 'null');
  it.each(wrongType.map((c) => [c.stack, c.path.join('.'), c.given, c] as const))(
    '%s: %s given %s is refused, naming it and nothing else (exit 1)',
    (_stack, field, _given, c) => {
      const outcome = load(c.data);
      expect(outcome.exit).toBe(EXIT_CODES.invalidSettings);
      const fields = 'problems' in outcome ? outcome.problems.map((p) => p.field) : [];
      expect(fields).toContainEqual(expect.stringMatching(new RegExp(`^${field.replace(/\./g, '\\.')}(\\.|$)`)));
      // One mistake, its answers only: no rule read past the refused section into a message about another setting.
      expect(fields.filter((f) => f !== field && !f.startsWith(`${field}.`))).toEqual([]);
    },
  );

  it.each(CASES.filter((c) => c.given === 'null').map((c) => [c.stack, c.path.join('.'), c] as const))(
    '%s: %s given null is read as the setting left out (or, for a section without defaults, an empty one)',
    (_stack, _field, c) => {
      expect(load(c.data)).toEqual(load(nullRead(c)));
    },
  );
});
