import { deleteBucket, emptyBucket } from '../../../../cli/shared/aws/bucket-emptying';
import { FakeAws } from '../../../helpers/fake-aws/fake-aws';

/** A versioned bucket with `keys` keys of `versions` versions each, every third key deleted (a delete marker). */
function bucketOf(fake: FakeAws, keys: number, versions: number): void {
  fake.s3.createBucket('b');
  for (let k = 0; k < keys; k++) {
    for (let v = 0; v < versions; v++) fake.s3.put('b', `backups/k${String(k).padStart(5, '0')}`, `v${v}`);
    if (k % 3 === 0) fake.s3.deleteKey('b', `backups/k${String(k).padStart(5, '0')}`);
  }
}

describe("emptying a versioned bucket before it is deleted (the teardown's buckets)", () => {
  it('removes every version and delete marker, following every page, and the bucket can then be deleted', async () => {
    const fake = new FakeAws();
    fake.pageSize = 3;
    bucketOf(fake, 7, 2);
    const clients = fake.clients();
    expect(await emptyBucket(clients, 'b')).toEqual({ removed: 17, kept: [] });
    expect(fake.count('S3 ListObjectVersions')).toBeGreaterThan(5);
    expect(await deleteBucket(clients, 'b')).toBe(true);
  });

  it('deletes a page at a time, at most 1,000 keys a request, quietly', async () => {
    const fake = new FakeAws();
    fake.pageSize = 1000;
    bucketOf(fake, 1200, 2);
    expect(await emptyBucket(fake.clients(), 'b')).toEqual({ removed: 2800, kept: [] });
    const batches = fake.calls.filter((c) => c.call === 'S3 DeleteObjects').map((c) => c.input.Delete.Objects.length as number);
    expect(batches).toEqual([1000, 1000, 800]);
    expect(fake.calls.filter((c) => c.call === 'S3 DeleteObjects').every((c) => c.input.Delete.Quiet === true)).toBe(true);
  });

  it("reports the versions S3 refused, each with S3's code, and removes the rest", async () => {
    const fake = new FakeAws();
    bucketOf(fake, 4, 2);
    fake.s3.buckets.get('b')!.locked.add('backups/k00001');
    const clients = fake.clients();
    const emptied = await emptyBucket(clients, 'b');
    expect(emptied?.removed).toBe(8);
    expect(emptied?.kept).toEqual([
      {
        key: 'backups/k00001',
        versionId: expect.any(String),
        code: 'AccessDenied',
        message: 'Access Denied because object protected by object lock.',
      },
      {
        key: 'backups/k00001',
        versionId: expect.any(String),
        code: 'AccessDenied',
        message: 'Access Denied because object protected by object lock.',
      },
    ]);
    await expect(deleteBucket(clients, 'b')).rejects.toMatchObject({ name: 'BucketNotEmpty' });
  });

  it('rides out S3 asking to slow down', async () => {
    const fake = new FakeAws();
    bucketOf(fake, 3, 1);
    fake.throttle('S3 DeleteObjects', 2);
    fake.throttle('S3 ListObjectVersions', 1);
    expect(await emptyBucket(fake.clients(), 'b')).toEqual({ removed: 4, kept: [] });
  });

  it('fails with the SlowDown error when S3 keeps asking beyond the retry budget', async () => {
    const fake = new FakeAws();
    bucketOf(fake, 3, 1);
    fake.throttle('S3 DeleteObjects', 5);
    await expect(emptyBucket(fake.clients({ maxAttempts: 3 }), 'b')).rejects.toMatchObject({ name: 'SlowDown', $metadata: { attempts: 3 } });
  });

  it('answers undefined for a bucket that is gone, and deleting it again is false', async () => {
    const clients = new FakeAws().clients();
    expect(await emptyBucket(clients, 'gone')).toBeUndefined();
    expect(await deleteBucket(clients, 'gone')).toBe(false);
  });
});
