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

  it('replicates only what is written after the rule, keeping version, date and encryption type; delete markers as the rule says', () => {
    const s3 = new FakeS3(() => 1000);
    s3.createBucket('source');
    s3.createBucket('copy');
    s3.put('source', 'record', 'written before the rule');
    s3.setReplication('source', { destination: 'copy', deleteMarkers: false });
    s3.put('source', 'backup-1', 'sse-s3');
    s3.put('source', 'backup-2', 'sse-kms', 'aws:kms');
    s3.deleteKey('source', 'backup-1');
    const copy = s3.buckets.get('copy')!.versions;
    // The record written before the rule is not there; the delete marker was not replicated (DeleteMarkerReplication off).
    expect(copy.map((v) => [v.key, v.versionId, v.replicationStatus, v.sse ?? 'AES256'])).toEqual([
      ['backup-1', 'v2', 'REPLICA', 'AES256'],
      ['backup-2', 'v3', 'REPLICA', 'aws:kms'],
    ]);
    expect(copy[0].modified).toEqual(s3.buckets.get('source')!.versions[1].modified);
    expect(s3.handlers.GetObject({ Bucket: 'copy', Key: 'backup-1' })).toMatchObject({
      ServerSideEncryption: 'AES256',
      ReplicationStatus: 'REPLICA',
    });
    expect(s3.handlers.GetObject({ Bucket: 'source', Key: 'backup-2' })).toMatchObject({
      ServerSideEncryption: 'aws:kms',
      ReplicationStatus: 'COMPLETED',
    });
    // With DeleteMarkerReplication on, a delete marker goes too (a version deleted by its id never does); a copy into
    // the source is a write, replicated; Batch Replication copies what the rule did not, once (the record, and the
    // delete marker of backup-1 now that the rule replicates them).
    s3.setReplication('source', { destination: 'copy', deleteMarkers: true });
    s3.deleteKey('source', 'backup-2');
    s3.handlers.CopyObject({ Bucket: 'source', Key: 'backup-3', CopySource: 'copy/backup-1' });
    s3.handlers.DeleteObjects({ Bucket: 'source', Delete: { Objects: [{ Key: 'backup-3', VersionId: 'v7' }] } });
    expect(s3.handlers.ListObjectsV2({ Bucket: 'copy' }).Contents.map((o) => o.Key)).toEqual(['backup-1', 'backup-3']);
    expect(s3.batchReplicate('source')).toBe(2);
    expect(s3.handlers.ListObjectsV2({ Bucket: 'copy' }).Contents.map((o) => o.Key)).toEqual(['backup-3', 'record']);
    expect(s3.batchReplicate('source')).toBe(0);
  });

  it('answers AccessDenied to a GetObject of an SSE-KMS object whose key does not let the caller decrypt; SSE-S3 objects need no key', async () => {
    const s3 = new FakeS3(
      () => 2,
      (key) => key === 'mine',
    );
    s3.createBucket('b');
    s3.put('b', 'open', 'facts', 'AES256');
    s3.put('b', 'theirs', 'secret', 'aws:kms', 'theirs');
    s3.put('b', 'mine', 'secret', 'aws:kms', 'mine');
    expect(s3.handlers.GetObject({ Bucket: 'b', Key: 'open' }).ServerSideEncryption).toBe('AES256');
    expect(() => s3.handlers.GetObject({ Bucket: 'b', Key: 'theirs' })).toThrow(expect.objectContaining({ name: 'AccessDenied' }));
    expect(s3.handlers.GetObject({ Bucket: 'b', Key: 'mine' })).toMatchObject({ ServerSideEncryption: 'aws:kms', SSEKMSKeyId: 'mine' });
  });
});
