import type { ZodObject } from 'zod';
import type { UnknownKeyMessage } from '../../../lib/config/problems';
import { rancherOnDockerSchema, rancherOnExistingClusterSchema, rancherOnRkeSchema } from '../../../lib/config/deployment-schema';
import { withTestSums } from '../../helpers/release-sums';
import { schemaProblems } from '../../helpers/construct-schemas';

/**
 * The deployment schema is shared: the settings file's schema is its fields
 * plus the file-only sections, and each L3 construct checks its props with its
 * fields and its own mode's section's, flat. Same defaults, same rules; each
 * reader's messages in its own words.
 */

/** No case here has a key its schema lacks: the settings file's unknown-key words are its own (the app's tests). */
const noUnknownKey: UnknownKeyMessage = (path, key) => {
  throw new Error(`unexpected unknown key ${[...path, key].join('.')}`);
};

const problems = (schema: ZodObject, input: Record<string, unknown>) => schemaProblems(schema, input, noUnknownKey);

describe("the rules that follow from rancher.tls (the Helm chart's) are the Helm stacks' only", () => {
  const closed = { proxy: { egressOnlyTo: ['10.9.0.0/16'] }, airGap: { installerUrl: 'https://m.internal/i', systemDefaultRegistry: 'r.internal' } };
  it('and not RancherOnDocker, which installs no cert-manager', () => {
    expect(problems(rancherOnDockerSchema, closed)).toEqual([]);
  });
});

describe('the Kubernetes pins are checked where a distribution is installed', () => {
  const OLDER_RANCHER = { versions: { rancher: '2.12.3' } };
  it('RancherOnExistingCluster and RancherOnDocker install no RKE2 or K3s: no pin of theirs is checked against Rancher', () => {
    for (const schema of [rancherOnExistingClusterSchema, rancherOnDockerSchema]) {
      expect(problems(schema, OLDER_RANCHER)).toEqual([]);
      expect(problems(schema, { versions: { rancher: '2.12.3', rke2: 'v1.35.7+rke2r1', k3s: 'v1.35.7+k3s1' } })).toEqual([]);
    }
  });
});

