import { DEFAULT_VERSIONS } from '../../../lib/config/versions';
import { chosenPhases, statedCost } from '../../../cli/acceptance/acceptance';
import { clusterHealth, describeCheck, DOWNSTREAM_SSM_ACTIONS, downstreamModule, isUp, notUp } from '../../../cli/acceptance/acceptance-downstream';
import { NOT_APPLICABLE } from '../../../cli/acceptance/acceptance-report';
import { RUN_TAG } from '../../../cli/acceptance/acceptance-settings';
import { AGENT_MESSAGE_ACTIONS, SESSION_MANAGER_ACTIONS } from '../../../lib/nodes/node-role';

const cluster = (state: string, ...conditions: { type: string; status: string; reason?: string; message?: string }[]) =>
  JSON.stringify({ id: 'c-m4xq7', state, conditions });

describe('the downstream cluster as Rancher reports it', () => {
  it('is up only Active with Connected and Ready True', () => {
    const up = clusterHealth(cluster('active', { type: 'Connected', status: 'True' }, { type: 'Ready', status: 'True' }));
    expect(up).toEqual({ state: 'active', connected: true, ready: true, why: '' });
    expect(isUp(up)).toBe(true);
    // Rancher's connectivity check sets Connected False and Ready False (Disconnected) when the tunnel is gone; the
    // state can lag behind the conditions for a look, so "active" alone is not enough.
    const dropped = clusterHealth(
      cluster(
        'active',
        { type: 'Connected', status: 'False' },
        { type: 'Ready', status: 'False', reason: 'Disconnected', message: 'Cluster agent is not connected' },
      ),
    );
    expect(isUp(dropped)).toBe(false);
    expect(dropped.why).toBe('Connected False; Ready False (Disconnected: Cluster agent is not connected)');
    expect(isUp(clusterHealth(cluster('active', { type: 'Ready', status: 'True' })))).toBe(false);
    expect(clusterHealth(cluster('pending')).why).toBe('Connected not reported yet; Ready not reported yet');
    expect(clusterHealth('<html>')).toMatchObject({ state: 'unknown', connected: false, why: 'the answer was not JSON' });
  });

  it('a check in the report says how long it took, and a failure names the last look and the agent log', () => {
    expect(describeCheck({ after: 'roll of server-1', up: true, seconds: 42, first: 'state unavailable; Connected False' })).toBe(
      'after the roll of server-1: Active with its agent connected 42 s after the phase (first look: state unavailable; Connected False)',
    );
    const failed = { after: 'upgrade', up: false, first: 'state unavailable; Connected False', last: 'state unavailable; Connected False' };
    expect(notUp(failed, 10, 'checksum mismatch')).toBe(
      'the downstream cluster was not Active with its agent connected 10 minutes after the upgrade (first look: state unavailable; Connected False; last: state unavailable; Connected False); the agent logged: checksum mismatch',
    );
  });
});

describe('the downstream module', () => {
  const module = downstreamModule({ name: 'acc-abc123', runId: 'abc123', region: 'eu-west-1' }) as any;

  it("tags everything with the run, names its IAM under the run's prefix and lets nothing in", () => {
    expect(module.provider.aws[0]).toMatchObject({ region: 'eu-west-1', default_tags: [{ tags: { [RUN_TAG]: 'abc123' } }] });
    expect(module.resource.aws_iam_role.downstream.name).toBe('acc-abc123-downstream');
    expect(module.resource.aws_iam_instance_profile.downstream.name).toBe('acc-abc123-downstream');
    expect(module.resource.aws_security_group.downstream.ingress).toBeUndefined();
    expect(module.terraform.backend).toEqual({ local: { path: 'terraform.downstream.tfstate' } });
    expect(module.resource.aws_instance.downstream).toMatchObject({
      instance_type: 't3.medium',
      metadata_options: { http_tokens: 'required' },
      root_block_device: { encrypted: true },
    });
    expect(module.resource.aws_instance.downstream.user_data).toContain(`INSTALL_K3S_VERSION='${DEFAULT_VERSIONS.k3s}'`);
  });

  it('puts its subnet in a zone that offers its instance type', () => {
    expect(module.data.aws_ec2_instance_type_offerings.here).toEqual({
      location_type: 'availability-zone',
      filter: [{ name: 'instance-type', values: ['t3.medium'] }],
    });
    expect(module.resource.aws_subnet.downstream.availability_zone).toBe('${sort(data.aws_ec2_instance_type_offerings.here.locations)[0]}');
  });

  it("its role may take SSM commands and nothing else: the servers' own SSM actions", () => {
    const policy = JSON.parse(module.resource.aws_iam_role_policy.downstream.policy);
    expect(policy.Statement).toEqual([{ Effect: 'Allow', Action: [...DOWNSTREAM_SSM_ACTIONS], Resource: '*' }]);
    expect([...DOWNSTREAM_SSM_ACTIONS]).toEqual([...SESSION_MANAGER_ACTIONS, ...AGENT_MESSAGE_ACTIONS]);
  });
});

describe('the downstream phase in a run', () => {
  it('is chosen by default on rke-ha and docker, does not apply to k8s-ha, and its instance is in the stated cost', () => {
    expect((chosenPhases(undefined, undefined, 'docker') as Set<string>).has('downstream')).toBe(true);
    expect((chosenPhases(undefined, ['downstream'], 'rke-ha') as Set<string>).has('downstream')).toBe(false);
    expect((chosenPhases(undefined, undefined, 'k8s-ha') as Set<string>).has('downstream')).toBe(false);
    expect(chosenPhases(['downstream'], undefined, 'k8s-ha')).toEqual({
      code: 'ACCEPTANCE_PHASE_NOT_APPLICABLE',
      text: expect.stringContaining('--only downstream: that phase does not apply to k8s-ha'),
    });
    expect(NOT_APPLICABLE['k8s-ha'].downstream).toContain('your cluster');
    // 240 minutes of rke-ha and of the downstream instance, and the drill's hour.
    expect(statedCost(240, true, 'rke-ha', true)).toBe('$3.56');
    expect(statedCost(240, true)).toBe('$3.36');
  });
});
