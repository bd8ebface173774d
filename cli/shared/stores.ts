import { type Deployment, inState, managed } from './module-folder';
import { arnRegion } from './aws';
import { type ModuleState, type StateResource, stringAttribute } from './terraform';

/** A data store that outlives the servers: kept guarded, or deleted on purpose after everything else. */
export interface Store {
  readonly kind: 'bucket' | 'log-group' | 'kms-key';
  /** Bucket name, log group name or key id. */
  readonly id: string;
  readonly arn?: string;
  /** Its region, when the state names one (a bucket's `region`, a key's ARN): a standby's copies are in another. */
  readonly region?: string;
}

/**
 * The deployment's stores as its state holds them (buckets, log groups, the KMS keys they are encrypted with), and
 * every resource that is part of one (a bucket's guards and the objects Terraform wrote there). The teardown keeps or
 * deletes them; the drill refuses to tear down a throwaway whose state holds one of production's.
 */
export function storesOf(state: ModuleState, deployment: Deployment): { readonly stores: Store[]; readonly resources: StateResource[] } {
  const live = state.resources.filter((r) => r.mode === 'managed');
  const kept = inState(state, deployment.stores);
  const buckets = kept.filter((r) => r.type === 'aws_s3_bucket');
  const bucketNames = new Set(buckets.map((b) => String(b.attributes.bucket ?? b.attributes.id)));
  // The guards are resources of their own that name their bucket: they stay with it, and so do objects Terraform
  // wrote there (the record a migration's preflight reads beside Rancher's backups).
  const bucketParts = live.filter(
    (r) => (r.type.startsWith('aws_s3_bucket_') || r.type === 'aws_s3_object') && bucketNames.has(String(r.attributes.bucket)),
  );
  const logGroups = kept.filter((r) => r.type === 'aws_cloudwatch_log_group');
  // The keys the stores are encrypted with: deleting one makes its data unreadable for good.
  const keyRefs = new Set<string>(
    [...bucketParts.flatMap(kmsReferences), ...logGroups.map((g) => String(g.attributes.kms_key_id ?? ''))].filter(Boolean),
  );
  const keys = managed(state, 'aws_kms_key').filter((k) => keyRefs.has(String(k.attributes.arn)) || keyRefs.has(String(k.attributes.key_id)));
  const stores: Store[] = [
    ...buckets
      // the access-log bucket last: the snapshot bucket writes its access logs there until it is gone
      .sort((a, b) => Number(a.name.includes('access-logs')) - Number(b.name.includes('access-logs')))
      .map((b) => ({
        kind: 'bucket' as const,
        id: String(b.attributes.bucket ?? b.attributes.id),
        arn: stringAttribute(b.attributes.arn),
        ...regionOf(stringAttribute(b.attributes.region)),
      })),
    ...logGroups.map((g) => ({
      kind: 'log-group' as const,
      id: String(g.attributes.name ?? g.attributes.id),
      arn: stringAttribute(g.attributes.arn),
    })),
    ...keys.map((k) => {
      const arn = stringAttribute(k.attributes.arn);
      return { kind: 'kms-key' as const, id: String(k.attributes.key_id ?? k.attributes.id), arn, ...regionOf(arn && arnRegion(arn)) };
    }),
  ];
  return { stores, resources: [...buckets, ...bucketParts, ...logGroups, ...keys] };
}

const regionOf = (region: string | undefined) => (region ? { region } : {});

/** A nested block as a list (the state writes blocks as lists; a missing one is empty). */
const list = (value: unknown): Record<string, unknown>[] =>
  Array.isArray(value) ? value : value === undefined || value === null ? [] : [value as Record<string, unknown>];

function kmsReferences(resource: StateResource): string[] {
  if (resource.type !== 'aws_s3_bucket_server_side_encryption_configuration') return [];
  return list(resource.attributes.rule).flatMap((rule) =>
    list(rule.apply_server_side_encryption_by_default).map((d) => String(d.kms_master_key_id ?? '')),
  );
}
