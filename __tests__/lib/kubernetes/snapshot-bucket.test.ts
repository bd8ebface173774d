import { rmSync } from 'node:fs';
import { ACCESS_LOG_DAYS, ROLL_SNAPSHOT_DAYS, SnapshotBucket, rollSnapshotPrefixes } from '../../../lib/kubernetes/snapshot-bucket';
import { dataSources, only, ref, resources, servicePrincipal } from '../../helpers/synth';
import { describeWithTerraform } from '../../helpers/terraform';
import { synth, mirrored } from './snapshot-bucket.setup';

describe('SnapshotBucket', () => {
  const { json } = synth((stack) => {
    new SnapshotBucket(stack, 'snapshots', { namePrefix: 'demo-rke-ha-etcd-' });
  });
  const [bucketName, bucket] = only(json, 'aws_s3_bucket');
  const bucketId = ref('aws_s3_bucket', bucketName, 'id');
  const bucketArn = ref('aws_s3_bucket', bucketName, 'arn');

  it('names the bucket by prefix and refuses any plan that would delete it (prevent_destroy) by default', () => {
    expect(bucket).toEqual({
      '//': expect.anything(),
      bucket_prefix: 'demo-rke-ha-etcd-',
      force_destroy: false,
      lifecycle: { prevent_destroy: true },
    });
  });

  it('blocks every kind of public access', () => {
    expect(only(json, 'aws_s3_bucket_public_access_block')[1]).toMatchObject({
      bucket: bucketId,
      block_public_acls: true,
      block_public_policy: true,
      ignore_public_acls: true,
      restrict_public_buckets: true,
    });
  });

  it('disables ACLs (bucket owner enforced)', () => {
    expect(only(json, 'aws_s3_bucket_ownership_controls')[1]).toMatchObject({ bucket: bucketId, rule: { object_ownership: 'BucketOwnerEnforced' } });
  });

  it('encrypts objects by default', () => {
    expect(only(json, 'aws_s3_bucket_server_side_encryption_configuration')[1]).toMatchObject({
      bucket: bucketId,
      rule: [{ apply_server_side_encryption_by_default: { sse_algorithm: 'AES256' }, bucket_key_enabled: true }],
    });
  });

  it('enables versioning and expires old versions after 30 days', () => {
    expect(only(json, 'aws_s3_bucket_versioning')[1]).toMatchObject({ bucket: bucketId, versioning_configuration: { status: 'Enabled' } });
    expect(only(json, 'aws_s3_bucket_lifecycle_configuration')[1]).toMatchObject({
      bucket: bucketId,
      rule: [{ status: 'Enabled', noncurrent_version_expiration: [{ noncurrent_days: 30 }] }],
    });
  });

  it('expires nothing current unless asked; with expirePrefixes, the objects under each prefix after ROLL_SNAPSHOT_DAYS', () => {
    expect(only(json, 'aws_s3_bucket_lifecycle_configuration')[1].rule).toHaveLength(1);
    const { json: expiring } = synth((stack) => {
      new SnapshotBucket(stack, 'snapshots', { namePrefix: 'demo-rke-ha-etcd-', expirePrefixes: rollSnapshotPrefixes('rke-ha', 'demo') });
    });
    expect(only(expiring, 'aws_s3_bucket_lifecycle_configuration')[1].rule.slice(1)).toEqual([
      { id: 'expire-roll-snapshots-0', status: 'Enabled', filter: [{ prefix: 'rke-ha/demo-roll-' }], expiration: [{ days: ROLL_SNAPSHOT_DAYS }] },
      {
        id: 'expire-roll-snapshots-1',
        status: 'Enabled',
        filter: [{ prefix: 'rke-ha/.metadata/demo-roll-' }],
        expiration: [{ days: ROLL_SNAPSHOT_DAYS }],
      },
    ]);
  });

  it('denies every request not made over TLS', () => {
    const documents = Object.entries(dataSources(json, 'aws_iam_policy_document'));
    expect(documents).toHaveLength(1);
    const [documentName, document] = documents[0];
    expect(document.statement).toEqual([
      {
        sid: 'DenyInsecureTransport',
        effect: 'Deny',
        actions: ['s3:*'],
        principals: [{ type: '*', identifiers: ['*'] }],
        resources: [bucketArn, `${bucketArn}/*`],
        condition: [{ test: 'Bool', variable: 'aws:SecureTransport', values: ['false'] }],
      },
    ]);
    expect(only(json, 'aws_s3_bucket_policy')[1]).toMatchObject({
      bucket: bucketId,
      policy: `\${data.aws_iam_policy_document.${documentName}.json}`,
    });
  });

  it('matches the snapshot', () => {
    expect(json).toMatchSnapshot();
  });
});

