import { DEPLOYMENT_TAG as LIB_DEPLOYMENT_TAG } from '../../../lib/common/private/tags';
import { DEFAULT_VERSIONS, PREVIOUS_DEFAULT_VERSIONS, rke2KubernetesMinor } from '../../../lib/config/versions';
import { acceptanceModuleProblems, chosenPhases, moduleNamespaces, notApplicable, overBudget, statedCost } from '../../../cli/acceptance/acceptance';
import { NO_STANDBY } from '../../../cli/acceptance/acceptance-report';
import {
  acceptanceName,
  acceptanceSettings,
  baseSettingsProblem,
  newRunId,
  RUN_TAG,
  UPGRADE,
  upgradeSumProblem,
} from '../../../cli/acceptance/acceptance-settings';
import { DEPLOYMENT_TAG } from '../../../lib/common/deployment-record-format';
import { synthSettings } from '../../helpers/variants';
import { settingsProblems } from '../../helpers/synth';
import { testReleaseSums } from '../../helpers/release-sums';
import { recordedRelease } from '../../../lib/config/release-sums';

// The acceptance run's settings, synthesized in process (the unit tier): what the command will apply. The from-version
// is the previous release's default, whose sums are recorded: the base settings are empty, as the README's run has them.
const runId = 'k3x9q2';
const name = acceptanceName(runId);
const settings = acceptanceSettings({}, { name, runId, region: 'eu-west-1' });
const json: any = synthSettings('rke-ha', settings as never).json;

