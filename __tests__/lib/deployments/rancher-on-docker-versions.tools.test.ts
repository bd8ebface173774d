import { TerraformStack } from 'cdktf';
import { configureBaseProviders } from '../../../lib/common/providers';
import { RancherOnDocker } from '../../../lib/deployments/rancher-on-docker';
import { dataSources, resources, synthStack } from '../../helpers/synth';
import { evaluateEach, expressionOf } from '../../helpers/terraform';

/**
 * The docker stack's Rancher version rule and its upgrade-snapshot warning as Terraform evaluates them at plan time:
 * two deployments asking for 2.14.3, `demo` on the volume it has and `back` restoring a snapshot, each plan-time
 * record (the top-level `aws_ssm_parameters_by_path`) given as the values the last apply left. One synth, one
 * terraform console run for every case.
 */
const { json } = synthStack((app) => {
  const stack = new TerraformStack(app, 'docker');
  configureBaseProviders(stack, { region: 'eu-west-1', tags: {} });
  for (const [name, restoreSnapshotId] of [
    ['demo', undefined],
    ['back', 'snap-0aaaaaaaaaaaaaaa1'],
  ] as const) {
    new RancherOnDocker(stack, name, {
      name,
      region: 'eu-west-1',
      hostname: `${name}.rancher.acme.io`,
      hostedZone: 'acme.io',
      adminCidrs: [],
      versions: { rancher: '2.14.3' },
      dataVolume: { restoreSnapshotId },
    });
  }
  return stack;
});

interface Deployment {
  readonly read: string;
  readonly versionRules: { condition: string; error_message: string }[];
  readonly snapshotWarning: { condition: string; error_message: string };
}
const deployment = (name: string): Deployment => {
  const [readName] = Object.keys(dataSources(json, 'aws_ssm_parameters_by_path')).filter((n) => n.startsWith(`${name}_applied_`));
  const guard = Object.entries(resources(json, 'terraform_data')).find(([n, d]) => n.startsWith(`${name}_`) && d.lifecycle?.precondition)![1];
  return {
    read: `data.aws_ssm_parameters_by_path.${readName}`,
    versionRules: guard.lifecycle.precondition.filter((p: { error_message: string }) => p.error_message.startsWith('versions.rancher')),
    snapshotWarning: (json as any).check[`${name}_rancher_upgrade_snapshot`].assert[0],
  };
};

/** What the last apply recorded under /<name>/docker/applied, as the data source returns it (names in full, values sensitive). */
const recorded = (d: Deployment, name: string, values: Record<string, string>) => (text: string) =>
  text
    .replaceAll(`${d.read}.names`, JSON.stringify(Object.keys(values).map((key) => `/${name}/docker/applied/${key}`)))
    .replaceAll(`${d.read}.values`, `sensitive(${JSON.stringify(Object.values(values))})`);

/** Per case (deployment, record): the messages of the version rules that fail, and the warning's message where it fails. */
function outcomes(cases: [name: string, values: Record<string, string>][]): { refusals: string[]; warning: string | null }[] {
  const expressions = cases.map(([name, values]) => {
    const d = deployment(name);
    const facts = recorded(d, name, values);
    const rendered = (rule: { condition: string; error_message: string }) =>
      `(${facts(expressionOf(rule.condition))}) ? null : trimspace(<<EOT\n${facts(rule.error_message)}\nEOT\n)`;
    return `{ refusals = compact([${d.versionRules.map(rendered).join(', ')}]), warning = ${rendered(d.snapshotWarning)} }`;
  });
  return evaluateEach(expressions) as { refusals: string[]; warning: string | null }[];
}

const ran = (version: string, restoreSnapshotId = 'none') => ({ 'rancher-version': version, 'restore-snapshot-id': restoreSnapshotId });

describe('RancherOnDocker: the Rancher version rule and the upgrade snapshot, evaluated by terraform', () => {
  const [nothing, same, patch, nextMinor, skipped, down, unsetDown, restoredDown, restoredAgainDown] = outcomes([
    ['demo', {}],
    ['demo', ran('2.14.3')],
    ['demo', ran('2.14.1')],
    ['demo', ran('2.13.3')],
    ['demo', ran('2.12.3')],
    ['demo', ran('2.14.5')],
    // restoreSnapshotId taken out of the settings: the volume keeps the snapshot it was made from (nothing restored).
    ['demo', ran('2.14.5', 'snap-0aaaaaaaaaaaaaaa1')],
    // The settings now restore snap-...1, which the last apply did not.
    ['back', ran('2.14.5')],
    // snap-...1 was restored already: the same setting restores nothing again.
    ['back', ran('2.14.5', 'snap-0aaaaaaaaaaaaaaa1')],
  ]);

  it('passes and warns of nothing with nothing recorded (a first plan, a deployment older than the record) and with the version unchanged', () => {
    expect(nothing).toEqual({ refusals: [], warning: null });
    expect(same).toEqual({ refusals: [], warning: null });
  });

  it('takes a patch and the next minor, and names the snapshot the new host takes before it starts the new version', () => {
    expect(patch.refusals).toEqual([]);
    expect(nextMinor.refusals).toEqual([]);
    expect(patch.warning).toBe(
      'versions.rancher changes from "2.14.1" to "2.14.3": the apply replaces the host, and the new host takes an EBS snapshot of the data volume named ' +
        '"demo-docker-data-before-2.14.3" (tag rancher-aws:before-upgrade) before it starts Rancher 2.14.3 on it; no snapshot, no new Rancher ' +
        '(the apply fails at its readiness check). Find it afterwards: aws ec2 describe-snapshots --owner-ids self --filters ' +
        'Name=tag:Name,Values=demo-docker-data-before-2.14.3 (or Name=volume-id,Values=<data_volume_id>). Going back is a restore from it ' +
        '(docs/docker.md, "Upgrades and the way back").',
    );
  });

  it('refuses a skipped minor', () => {
    expect(skipped.refusals).toEqual([
      'versions.rancher is "2.14.3", but Rancher "2.12.3" runs: Rancher is upgraded one minor at a time. Apply the newest 2.13 release first.',
    ]);
  });

  it('refuses going back on the same data, naming the restore that makes it', () => {
    expect(down.refusals).toEqual([
      'versions.rancher is "2.14.3", but Rancher "2.14.5" runs: Rancher is not downgraded (a downgrade is a restore: set ' +
        'dataVolume.restoreSnapshotId to the snapshot taken before the upgrade (tag rancher-aws:before-upgrade) in the same change).',
    ]);
    expect(unsetDown.refusals).toEqual(down.refusals);
  });

  it('takes going back together with a restore (the volume is made again from a snapshot the lower version wrote), once', () => {
    expect(restoredDown.refusals).toEqual([]);
    expect(restoredAgainDown.refusals).toEqual([
      'versions.rancher is "2.14.3", but Rancher "2.14.5" runs: Rancher is not downgraded (a downgrade is a restore: set ' +
        'dataVolume.restoreSnapshotId to the snapshot taken before the upgrade (tag rancher-aws:before-upgrade) in the same change).',
    ]);
  });
});
