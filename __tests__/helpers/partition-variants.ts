import type { AwsPartition } from '../../lib/config/aws-regions';
import { RKE_HA_TLS_VARIANTS, STACK_VARIANTS, mergeSettings, synthSettings, type StackVariant, RKE_HA_STACK } from './variants';

/**
 * The stack variants of the partition sweeps (issue 38.1; __tests__/app/stacks/partitions.test.ts in the unit tier,
 * partitions-sweep.tools.test.ts in the tools tier), and how a variant is moved into another partition.
 */

/** The region each sweep synthesizes in, by partition. */
export const PARTITION_REGIONS: Record<Exclude<AwsPartition, 'aws'>, string> = { 'aws-cn': 'cn-north-1', 'aws-us-gov': 'us-gov-west-1' };
/** A variant's standby region moved with it: the other region of the partition (S3 replicates within one only). */
export const PARTITION_STANDBY_REGIONS: Record<Exclude<AwsPartition, 'aws'>, string> = { 'aws-cn': 'cn-northwest-1', 'aws-us-gov': 'us-gov-east-1' };

/** Every stack variant, the rke-ha TLS pairs included. */
export const PARTITION_VARIANTS: readonly StackVariant[] = [
  ...STACK_VARIANTS,
  ...Object.entries(RKE_HA_TLS_VARIANTS).map(([pair, tls]) => ({
    name: `rke-ha tls ${pair}`,
    stack: RKE_HA_STACK as StackVariant['stack'],
    settings: { rancher: { tls } },
  })),
];

/**
 * The variants the unit tier synthesizes in China and GovCloud: between them they switch on each part of a stack
 * that builds an ARN, an endpoint, a region name or an image lookup (K3s' database, the proxy and air gap, the
 * security options with private nodes, a standby in the partition's other region, dual stack, a registry login by
 * ARN, a restore from another deployment, the ACME issuer, each stack's defaults, the docker host behind an ALB with
 * ACM). The tools tier runs all of them.
 */
export const PARTITION_SAMPLE: readonly string[] = [
  'rke-ha defaults',
  'rke-ha k3s on PostgreSQL',
  'rke-ha proxy, closed egress, air gap, audit log',
  'rke-ha every security option, private nodes',
  'rke-ha standby in a second region, snapshots with access logging and Object Lock',
  'rke-ha dual-stack, private nodes, TLS at the load balancer, IPv6 admin networks, SSH',
  'rke-ha k3s, registry login from a Secrets Manager ARN in another region',
  'rke-ha migration: restore an encrypted backup of another deployment, schedule and retention',
  'rke-ha tls ingress+acme',
  'k8s-ha defaults',
  'k8s-ha variables, cert-manager present, DNS target, site',
  'docker defaults',
  'docker behind an ALB, ACM issues the certificate',
];

/**
 * A variant's settings for a region of another partition: the region (and a
 * standby's), and what a variant gives in commercial spelling (the load balancer name of its DNS
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
  const partitionKey = partition as Exclude<AwsPartition, 'aws'>;
  return mergeSettings(moved, { region, ...(moved.standby?.region ? { standby: { region: PARTITION_STANDBY_REGIONS[partitionKey] } } : {}) });
}

/** A variant synthesized in `partition` (the commercial one in its own region). */
export function synthInPartition(variant: StackVariant, partition: AwsPartition): ReturnType<typeof synthSettings> {
  return synthSettings(variant.stack, partition === 'aws' ? variant.settings : inPartition(variant.settings, PARTITION_REGIONS[partition]));
}
