import type { ZodObject } from 'zod';
import { toProblems } from '../../../lib/config/problems';
import { rancherOnDockerSchema, rancherOnExistingClusterSchema, rancherOnRkeSchema } from '../../../lib/config/deployment-schema';
import { settingsSchema } from '../../../lib/config/schema';

/**
 * The deployment schema is shared: the settings file's schema is its fields
 * plus the file-only sections, and each L3 construct checks its props with its
 * fields and its own mode's section. Same defaults, same rules, same messages.
 */

const SHARED = ['name', 'region', 'dns', 'adminCidrs', 'proxy', 'airGap', 'vpc', 'versions', 'rancher', 'timeouts', 'backups', 'alarms'];
const CONSTRUCTS: [string, ZodObject, string[]][] = [
  ['RancherOnRke', rancherOnRkeSchema, [...SHARED, 'rkeHa']],
  ['RancherOnExistingCluster', rancherOnExistingClusterSchema, [...SHARED.filter((key) => !['dns', 'adminCidrs', 'vpc'].includes(key)), 'k8sHa']],
  ['RancherOnDocker', rancherOnDockerSchema, [...SHARED, 'docker']],
];

/** The problems a schema refuses `input` with, as a person reads them (field and message). */
function problems(schema: ZodObject, input: Record<string, unknown>): string[] {
  const result = schema.safeParse(input, { reportInput: true });
  return result.success ? [] : result.error.issues.flatMap((issue) => toProblems(issue, input)).map((p) => `${p.field}: ${p.message}`);
}

describe.each(CONSTRUCTS)("%s's schema", (_construct, schema, sections) => {
  const resolved = schema.parse({}) as Record<string, unknown>;
  const file = settingsSchema.parse({}) as Record<string, unknown>;

  it("resolves empty props to its own sections only: no backend, tags, or other modes' sections", () => {
    expect(Object.keys(resolved)).toEqual(sections);
  });

  it('fills in the very defaults a settings file gets (one home: the section schemas)', () => {
    expect(resolved).toEqual(Object.fromEntries(sections.map((key) => [key, file[key]])));
  });
});

describe('the cross-field rules run for each construct, with the messages a settings file gets', () => {
  const LONG_HOSTNAME = `${'a'.repeat(60)}.acme.io`;
  const cases: [string, ZodObject, Record<string, unknown>][] = [
    ['a hostname outside its zone', rancherOnRkeSchema, { hostname: 'rancher.other.io', hostedZone: 'acme.io' }],
    [
      'too many admin networks with SSH',
      rancherOnRkeSchema,
      { adminCidrs: Array.from({ length: 59 }, (_, i) => `10.${i}.0.0/16`), rkeHa: { sshKeyName: 'ops' } },
    ],
    ["an RKE2 pin outside Rancher's range", rancherOnRkeSchema, { versions: { rke2: 'v1.20.15+rke2r2' } }],
    [
      'DNS round robin with an existing network',
      rancherOnRkeSchema,
      {
        rkeHa: {
          loadBalancer: { type: 'dns' },
          existingNetwork: {
            vpcId: 'vpc-0123456789abcdef0',
            loadBalancerSubnetIds: ['subnet-0a000000000000001', 'subnet-0a000000000000002', 'subnet-0a000000000000003'],
            nodeSubnetIds: ['subnet-0b000000000000001', 'subnet-0b000000000000002', 'subnet-0b000000000000003'],
          },
        },
      },
    ],
    ['a restore with the first login on', rancherOnExistingClusterSchema, { backups: { restoreFrom: { file: 'rancher-backup.tar.gz.enc' } } }],
    [
      'a CNAME at the apex of the zone',
      rancherOnExistingClusterSchema,
      { hostname: 'acme.io', hostedZone: 'acme.io', k8sHa: { dns: { target: 'ingress.example.net' } } },
    ],
    [
      "a hostname too long for the Docker install's Let's Encrypt client",
      rancherOnDockerSchema,
      { hostname: LONG_HOSTNAME, hostedZone: 'acme.io', docker: { tls: { issuer: 'acme' } } },
    ],
    [
      'closed egress without mirrors, and acme',
      rancherOnDockerSchema,
      { proxy: { egressOnlyTo: ['10.9.0.0/16'] }, docker: { tls: { issuer: 'acme' } } },
    ],
    [
      'ALB TLS with an existing network',
      rancherOnDockerSchema,
      {
        docker: {
          tls: { mode: 'external', issuer: 'acme' },
          existingNetwork: { vpcId: 'vpc-0123456789abcdef0', subnetId: 'subnet-0a000000000000001' },
        },
      },
    ],
  ];

  it.each(cases)('%s', (_what, schema, input) => {
    const expected = problems(settingsSchema, input);
    expect(expected.length).toBeGreaterThan(0);
    expect(problems(schema, input)).toEqual(expected);
  });
});

describe('the Kubernetes pins are checked where a distribution is installed', () => {
  const OLDER_RANCHER = { versions: { rancher: '2.12.3' } };

  it('RancherOnRke (and the settings file, which synthesizes rke-ha) refuse a Rancher line the pinned RKE2 does not fit', () => {
    const refusal = "versions.rke2: Kubernetes 1.35 is outside Rancher 2.12's supported range 1.31-1.33";
    expect(problems(rancherOnRkeSchema, OLDER_RANCHER)).toEqual([refusal]);
    expect(problems(settingsSchema, OLDER_RANCHER)).toEqual([refusal]);
    expect(problems(rancherOnRkeSchema, { versions: { rancher: '2.12.3', rke2: 'v1.33.5+rke2r1' } })).toEqual([]);
  });

  it('RancherOnExistingCluster and RancherOnDocker install no RKE2 or K3s: no pin of theirs is checked against Rancher', () => {
    for (const schema of [rancherOnExistingClusterSchema, rancherOnDockerSchema]) {
      expect(problems(schema, OLDER_RANCHER)).toEqual([]);
      expect(problems(schema, { versions: { rancher: '2.12.3', rke2: 'v1.35.7+rke2r1', k3s: 'v1.35.7+k3s1' } })).toEqual([]);
    }
  });
});
