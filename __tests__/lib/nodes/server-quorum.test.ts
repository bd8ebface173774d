import { dataSources } from '../../helpers/synth';
import { synthQuorum } from './server-quorum.setup';

describe('ServerQuorum', () => {
  const { json, condition } = synthQuorum();
  const [, servers] = Object.entries(dataSources(json, 'aws_instances'))[0];

  it('reads, at plan time, every server of the deployment that is not terminated', () => {
    expect(servers).toMatchObject({
      instance_state_names: ['pending', 'running', 'stopping', 'stopped'],
      filter: [
        { name: 'tag:Name', values: ['rancher-rke-ha-server-*'] },
        { name: 'tag:rancher-aws:deployment', values: ['rancher-rke-ha'] },
      ],
    });
    expect(servers).not.toHaveProperty('depends_on');
  });

  it('names the setting, the count and the procedure', () => {
    expect(condition.errorMessage).toMatch(/^nodeCount is 1, but \$\{length\(.+\.ids\)\} servers of this deployment exist/);
    expect(condition.errorMessage).toContain('kubectl delete node <name>');
    expect(condition.errorMessage).toContain('allowQuorumLoss: true');
  });
});
