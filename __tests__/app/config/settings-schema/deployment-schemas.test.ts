import { DEFAULT_VERSIONS, rke2KubernetesMinor } from '../../../../lib/config/versions';
import { RECORDED_SUMS } from '../../../../lib/config/release-sums';
import type { ZodObject } from 'zod';
import { rancherOnDockerSchema, rancherOnExistingClusterSchema, rancherOnRkeSchema } from '../../../../lib/config/deployment-schema';
import { settingsSchema } from '../../../../app/config/settings-schema';
import { unknownKeyMessage } from '../../../../app/config/settings-fields';
import { testSum, withTestSums } from '../../../helpers/release-sums';
import { CONSTRUCTS, FILE_SECTIONS_OF, schemaProblems, SECTION_OF } from '../../../helpers/construct-schemas';

/**
 * The deployment schema is shared: the settings file's schema is its fields
 * plus the file-only sections, and each L3 construct checks its props with its
 * fields and its own mode's section's, flat. Same defaults, same rules; each
 * reader's messages in its own words.
 */

/** The problems a schema refuses `input` (settings-file form) with, unknown keys in the settings file's words. */
const problems = (schema: ZodObject, input: Record<string, unknown>) => schemaProblems(schema, input, unknownKeyMessage);

describe.each(CONSTRUCTS)("%s's schema", (construct, schema, shared, section) => {
  const resolved = schema.parse({}) as Record<string, unknown>;
  const file = settingsSchema.parse({}) as Record<string, unknown>;
  const own = file[section] as Record<string, unknown>;
  const fileSections = FILE_SECTIONS_OF[construct] ?? [];

  it("resolves empty props to its own fields only, flat: no backend, tags, or other modes' sections", () => {
    expect(Object.keys(resolved)).toEqual([...shared, ...Object.keys(own), ...fileSections]);
  });

  it('fills in the very defaults a settings file gets (one home: the section schemas)', () => {
    expect(resolved).toEqual({ ...Object.fromEntries([...shared, ...fileSections].map((key) => [key, file[key]])), ...own });
  });
});

describe("the cross-field rules run for each construct, with the messages a settings file gets in the construct's words", () => {
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
      // The quay.io mirror is the Helm stacks' (cert-manager): given here so the file and the construct agree (below).
      {
        proxy: { egressOnlyTo: ['10.9.0.0/16'] },
        airGap: { registryMirrors: { 'quay.io': ['https://quay.internal'] } },
        docker: { tls: { issuer: 'acme' } },
      },
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

  // Each schema's messages are in its reader's words: a construct names its own props flat (`architecture`), a
  // settings file under their section (`rkeHa.architecture`). Where the two readers' words differ, the construct's
  // are these.
  const PROPS_WORDS: Record<string, [string, string]> = {
    "an RKE2 pin outside Rancher's range": ['for rkeHa.architecture x86_64', 'for architecture x86_64'],
    'DNS round robin with an existing network': ['with rkeHa.existingNetwork yet', 'with existingNetwork yet'],
    "a hostname too long for the Docker install's Let's Encrypt client": ['(docker.tls.issuer acme)', '(tls.issuer acme)'],
    'ALB TLS with an existing network': ['with docker.existingNetwork yet', 'with existingNetwork yet'],
  };

  it.each(cases)('%s', (what, schema, input) => {
    const expected = problems(settingsSchema, input);
    expect(expected.length).toBeGreaterThan(0);
    const words = PROPS_WORDS[what];
    if (words) expect(expected.join('\n')).toContain(words[0]);
    // The construct's own props are flat: `rkeHa.loadBalancer.type` is its `loadBalancer.type`.
    const section = SECTION_OF.get(schema)!;
    const inProps = (p: string) => (p.startsWith(`${section}.`) ? p.slice(section.length + 1) : p);
    expect(problems(schema, input)).toEqual(expected.map((p) => inProps(words ? p.replace(words[0], words[1]) : p)));
  });
});

