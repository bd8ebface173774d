import { Instance } from '@cdktn/provider-aws/lib/instance';
import { InternetGateway } from '@cdktn/provider-aws/lib/internet-gateway';
import { TerraformOutput } from 'cdktf';
import { PublicAddress } from '../../../lib/network/public-address';
import { only, ref } from '../../helpers/synth';
import { synthWithAws as synth } from '../docker/support';

describe('PublicAddress', () => {
  const { json } = synth((stack) => {
    const igw = new InternetGateway(stack, 'igw', { vpcId: 'vpc-0aaa' });
    const instance = new Instance(stack, 'host', { ami: 'ami-0123456789abcdef0', instanceType: 'm6i.large' });
    const address = new PublicAddress(stack, 'address', { name: 'demo-docker', instanceId: instance.id, dependsOn: [igw] });
    new TerraformOutput(stack, 'ip', { value: address.ip });
  });
  const [eipName, eip] = only(json, 'aws_eip');
  const [, association] = only(json, 'aws_eip_association');

  it('allocates a VPC Elastic IP once the internet gateway exists', () => {
    expect(eip).toMatchObject({ domain: 'vpc', tags: { Name: 'demo-docker' }, depends_on: ['aws_internet_gateway.igw'] });
    expect(eip).not.toHaveProperty('instance');
  });

  it('associates it with the instance in a separate resource', () => {
    expect(association).toMatchObject({ allocation_id: ref('aws_eip', eipName, 'allocation_id'), instance_id: ref('aws_instance', 'host', 'id') });
  });

  it('exposes the public address', () => {
    expect(json.output?.ip.value).toBe(ref('aws_eip', eipName, 'public_ip'));
  });

  it('matches the snapshot', () => {
    expect(json).toMatchSnapshot();
  });
});

describe('PublicAddress allocated before its instance (the instance is told its own address)', () => {
  const { json } = synth((stack) => {
    const address = new PublicAddress(stack, 'address', { name: 'demo-docker' });
    const instance = new Instance(stack, 'host', { ami: 'ami-0123456789abcdef0', instanceType: 'm6i.large', userData: `name=${address.ip}` });
    address.associate(instance.id);
    expect(() => address.associate(instance.id)).toThrow('test/address is associated already');
  });
  const [eipName] = only(json, 'aws_eip');

  it('gives the instance the address and associates it afterwards: no cycle', () => {
    expect(only(json, 'aws_instance')[1].user_data).toBe(`name=${ref('aws_eip', eipName, 'public_ip')}`);
    expect(only(json, 'aws_eip_association')[1]).toMatchObject({
      allocation_id: ref('aws_eip', eipName, 'allocation_id'),
      instance_id: ref('aws_instance', 'host', 'id'),
    });
  });

  it('refuses to hand out an association that does not exist', () => {
    synth((stack) => {
      expect(() => new PublicAddress(stack, 'lonely', { name: 'x' }).association).toThrow(
        'test/lonely is not associated with an instance yet (associate)',
      );
    });
  });
});
