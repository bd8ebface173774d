import { Readable } from 'node:stream';
import { GetObjectCommand } from '@aws-sdk/client-s3';
import type { AwsClients } from './clients';

/**
 * A small object's content as text, held in memory only: production's standby facts and the backups'
 * EncryptionConfiguration beside them (cli/shared/standby-facts.ts), a secret never written to a file. An SSE-KMS
 * object is decrypted by S3 for a caller the key lets decrypt (S3 User Guide, "Using server-side encryption with AWS
 * KMS keys"); S3 answers AccessDenied otherwise. Refused past `maxBytes`.
 */
export async function readObjectText(clients: AwsClients, bucket: string, key: string, maxBytes = 1_048_576): Promise<string> {
  const got = await clients.s3.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
  if (!(got.Body instanceof Readable)) throw new Error(`S3 GetObject answered no body for s3://${bucket}/${key}.`);
  const chunks: Buffer[] = [];
  let bytes = 0;
  for await (const chunk of got.Body) {
    bytes += (chunk as Buffer).length;
    if (bytes > maxBytes) {
      got.Body.destroy();
      throw new Error(`s3://${bucket}/${key} is larger than ${maxBytes} bytes: not the object production writes there.`);
    }
    chunks.push(Buffer.from(chunk as Buffer));
  }
  return Buffer.concat(chunks).toString('utf8');
}
