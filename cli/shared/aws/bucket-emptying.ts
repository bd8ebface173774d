import {
  DeleteBucketCommand,
  DeleteObjectsCommand,
  ListObjectVersionsCommand,
  type ListObjectVersionsCommandOutput,
  type ObjectIdentifier,
} from '@aws-sdk/client-s3';
import type { AwsClients } from './clients';
import { isAwsError } from './errors';

/**
 * Every page of a bucket's versions. The SDK has no paginator for ListObjectVersions (it resumes from two markers,
 * NextKeyMarker and NextVersionIdMarker, while IsTruncated): this follows them.
 */
async function* versionPages(clients: AwsClients, bucket: string): AsyncGenerator<ListObjectVersionsCommandOutput> {
  let markers: { KeyMarker?: string; VersionIdMarker?: string } = {};
  for (;;) {
    const page = await clients.s3.send(new ListObjectVersionsCommand({ Bucket: bucket, ...markers }));
    yield page;
    if (!page.IsTruncated) return;
    if (page.NextKeyMarker === undefined) throw new Error(`S3 ListObjectVersions of ${bucket} said there is more but gave no marker.`);
    markers = { KeyMarker: page.NextKeyMarker, ...(page.NextVersionIdMarker === undefined ? {} : { VersionIdMarker: page.NextVersionIdMarker }) };
  }
}

/** A version S3 would not delete, in its words (object lock's retention answers AccessDenied per key). */
export interface KeptVersion {
  readonly key: string;
  readonly versionId?: string;
  readonly code: string;
  readonly message: string;
}

/** What emptying a bucket did: the versions and delete markers removed, and those S3 refused, each with its error. */
export interface Emptied {
  readonly removed: number;
  readonly kept: readonly KeptVersion[];
}

/**
 * Removes every object version and delete marker of a versioned bucket, following ListObjectVersions page by page
 * and deleting each page with one DeleteObjects of at most 1,000 keys (quiet: S3 answers only the keys it refused).
 * A refused key is reported, not fatal: the caller says which remain (a bucket under object lock keeps them).
 * Undefined when the bucket does not exist.
 */
export async function emptyBucket(clients: AwsClients, bucket: string): Promise<Emptied | undefined> {
  let removed = 0;
  const kept: KeptVersion[] = [];
  try {
    for await (const page of versionPages(clients, bucket)) {
      const versions: ObjectIdentifier[] = [...(page.Versions ?? []), ...(page.DeleteMarkers ?? [])]
        .filter((v) => v.Key !== undefined)
        .map((v) => ({ Key: v.Key!, ...(v.VersionId === undefined ? {} : { VersionId: v.VersionId }) }));
      // One request a page: ListObjectVersions answers at most 1,000 versions and delete markers together, which is
      // DeleteObjects' limit (S3 refuses more as MalformedXML; the fake does too).
      if (versions.length === 0) continue;
      const answer = await clients.s3.send(new DeleteObjectsCommand({ Bucket: bucket, Delete: { Objects: versions, Quiet: true } }));
      const errors = answer.Errors ?? [];
      removed += versions.length - errors.length;
      for (const e of errors)
        kept.push({ key: e.Key ?? '', ...(e.VersionId ? { versionId: e.VersionId } : {}), code: e.Code ?? 'unknown', message: e.Message ?? '' });
    }
  } catch (error) {
    if (isAwsError(error, 'NoSuchBucket')) return undefined;
    throw error;
  }
  return { removed, kept };
}

/** Deletes an empty bucket; false when it was already gone. */
export async function deleteBucket(clients: AwsClients, bucket: string): Promise<boolean> {
  try {
    await clients.s3.send(new DeleteBucketCommand({ Bucket: bucket }));
    return true;
  } catch (error) {
    if (isAwsError(error, 'NoSuchBucket')) return false;
    throw error;
  }
}
