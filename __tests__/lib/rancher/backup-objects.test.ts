import { parse } from 'yaml';
import {
  BACKUP_FOLDER,
  backupObject,
  ENCRYPTION_KEY_NAME,
  encryptionConfiguration,
  FIRST_BACKUP,
  inPlaceRestoreName,
  MIGRATION_RESTORE,
  restoreObject,
  RESOURCE_SET,
  SCHEDULED_BACKUP,
  SECRET_NAME_PATTERN,
} from '../../../lib/rancher/backup-objects';
import { backupObjectProblems } from '../../helpers/rancher-backup-schemas';

const secrets = {
  credentials: 'rancher-aws-backup-s3-a1b2c3',
  encryption: 'rancher-aws-backup-encryption-a1b2c3',
  restoreEncryption: 'rancher-aws-restore-encryption-a1b2c3',
};
const location = { bucket: 'rancher-rke-ha-backups-2026', region: 'eu-west-1', dnsSuffix: 'amazonaws.com', secrets };
const FILE = 'rancher-aws-scheduled-6f0b3c2e-8a1d-4c6e-9b7a-0d1e2f3a4b5c-2026-11-23T06-00-00Z.tar.gz';

describe('Backup and Restore objects, checked against the CRDs of the pinned chart', () => {
  const scheduled = backupObject({ name: SCHEDULED_BACKUP, location, schedule: '0 */6 * * *', retentionCount: 28 });
  const first = backupObject({ name: FIRST_BACKUP, location });
  const restore = restoreObject({ file: `${FILE}.enc`, location });

  it.each([
    ['the recurring Backup', scheduled],
    ['the first (one-time) Backup', first],
    ['the migration Restore', restore],
    ['a Restore of an unencrypted file', restoreObject({ file: FILE, location })],
    ['an in-place Restore (a failback)', restoreObject({ file: `${FILE}.enc`, location, inPlace: true })],
  ])('%s fits its CRD', (_, object) => {
    expect(backupObjectProblems(object)).toEqual([]);
  });

  it('the check finds what the API server would refuse or prune', () => {
    const broken = JSON.parse(JSON.stringify(scheduled));
    broken.spec.retentionCount = 0;
    broken.spec.storageLocation.s3.bucket = 'typo';
    delete broken.spec.storageLocation.s3.endpoint;
    broken.metadata.namespace = 'cattle-resources-system';
    expect(backupObjectProblems(broken).sort()).toEqual([
      'metadata.namespace: set on a cluster-scoped object',
      'spec.retentionCount: below 1',
      'spec.storageLocation.s3.bucket: not in the schema',
      'spec.storageLocation.s3.endpoint: required',
    ]);
  });

  it('backs up Rancher with its secrets, encrypted, into the folder the writer may write', () => {
    expect(scheduled.spec).toEqual({
      resourceSetName: RESOURCE_SET,
      encryptionConfigSecretName: secrets.encryption,
      schedule: '0 */6 * * *',
      retentionCount: 28,
      storageLocation: {
        s3: {
          bucketName: location.bucket,
          folder: BACKUP_FOLDER,
          region: 'eu-west-1',
          endpoint: 's3.eu-west-1.amazonaws.com',
          credentialSecretName: secrets.credentials,
          credentialSecretNamespace: 'cattle-resources-system',
          clientConfig: { aws: { dualStack: false } },
        },
      },
    });
    expect(RESOURCE_SET).toBe('rancher-resource-set-full');
  });

  it('makes the first backup one-time (no schedule, no retention: the operator keeps it)', () => {
    expect(first.spec).not.toHaveProperty('schedule');
    expect(first.spec).not.toHaveProperty('retentionCount');
  });

  it("restores as Rancher migrates: prune off, the old deployment's encryption for an encrypted file only", () => {
    expect(restore).toEqual(expect.objectContaining({ kind: 'Restore', metadata: { name: MIGRATION_RESTORE } }));
    expect(restore.spec).toEqual(
      expect.objectContaining({ backupFilename: `${FILE}.enc`, prune: false, encryptionConfigSecretName: secrets.restoreEncryption }),
    );
    expect(restoreObject({ file: FILE, location }).spec).not.toHaveProperty('encryptionConfigSecretName');
  });

  it('restores in place (a failback) as Rancher does over a running Rancher: prune on, an object of its own per file', () => {
    const inPlace = restoreObject({ file: `${FILE}.enc`, location, inPlace: true });
    expect(inPlace.spec).toEqual(
      expect.objectContaining({ backupFilename: `${FILE}.enc`, prune: true, encryptionConfigSecretName: secrets.restoreEncryption }),
    );
    // The operator runs a Restore once: another file is another object, never the migration's.
    const name = inPlace.metadata.name;
    expect(name).toMatch(/^rancher-aws-restore-[0-9a-f]{10}$/);
    expect(name).toBe(inPlaceRestoreName(`${FILE}.enc`));
    expect(restoreObject({ file: FILE.replace('06-00-00Z', '12-00-00Z'), location, inPlace: true }).metadata.name).not.toBe(name);
    expect(name).not.toBe(MIGRATION_RESTORE);
  });

  it("names every Secret this project gives the operator with one pattern, whatever the deployment's suffix, and nothing else", () => {
    const pattern = new RegExp(SECRET_NAME_PATTERN);
    for (const name of [...Object.values(secrets), 'rancher-aws-backup-s3-0a1b2c', 'rancher-aws-restore-encryption-ffffff'])
      expect(name).toMatch(pattern);
    for (const name of [
      'rancher-backup-s3',
      'rancher-aws-backup-s3-0a1b2c3d',
      'x-rancher-aws-backup-s3-0a1b2c',
      'rancher-aws-backup-s3-A1B2C3',
      'tls-rancher-ingress',
    ])
      expect(name).not.toMatch(pattern);
  });

  it('writes an EncryptionConfiguration the API server format takes: one secretbox key', () => {
    const config = encryptionConfiguration('${random_bytes.key.base64}');
    expect(parse(JSON.stringify(config))).toEqual({
      apiVersion: 'apiserver.config.k8s.io/v1',
      kind: 'EncryptionConfiguration',
      resources: [
        { resources: ['*.*'], providers: [{ secretbox: { keys: [{ name: ENCRYPTION_KEY_NAME, secret: '${random_bytes.key.base64}' }] } }] },
      ],
    });
  });
});