describe('SnapshotBucket options', () => {
  const { json } = synth((stack) => {
    new SnapshotBucket(stack, 'snapshots', { namePrefix: 'x-', forceDestroy: true, noncurrentDays: 7 }).encryptWith(
      'arn:aws:kms:us-east-1:111122223333:key/k',
    );
  });

  it('encrypts with a KMS key when given one, with an S3 Bucket Key (one data key a day instead of one per object)', () => {
    expect(only(json, 'aws_s3_bucket_server_side_encryption_configuration')[1].rule).toEqual([
      {
        apply_server_side_encryption_by_default: { sse_algorithm: 'aws:kms', kms_master_key_id: 'arn:aws:kms:us-east-1:111122223333:key/k' },
        bucket_key_enabled: true,
      },
    ]);
  });

  it('honours forceDestroy and noncurrentDays', () => {
    expect(only(json, 'aws_s3_bucket')[1].force_destroy).toBe(true);
    expect(only(json, 'aws_s3_bucket_lifecycle_configuration')[1].rule[0].noncurrent_version_expiration).toEqual([{ noncurrent_days: 7 }]);
    expect(Object.keys(resources(json, 'aws_s3_bucket_policy'))).toHaveLength(1);
  });
});

describe('SnapshotBucket access logging and Object Lock', () => {
  const { json } = synth((stack) => {
    new SnapshotBucket(stack, 'snapshots', { namePrefix: 'demo-rke-ha-etcd-', accessLogging: true, objectLock: true });
  });
  const buckets = Object.entries(resources(json, 'aws_s3_bucket'));
  const [snapshotName] = buckets.find(([, b]) => b.bucket_prefix === 'demo-rke-ha-etcd-')!;
  const [logName, logBucket] = buckets.find(([, b]) => b.bucket_prefix === 'demo-rke-ha-etcd-logs-')!;

  it('logs every request into a log bucket of its own, guarded like the snapshots, kept a year', () => {
    expect(only(json, 'aws_s3_bucket_logging')[1]).toMatchObject({
      bucket: ref('aws_s3_bucket', snapshotName, 'id'),
      target_bucket: ref('aws_s3_bucket', logName, 'id'),
      target_prefix: 'access-logs/',
      depends_on: [expect.stringMatching(/^aws_s3_bucket_policy\.snapshots_access-logs_policy/)],
    });
    expect(logBucket).toMatchObject({ force_destroy: false, lifecycle: { prevent_destroy: true } });
    const lifecycle = Object.values(resources(json, 'aws_s3_bucket_lifecycle_configuration')).find(
      (l) => l.bucket === ref('aws_s3_bucket', logName, 'id'),
    );
    expect(lifecycle.rule[0].expiration).toEqual([{ days: ACCESS_LOG_DAYS }]);
    const writers = Object.values(dataSources(json, 'aws_iam_policy_document')).find(
      (d) => d['//'].metadata.path === 'test/snapshots/access-logs/policy-document',
    );
    expect(writers.statement[1]).toMatchObject({
      principals: [{ type: 'Service', identifiers: [servicePrincipal(json, 'logging.s3')] }],
      actions: ['s3:PutObject'],
      condition: [{ variable: 'aws:SourceArn', values: [ref('aws_s3_bucket', snapshotName, 'arn')] }, { variable: 'aws:SourceAccount' }],
    });
  });

  it('turns Object Lock on after versioning, without a default retention (RKE2 uploads carry no checksum header)', () => {
    const [, lock] = only(json, 'aws_s3_bucket_object_lock_configuration');
    expect(lock).toMatchObject({
      bucket: ref('aws_s3_bucket', snapshotName, 'id'),
      object_lock_enabled: 'Enabled',
      depends_on: [expect.stringMatching(/^aws_s3_bucket_versioning\./)],
    });
    expect(lock).not.toHaveProperty('rule');
    // Not on the bucket itself: there it forces a new bucket.
    expect(resources(json, 'aws_s3_bucket')[snapshotName]).not.toHaveProperty('object_lock_enabled');
  });

  it('adds none of it by default', () => {
    expect(resources(synth((stack) => new SnapshotBucket(stack, 'snapshots', { namePrefix: 'x-' })).json, 'aws_s3_bucket_logging')).toEqual({});
  });
});

describeWithTerraform('SnapshotBucket destroy, run by a real terraform on its mirrored graph', () => {
  const dirs: string[] = [];
  afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

  it('guards the bucket with six resources that depend on it, so a destroy would delete them first', () => {
    const { json } = synth((stack) => new SnapshotBucket(stack, 'snapshots', { namePrefix: 'demo-', forceDestroy: true }));
    const data = (mirrored(json) as any).resource.terraform_data as Record<string, { depends_on?: string[] }>;
    const bucket = Object.keys(data).find((k) => k.startsWith('aws_s3_bucket__'))!;
    const dependents = Object.entries(data)
      .filter(([, v]) => v.depends_on?.includes(`terraform_data.${bucket}`))
      .map(([k]) => k.split('__')[0]);
    expect(dependents.sort()).toEqual([
      'aws_s3_bucket_lifecycle_configuration',
      'aws_s3_bucket_ownership_controls',
      'aws_s3_bucket_policy',
      'aws_s3_bucket_public_access_block',
      'aws_s3_bucket_server_side_encryption_configuration',
      'aws_s3_bucket_versioning',
    ]);
  });
});
