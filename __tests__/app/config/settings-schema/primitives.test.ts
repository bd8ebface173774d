import { settingsProblems } from '../../../helpers/synth';
import { withTestSums } from '../../../helpers/release-sums';
import { DEFAULT_VERSIONS, RANCHER_KUBERNETES_RANGE, RKE2_INGRESS_NGINX_LAST_MINOR, rancherFullVersion } from '../../../../lib/config/versions';

/** The problems a settings object is refused with; [] when accepted. */
const problemsOf = settingsProblems;

const CIDR_MESSAGE = 'expected an IPv4 CIDR block such as 10.8.0.0/24 (no host bits set)';

describe('fqdn', () => {
  const message = 'expected a hostname: lower-case DNS name with at least two labels, e.g. rancher.example.com';

  it('names the field in the message: hostname vs hostedZone', () => {
    expect(problemsOf({ hostname: 'rancher' })).toEqual([{ field: 'hostname', message, value: 'rancher' }]);
    expect(problemsOf({ hostedZone: 'Example.com' })).toEqual([
      {
        field: 'hostedZone',
        message:
          'expected a hosted zone name: lower-case DNS name with at least two labels, e.g. rancher.example.com; write it in lower case, "example.com"',
        value: 'Example.com',
      },
    ]);
  });
});

describe('awsRegion', () => {
  it('is the region field', () => {
    expect(problemsOf({ region: 'eu-west-1a' })).toEqual([
      { field: 'region', message: 'expected an AWS region such as eu-west-1', value: 'eu-west-1a' },
    ]);
  });
});

describe('cidr and adminCidr', () => {
  it('adminCidrs name each bad entry by position', () => {
    expect(problemsOf({ adminCidrs: ['10.8.0.7/32', '0.0.0.0/0', '10.8.0.7/24'] })).toEqual([
      {
        field: 'adminCidrs.1',
        message: 'admin ports must not be open to the whole internet; list the networks you administer from',
        value: '0.0.0.0/0',
      },
      { field: 'adminCidrs.2', message: CIDR_MESSAGE, value: '10.8.0.7/24' },
    ]);
  });
});

describe('wholeNumber', () => {
  it('reports a fraction next to the section rules and the top-level rules of the file', () => {
    const problems = problemsOf({
      rancher: { auditLog: { level: 1.5 }, replicas: 3.5 },
      rkeHa: { distribution: 'k3s', ingressController: 'ingress-nginx' },
      versions: { rke2: 'v1.30.1+rke2r1' },
    });
    expect(problems).toEqual([
      { field: 'rancher.replicas', message: 'expected a whole number', value: 3.5 },
      { field: 'rancher.auditLog.level', message: 'expected a whole number', value: 1.5 },
      { field: 'rkeHa.ingressController', message: expect.stringContaining('K3s brings Traefik'), value: 'ingress-nginx' },
    ]);
    // With distribution rke2, the top-level version rule is reported as well.
    const rke2 = problemsOf(withTestSums({ rancher: { replicas: 3.5 }, versions: { rke2: 'v1.30.1+rke2r1' } }));
    expect(rke2.map((p) => p.field)).toEqual(['rancher.replicas', 'versions.rke2']);
  });
});

describe('version', () => {
  it.each([
    ['rke2', 'v1.35.7', 'expected a version like v1.35.0+rke2r1'],
    ['k3s', 'v1.35.7+rke2r1', 'expected a version like v1.35.7+k3s1'],
    ['certManager', '1.21.1', 'expected a version like v1.21.1'],
    ['rancher', 'v2.14.3', 'expected a version like 2.14.0'],
    ['rancher', '2.14', `names Rancher's 2.14 line without its patch: write versions.rancher: "2.14.3"`],
  ])('versions.%s refuses %p', (key, value, message) => {
    expect(problemsOf({ versions: { [key]: value } })).toEqual([{ field: `versions.${key}`, message, value }]);
  });

  // An unquoted 2.15 is a number to YAML: it got "expected a string", and quoted, "expected a version like 2.14.0".
  it.each([
    [
      2.15,
      `is the number 2.15 to YAML (it is unquoted), and a Rancher version is text with its patch: write versions.rancher: "${DEFAULT_VERSIONS.rancher}"`,
    ],
    ['2.15', `names Rancher's 2.15 line without its patch: write versions.rancher: "${DEFAULT_VERSIONS.rancher}"`],
    [2.13, `is the number 2.13 to YAML (it is unquoted), and a Rancher version is text with its patch: write versions.rancher: "2.13.3"`],
    [
      '2.16',
      `names Rancher's 2.16 line without its patch; this release knows the lines 2.12, 2.13, 2.14, 2.15: write one in full, quoted, such as versions.rancher: "${DEFAULT_VERSIONS.rancher}"`,
    ],
  ])('versions.rancher %p: one problem, giving the full version to write', (rancher, message) => {
    expect(problemsOf({ versions: { rancher } })).toEqual([{ field: 'versions.rancher', message, value: rancher }]);
  });

  it.each(Object.keys(RANCHER_KUBERNETES_RANGE))('the full version given for the line %s is one the settings take', (line) => {
    const full = rancherFullVersion(line)!;
    expect(full.startsWith(`${line}.`)).toBe(true);
    // An RKE2 of the line's newest Kubernetes, Traefik where RKE2 no longer ships ingress-nginx.
    const minor = RANCHER_KUBERNETES_RANGE[line].maxExclusive - 1;
    const rkeHa = { ingressController: minor > RKE2_INGRESS_NGINX_LAST_MINOR ? 'traefik' : 'ingress-nginx' };
    expect(problemsOf(withTestSums({ versions: { rancher: full, rke2: `v1.${minor}.3+rke2r1` }, rkeHa }))).toEqual([]);
  });
});
