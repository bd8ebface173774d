import { Readable } from 'node:stream';
import {
  NoSuchBucket,
  NoSuchKey,
  S3ServiceException,
  type CopyObjectCommandInput,
  type DeleteBucketCommandInput,
  type DeleteObjectsCommandInput,
  type GetObjectCommandInput,
  type ListObjectsV2CommandInput,
  type ListObjectVersionsCommandInput,
} from '@aws-sdk/client-s3';
import { pageOf, pageSize } from './paging';

interface Version {
  readonly key: string;
  readonly versionId: string;
  readonly deleteMarker: boolean;
  readonly body: Buffer;
  readonly modified: Date;
}

interface Bucket {
  /** Newest last. */
  readonly versions: Version[];
  /** Keys object lock protects: DeleteObjects refuses each of their versions with AccessDenied. */
  readonly locked: Set<string>;
  /** Keys whose GetObject the caller may not do (a KMS key it cannot use): AccessDenied. */
  readonly unreadable: Set<string>;
}

const meta = { $metadata: {} };
/** The fake's version ids count up (`v1`, `v2`...): a later version has a larger number. */
const versionNumber = (id: string | undefined): number => Number((id ?? 'v0').slice(1));
const s3Error = (name: string, message: string, httpStatusCode: number) =>
  new S3ServiceException({ name, $fault: 'client', message, $metadata: { httpStatusCode } });

/** S3 with versioned buckets, in memory (README.md beside this file says what is modelled and why). */
export class FakeS3 {
  readonly buckets = new Map<string, Bucket>();
  private versionIds = 0;

  constructor(private readonly page: () => number) {}

  createBucket(name: string): Bucket {
    const bucket: Bucket = { versions: [], locked: new Set(), unreadable: new Set() };
    this.buckets.set(name, bucket);
    return bucket;
  }

  /** Writes a new version of a key (a versioned bucket keeps the older ones). */
  put(bucket: string, key: string, body: string | Buffer = ''): string {
    const versionId = `v${++this.versionIds}`;
    this.bucket(bucket).versions.push({
      key,
      versionId,
      deleteMarker: false,
      body: Buffer.from(body),
      modified: new Date(Date.UTC(2026, 10, 1) + this.versionIds * 1000),
    });
    return versionId;
  }

  /** Deletes a key without a version id: a delete marker becomes its current version. */
  deleteKey(bucket: string, key: string): void {
    this.bucket(bucket).versions.push({ key, versionId: `v${++this.versionIds}`, deleteMarker: true, body: Buffer.alloc(0), modified: new Date() });
  }

