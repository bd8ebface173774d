import type { AwsPartition } from '../../../lib/config/aws-regions';
import { SERVER_OPERATING_SYSTEMS } from '../../../lib/config/sections';
import { GATE_CHART_FILES } from '../../../lib/kubernetes/gate-chart';
import BOOT_LIB from '../../../lib/nodes/boot-lib.sh';
import BACKUP_CREDENTIALS from '../../../lib/kubernetes/backup-credentials.sh';
import CLUSTER_LIB from '../../../lib/kubernetes/cluster-lib.sh';
import RKE2_RESTORE from '../../../lib/kubernetes/rke2-restore.sh';
import REGISTRY_CREDENTIALS from '../../../lib/kubernetes/registry-credentials.sh';
import { forPartition, SCRIPT_ENDPOINT } from '../../../lib/nodes/private/partition-endpoints';
import { foreignInStack, foreignInText, IMAGE_PUBLISHERS, PARTITION_NEUTRAL, showHits as show } from '../../helpers/partition-scan';
import { PARTITION_REGIONS, PARTITION_SAMPLE, PARTITION_VARIANTS, synthInPartition } from '../../helpers/partition-variants';
import { dataSources, settingsProblems } from '../../helpers/synth';
import { synthSettings, type StackVariant, DOCKER_STACK, RKE_HA_STACK } from '../../helpers/variants';

/**
 * Issue 38.1: a stack synthesized for a region of each partition (the
 * variant's own commercial region, cn-north-1, us-gov-west-1) holds no ARN,
 * DNS suffix or region name of another partition, in its Terraform JSON, the
 * boot scripts embedded in its user data, or the chart files it ships.
 */

describe('the partition scan', () => {
  test('finds what another partition spells: an ARN, an endpoint, a region', () => {
    const china = foreignInStack(
      { a: 'arn:aws:iam::aws:policy/X', b: 'https://ssm.cn-north-1.amazonaws.com/', c: { 'us-east-1-topic': 'x' } },
      'aws-cn',
    );
    expect(china.map((h) => h.found)).toEqual(['arn:aws:', 'amazonaws.com', 'us-east-1']);
    const commercial = foreignInStack({ a: 'arn:aws-cn:s3:::b', b: 's3.cn-north-1.amazonaws.com.cn', c: 'arn:aws-us-gov:iam::1:root' }, 'aws');
    expect(commercial.map((h) => h.found)).toEqual(['arn:aws-cn:', 'amazonaws.com.cn', 'cn-north-1', 'arn:aws-us-gov:']);
  });

  test("finds another partition's image publisher, and an image owner it does not know", () => {
    const lookup = (owner: string) => ({ data: { aws_ami: { ubuntu: { owners: [owner] } } } });
    expect(foreignInStack(lookup('099720109477'), 'aws-cn').map((h) => h.found)).toEqual(['099720109477', '099720109477']);
    expect(foreignInStack(lookup('837727238323'), 'aws-us-gov').map((h) => h.found)).toEqual(['837727238323', '837727238323']);
    expect(foreignInStack(lookup('123456789012'), 'aws').map((h) => h.found)).toEqual(['123456789012']);
    for (const partition of ['aws', 'aws-cn', 'aws-us-gov'] as const) {
      for (const owner of IMAGE_PUBLISHERS[partition]) expect(foreignInStack(lookup(owner), partition)).toEqual([]);
    }
  });

  test('leaves the partition-neutral names and validation messages alone', () => {
    expect(foreignInStack({ ns: 'http://s3.amazonaws.com/doc/2006-03-01/', v: [{ error_message: 'arn:aws:iam::1:role/x' }] }, 'aws-cn')).toEqual([]);
  });
});

/**
 * Every variant in the commercial partition (synths the other unit files share), and in China and GovCloud the
 * variants that between them switch on every part of a stack that spells an ARN, an endpoint, a region or an image
 * owner. The tools tier (partitions-sweep.tools.test.ts) runs every variant in China and GovCloud: 98 more synths,
 * about 13 s of CPU, kept out of the edit-and-test loop.
 */
describe.each(['aws', 'aws-cn', 'aws-us-gov'] as const)('stack variants in %s', (partition) => {
  const chosen = partition === 'aws' ? PARTITION_VARIANTS : PARTITION_VARIANTS.filter((v) => PARTITION_SAMPLE.includes(v.name));
  test.each(chosen.map((v) => [v.name, v] as const))('%s', (_name, variant) => {
    expect(show(foreignInStack(synthInPartition(variant, partition).json, partition))).toEqual([]);
  });
});

test('the China and GovCloud sample names variants that exist, each stack among them', () => {
  const names = PARTITION_VARIANTS.map((v) => v.name);
  expect(PARTITION_SAMPLE.filter((name) => !names.includes(name))).toEqual([]);
  expect(new Set(PARTITION_VARIANTS.filter((v) => PARTITION_SAMPLE.includes(v.name)).map((v) => v.stack)).size).toBe(3);
});

