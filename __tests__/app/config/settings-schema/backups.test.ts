import { parseSettings } from '../../../../app/config/load';
import { settingsProblems } from '../../../helpers/synth';
import { RESTORE_FILE } from '../../../helpers/variants';

const OLD_BUCKET = 'rancher-rke-ha-backups-20261101000000000000000001';
const MIGRATION = { rancher: { bootstrap: { enabled: false } } };

describe('backups settings', () => {
  it('default to scheduled backups every 6 hours, 28 kept, a guarded bucket, no restore', () => {
    expect(parseSettings({}, 'test').backups).toEqual({
      enabled: true,
      schedule: '0 */6 * * *',
      retentionCount: 28,
      forceDestroyBucket: false,
      credentials: 'servers',
      readerAccounts: [],
    });
  });

  it("take a restore of another deployment's backup with the first login off", () => {
    const parsed = parseSettings({ ...MIGRATION, backups: { restoreFrom: { file: RESTORE_FILE, bucket: OLD_BUCKET } } }, 'test');
    expect(parsed.backups.restoreFrom).toEqual({
      file: RESTORE_FILE,
      bucket: OLD_BUCKET,
      newHostname: false,
      unrecordedSource: false,
      disarm: false,
      inPlace: false,
    });
  });

  it.each([
    ['a step', '*/30 * * * *'],
    ['names', '0 3 * * sun'],
    ['a list', '0 1,13 * * *'],
  ])('accept a schedule with %s', (_, schedule) => {
    expect(settingsProblems({ backups: { schedule } })).toEqual([]);
  });

  it.each([
    ['four fields', '0 */6 * *', 'expected a five-field cron expression such as "0 */6 * * *"'],
    ['an hour out of range', '0 24 * * *', 'the hour field has "24", outside 0-23 (the rancher-backup operator would refuse it)'],
    ['a descriptor (accepted by the operator, not five fields)', '@daily', 'expected a five-field cron expression such as "0 */6 * * *"'],
  ])('refuse a schedule with %s, naming the field and the value', (_, schedule, message) => {
    expect(settingsProblems({ backups: { schedule } })).toEqual([{ field: 'backups.schedule', message, value: schedule }]);
  });

  it.each(['0 0 31 2 *', '0 0 30 2 *', '0 0 31 4,6,9,11 *'])(
    'refuse %p, a schedule no date matches (as the etcd snapshot schedule is refused), unless backups are off',
    (schedule) => {
      expect(settingsProblems({ backups: { schedule } })).toEqual([
        {
          field: 'backups.schedule',
          message: expect.stringMatching(/^never runs: no date matches all its fields, so the rancher-backup operator/),
          value: schedule,
        },
      ]);
      expect(settingsProblems({ rkeHa: { etcdSnapshots: { scheduleCron: schedule } } })).toEqual([
        expect.objectContaining({ field: 'rkeHa.etcdSnapshots.scheduleCron', message: expect.stringMatching(/^never runs/) }),
      ]);
      expect(settingsProblems({ backups: { schedule, enabled: false } })).toEqual([]);
    },
  );

  it.each([0, 1001, 2.5])('refuse retentionCount %p', (retentionCount) => {
    expect(settingsProblems({ backups: { retentionCount } })).toEqual([
      expect.objectContaining({ field: 'backups.retentionCount', value: retentionCount }),
    ]);
  });

  it.each([
    ['a folder', `rancher/${RESTORE_FILE}`],
    ['another extension', RESTORE_FILE.replace('.tar.gz.enc', '.zip')],
    ['no time', 'rancher-aws-scheduled.tar.gz'],
    ['a template', '${var.file}.tar.gz'],
  ])('refuse a restoreFrom.file with %s, saying what a backup file looks like', (_, file) => {
    expect(settingsProblems({ ...MIGRATION, backups: { restoreFrom: { file } } })).toEqual([
      {
        field: 'backups.restoreFrom.file',
        message: expect.stringMatching(/^expected a file name the rancher-backup operator wrote, such as rancher-.*\.tar\.gz\.enc \(no folder\)$/),
        value: file,
      },
    ]);
  });

  it.each(['Upper', 'a..b', 'my.bucket', 'xn--bucket', 'ab'])('refuse restoreFrom.bucket %p', (bucket) => {
    expect(settingsProblems({ ...MIGRATION, backups: { restoreFrom: { file: RESTORE_FILE, bucket } } })).toEqual([
      expect.objectContaining({ field: 'backups.restoreFrom.bucket', value: bucket }),
    ]);
  });

  it('refuse a restore with backups off: the operator restores it', () => {
    expect(settingsProblems({ ...MIGRATION, backups: { enabled: false, restoreFrom: { file: RESTORE_FILE } } })).toEqual([
      {
        field: 'backups.enabled',
        message:
          'is false, and backups.restoreFrom restores through the rancher-backup operator, which backups.enabled installs; set it true (or remove restoreFrom)',
        value: false,
      },
    ]);
  });

  it.each([
    ['left on by default', {}, '(unset: true)'],
    ['turned on', { rancher: { bootstrap: { enabled: true } } }, true],
  ])('refuse a restore with the first-login bootstrap %s: the restored admin keeps its password', (_, input, value) => {
    expect(settingsProblems({ ...input, backups: { restoreFrom: { file: RESTORE_FILE } } })).toEqual([
      {
        field: 'rancher.bootstrap.enabled',
        message: expect.stringMatching(/^must be false with backups\.restoreFrom: .*; set rancher\.bootstrap\.enabled: false/),
        value,
      },
    ]);
  });

  it('take reader accounts: 12-digit account ids, each once', () => {
    expect(parseSettings({ backups: { readerAccounts: ['111122223333'] } }, 'test').backups.readerAccounts).toEqual(['111122223333']);
    expect(settingsProblems({ backups: { readerAccounts: ['1111-2222-3333'] } })).toEqual([
      expect.objectContaining({ field: 'backups.readerAccounts.0', message: 'expected an AWS account id: 12 digits' }),
    ]);
    expect(settingsProblems({ backups: { readerAccounts: ['111122223333', '111122223333'] } })).toEqual([
      expect.objectContaining({ field: 'backups.readerAccounts', message: 'lists an account id twice' }),
    ]);
  });

  it('refuse an unknown key, naming the allowed ones and the one a word of its name and its value point to', () => {
    expect(settingsProblems({ backups: { retention: 3 } })).toEqual([
      {
        field: 'backups.retention',
        message:
          'unknown setting; did you mean retentionCount? allowed here: enabled, schedule, retentionCount, forceDestroyBucket, credentials, readerAccounts, restoreFrom',
      },
    ]);
    expect(settingsProblems({ backups: { retention: 'forever' } })).toEqual([
      {
        field: 'backups.retention',
        message: 'unknown setting; allowed here: enabled, schedule, retentionCount, forceDestroyBucket, credentials, readerAccounts, restoreFrom',
      },
    ]);
  });
});

