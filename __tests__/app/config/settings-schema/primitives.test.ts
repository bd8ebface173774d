import { settingsProblems } from '../../../helpers/synth';
import { withTestSums } from '../../../helpers/release-sums';

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
    ['rancher', '2.14', 'expected a version like 2.14.0'],
  ])('versions.%s refuses %p', (key, value, message) => {
    expect(problemsOf({ versions: { [key]: value } })).toEqual([{ field: `versions.${key}`, message, value }]);
  });
});