describe('what the stacks embed, scanned on its own', () => {
  test.each(Object.entries(GATE_CHART_FILES))('gate chart %s names no partition', (file, text) => {
    for (const partition of ['aws', 'aws-cn', 'aws-us-gov'] as const) expect(show(foreignInText(text, partition, file))).toEqual([]);
  });

  test.each([
    ['boot-lib.sh', BOOT_LIB],
    ['cluster-lib.sh', CLUSTER_LIB],
    ['rke2-restore.sh', RKE2_RESTORE],
  ])('%s calls AWS only at endpoints forPartition rewrites (any other spelling would escape the stacks of another partition)', (file, text) => {
    const rewritten = [...text.matchAll(SCRIPT_ENDPOINT)].length;
    const all = [...text.replaceAll(PARTITION_NEUTRAL[0], '').matchAll(/amazonaws\.com/g)].length;
    expect(rewritten).toBeGreaterThan(0);
    expect(all).toBe(rewritten);
    expect(show(foreignInText(forPartition(text, 'cn-north-1'), 'aws-cn', file))).toEqual([]);
    expect(show(foreignInText(forPartition(text, 'us-gov-west-1'), 'aws-us-gov', file))).toEqual([]);
    expect(forPartition(text, 'eu-west-1')).toBe(text);
  });

  test.each([
    ['backup-credentials.sh', BACKUP_CREDENTIALS],
    ['registry-credentials.sh', REGISTRY_CREDENTIALS],
  ])('%s spells no endpoint of its own: it calls AWS through aws_post (cluster-lib.sh)', (_file, text) => {
    expect(text).toContain('aws_post ');
    expect([...text.matchAll(/amazonaws\.com/g)].length).toBe(0);
  });
});

/**
 * Issue 38.1, the images: each stack's lookup asks the publisher's account of the region's partition, and an
 * operating system no source shows published in a partition is refused at synth, naming the setting and the fix.
 */
describe('the server images in each partition', () => {
  const REGIONS: Record<AwsPartition, string> = { aws: 'eu-west-1', ...PARTITION_REGIONS };
  const owners = (json: any) => Object.values(dataSources(json, 'aws_ami')).map((ami: any) => ami.owners);
  const OFFERED: [AwsPartition, string, string][] = [
    ['aws', 'ubuntu-24.04', '099720109477'],
    ['aws', 'rhel-9', '309956199498'],
    ['aws', 'rocky-9', '792107900819'],
    ['aws-cn', 'ubuntu-24.04', '837727238323'],
    ['aws-cn', 'rhel-9', '841258680906'],
    ['aws-us-gov', 'ubuntu-24.04', '513442679011'],
    ['aws-us-gov', 'rhel-9', '219670896067'],
  ];
  const REFUSED: [AwsPartition, string][] = [
    ['aws-cn', 'rocky-9'],
    ['aws-us-gov', 'rocky-9'],
  ];

  test('the tables name every operating system in every partition once', () => {
    const pairs = [...OFFERED.map(([p, os]) => `${p} ${os}`), ...REFUSED.map(([p, os]) => `${p} ${os}`)].sort();
    const every = (['aws', 'aws-cn', 'aws-us-gov'] as const).flatMap((p) => SERVER_OPERATING_SYSTEMS.map((os) => `${p} ${os}`)).sort();
    expect(pairs).toEqual(every);
  });

  test.each(OFFERED)('rke-ha in %s, %s: the lookup asks %s and the stack scans clean', (partition, operatingSystem, owner) => {
    const { json } = synthSettings(RKE_HA_STACK, { region: REGIONS[partition], rkeHa: { operatingSystem } } as StackVariant['settings']);
    expect(owners(json)).toEqual([[owner]]);
    expect(show(foreignInStack(json, partition))).toEqual([]);
  });

  test.each(['aws', 'aws-cn', 'aws-us-gov'] as const)("docker in %s: Canonical's account of the partition, on either architecture", (partition) => {
    const ubuntu = OFFERED.find(([p, os]) => p === partition && os === 'ubuntu-24.04')![2];
    for (const architecture of ['x86_64', 'arm64'] as const) {
      const docker = { instanceType: architecture === 'arm64' ? 'm7g.large' : 'm6i.large', architecture };
      const { json } = synthSettings(DOCKER_STACK, { region: REGIONS[partition], docker } as StackVariant['settings']);
      expect(owners(json)).toEqual([[ubuntu]]);
    }
  });

  test.each(REFUSED)('rke-ha in %s, %s: refused, naming rkeHa.operatingSystem, the region and amiId', (partition, operatingSystem) => {
    const region = REGIONS[partition];
    expect(settingsProblems({ region, rkeHa: { operatingSystem } })).toEqual([
      {
        field: 'rkeHa.operatingSystem',
        message: expect.stringMatching(new RegExp(`not published in ${region} \\(partition ${partition}\\).*\\(rkeHa\\.amiId\\)`)),
        value: operatingSystem,
      },
    ]);
    // A pinned image of the user's is the fix: nothing is looked up, so nothing is refused.
    const { json } = synthSettings(RKE_HA_STACK, { region, rkeHa: { operatingSystem, amiId: 'ami-0123456789abcdef0' } } as StackVariant['settings']);
    expect(owners(json)).toEqual([]);
    expect(show(foreignInStack(json, partition))).toEqual([]);
  });
});