describe('backups.credentials irsa and pod-identity elsewhere', () => {
  it('the settings refuse them without k8sHa.eks.clusterName, naming the field', () => {
    for (const credentials of ['irsa', 'pod-identity'] as const) {
      const problems = settingsProblems({ backups: { credentials } });
      expect(problems).toEqual([
        expect.objectContaining({
          field: 'k8sHa.eks.clusterName',
          message: expect.stringContaining(`required with backups.credentials ${credentials}`),
        }),
      ]);
    }
    expect(settingsProblems({ k8sHa: { eks: { clusterName: '-bad' } }, backups: { credentials: 'accessKey' } })).toEqual([
      expect.objectContaining({ field: 'k8sHa.eks.clusterName' }),
    ]);
  });

  // d0e353c accepted it, and the operator wrote with an IAM user's key while an EKS cluster was named.
  it('the settings refuse an EKS cluster named with the credentials left at servers, naming the three choices', () => {
    for (const backups of [{}, { credentials: 'servers' as const }]) {
      expect(settingsProblems({ backups, k8sHa: { eks: { clusterName: 'prod-eks' } } })).toEqual([
        {
          field: 'backups.credentials',
          message:
            'is servers (the default), which on a cluster that is not the stack\'s means an IAM user with an access key in Terraform state, while k8sHa.eks.clusterName names the EKS cluster "prod-eks": set irsa or pod-identity for a role EKS gives the operator (no IAM user, no key; docs/k8s-ha.md, "Backups on EKS"), or accessKey to keep the key',
          value: 'servers',
        },
      ]);
    }
    for (const credentials of ['irsa', 'pod-identity', 'accessKey'] as const)
      expect(settingsProblems({ backups: { credentials }, k8sHa: { eks: { clusterName: 'prod-eks' } } })).toEqual([]);
    // Without backups there is no writer to choose.
    expect(settingsProblems({ backups: { enabled: false }, k8sHa: { eks: { clusterName: 'prod-eks' } } })).toEqual([]);
  });
});
