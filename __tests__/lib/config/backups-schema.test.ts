import { BACKUP_FILE } from '../../../lib/config/backups-schema';
import { RESTORE_FILE } from '../../helpers/backup-file';

describe('backups settings', () => {
  describe("BACKUP_FILE (the operator's file names: Backup name, kube-system uid, RFC 3339 time with hyphens)", () => {
    it.each([
      RESTORE_FILE,
      RESTORE_FILE.replace(/\.enc$/, ''),
      'rancher-aws-first-6f0b3c2e-8a1d-4c6e-9b7a-0d1e2f3a4b5c-2026-11-23T06-00-00+02-00.tar.gz.enc',
    ])('matches %s', (file) => {
      expect(BACKUP_FILE.test(file)).toBe(true);
    });
  });
});