describe('the release file the servers install has a SHA-256, recorded or supplied, wherever a distribution is installed', () => {
  const NEW_PATCH = { versions: { rke2: 'v1.35.8+rke2r1' } };
  it('K3s: its version and its binary, per architecture (no k3s-arm64 sum is recorded for v1.35.7+k3s1 or the pin, one is for v1.36.3+k3s1)', () => {
    expect(problems(rancherOnRkeSchema, { rkeHa: { distribution: 'k3s' } })).toEqual([]);
    expect(problems(rancherOnRkeSchema, { rkeHa: { distribution: 'k3s', architecture: 'arm64', instanceType: 'm7g.xlarge' } })).toEqual([
      expect.stringMatching(/^versions\.k3s: v1\.36\.5\+k3s1 has no SHA-256 of k3s-arm64 for architecture arm64, .*records it for v1\.36\.3\+k3s1/),
    ]);
    expect(
      problems(rancherOnRkeSchema, {
        rkeHa: { distribution: 'k3s', architecture: 'arm64', instanceType: 'm7g.xlarge' },
        versions: { k3s: 'v1.36.3+k3s1' },
      }),
    ).toEqual([]);
    expect(
      problems(rancherOnRkeSchema, {
        rkeHa: { distribution: 'k3s', architecture: 'arm64', instanceType: 'm7g.xlarge' },
        versions: { k3s: 'v1.35.7+k3s1' },
      }),
    ).toEqual([
      expect.stringMatching(
        /^versions\.k3s: v1\.35\.7\+k3s1 has no SHA-256 of k3s-arm64 for architecture arm64, .*"v1\.35\.7\+k3s1": \{ "k3s-arm64": <sha256> \}/,
      ),
    ]);
    expect(
      problems(
        rancherOnRkeSchema,
        withTestSums({ rkeHa: { distribution: 'k3s', architecture: 'arm64', instanceType: 'm7g.xlarge' }, versions: { k3s: 'v1.35.7+k3s1' } }),
      ),
    ).toEqual([]);
    // The RKE2 pin is not installed with K3s.
    expect(problems(rancherOnRkeSchema, { rkeHa: { distribution: 'k3s' }, ...NEW_PATCH })).toEqual([]);
  });

  it('the RHEL family installs RKE2 from signed RPMs: only the installer is checked, and it always has a sum', () => {
    expect(problems(rancherOnRkeSchema, { ...NEW_PATCH, rkeHa: { operatingSystem: 'rocky-9' } })).toEqual([]);
    expect(problems(rancherOnRkeSchema, { versions: { k3s: 'v1.35.8+k3s1' }, rkeHa: { distribution: 'k3s', operatingSystem: 'rhel-9' } })).toEqual([
      expect.stringMatching(/^versions\.k3s: v1\.35\.8\+k3s1 has no SHA-256 of k3s for architecture x86_64/),
    ]);
  });

  it('RancherOnExistingCluster and RancherOnDocker install neither: no sum is asked for', () => {
    for (const schema of [rancherOnExistingClusterSchema, rancherOnDockerSchema]) expect(problems(schema, NEW_PATCH)).toEqual([]);
  });

  it('supplied sums: 64 lower-case hex characters, a release version, a file of its distribution, never against a recorded sum', () => {
    const recorded = '7a29a6fbf512903a6a4611a289bcb3bdf01ddeea9df1a09b1bd1f210f3d6948a';
    expect(
      problems(rancherOnRkeSchema, {
        versions: {
          releaseSums: {
            'v1.35.8+rke2r1': {
              'rke2.linux-amd64.tar.gz': recorded.toUpperCase(),
              k3s: recorded.replace('7', '8'),
              'install.sh': recorded.replace('7', '9'),
            },
            'v1.35.7+rke2r1': {
              'rke2.linux-amd64.tar.gz': recorded.replace('7a', '7b'),
              'rke2.linux-arm64.tar.gz': '0887d7b1e08dc7eb5ec57ad1db2d38149d879d224ddaf6f808e31dfa36ba1c9f',
            },
            '1.35.8': {},
          },
        },
      }),
    ).toEqual([
      'versions.releaseSums.v1.35.8+rke2r1.rke2.linux-amd64.tar.gz: expected a SHA-256: 64 lower-case hexadecimal characters, as sha256sum prints it',
      'versions.releaseSums.v1.35.8+rke2r1.k3s: is not a release file the servers verify for rke2 v1.35.8+rke2r1; expected one of rke2.linux-amd64.tar.gz, rke2.linux-arm64.tar.gz (the installer script is pinned by the project)',
      'versions.releaseSums.v1.35.8+rke2r1.install.sh: is not a release file the servers verify for rke2 v1.35.8+rke2r1; expected one of rke2.linux-amd64.tar.gz, rke2.linux-arm64.tar.gz (the installer script is pinned by the project)',
      expect.stringMatching(
        /^versions\.releaseSums\.v1\.35\.7\+rke2r1\.rke2\.linux-amd64\.tar\.gz: contradicts the sum this project records for rke2\.linux-amd64\.tar\.gz of v1\.35\.7\+rke2r1 \(7a29a6fb.*vivym\/vela/,
      ),
      'versions.releaseSums.1.35.8: expected an RKE2 or K3s release version such as v1.35.7+rke2r1 or v1.35.7+k3s1',
    ]);
  });
});

describe("a construct's messages name its own props, never a settings file's section", () => {
  const IPV6 = '2600:1f18::/32';
  const EXISTING = {
    vpcId: 'vpc-0123456789abcdef0',
    loadBalancerSubnetIds: ['subnet-0a000000000000001', 'subnet-0a000000000000002', 'subnet-0a000000000000003'],
    nodeSubnetIds: ['subnet-0b000000000000001', 'subnet-0b000000000000002', 'subnet-0b000000000000003'],
  };
  const SECTION_WORDS = /\b(rkeHa|k8sHa)\.|\bdocker\.(?!io\b)/;
  const cases: [string, ZodObject, Record<string, unknown>][] = [
    ['IPv6 admin networks', rancherOnRkeSchema, { adminCidrs: [IPV6] }],
    ['IPv6 admin networks', rancherOnDockerSchema, { adminCidrs: [IPV6] }],
    ['RHEL behind closed egress', rancherOnRkeSchema, { rkeHa: { operatingSystem: 'rhel-9' }, proxy: { egressOnlyTo: ['10.9.0.0/16'] } }],
    ['an image not published in the partition', rancherOnRkeSchema, { region: 'cn-north-1', rkeHa: { operatingSystem: 'rocky-9' } }],
    ['re-encryption with K3s', rancherOnRkeSchema, { rancher: { tls: { mode: 'rancher' } }, rkeHa: { distribution: 'k3s' } }],
    ['DNS round robin with an existing network', rancherOnRkeSchema, { rkeHa: { loadBalancer: { type: 'dns' }, existingNetwork: EXISTING } }],
    ['an EKS identity off EKS', rancherOnExistingClusterSchema, { backups: { credentials: 'irsa' } }],
    ['a wildcard name with ALB TLS', rancherOnDockerSchema, { dns: { mode: 'wildcard' }, docker: { tls: { mode: 'external', issuer: 'blank' } } }],
  ];

  it.each(cases)('%s', (_what, schema, input) => {
    const found = problems(schema, input);
    expect(found.length).toBeGreaterThan(0);
    for (const problem of found) expect(problem).not.toMatch(SECTION_WORDS);
  });
});

describe('backups.credentials irsa and pod-identity elsewhere', () => {
  it("RancherOnRke's props refuse them; RancherOnExistingCluster's take them with the cluster's name", () => {
    const rke = rancherOnRkeSchema.safeParse({ backups: { credentials: 'irsa' } });
    expect(rke.success).toBe(false);
    expect(rke.error!.issues.map((i) => [i.path.join('.'), i.message])).toEqual([['backups.credentials', expect.stringContaining('use servers')]]);
    expect(rancherOnExistingClusterSchema.safeParse({ backups: { credentials: 'pod-identity' }, eks: { clusterName: 'prod' } }).success).toBe(true);
  });
});
