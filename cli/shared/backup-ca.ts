import { mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { CA_RECORD_FOLDER } from '../../lib/rancher/ca-record';
import type { Aws } from './aws';
import { readBackupFile } from './backup-archive';

// The two questions a failover and a failback ask of a backup bucket before they restore from it (docs/failover.md):
// which CA the agents trust, as the deployment recorded it beside its backups, and whether the backup file carries
// that CA (docs/development/standby-trust.md, step 4). Read only: a listing, and one file read for its member names.

/** The CA records of a bucket (`rancher-aws/record-ca/ca=<value>`): listed (every page), never read, their names are the values. */
export async function recordedCas(aws: Aws, bucket: string): Promise<string[]> {
  const { side, clients } = await aws.sdk();
  return (await side.listObjects(clients, bucket, CA_RECORD_FOLDER)).map((o) => o.key.slice(`${CA_RECORD_FOLDER}ca=`.length));
}

/**
 * Whether the backup `key` of `bucket` holds `member` (the Secret that carries the CA), by the names in the archive
 * (the operator encrypts contents, never names): downloaded into `folder`, read, deleted.
 */
export async function backupHoldsMember(
  aws: Aws,
  backup: { readonly bucket: string; readonly key: string },
  member: string,
  folder: string,
): Promise<boolean> {
  mkdirSync(folder, { recursive: true });
  const download = join(folder, 'backup.tar.gz');
  try {
    const { side, clients } = await aws.sdk();
    await side.downloadObject(clients, backup.bucket, backup.key, download);
    return (await readBackupFile(download)).files.has(member);
  } finally {
    rmSync(download, { force: true });
  }
}

const section = (value: unknown): Record<string, unknown> =>
  value !== null && typeof value === 'object' && !Array.isArray(value) ? { ...(value as Record<string, unknown>) } : {};

/** The member of a Rancher backup that carries the CA agents need (trust page step 4), or undefined for a public certificate. */
export function caMemberOf(settings: Record<string, unknown>): { readonly file: string; readonly what: string } | undefined {
  const tls = section(section(settings.rancher).tls);
  const issuer = tls.issuer ?? 'rancher';
  if (issuer === 'rancher') return { file: 'secrets.#v1/cattle-system/tls-rancher.json', what: "Rancher's own CA (issuer rancher)" };
  if (issuer === 'ca' || tls.privateCA === true) return { file: 'secrets.#v1/cattle-system/tls-ca.json', what: 'your private CA (tls-ca)' };
  return undefined;
}
