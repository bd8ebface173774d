import { RKE_HA_STACK } from '../../app/stacks/rke-ha';
import type { AwsPartition } from '../../lib/config/aws-regions';
import { GATE_CHART_FILES } from '../../lib/kubernetes/gate-chart';
import BOOT_LIB from '../../lib/nodes/boot-lib.sh';
import BACKUP_CREDENTIALS from '../../lib/kubernetes/backup-credentials.sh';
import CLUSTER_LIB from '../../lib/kubernetes/cluster-lib.sh';
import RKE2_RESTORE from '../../lib/kubernetes/rke2-restore.sh';
import REGISTRY_CREDENTIALS from '../../lib/kubernetes/registry-credentials.sh';
import { forPartition, SCRIPT_ENDPOINT } from '../../lib/nodes/private/partition-endpoints';
import { foreignInStack, foreignInText, PARTITION_NEUTRAL, type PartitionHit } from '../helpers/partition-scan';
import { RKE_HA_TLS_VARIANTS, STACK_VARIANTS, mergeSettings, synthSettings, type StackVariant } from '../helpers/variants';

/**
 * Issue 38.1: every stack variant synthesized for a region of each partition
 * (the variant's own commercial region, cn-north-1, us-gov-west-1) holds no
 * ARN, DNS suffix or region name of another partition, in its Terraform JSON,
 * the boot scripts embedded in its user data, or the chart files it ships.
 */

const PARTITION_REGIONS: Record<Exclude<AwsPartition, 'aws'>, string> = { 'aws-cn': 'cn-north-1', 'aws-us-gov': 'us-gov-west-1' };

const variants: StackVariant[] = [
  ...STACK_VARIANTS,
  ...Object.entries(RKE_HA_TLS_VARIANTS).map(([pair, tls]) => ({
    name: `rke-ha tls ${pair}`,
    stack: RKE_HA_STACK as StackVariant['stack'],
    settings: { rancher: { tls } },
  })),
];

/**
 * A variant's settings for a region of another partition: the region, and what
 * a variant gives in commercial spelling (the load balancer name of its DNS
 * target, the ARN of a registry login's secret) spelled as that region's would be.
 */
function inPartition(input: StackVariant['settings'], region: string): StackVariant['settings'] {
  const suffix = region.startsWith('cn-') ? 'amazonaws.com.cn' : 'amazonaws.com';
  const partition = region.startsWith('cn-') ? 'aws-cn' : 'aws-us-gov';
  const moved = JSON.parse(
    JSON.stringify(input)
      .replace(/\.elb\.[a-z0-9-]+\.amazonaws\.com"/g, `.elb.${region}.${suffix}"`)
      .replace(/arn:aws:([a-z-]+):[a-z0-9-]+:/g, `arn:${partition}:$1:${region}:`),
  );
  return mergeSettings(moved, { region });
}

const show = (hits: PartitionHit[]) => hits.slice(0, 5).map((h) => `${h.where}: ${h.found} in "${h.context}"`);

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

  test('leaves the partition-neutral names and validation messages alone', () => {
    expect(foreignInStack({ ns: 'http://s3.amazonaws.com/doc/2006-03-01/', v: [{ error_message: 'arn:aws:iam::1:role/x' }] }, 'aws-cn')).toEqual([]);
  });
});

describe.each(['aws', 'aws-cn', 'aws-us-gov'] as const)('every stack variant in %s', (partition) => {
  test.each(variants.map((v) => [v.name, v] as const))('%s', (_name, variant) => {
    const input = partition === 'aws' ? variant.settings : inPartition(variant.settings, PARTITION_REGIONS[partition]);
    const { json } = synthSettings(variant.stack, input);
    expect(show(foreignInStack(json, partition))).toEqual([]);
  });
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