  readonly handlers = {
    ListObjectVersions: (input: ListObjectVersionsCommandInput) => {
      const all = this.sortedVersions(this.bucket(input.Bucket));
      // The markers name the last version of the previous page; the page starts after it in the list's order, whether
      // or not that version still exists (the caller may have deleted it since).
      const marker = input.KeyMarker;
      const markerNumber = versionNumber(input.VersionIdMarker);
      const after =
        marker === undefined ? 0 : all.filter((v) => v.key < marker || (v.key === marker && versionNumber(v.versionId) >= markerNumber)).length;
      const size = pageSize(input.MaxKeys ?? 1000, this.page());
      const items = all.slice(after, after + size);
      const truncated = after + size < all.length;
      const last = items[items.length - 1];
      return {
        Versions: items
          .filter((v) => !v.deleteMarker)
          .map((v) => ({ Key: v.key, VersionId: v.versionId, IsLatest: this.isLatest(input.Bucket!, v), Size: v.body.length })),
        DeleteMarkers: items
          .filter((v) => v.deleteMarker)
          .map((v) => ({ Key: v.key, VersionId: v.versionId, IsLatest: this.isLatest(input.Bucket!, v) })),
        IsTruncated: truncated,
        ...(truncated && last ? { NextKeyMarker: last.key, NextVersionIdMarker: last.versionId } : {}),
      };
    },
    DeleteObjects: (input: DeleteObjectsCommandInput) => {
      const bucket = this.bucket(input.Bucket);
      const objects = input.Delete?.Objects ?? [];
      if (objects.length === 0 || objects.length > 1000)
        throw s3Error('MalformedXML', 'The XML you provided was not well-formed or did not validate against our published schema.', 400);
      const errors: { Key?: string; VersionId?: string; Code: string; Message: string }[] = [];
      const deleted: { Key?: string; VersionId?: string }[] = [];
      for (const o of objects) {
        if (o.VersionId === undefined) throw new Error('the fake models version deletes only (the teardown names every version)');
        if (bucket.locked.has(o.Key!)) {
          errors.push({
            Key: o.Key,
            VersionId: o.VersionId,
            Code: 'AccessDenied',
            Message: 'Access Denied because object protected by object lock.',
          });
          continue;
        }
        // A version that is not there counts as deleted (S3 answers success for it).
        const at = bucket.versions.findIndex((v) => v.key === o.Key && v.versionId === o.VersionId);
        if (at >= 0) bucket.versions.splice(at, 1);
        deleted.push({ Key: o.Key, VersionId: o.VersionId });
      }
      return { ...(input.Delete?.Quiet ? {} : { Deleted: deleted }), ...(errors.length > 0 ? { Errors: errors } : {}) };
    },
    DeleteBucket: (input: DeleteBucketCommandInput) => {
      const bucket = this.bucket(input.Bucket);
      if (bucket.versions.length > 0)
        throw s3Error('BucketNotEmpty', 'The bucket you tried to delete is not empty. You must delete all versions in the bucket.', 409);
      this.buckets.delete(input.Bucket!);
      return {};
    },
    ListObjectsV2: (input: ListObjectsV2CommandInput) => {
      const current = this.currentObjects(this.bucket(input.Bucket)).filter((v) => v.key.startsWith(input.Prefix ?? ''));
      const { items, next } = pageOf(current, input.ContinuationToken, pageSize(input.MaxKeys ?? 1000, this.page()));
      return {
        Contents: items.map((v) => ({ Key: v.key, Size: v.body.length, LastModified: v.modified })),
        KeyCount: items.length,
        IsTruncated: next !== undefined,
        ...(next ? { NextContinuationToken: next } : {}),
      };
    },
    GetObject: (input: GetObjectCommandInput) => {
      const bucket = this.bucket(input.Bucket);
      if (bucket.unreadable.has(input.Key!)) throw s3Error('AccessDenied', 'Access Denied', 403);
      const found = this.currentObjects(bucket).find((v) => v.key === input.Key);
      if (!found) throw new NoSuchKey({ message: 'The specified key does not exist.', ...meta });
      const range = /^bytes=(\d+)-(\d+)$/.exec(input.Range ?? '');
      const body = range ? found.body.subarray(Number(range[1]), Number(range[2]) + 1) : found.body;
      return { Body: Readable.from([body]), ContentLength: body.length, VersionId: found.versionId };
    },
    CopyObject: (input: CopyObjectCommandInput) => {
      const [sourceBucket, ...rest] = (input.CopySource ?? '').split('/');
      const sourceKey = rest.map(decodeURIComponent).join('/');
      const source = this.bucket(sourceBucket);
      if (source.unreadable.has(sourceKey)) throw s3Error('AccessDenied', 'Access Denied', 403);
      const found = this.currentObjects(source).find((v) => v.key === sourceKey);
      if (!found) throw new NoSuchKey({ message: 'The specified key does not exist.', ...meta });
      const versionId = this.put(input.Bucket!, input.Key!, found.body);
      return { VersionId: versionId, ServerSideEncryption: input.ServerSideEncryption, CopyObjectResult: { LastModified: new Date() } };
    },
  };

  private bucket(name: string | undefined): Bucket {
    const found = this.buckets.get(name ?? '');
    if (!found) throw new NoSuchBucket({ message: 'The specified bucket does not exist', ...meta });
    return found;
  }

  /** ListObjectVersions' order: by key, and within a key newest first. */
  private sortedVersions(bucket: Bucket): Version[] {
    return bucket.versions
      .map((v, i) => ({ v, i }))
      .sort((a, b) => (a.v.key === b.v.key ? b.i - a.i : a.v.key < b.v.key ? -1 : 1))
      .map(({ v }) => v);
  }

  private isLatest(bucket: string, v: Version): boolean {
    const versions = this.bucket(bucket).versions.filter((x) => x.key === v.key);
    return versions[versions.length - 1] === v;
  }

  /** The keys whose newest version is an object, not a delete marker, sorted by key. */
  private currentObjects(bucket: Bucket): Version[] {
    const latest = new Map<string, Version>();
    for (const v of bucket.versions) latest.set(v.key, v);
    return [...latest.values()].filter((v) => !v.deleteMarker).sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
  }
}
