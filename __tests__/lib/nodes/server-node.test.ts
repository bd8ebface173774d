import { AwsProvider } from '@cdktf/provider-aws/lib/provider';
import { SsmParameter } from '@cdktf/provider-aws/lib/ssm-parameter';
import { LocalBackend, type TerraformStack } from 'cdktf';
import { ServerNode, type ServerNodeProps } from '../../../lib/nodes/server-node';
import { resources, synthConstruct } from '../../helpers/synth';

function synth(add: (stack: TerraformStack) => void) {
  return synthConstruct((stack) => {
    new LocalBackend(stack, { path: 'terraform.test.tfstate' });
    new AwsProvider(stack, 'aws', { region: 'us-east-1' });
    add(stack);
  });
}

const base: ServerNodeProps = {
  name: 'demo-server-0',
  amiId: 'ami-0123456789abcdef0',
  instanceType: 'm6i.xlarge',
  subnetId: 'subnet-0aaa',
  privateIp: '10.0.0.10',
  securityGroupIds: ['sg-0nodes'],
  instanceProfileName: 'demo-profile',
  userData: '#cloud-config\nruncmd: []\n',
  rootVolumeGb: 120,
};

describe('ServerNode', () => {
  const { json } = synth((stack) => {
    const parameter = new SsmParameter(stack, 'token', { name: '/demo/token', type: 'SecureString', value: 'x' });
    new ServerNode(stack, 'plain', { ...base, dependsOn: [parameter] });
    new ServerNode(stack, 'with-key', { ...base, name: 'demo-server-1', privateIp: '10.0.16.10', keyName: 'admin-key' });
  });
  const instances = resources(json, 'aws_instance');
  const byPath = (id: string) => Object.values(instances).find((i) => i['//'].metadata.path === `test/${id}/instance`);
  const plain = byPath('plain');
  const withKey = byPath('with-key');

  it('passes the placement and identity through', () => {
    expect(Object.keys(instances)).toHaveLength(2);
    expect(plain).toMatchObject({
      ami: 'ami-0123456789abcdef0',
      instance_type: 'm6i.xlarge',
      subnet_id: 'subnet-0aaa',
      private_ip: '10.0.0.10',
      vpc_security_group_ids: ['sg-0nodes'],
      iam_instance_profile: 'demo-profile',
      user_data: '#cloud-config\nruncmd: []\n',
      tags: { Name: 'demo-server-0' },
      volume_tags: { Name: 'demo-server-0' },
    });
    expect(withKey.private_ip).toBe('10.0.16.10');
  });

  it('requires IMDSv2 with a hop limit of 1', () => {
    expect(plain.metadata_options).toEqual({
      http_endpoint: 'enabled',
      http_tokens: 'required',
      http_put_response_hop_limit: 1,
      instance_metadata_tags: 'disabled',
    });
  });

  it('has an encrypted gp3 root volume of the given size', () => {
    expect(plain.root_block_device).toEqual({ volume_type: 'gp3', volume_size: 120, encrypted: true, delete_on_termination: true });
  });

  it('sets no SSH key unless one is given', () => {
    expect(plain).not.toHaveProperty('key_name');
    expect(withKey.key_name).toBe('admin-key');
  });

  it('ignores later AMI and user data changes instead of replacing the node', () => {
    expect(plain.lifecycle.ignore_changes).toEqual(expect.arrayContaining(['ami', 'user_data']));
    expect(plain.user_data_replace_on_change).toBe(false);
  });

  it('passes depends_on through', () => {
    expect(plain.depends_on).toEqual(['aws_ssm_parameter.token']);
    expect(withKey).not.toHaveProperty('depends_on');
  });

  it('matches the snapshot', () => {
    expect(json).toMatchSnapshot();
  });
});
