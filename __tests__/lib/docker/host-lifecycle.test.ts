import { adaptToDataVolume } from '../../../lib/docker/private/host-lifecycle';
import { ServerNode } from '../../../lib/nodes/server-node';
import { only } from '../../helpers/synth';
import { synthWithAws } from './support';

describe('adaptToDataVolume', () => {
  const { json } = synthWithAws((stack) => {
    const node = new ServerNode(stack, 'server', {
      name: 'demo-server',
      amiId: 'ami-0123456789abcdef0',
      instanceType: 'm6i.large',
      subnetId: 'subnet-0aaa',
      privateIp: '10.0.0.10',
      securityGroupIds: ['sg-0aaa'],
      instanceProfileName: 'demo-profile',
      userData: '#cloud-config\n',
      rootVolumeGb: 30,
    });
    adaptToDataVolume(node, 'demo-server');
  });
  const [, instance] = only(json, 'aws_instance');

  it('replaces the host when its user data changes, but ignores a newer AMI', () => {
    expect(instance.user_data_replace_on_change).toBe(true);
    expect(instance.lifecycle).toEqual({ ignore_changes: ['ami'] });
  });

  it('tags the root volume itself instead of every attached volume', () => {
    expect(instance).not.toHaveProperty('volume_tags');
    expect(instance.root_block_device).toEqual({
      volume_type: 'gp3',
      volume_size: 30,
      encrypted: true,
      delete_on_termination: true,
      tags: { Name: 'demo-server' },
    });
  });

  it('keeps the rest of the server node (IMDSv2, hop limit 1)', () => {
    expect(instance.metadata_options).toMatchObject({ http_tokens: 'required', http_put_response_hop_limit: 1 });
  });
});
