import { readFileSync } from 'node:fs';
import { AwsProvider } from '@cdktn/provider-aws/lib/provider';
import { HelmProvider } from '@cdktf/provider-helm/lib/provider';
import { KubernetesProvider } from '@cdktf/provider-kubernetes/lib/provider';
import { RandomProvider } from '@cdktn/provider-random/lib/provider';
import { join } from 'node:path';
import { DEFAULT_VERSIONS, RANCHER_BACKUP_CHART, RANCHER_BACKUP_CHARTS, rancherBackupChart, rancherLine } from '../../../lib/config/versions';
import { RancherBackups, type RancherBackupsProps } from '../../../lib/rancher/rancher-backups';
import { synthConstruct, type TerraformJson } from '../../helpers/synth';
import { RESTORE_FILE } from '../../helpers/backup-file';
import { backupResource, jobObject, renderBackupJob as render, requiredBackupResource as required } from '../../helpers/backup-jobs';

// RancherBackups built from its own props, as a library user does. What the app's rke-ha and k8s-ha stacks synthesize
// with it, across the settings variants, is __tests__/app/stacks/backups.test.ts's.

describe('the pinned rancher-backup charts', () => {
  it("are the operator line of the pinned Rancher's line (a Rancher bump must look at them)", () => {
    expect(RANCHER_BACKUP_CHART.rancherLine).toBe(rancherLine(DEFAULT_VERSIONS.rancher));
    // <99 + operator major>.<minor>.<patch>+up<operator version>, the chart of Rancher 2.<operator major + 4>: the v10
    // operator is Rancher 2.14's, v11 2.15's (rancher/charts, catalog.cattle.io/rancher-version).
    for (const [line, chart] of Object.entries(RANCHER_BACKUP_CHARTS)) {
      const operatorMajor = Number(/^v(\d+)\./.exec(chart.operator)![1]);
      expect(chart.rancherLine).toBe(line);
      expect(chart.version).toMatch(new RegExp(`^${99 + operatorMajor}\\.\\d+\\.\\d+\\+up${operatorMajor}\\.\\d+\\.\\d+$`));
      expect(chart.version.endsWith(`+up${chart.operator.slice(1)}`)).toBe(true);
      expect(line).toBe(`2.${operatorMajor + 4}`);
    }
  });

  it('a deployment gets the chart of the Rancher line it runs: the previous line keeps its operator', () => {
    expect(rancherBackupChart(DEFAULT_VERSIONS.rancher)).toBe(RANCHER_BACKUP_CHART);
    expect(rancherBackupChart('2.14.3').version).toBe(RANCHER_BACKUP_CHARTS['2.14'].version);
    // A line this project pins no chart for (or a version Terraform gives only at plan time): the default line's.
    expect(rancherBackupChart('2.13.3')).toBe(RANCHER_BACKUP_CHART);
    expect(rancherBackupChart('${var.rancher_version}')).toBe(RANCHER_BACKUP_CHART);
  });

  it('are the chart the fixtures of its values and CRDs were restated from', () => {
    for (const fixture of ['rancher-backup-values.json', 'rancher-backup-crds.json']) {
      const about: string = JSON.parse(readFileSync(join(__dirname, '../../fixtures', fixture), 'utf8')).about;
      expect(about).toContain(`operator tag ${RANCHER_BACKUP_CHART.operator} (chart ${RANCHER_BACKUP_CHART.version})`);
    }
  });
});

describe("RancherBackups' own props (a library user's, no settings file)", () => {
  const REQUIRED = {
    name: 'demo-test',
    region: 'eu-west-1',
    dependsOn: [],
    restoreVariableName: 'restore_encryption_config',
    rancherVersion: DEFAULT_VERSIONS.rancher,
    hostname: 'rancher.example.com',
    hostnameInPlan: true,
    parameterPath: '/demo/test',
  };
  const build = (props: Partial<RancherBackupsProps>) =>
    synthConstruct((stack) => {
      new AwsProvider(stack, 'aws', { region: 'eu-west-1' });
      new HelmProvider(stack, 'helm', {});
      new KubernetesProvider(stack, 'kubernetes', {});
      new RandomProvider(stack, 'random');
      new RancherBackups(stack, 'rancher-backups', { ...REQUIRED, ...props }).scheduleAfter([]);
    }).json;

  it('takes its schedule, retention and bucket guards as flat props, with the defaults when unset', () => {
    const scheduledObject = (json: TerraformJson) => jobObject(render(required(json, 'helm_release', 'jobs_scheduled-backup')[1]));
    const defaults = build({});
    expect(scheduledObject(defaults).spec).toEqual(expect.objectContaining({ schedule: '0 */6 * * *', retentionCount: 28 }));
    expect(required(defaults, 'aws_s3_bucket', 'bucket')[1].lifecycle).toEqual({ prevent_destroy: true });
    const given = build({ schedule: '30 2 * * *', retentionCount: 7, forceDestroyBucket: true });
    expect(scheduledObject(given).spec).toEqual(expect.objectContaining({ schedule: '30 2 * * *', retentionCount: 7 }));
    expect(required(given, 'aws_s3_bucket', 'bucket')[1].force_destroy).toBe(true);
    expect(backupResource(build({ enabled: false }), 'helm_release', 'release')).toBeUndefined();
  });

  it("installs the operator chart of its rancherVersion's line: Rancher 2.14 keeps v10 until Rancher moves, in the same apply", () => {
    const versions = (json: TerraformJson) =>
      Object.values(json.resource!.helm_release as Record<string, any>)
        .filter((r) => r.chart === 'rancher-backup' || r.chart === 'rancher-backup-crd')
        .map((r) => r.version);
    expect(versions(build({ rancherVersion: '2.14.3' }))).toEqual([RANCHER_BACKUP_CHARTS['2.14'].version, RANCHER_BACKUP_CHARTS['2.14'].version]);
    expect(versions(build({}))).toEqual([RANCHER_BACKUP_CHART.version, RANCHER_BACKUP_CHART.version]);
  });

  it.each([
    [{ schedule: '0 */6 * *' }, 'schedule "0 */6 * *" is not a five-field cron expression'],
    [{ schedule: '0 25 * * *' }, 'schedule "0 25 * * *": the hour field has "25", outside 0-23'],
    [{ retentionCount: 0 }, 'retentionCount 0 is not a whole number from 1 to 1000'],
    [{ readerAccounts: ['11112222333'] }, 'readerAccounts has "11112222333", which is not an AWS account id (12 digits)'],
    [{ readerAccounts: ['111122223333', '111122223333'] }, 'readerAccounts lists 111122223333 twice'],
    [{ restoreFrom: { file: `rancher/${RESTORE_FILE}` } }, `restoreFrom.file "rancher/${RESTORE_FILE}" is not a file name`],
    [{ restoreFrom: { file: RESTORE_FILE, bucket: 'old.backups' } }, 'restoreFrom.bucket "old.backups": expected an S3 bucket name'],
    [
      { restoreFrom: { file: RESTORE_FILE, disarm: true, inPlace: true } },
      "restoreFrom.disarm (a drill's restore into a throwaway) and restoreFrom.inPlace",
    ],
  ] as [Partial<RancherBackupsProps>, string][])('refuses %j in its props words', (props, message) => {
    expect(() => build(props)).toThrow(`RancherBackups test/rancher-backups: ${message}`);
  });
});