describe('the acceptance run', () => {
  it("deploys the previous release's default, one minor below the default, and upgrades to the default", () => {
    expect(UPGRADE).toEqual({ from: PREVIOUS_DEFAULT_VERSIONS.rke2, to: DEFAULT_VERSIONS.rke2 });
    expect(rke2KubernetesMinor(UPGRADE.from)! + 1).toBe(rke2KubernetesMinor(UPGRADE.to));
    expect(json.locals['server-0_user-data_00E4CEB9'] ?? JSON.stringify(json)).toContain(`RKE2_VERSION="${UPGRADE.from}"`);
  });

  it("both versions have recorded sums for both architectures: both synths pass with no settings of the user's", () => {
    for (const version of [UPGRADE.from, UPGRADE.to])
      for (const arch of ['amd64', 'arm64'] as const) expect(recordedRelease('rke2', version)?.artifacts[arch]).toBeDefined();
    expect(settingsProblems(acceptanceSettings({}, { name, runId, region: 'eu-west-1' }))).toEqual([]);
    expect(
      settingsProblems(acceptanceSettings({ rkeHa: { architecture: 'arm64', instanceType: 'm7g.xlarge' } }, { name, runId, region: 'eu-west-1' })),
    ).toEqual([]);
    expect(settingsProblems(acceptanceSettings({}, { name, runId, region: 'eu-west-1', kubernetes: UPGRADE.to }))).toEqual([]);
  });

  it('refuses the upgrade phase before the confirmation only while the from-version has no sum, recorded or supplied', () => {
    expect(upgradeSumProblem({}, true, undefined)).toBeUndefined();
    expect(upgradeSumProblem({ rkeHa: { architecture: 'arm64' } }, true, 'mine.yaml')).toBeUndefined();
    expect(upgradeSumProblem({}, false, undefined)).toBeUndefined();
    // A from-version the table does not record (a pin bumped without keeping the previous one's sums): refused, with the ways on.
    const unrecorded = 'v1.35.99+rke2r1';
    expect(upgradeSumProblem({}, true, undefined, unrecorded)).toMatch(
      /records no SHA-256 of v1\.35\.99\+rke2r1's rke2\.linux-amd64\.tar\.gz.* or pass --skip upgrade/,
    );
    expect(upgradeSumProblem({ rkeHa: { architecture: 'arm64' } }, true, 'mine.yaml', unrecorded)).toContain('supply it in mine.yaml');
    expect(upgradeSumProblem({ versions: { releaseSums: testReleaseSums(unrecorded) } }, true, 'mine.yaml', unrecorded)).toBeUndefined();
  });

  it("tags every AWS resource with the run id (every provider's default_tags) and its deployment tag is the stacks'", () => {
    expect(DEPLOYMENT_TAG).toBe(LIB_DEPLOYMENT_TAG);
    expect(json.provider.aws.length).toBeGreaterThan(0);
    for (const provider of json.provider.aws) expect(provider.default_tags[0].tags).toEqual({ [DEPLOYMENT_TAG]: `${name}-rke-ha`, [RUN_TAG]: runId });
  });

  it('has no domain, a local state in its own folder, names only under its prefix, and the outputs the phases read', () => {
    expect(acceptanceModuleProblems(json, '/runs/x/cdktf.out/stacks/rke-ha', '/runs/x', name, runId)).toEqual([]);
    expect(json.resource.aws_route53_record).toBeUndefined();
    expect(json.terraform.backend).toEqual({ local: { path: 'terraform.rke-ha.tfstate' } });
    for (const output of ['rancher_url', 'kubeconfig', 'rancher_admin_password', 'rancher_backup_bucket', 'servers_pending_replacement'])
      expect(Object.keys(json.output)).toContain(output);
    expect(Object.values(json.resource.aws_lb)[0]).toMatchObject({ enable_deletion_protection: false });
  });

  it("turns alarms on: the stack's own topic with no subscription, and the alarms on the servers' own metrics", () => {
    expect(settings.alarms).toEqual({ enabled: true });
    expect(Object.keys(json.resource.aws_sns_topic ?? {})).toHaveLength(1);
    expect(json.resource.aws_sns_topic_subscription).toBeUndefined();
    const alarms = Object.values(json.resource.aws_cloudwatch_metric_alarm ?? {}) as any[];
    const own = alarms.filter((a) => a.namespace === `RancherHA/${name}-rke-ha`).map((a) => a.metric_name);
    expect(own).toEqual(expect.arrayContaining(['RestartHeld', 'BackupCredentialsFailed']));
    for (const a of alarms) expect(String(a.alarm_actions)).toContain('aws_sns_topic.');
  });

  it('the safety check refuses what is not its own: another run id, a backend elsewhere, a name outside its prefix', () => {
    const other = JSON.parse(JSON.stringify(json));
    other.terraform.backend = { s3: { bucket: 'tf-state' } };
    other.resource.aws_iam_role = { r: { name: 'production-role' } };
    expect(acceptanceModuleProblems(other, '/runs/x/m', '/runs/x', name, 'other1')).toEqual([
      'its state backend is not a local file',
      `the AWS provider (default) does not tag ${RUN_TAG}=other1`,
      `aws_iam_role.r is named production-role, outside the run's prefix ${name}`,
    ]);
  });

  it('run ids: six characters, a letter first; names of ten', () => {
    for (let i = 0; i < 50; i++) expect(newRunId()).toMatch(/^[a-z][a-z0-9]{5}$/);
    expect(newRunId(() => Buffer.from([0, 25, 26, 35, 36, 255]))).toBe('az09ad');
    expect(name).toHaveLength(10);
  });

  it('a base settings file: refused with a backend, another region, K3s or an existing network', () => {
    expect(baseSettingsProblem({ backend: { type: 's3' } }, 'eu-west-1', 'p.yaml')).toContain('names a state backend');
    expect(baseSettingsProblem({ region: 'us-east-1' }, 'eu-west-1', 'p.yaml')).toContain('region us-east-1, and --region eu-west-1');
    expect(baseSettingsProblem({ rkeHa: { distribution: 'k3s' } }, 'eu-west-1', 'p.yaml')).toContain('K3s is not covered');
    expect(baseSettingsProblem({ rkeHa: { existingNetwork: {} } }, 'eu-west-1', 'p.yaml')).toContain('its own network');
    expect(baseSettingsProblem({ rkeHa: { instanceType: 'm6i.2xlarge' } }, 'eu-west-1', 'p.yaml')).toBeUndefined();
    // Its shape stays, the run's own name, region, DNS, state, tags and version replace the rest.
    const s: any = acceptanceSettings(
      { name: 'prod', hostname: 'r.example.com', rkeHa: { instanceType: 'm6i.2xlarge' } },
      { name, runId, region: 'eu-west-1' },
    );
    expect(s).toMatchObject({ name, region: 'eu-west-1', dns: { mode: 'wildcard' }, rkeHa: { instanceType: 'm6i.2xlarge' } });
    expect(s.hostname).toBeUndefined();
  });

  it('--only and --skip; the budget and its cost', () => {
    expect([...(chosenPhases(['ping'], undefined) as Set<string>)]).toEqual(['deploy', 'ping', 'teardown', 'sweep']);
    expect((chosenPhases(undefined, ['roll', 'drill']) as Set<string>).has('roll')).toBe(false);
    expect(chosenPhases(['deploy'], undefined)).toEqual({ code: 'ACCEPTANCE_PHASE_UNKNOWN', text: expect.stringContaining('Unknown phase deploy') });
    expect(chosenPhases(['drill'], undefined)).toEqual({
      code: 'ACCEPTANCE_DRILL_WITHOUT_BACKUP',
      text: expect.stringContaining('choose backup with drill'),
    });
    expect(statedCost(240, false)).toBe('$2.68');
    expect(statedCost(240, true)).toBe('$3.36');
    expect(overBudget(0, 240 * 60_000, 240)).toBe(false);
    expect(overBudget(0, 240 * 60_000 + 1, 240)).toBe(true);
  });

  it('k8s-ha: its own record <name>.<zone> in the zone named, the cluster from the command line, the bucket deletable by a destroy', () => {
    const k8s = acceptanceSettings({}, { name, runId, region: 'eu-west-1', stack: 'k8s-ha', hostedZone: 'acme-test.net.' });
    expect(k8s).toMatchObject({
      hostname: `${name}.acme-test.net`,
      hostedZone: 'acme-test.net',
      backups: { enabled: true, forceDestroyBucket: true },
    });
    expect(k8s.dns).toBeUndefined();
    expect(k8s.versions).toBeUndefined();
    const k8sJson: any = synthSettings('k8s-ha', k8s as never).json;
    const run = { stack: 'k8s-ha' as const, hostedZone: 'acme-test.net' };
    expect(acceptanceModuleProblems(k8sJson, '/runs/x/cdktf.out/stacks/k8s-ha', '/runs/x', name, runId, run)).toEqual([]);
    expect(Object.values(k8sJson.resource.aws_s3_bucket)[0]).toMatchObject({ force_destroy: true });
    expect(Object.values(k8sJson.resource.aws_s3_bucket)[0]).not.toHaveProperty('lifecycle');
    expect(moduleNamespaces(k8sJson)).toEqual(['cattle-resources-system', 'cattle-system', 'cert-manager', 'rancher-aws-gates']);
    // A record named otherwise is not the run's.
    expect(acceptanceModuleProblems(k8sJson, '/runs/x/m', '/runs/x', name, runId, { ...run, hostedZone: 'other.net' })).toEqual([
      'it has a Route53 record',
      `its Route53 records are not all named ${name}.other.net`,
    ]);
    expect(baseSettingsProblem({ k8sHa: { access: { variables: true } } }, 'eu-west-1', 'p.yaml', 'k8s-ha')).toContain('--kubeconfig');
  });

  it('docker: no domain, no final snapshot, the daily snapshot twelve hours after the start; names under its prefix', () => {
    const docker = acceptanceSettings({}, { name, runId, region: 'eu-west-1', stack: 'docker', now: new Date('2026-11-25T22:40:00Z') });
    expect(docker).toMatchObject({
      dns: { mode: 'wildcard' },
      docker: { dataVolume: { finalSnapshot: false, snapshots: { intervalHours: 24, time: '10:00' } } },
    });
    const dockerJson: any = synthSettings('docker', docker as never).json;
    expect(acceptanceModuleProblems(dockerJson, '/runs/x/cdktf.out/stacks/docker', '/runs/x', name, runId, { stack: 'docker' })).toEqual([]);
    expect(Object.values(dockerJson.resource.aws_ebs_volume)[0]).toMatchObject({ final_snapshot: false });
    expect(baseSettingsProblem({ docker: { existingNetwork: {} } }, 'eu-west-1', 'p.yaml', 'docker')).toContain('its own network');
    expect(baseSettingsProblem({ docker: { dataVolume: { restoreSnapshotId: 'snap-1' } } }, 'eu-west-1', 'p.yaml', 'docker')).toContain(
      'empty data volume',
    );
  });

  it("phases per stack: those that do not apply are left out, and refused by name in --only; the cost is the stack's", () => {
    expect([...(chosenPhases(undefined, undefined, 'k8s-ha') as Set<string>)]).toEqual([
      'deploy',
      'ping',
      'login',
      'second-plan',
      'backup',
      'break',
      'teardown',
      'sweep',
    ]);
    expect([...(chosenPhases(undefined, undefined, 'docker') as Set<string>)]).toEqual([
      'deploy',
      'ping',
      'login',
      'second-plan',
      'downstream',
      'break',
      'teardown',
      'sweep',
    ]);
    expect(chosenPhases(['upgrade'], undefined, 'k8s-ha')).toEqual({
      code: 'ACCEPTANCE_PHASE_NOT_APPLICABLE',
      text: expect.stringContaining('does not apply to k8s-ha'),
    });
    expect((chosenPhases(undefined, ['roll'], 'docker') as Set<string>).has('break')).toBe(true);
    expect(statedCost(240, false, 'docker')).toBe('$0.44');
    expect(statedCost(240, false, 'k8s-ha')).toBe('$0.00');
  });

  it("the failover phase: not applicable to rke-ha settings without standby.region, nor to k8s-ha and docker; with a standby and a zone, the hostname is the run's own record", () => {
    expect(notApplicable('rke-ha', 'failover', {})).toBe(NO_STANDBY);
    expect(notApplicable('rke-ha', 'failover', { standby: {} })).toBe(NO_STANDBY);
    expect(notApplicable('rke-ha', 'failover', { standby: { region: 'us-west-2' } })).toBeUndefined();
    for (const stack of ['k8s-ha', 'docker']) {
      expect(notApplicable(stack, 'failover', { standby: { region: 'us-west-2' } })).toContain('keeps no standby');
      expect((chosenPhases(undefined, undefined, stack) as Set<string>).has('failover')).toBe(false);
    }
    expect(notApplicable('rke-ha', 'drill', {})).toBeUndefined();
    const withStandby: any = acceptanceSettings(
      { standby: { region: 'us-west-2' } },
      { name, runId, region: 'eu-west-1', stack: 'rke-ha', hostedZone: 'acme-test.net' },
    );
    expect(withStandby).toMatchObject({ hostname: `${name}.acme-test.net`, hostedZone: 'acme-test.net', standby: { region: 'us-west-2' } });
    expect(withStandby.dns).toBeUndefined();
  });
});