describe("the rules that follow from rancher.tls (the Helm chart's) are the Helm stacks' only", () => {
  const closed = { proxy: { egressOnlyTo: ['10.9.0.0/16'] }, airGap: { installerUrl: 'https://m.internal/i', systemDefaultRegistry: 'r.internal' } };
  const quay = /airGap\.registryMirrors\["quay\.io"\]/;

  it('closed egress asks the settings file, RancherOnRke and RancherOnExistingCluster for a quay.io mirror', () => {
    for (const schema of [settingsSchema, rancherOnRkeSchema, rancherOnExistingClusterSchema])
      expect(problems(schema, closed).join('\n')).toMatch(quay);
  });
});

describe('the Kubernetes pins are checked where a distribution is installed', () => {
  const OLDER_RANCHER = { versions: { rancher: '2.12.3' } };

  it('RancherOnRke (and the settings file, which synthesizes rke-ha) refuse a Rancher line the pinned RKE2 does not fit', () => {
    const refusal = `versions.rke2: Kubernetes 1.${rke2KubernetesMinor(DEFAULT_VERSIONS.rke2)} is outside Rancher 2.12's supported range 1.31-1.33`;
    expect(problems(rancherOnRkeSchema, OLDER_RANCHER)).toEqual([refusal]);
    expect(problems(settingsSchema, OLDER_RANCHER)).toEqual([refusal]);
    expect(problems(rancherOnRkeSchema, withTestSums({ versions: { rancher: '2.12.3', rke2: 'v1.33.5+rke2r1' } }))).toEqual([]);
  });
});

describe('the release file the servers install has a SHA-256, recorded or supplied, wherever a distribution is installed', () => {
  const NEW_PATCH = { versions: { rke2: 'v1.35.8+rke2r1' } };
  const refusal = `versions.rke2: v1.35.8+rke2r1 has no SHA-256 of rke2.linux-amd64.tar.gz for rkeHa.architecture x86_64, and the servers install nothing unverified (this project records it for ${Object.keys(RECORDED_SUMS.rke2).join(', ')}); use a version that has it, or supply it from the release's sha256sum-amd64.txt after checking it (docs/day-2.md, "Sums of a new release"): versions.releaseSums: { "v1.35.8+rke2r1": { "rke2.linux-amd64.tar.gz": <sha256> } }`;

  it('RancherOnRke and the settings file refuse a version without one, naming the setting, the version, the architecture and the fix', () => {
    expect(problems(rancherOnRkeSchema, NEW_PATCH)).toEqual([refusal.replace('for rkeHa.architecture', 'for architecture')]);
    expect(problems(settingsSchema, NEW_PATCH)).toEqual([refusal]);
  });

  it('a supplied sum lets it through, for that version and architecture only', () => {
    const supplied = { 'v1.35.8+rke2r1': { 'rke2.linux-amd64.tar.gz': testSum('v1.35.8+rke2r1', 'rke2.linux-amd64.tar.gz') } };
    expect(problems(rancherOnRkeSchema, { versions: { ...NEW_PATCH.versions, releaseSums: supplied } })).toEqual([]);
    expect(problems(settingsSchema, { versions: { ...NEW_PATCH.versions, releaseSums: supplied } })).toEqual([]);
    // arm64 servers install rke2.linux-arm64.tar.gz, whose sum is not supplied.
    expect(
      problems(rancherOnRkeSchema, {
        versions: { ...NEW_PATCH.versions, releaseSums: supplied },
        rkeHa: { architecture: 'arm64', instanceType: 'm7g.xlarge' },
      }),
    ).toEqual([expect.stringMatching(/^versions\.rke2: v1\.35\.8\+rke2r1 has no SHA-256 of rke2\.linux-arm64\.tar\.gz for architecture arm64, /)]);
  });
});

describe("a construct's messages name its own props, never a settings file's section", () => {
  const IPV6 = '2600:1f18::/32';
  it('RancherOnDocker says its host is IPv4 only, where the settings file asks for rke-ha dual-stack', () => {
    expect(problems(rancherOnDockerSchema, { adminCidrs: [IPV6] })).toEqual([
      `adminCidrs: lists IPv6 networks (${IPV6}), and the docker host is IPv4 only; list IPv4 networks`,
    ]);
    expect(problems(settingsSchema, { adminCidrs: [IPV6] })).toEqual([
      `adminCidrs: lists IPv6 networks (${IPV6}), which reach the admin ports only of a dual-stack deployment; set rkeHa.dualStack: true, or list IPv4 networks`,
    ]);
  });
});
