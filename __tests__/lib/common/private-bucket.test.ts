import { AwsProvider } from '@cdktn/provider-aws/lib/provider';
import { privateBucket } from '../../../lib/common/private/private-bucket';
import { resources, synthConstruct } from '../../helpers/synth';

describe('privateBucket', () => {
  const synth = (forceDestroy: boolean) =>
    synthConstruct((stack) => {
      new AwsProvider(stack, 'aws', { region: 'us-east-1' });
      privateBucket(stack, { namePrefix: 'demo-logs-', forceDestroy });
    }).json;

  it('is kept from a destroy unless forced, with every public access blocked and no ACLs, at the ids its constructs always had', () => {
    const json = synth(false);
    const [[name, bucket]] = Object.entries(resources(json, 'aws_s3_bucket'));
    expect(name).toMatch(/^bucket(_|$)/);
    expect(bucket).toMatchObject({ bucket_prefix: 'demo-logs-', force_destroy: false, lifecycle: { prevent_destroy: true } });
    const [[blockName, block]] = Object.entries(resources(json, 'aws_s3_bucket_public_access_block'));
    expect(blockName).toMatch(/^public-access(_|$)/);
    expect(block).toMatchObject({
      bucket: `\${aws_s3_bucket.${name}.id}`,
      block_public_acls: true,
      block_public_policy: true,
      ignore_public_acls: true,
      restrict_public_buckets: true,
    });
    const [[ownershipName, ownership]] = Object.entries(resources(json, 'aws_s3_bucket_ownership_controls'));
    expect(ownershipName).toMatch(/^ownership(_|$)/);
    expect(ownership).toMatchObject({ bucket: `\${aws_s3_bucket.${name}.id}`, rule: { object_ownership: 'BucketOwnerEnforced' } });
  });

  it('lets a forced destroy delete it with its objects', () => {
    const [bucket] = Object.values(resources(synth(true), 'aws_s3_bucket'));
    expect(bucket.force_destroy).toBe(true);
    expect(bucket.lifecycle).toBeUndefined();
  });
});
