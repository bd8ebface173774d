import { FakeS3 } from './fake-s3';

function bucket() {
  const s3 = new FakeS3(() => 2);
  s3.createBucket('b');
  for (const key of ['a', 'b', 'c']) {
    s3.put('b', key);
    s3.put('b', key);
  }
  return s3;
}

describe('the fake S3', () => {
  it('lists versions by key, newest first, a page at a time, resuming after the markers even once they are deleted', () => {
    const s3 = bucket();
    const first = s3.handlers.ListObjectVersions({ Bucket: 'b', MaxKeys: 1000 });
    expect(first.Versions.map((v) => [v.Key, v.VersionId, v.IsLatest])).toEqual([
      ['a', 'v2', true],
      ['a', 'v1', false],
    ]);
    expect(first).toMatchObject({ IsTruncated: true, NextKeyMarker: 'a', NextVersionIdMarker: 'v1' });
    s3.handlers.DeleteObjects({
      Bucket: 'b',
      Delete: {
        Objects: [
          { Key: 'a', VersionId: 'v2' },
          { Key: 'a', VersionId: 'v1' },
        ],
      },
    });
    const second = s3.handlers.ListObjectVersions({ Bucket: 'b', KeyMarker: 'a', VersionIdMarker: 'v1' });
    expect(second.Versions.map((v) => v.VersionId)).toEqual(['v4', 'v3']);
  });

  it('refuses a DeleteObjects of more than 1,000 keys, and answers per-key errors for locked ones', () => {
    const s3 = bucket();
    const many = Array.from({ length: 1001 }, (_, i) => ({ Key: `k${i}`, VersionId: 'v1' }));
    expect(() => s3.handlers.DeleteObjects({ Bucket: 'b', Delete: { Objects: many } })).toThrow(expect.objectContaining({ name: 'MalformedXML' }));
    s3.buckets.get('b')!.locked.add('b');
    const answer = s3.handlers.DeleteObjects({
      Bucket: 'b',
      Delete: {
        Objects: [
          { Key: 'b', VersionId: 'v3' },
          { Key: 'c', VersionId: 'v5' },
        ],
      },
    });
    expect(answer.Errors).toEqual([
      { Key: 'b', VersionId: 'v3', Code: 'AccessDenied', Message: 'Access Denied because object protected by object lock.' },
    ]);
    expect(answer.Deleted).toEqual([{ Key: 'c', VersionId: 'v5' }]);
  });

  it('counts deleting a version that is not there as deleted, and keeps a bucket with versions from being deleted', () => {
    const s3 = bucket();
    expect(s3.handlers.DeleteObjects({ Bucket: 'b', Delete: { Objects: [{ Key: 'zz', VersionId: 'v99' }], Quiet: true } })).toEqual({});
    expect(() => s3.handlers.DeleteBucket({ Bucket: 'b' })).toThrow(expect.objectContaining({ name: 'BucketNotEmpty' }));
    expect(() => s3.handlers.ListObjectVersions({ Bucket: 'nope' })).toThrow(expect.objectContaining({ name: 'NoSuchBucket' }));
  });

  it('hides a key whose newest version is a delete marker from ListObjectsV2 and GetObject', () => {
    const s3 = bucket();
    s3.deleteKey('b', 'b');
    expect(s3.handlers.ListObjectsV2({ Bucket: 'b', ContinuationToken: undefined }).Contents.map((o) => o.Key)).toEqual(['a', 'c']);
    expect(() => s3.handlers.GetObject({ Bucket: 'b', Key: 'b' })).toThrow(expect.objectContaining({ name: 'NoSuchKey' }));
  });
});
