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
  /** Its server-side encryption type (`AES256`: SSE-S3, `aws:kms`: SSE-KMS); undefined is the bucket's default, SSE-S3. */
  readonly sse?: 'AES256' | 'aws:kms';
  /** An SSE-KMS version's key (id or ARN): S3 decrypts it through KMS for the caller at each GetObject. */
  readonly kmsKeyId?: string;
  /** A replicated source version (`COMPLETED`), or a replica (`REPLICA`): S3's x-amz-replication-status. */
  readonly replicationStatus?: 'COMPLETED' | 'REPLICA';
}

/**
 * A bucket's replication rule (PutBucketReplication, one rule of the whole bucket): where it copies, and whether delete
 * markers go too (the rule's DeleteMarkerReplication). What S3 does with it: README.md, "S3 replication".
 */
export interface Replication {
  readonly destination: string;
  readonly deleteMarkers: boolean;
}

interface Bucket {
  /** Newest last. */
  readonly versions: Version[];
  /** Keys object lock protects: DeleteObjects refuses each of their versions with AccessDenied. */
  readonly locked: Set<string>;
  /** Keys whose GetObject the caller may not do (a KMS key it cannot use): AccessDenied. */
  readonly unreadable: Set<string>;
  /** Its replication rule, from the moment it is set: only what is written after it is copied. */
  replication?: Replication;
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

  /**
   * `decrypts`: whether the caller may decrypt under a KMS key (FakeKms.mayDecrypt for the caller); unset, every caller
   * may. S3 decrypts an SSE-KMS object with the caller's own kms:Decrypt and answers AccessDenied when KMS refuses it
   * (S3 User Guide, "Protecting data with server-side encryption using AWS KMS keys": a GetObject needs kms:Decrypt).
   */
  constructor(
    private readonly page: () => number,
    private readonly decrypts?: (keyId: string) => boolean,
  ) {}

  createBucket(name: string): Bucket {
    const bucket: Bucket = { versions: [], locked: new Set(), unreadable: new Set() };
    this.buckets.set(name, bucket);
    return bucket;
  }

  /**
   * Writes a new version of a key (a versioned bucket keeps the older ones), encrypted as `sse` says (the bucket's
   * default, SSE-S3, when not; an SSE-KMS one under `kmsKeyId`), and replicated when the bucket has a rule (replicate).
   */
  put(bucket: string, key: string, body: string | Buffer = '', sse?: Version['sse'], kmsKeyId?: string): string {
    const versionId = `v${++this.versionIds}`;
    const version: Version = {
      key,
      versionId,
      deleteMarker: false,
      body: Buffer.from(body),
      modified: new Date(Date.UTC(2026, 10, 1) + this.versionIds * 1000),
      ...(sse ? { sse } : {}),
      ...(kmsKeyId ? { kmsKeyId } : {}),
    };
    this.bucket(bucket).versions.push(version);
    this.replicate(bucket, version);
    return versionId;
  }

  /** Deletes a key without a version id: a delete marker becomes its current version (replicated if the rule says so). */
  deleteKey(bucket: string, key: string): void {
    const marker: Version = { key, versionId: `v${++this.versionIds}`, deleteMarker: true, body: Buffer.alloc(0), modified: new Date() };
    this.bucket(bucket).versions.push(marker);
    this.replicate(bucket, marker);
  }

  /**
   * Sets a bucket's replication rule (PutBucketReplication). S3 refuses it unless both buckets are versioned (all the
   * fake's are) and the destination exists. From then on, each new version is copied; the versions already there
   * are not (only S3 Batch Replication copies them: batchReplicate).
   */
  setReplication(bucket: string, rule: Replication): void {
    this.bucket(rule.destination);
    this.bucket(bucket).replication = rule;
  }

  /**
   * S3 Batch Replication of a bucket: every version its rule has not copied (the objects written before the rule;
   * delete markers only when the rule replicates them), copied now as live replication would have.
   */
  batchReplicate(bucket: string): number {
    const source = this.bucket(bucket);
    if (!source.replication) throw new Error(`the fake S3: ${bucket} has no replication rule to batch-replicate by`);
    const waiting = source.versions.filter((v) => v.replicationStatus === undefined);
    for (const v of waiting) this.replicate(bucket, v);
    return waiting.length;
  }

  /**
   * Live replication of one new version of `bucket` (S3 User Guide, "What does Amazon S3 replicate?" and "Replicating
   * delete markers between buckets"): to the rule's destination, with the same key, version id, modification time and
   * body; the replica keeps its source's encryption type (an SSE-S3 object's replica is SSE-S3, an SSE-KMS one's
   * SSE-KMS under the rule's replica key: "Replicating encrypted objects"); a delete marker only when the rule's
   * DeleteMarkerReplication is Enabled; a replica is not replicated again (no chaining). Copied at once: the fake has
   * no replication lag (Replication Time Control's 15 minutes are the product's own allowance).
   */
  private replicate(bucket: string, version: Version): void {
    const rule = this.bucket(bucket).replication;
    if (!rule || version.replicationStatus === 'REPLICA') return;
    if (version.deleteMarker && !rule.deleteMarkers) return;
    // Marked on both sides (the fake's own record for a delete marker, which S3 gives no status): a replica is never
    // replicated again, and Batch Replication takes only what is not marked.
    const source = this.bucket(bucket).versions;
    source[source.indexOf(version)] = { ...version, replicationStatus: 'COMPLETED' };
    this.bucket(rule.destination).versions.push({ ...version, replicationStatus: 'REPLICA' });
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
      if (found.sse === 'aws:kms' && found.kmsKeyId !== undefined && this.decrypts && !this.decrypts(found.kmsKeyId))
        throw s3Error('AccessDenied', `User is not authorized to perform: kms:Decrypt on resource: ${found.kmsKeyId}`, 403);
      const range = /^bytes=(\d+)-(\d+)$/.exec(input.Range ?? '');
      const body = range ? found.body.subarray(Number(range[1]), Number(range[2]) + 1) : found.body;
      return {
        Body: Readable.from([body]),
        ContentLength: body.length,
        VersionId: found.versionId,
        ServerSideEncryption: found.sse ?? 'AES256',
        ...(found.kmsKeyId ? { SSEKMSKeyId: found.kmsKeyId } : {}),
        ...(found.replicationStatus ? { ReplicationStatus: found.replicationStatus } : {}),
      };
    },
    CopyObject: (input: CopyObjectCommandInput) => {
      const [sourceBucket, ...rest] = (input.CopySource ?? '').split('/');
      const sourceKey = rest.map(decodeURIComponent).join('/');
      const source = this.bucket(sourceBucket);
      if (source.unreadable.has(sourceKey)) throw s3Error('AccessDenied', 'Access Denied', 403);
      const found = this.currentObjects(source).find((v) => v.key === sourceKey);
      if (!found) throw new NoSuchKey({ message: 'The specified key does not exist.', ...meta });
      // A copy is a new write: encrypted as the request says (else the bucket's default), replicated if the target replicates.
      const versionId = this.put(input.Bucket!, input.Key!, found.body, input.ServerSideEncryption as Version['sse']);
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
