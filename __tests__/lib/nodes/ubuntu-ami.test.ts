import { AwsProvider } from '@cdktf/provider-aws/lib/provider';
import { LocalBackend, TerraformOutput, type TerraformStack } from 'cdktf';
import { CANONICAL_OWNER_ID, UbuntuAmi } from '../../../lib/nodes/ubuntu-ami';
import { dataSources, synthConstruct } from '../../helpers/synth';

function synth(add: (stack: TerraformStack) => void) {
  return synthConstruct((stack) => {
    new LocalBackend(stack, { path: 'terraform.test.tfstate' });
    new AwsProvider(stack, 'aws', { region: 'us-east-1' });
    add(stack);
  });
}

describe('UbuntuAmi lookup', () => {
  const { json } = synth((stack) => {
    const ami = new UbuntuAmi(stack, 'ami');
    new TerraformOutput(stack, 'ami_id', { value: ami.id });
  });
  const lookups = Object.entries(dataSources(json, 'aws_ami'));

  it("finds Canonical's newest Ubuntu 24.04 (noble) amd64 image", () => {
    expect(CANONICAL_OWNER_ID).toBe('099720109477');
    expect(lookups).toHaveLength(1);
    const [, image] = lookups[0];
    expect(image.owners).toEqual(['099720109477']);
    expect(image.most_recent).toBe(true);
    expect(image.filter).toEqual(
      expect.arrayContaining([
        { name: 'name', values: ['ubuntu/images/hvm-ssd-gp3/ubuntu-noble-24.04-amd64-server-*'] },
        { name: 'architecture', values: ['x86_64'] },
        { name: 'virtualization-type', values: ['hvm'] },
        { name: 'root-device-type', values: ['ebs'] },
      ]),
    );
  });

  it('exposes the looked-up image id', () => {
    expect(json.output?.ami_id.value).toBe(`\${data.aws_ami.${lookups[0][0]}.id}`);
  });
});

describe('UbuntuAmi pinned', () => {
  let ami!: UbuntuAmi;
  const { json } = synth((stack) => {
    ami = new UbuntuAmi(stack, 'ami', { amiId: 'ami-0123456789abcdef0' });
    new TerraformOutput(stack, 'ami_id', { value: ami.id });
  });

  it('creates no data source and returns the pinned id', () => {
    expect(json.data).toBeUndefined();
    expect(ami.node.children).toHaveLength(0);
    expect(ami.id).toBe('ami-0123456789abcdef0');
    expect(json.output?.ami_id.value).toBe('ami-0123456789abcdef0');
  });
});
