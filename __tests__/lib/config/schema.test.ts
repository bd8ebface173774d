import { SettingsError, type SettingsProblem } from '../../../lib/config/errors';
import { parseSettings, parseSettingsText } from '../../../lib/config/load';
import { settingsSchema } from '../../../lib/config/schema';
import { DEFAULT_VERSIONS, RANCHER_KUBERNETES_RANGE, RKE2_INGRESS_NGINX_LAST_MINOR } from '../../../lib/config/versions';

/** The problems a settings object is refused with; [] when accepted. */
function problemsOf(input: unknown): SettingsProblem[] {
  try {
    parseSettings(input, 'test');
    return [];
  } catch (error) {
    if (error instanceof SettingsError) return [...error.problems];
    throw error;
  }
}
const fieldsOf = (input: unknown) => problemsOf(input).map((p) => p.field);

const NAME_MESSAGE = 'expected 2-16 lower-case letters, digits or dashes, starting with a letter';
const RESERVED_MESSAGE = 'must not start with "aws" or "ssm" (reserved by SSM Parameter Store)';
const LINES = Object.keys(RANCHER_KUBERNETES_RANGE);
const NO_NGINX_MINOR = RKE2_INGRESS_NGINX_LAST_MINOR + 1;

describe('top-level settings', () => {
  it('default: name rancher, us-east-1, hostname and zone unset, no admin networks, no tags', () => {
    const settings = parseSettings({}, 'test');
    expect(settings).toMatchObject({ name: 'rancher', region: 'us-east-1', adminCidrs: [], tags: {}, versions: DEFAULT_VERSIONS });
    expect(settings).not.toHaveProperty('hostname');
    expect(settings).not.toHaveProperty('hostedZone');
    expect(settingsSchema.parse({})).toEqual(settings);
  });

  it('has exactly the documented sections, in order', () => {
    expect(Object.keys(parseSettings({}, 'test'))).toEqual([
      'name',
      'region',
      'adminCidrs',
      'tags',
      'backend',
      'proxy',
      'airGap',
      'versions',
      'rancher',
      'timeouts',
      'rkeHa',
      'k8sHa',
      'docker',
    ]);
  });

  describe('name', () => {
    it.each(['rancher', 'ab', 'prod-eu-1', 'r2', 'a234567890123456', 'rancher-aws', 'my-ssm', 'as', 'ss'])('accepts %p', (name) => {
      expect(parseSettings({ name }, 'test').name).toBe(name);
    });

    it.each([
      ['a single character', 'a'],
      ['17 characters', 'a2345678901234567'],
      ['upper case', 'Rancher'],
      ['a leading digit', '1rancher'],
      ['a leading dash', '-rancher'],
      ['a trailing dash', 'rancher-'],
      ['an underscore', 'ran_cher'],
      ['a dot', 'ran.cher'],
      ['nothing', ''],
    ])('refuses %s (%p), saying what a name is', (_what, name) => {
      expect(problemsOf({ name })).toEqual([{ field: 'name', message: NAME_MESSAGE, value: name }]);
    });

    it.each(['aws', 'ssm', 'awsome', 'aws-rancher', 'ssm-prod', 'ssmrancher'])('refuses %p: the aws/ssm prefixes are reserved', (name) => {
      expect(problemsOf({ name })).toEqual([{ field: 'name', message: RESERVED_MESSAGE, value: name }]);
    });

    it('refuses a non-string', () => {
      expect(problemsOf({ name: 42 })).toEqual([{ field: 'name', message: 'expected a string', value: 42 }]);
    });
  });

  describe('region', () => {
    it('keeps a region as given', () => {
      expect(parseSettings({ region: 'eu-west-1' }, 'test').region).toBe('eu-west-1');
    });

    it('refuses a region name in words', () => {
      expect(problemsOf({ region: 'Ireland' })).toEqual([{ field: 'region', message: 'expected an AWS region such as eu-west-1', value: 'Ireland' }]);
    });
  });

  describe('hostname inside hostedZone', () => {
    it.each([
      ['rancher.example.com', 'example.com'],
      ['rancher.prod.example.com', 'example.com'],
      ['rancher.prod.example.com', 'prod.example.com'],
      ['example.com', 'example.com'],
    ])('accepts %p in %p', (hostname, hostedZone) => {
      expect(parseSettings({ hostname, hostedZone }, 'test')).toMatchObject({ hostname, hostedZone });
    });

    it.each([
      ['rancher.example.com', 'example.org'],
      ['rancher.notexample.com', 'example.com'],
      ['example.com', 'rancher.example.com'],
      ['rancher.example.com.evil.io', 'example.com'],
    ])('refuses %p outside %p, naming the zone', (hostname, hostedZone) => {
      expect(problemsOf({ hostname, hostedZone })).toEqual([{ field: 'hostname', message: `must be inside hostedZone "${hostedZone}"`, value: hostname }]);
    });

    it('checks nothing when only one of the two is set (the other is a Terraform variable)', () => {
      expect(fieldsOf({ hostname: 'rancher.example.com' })).toEqual([]);
      expect(fieldsOf({ hostedZone: 'example.org' })).toEqual([]);
    });
  });

  describe('tags', () => {
    it('keeps tags as given', () => {
      expect(parseSettings({ tags: { Team: 'platform', 'cost-center': '42', empty: '' } }, 'test').tags).toEqual({ Team: 'platform', 'cost-center': '42', empty: '' });
    });

    it('refuses a value over 256 characters', () => {
      const value = 'v'.repeat(257);
      expect(problemsOf({ tags: { Team: value } })).toEqual([{ field: 'tags.Team', message: 'expected at most 256 characters', value }]);
    });

    it('refuses a key over 128 characters, naming the key', () => {
      const key = 'k'.repeat(129);
      expect(problemsOf({ tags: { [key]: 'x' } })).toEqual([expect.objectContaining({ field: `tags.${key}`, value: key })]);
    });

    it('refuses a non-string value', () => {
      expect(problemsOf({ tags: { Replicas: 3 } })).toEqual([{ field: 'tags.Replicas', message: 'expected a string', value: 3 }]);
    });
  });

  describe('version compatibility applies to the distribution in use only', () => {
    const line = LINES[LINES.length - 1];
    const { min } = RANCHER_KUBERNETES_RANGE[line];
    const rancher = `${line}.0`;
    const tooOld = min - 1;

    it('rke2: an out-of-range RKE2 pin is refused at versions.rke2, with the line and its range', () => {
      expect(problemsOf({ versions: { rancher, rke2: `v1.${tooOld}.0+rke2r1` } })).toEqual([
        {
          field: 'versions.rke2',
          message: `Kubernetes 1.${tooOld} is outside Rancher ${line}'s supported range 1.${min}-1.${RANCHER_KUBERNETES_RANGE[line].maxExclusive - 1}`,
          value: `v1.${tooOld}.0+rke2r1`,
        },
      ]);
    });

    it('rke2: an out-of-range K3s pin is ignored (K3s is not installed)', () => {
      expect(fieldsOf({ versions: { rancher, k3s: `v1.${tooOld}.0+k3s1` } })).toEqual([]);
    });

    it('k3s: an out-of-range K3s pin is refused at versions.k3s', () => {
      expect(problemsOf({ rkeHa: { distribution: 'k3s' }, versions: { rancher, k3s: `v1.${tooOld}.0+k3s1` } })).toEqual([
        { field: 'versions.k3s', message: expect.stringMatching(new RegExp(`^Kubernetes 1\\.${tooOld} is outside Rancher ${line.replace('.', '\\.')}'s supported range`)), value: `v1.${tooOld}.0+k3s1` },
      ]);
    });

    it('k3s: an out-of-range RKE2 pin is ignored (RKE2 is not installed)', () => {
      expect(fieldsOf({ rkeHa: { distribution: 'k3s' }, versions: { rancher, rke2: `v1.${tooOld}.0+rke2r1` } })).toEqual([]);
    });

    it('k3s: both pins out of range name only versions.k3s', () => {
      expect(fieldsOf({ rkeHa: { distribution: 'k3s' }, versions: { rancher, rke2: `v1.${tooOld}.0+rke2r1`, k3s: `v1.${tooOld}.0+k3s1` } })).toEqual(['versions.k3s']);
    });

    it('an unknown Rancher line is refused once, whatever the distribution, listing the known lines', () => {
      const message = `unknown Rancher line 2.11; supported: ${LINES.join(', ')}`;
      expect(problemsOf({ versions: { rancher: '2.11.0' } })).toEqual([{ field: 'versions.rancher', message, value: '2.11.0' }]);
      expect(problemsOf({ rkeHa: { distribution: 'k3s' }, versions: { rancher: '2.11.0' } })).toEqual([{ field: 'versions.rancher', message, value: '2.11.0' }]);
    });

    it('a malformed pin is reported as malformed, not as out of range', () => {
      expect(fieldsOf({ versions: { rke2: 'v1.20' } })).toEqual(['versions.rke2']);
      expect(problemsOf({ versions: { rke2: 'v1.20' } })[0].message).toMatch(/^expected a version like/);
    });
  });

  describe(`ingress-nginx is refused for RKE2 1.${NO_NGINX_MINOR} and later`, () => {
    const ruleProblem = (minor: number) => ({
      field: 'rkeHa.ingressController',
      message: `RKE2 1.${minor} no longer ships ingress-nginx; use traefik`,
      value: 'ingress-nginx',
    });

    it.each([NO_NGINX_MINOR, NO_NGINX_MINOR + 1])('refuses the default controller (unset) with RKE2 1.%i', (minor) => {
      expect(problemsOf({ versions: { rke2: `v1.${minor}.0+rke2r1` } })).toContainEqual(ruleProblem(minor));
    });

    it('refuses an explicit ingress-nginx too', () => {
      expect(problemsOf({ versions: { rke2: `v1.${NO_NGINX_MINOR}.0+rke2r1` }, rkeHa: { ingressController: 'ingress-nginx' } })).toContainEqual(ruleProblem(NO_NGINX_MINOR));
    });

    it('accepts traefik there (only the Rancher range problem remains)', () => {
      expect(fieldsOf({ versions: { rke2: `v1.${NO_NGINX_MINOR}.0+rke2r1` }, rkeHa: { ingressController: 'traefik' } })).toEqual(['versions.rke2']);
    });

    it(`accepts the default controller with RKE2 1.${RKE2_INGRESS_NGINX_LAST_MINOR}`, () => {
      expect(fieldsOf({ versions: { rke2: `v1.${RKE2_INGRESS_NGINX_LAST_MINOR}.0+rke2r1`, rancher: '2.15.0' } })).toEqual([]);
    });

    it('ignores the RKE2 pin with distribution k3s', () => {
      expect(fieldsOf({ versions: { rke2: `v1.${NO_NGINX_MINOR}.0+rke2r1` }, rkeHa: { distribution: 'k3s' } })).toEqual([]);
    });
  });

  it("applies the TLS rules to the distribution's own ingress: k3s (Traefik) refuses mode rancher", () => {
    expect(problemsOf({ rkeHa: { distribution: 'k3s' }, rancher: { tls: { mode: 'rancher' } } })).toEqual([
      { field: 'rancher.tls.mode', message: expect.stringContaining('set up for ingress-nginx only'), value: 'rancher' },
    ]);
    expect(fieldsOf({ rancher: { tls: { mode: 'rancher' } } })).toEqual([]);
  });

  describe('every problem at once', () => {
    const FIVE_MISTAKES = [
      'name: Rancher',
      'region: mars',
      'hostname: rancher.example.com',
      'hostedZone: example.org',
      'rancher:',
      '  replicas: 2.5',
      'rkeHa:',
      '  nodeCount: 2',
      '',
    ].join('\n');

    it('a file with 5 independent mistakes yields exactly 5 problems: field rules, section rules and cross-field rules', () => {
      let error: unknown;
      try {
        parseSettingsText(FIVE_MISTAKES, 'rancher.yaml');
      } catch (e) {
        error = e;
      }
      expect(error).toBeInstanceOf(SettingsError);
      const { problems, message } = error as SettingsError;
      expect(problems.map((p) => p.field).sort()).toEqual(['hostname', 'name', 'rancher.replicas', 'region', 'rkeHa.nodeCount']);
      expect(message.split('\n')[0]).toBe('Invalid settings in rancher.yaml (5 problems):');
    });

    it('another 5: an unknown key, a bad backend type, a version range, a TLS choice and a proxy URL', () => {
      expect(
        fieldsOf({
          colour: 'blue',
          backend: { type: 'gcs' },
          versions: { rke2: 'v1.30.0+rke2r1' },
          rancher: { tls: { mode: 'external', issuer: 'rancher' } },
          proxy: { http: 'http://user:pw@proxy:3128' },
        }).sort(),
      ).toEqual(['backend.type', 'colour', 'proxy.http', 'rancher.tls.issuer', 'versions.rke2']);
    });
  });

  it('refuses an unknown top-level key, listing every section', () => {
    expect(problemsOf({ rkeha: {} })).toEqual([
      {
        field: 'rkeha',
        message: 'unknown setting; allowed here: name, region, hostname, hostedZone, adminCidrs, tags, backend, proxy, airGap, versions, rancher, timeouts, rkeHa, k8sHa, docker',
      },
    ]);
  });

  it.each([[[]], ['rancher'], [42]])('refuses %p at the top level: a mapping is expected', (data) => {
    expect(problemsOf(data)).toEqual([{ field: '(top level)', message: 'expected a mapping', value: data }]);
  });

  // KNOWN BUG: the top-level superRefine runs with `when: () => true` and reads `s.hostname`
  // on null, so parseSettings(null) throws a TypeError instead of a SettingsError.
  // (parseSettingsText maps an empty document to {} first, so only direct callers hit it.)
  it('refuses null at the top level with a SettingsError', () => {
    expect(() => parseSettings(null, 'test')).toThrow(SettingsError);
  });
});
