import { DEPLOYMENT_TAG as LIB_DEPLOYMENT_TAG } from '../../lib/common/private/tags';
import { DEFAULT_VERSIONS, rke2KubernetesMinor } from '../../lib/config/versions';
import { acceptanceModuleProblems, chosenPhases, overBudget, statedCost } from '../../cli/acceptance';
import { acceptanceName, acceptanceSettings, baseSettingsProblem, DEPLOYMENT_TAG, newRunId, RUN_TAG, UPGRADE } from '../../cli/acceptance-settings';
import { synthSettings } from '../helpers/variants';
import { settingsProblems } from '../helpers/synth';
import { testReleaseSums } from '../helpers/release-sums';
import { recordedRelease } from '../../lib/config/release-sums';

// The acceptance run's settings, synthesized in process (the unit tier): what the command will apply. No sum of the
// from-version's tarball is recorded: the operator supplies it in the base settings file, here a fictional one.
const runId = 'k3x9q2';
const name = acceptanceName(runId);
const SUMS = { versions: { releaseSums: testReleaseSums(UPGRADE.from) } };
const settings = acceptanceSettings(SUMS, { name, runId, region: 'eu-west-1' });
const json: any = synthSettings('rke-ha', settings as never).json;

describe('the acceptance run', () => {
  it('deploys a version one minor below the default, and upgrades to the default', () => {
    expect(UPGRADE.to).toBe(DEFAULT_VERSIONS.rke2);
    expect(rke2KubernetesMinor(UPGRADE.from)! + 1).toBe(rke2KubernetesMinor(UPGRADE.to));
    expect(json.locals['server-0_user-data_00E4CEB9'] ?? JSON.stringify(json)).toContain(`RKE2_VERSION="${UPGRADE.from}"`);
  });

  it('the from-version has no recorded tarball sum: without one supplied (--settings, versions.releaseSums) the first synth refuses it', () => {
    expect(recordedRelease('rke2', UPGRADE.from)?.artifacts.amd64).toBeUndefined();
    expect(settingsProblems(acceptanceSettings({}, { name, runId, region: 'eu-west-1' }))).toEqual([
      {
        field: 'versions.rke2',
        message: expect.stringMatching(
          /^v1\.34\.6\+rke2r3 has no SHA-256 of rke2\.linux-amd64\.tar\.gz for rkeHa\.architecture x86_64, .*versions\.releaseSums: \{ "v1\.34\.6\+rke2r3": \{ "rke2\.linux-amd64\.tar\.gz": <sha256> \} \}$/,
        ),
        value: UPGRADE.from,
      },
    ]);
    // The supplied sums stay for the upgrade's synth, where the target's recorded ones apply.
    expect(recordedRelease('rke2', UPGRADE.to)?.artifacts.amd64).toBeDefined();
    expect(settingsProblems(acceptanceSettings(SUMS, { name, runId, region: 'eu-west-1', kubernetes: UPGRADE.to }))).toEqual([]);
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
    expect(chosenPhases(['deploy'], undefined)).toContain('Unknown phase deploy');
    expect(chosenPhases(['drill'], undefined)).toContain('choose backup with drill');
    expect(statedCost(240, false)).toBe('$2.68');
    expect(statedCost(240, true)).toBe('$3.36');
    expect(overBudget(0, 240 * 60_000, 240)).toBe(false);
    expect(overBudget(0, 240 * 60_000 + 1, 240)).toBe(true);
  });
});
