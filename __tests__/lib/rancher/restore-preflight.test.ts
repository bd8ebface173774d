import { backupFileTime } from '../../../lib/rancher/restore-preflight';

// The time a backup file's name carries, which the migration's preflight compares with the source's record. The
// preflight as the app's stacks synthesize it is __tests__/app/stacks/restore-preflight.test.ts's.

describe('backupFileTime', () => {
  it.each([
    ['rancher-aws-scheduled-6f0b3c2e-8a1d-4c6e-9b7a-0d1e2f3a4b5c-2026-11-23T06-00-00Z.tar.gz.enc', '2026-11-23T06:00:00Z'],
    ['x-6f0b3c2e-8a1d-4c6e-9b7a-0d1e2f3a4b5c-2026-11-23T06-00-00+02-00.tar.gz', '2026-11-23T06:00:00+02:00'],
    ['x-6f0b3c2e-8a1d-4c6e-9b7a-0d1e2f3a4b5c-2026-11-23T06-00-00-05-30.tar.gz', '2026-11-23T06:00:00-05:30'],
    ['not-a-backup.tar.gz', undefined],
  ])('%s → %s', (file, time) => {
    expect(backupFileTime(file)).toBe(time);
  });
});
