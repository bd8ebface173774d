import { createWriteStream } from 'node:fs';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { CopyObjectCommand, GetObjectCommand, paginateListObjectsV2 } from '@aws-sdk/client-s3';
import type { AwsClients } from './clients';

/** An object as ListObjectsV2 lists it. */
export interface ListedObject {
  readonly key: string;
  readonly size: number;
  readonly lastModified?: Date;
}

/** Every object under a prefix (all pages: ListObjectsV2 answers at most 1,000 a page). */
export async function listObjects(clients: AwsClients, bucket: string, prefix: string): Promise<ListedObject[]> {
  const found: ListedObject[] = [];
  for await (const page of paginateListObjectsV2({ client: clients.s3 }, { Bucket: bucket, Prefix: prefix }))
    for (const o of page.Contents ?? [])
      if (o.Key !== undefined) found.push({ key: o.Key, size: o.Size ?? 0, ...(o.LastModified ? { lastModified: o.LastModified } : {}) });
  return found;
}

/** Writes an object to a file (streamed, never held whole in memory). */
export async function downloadObject(clients: AwsClients, bucket: string, key: string, file: string): Promise<void> {
  const got = await clients.s3.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
  if (!(got.Body instanceof Readable)) throw new Error(`S3 GetObject answered no body for s3://${bucket}/${key}.`);
  await pipeline(got.Body, createWriteStream(file, { mode: 0o600 }));
}

/** Why the caller cannot read an object (S3's error, in its words), reading one byte of it; undefined when it can. */
export async function objectUnreadable(clients: AwsClients, bucket: string, key: string): Promise<string | undefined> {
  try {
    const got = await clients.s3.send(new GetObjectCommand({ Bucket: bucket, Key: key, Range: 'bytes=0-0' }));
    if (got.Body instanceof Readable) got.Body.destroy();
    return undefined;
  } catch (error) {
    if (!(error instanceof Error)) throw error;
    return `${error.name}: ${error.message}`.slice(0, 400);
  }
}

/**
 * A server-side copy, encrypted in the destination with S3's own key (SSE-S3) whatever encrypted the source, or with
 * the destination bucket's default encryption.
 */
export async function copyObject(
  clients: AwsClients,
  from: { bucket: string; key: string },
  to: { bucket: string; key: string },
  encryption: 'AES256' | 'bucket default' = 'AES256',
): Promise<void> {
  // CopySource is `<bucket>/<key>` with the key URL-encoded (S3 API Reference, CopyObject). Without encryption named,
  // the copy takes the destination bucket's default encryption (its KMS key), as S3's CopyObject does.
  const source = `${from.bucket}/${from.key.split('/').map(encodeURIComponent).join('/')}`;
  await clients.s3.send(
    new CopyObjectCommand({
      CopySource: source,
      Bucket: to.bucket,
      Key: to.key,
      ...(encryption === 'AES256' ? { ServerSideEncryption: 'AES256' as const } : {}),
    }),
  );
}
