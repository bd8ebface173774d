import { AwsProvider } from '@cdktf/provider-aws/lib/provider';
import { Password } from '@cdktf/provider-random/lib/password';
import { RandomProvider } from '@cdktf/provider-random/lib/provider';
import { LocalBackend, TerraformOutput, type TerraformStack } from 'cdktf';
import { BootParameters } from '../../../lib/kubernetes/boot-parameters';
import { ref, resources, synthConstruct } from '../../helpers/synth';

function synth(add: (stack: TerraformStack) => void) {
  return synthConstruct((stack) => {
    new LocalBackend(stack, { path: 'terraform.test.tfstate' });
    new AwsProvider(stack, 'aws', { region: 'us-east-1' });
    add(stack);
  });
}

describe('BootParameters', () => {
  let parameters!: BootParameters;
  const { json, text } = synth((stack) => {
    new RandomProvider(stack, 'random');
    const token = new Password(stack, 'join-token', { length: 48, special: false });
    parameters = new BootParameters(stack, 'boot', {
      prefix: '/rancher/rke-ha',
      values: { token: token.result, 'server-ca-cert': 'literal-value' },
    });
    new TerraformOutput(stack, 'arns', { value: parameters.arns });
  });
  const ssm = resources(json, 'aws_ssm_parameter');
  const byName = (name: string) => Object.entries(ssm).find(([, p]) => p.name === name) as [string, any];

  it('creates one SecureString per value under the prefix', () => {
    expect(Object.values(ssm).map((p) => p.name).sort()).toEqual(['/rancher/rke-ha/server-ca-cert', '/rancher/rke-ha/token']);
    for (const p of Object.values(ssm)) expect(p).toMatchObject({ type: 'SecureString', tier: 'Standard' });
    expect(parameters.prefix).toBe('/rancher/rke-ha');
  });

  it('stores a Terraform reference, not a literal, when given a token', () => {
    expect(byName('/rancher/rke-ha/token')[1].value).toBe(ref('random_password', 'join-token', 'result'));
    expect(byName('/rancher/rke-ha/server-ca-cert')[1].value).toBe('literal-value');
    expect(text).not.toMatch(/TfToken/);
  });

  it('lists the ARN of every parameter', () => {
    const names = Object.keys(ssm).sort();
    expect([...json.output?.arns.value].sort()).toEqual(names.map((n) => ref('aws_ssm_parameter', n, 'arn')));
  });

  it.each(['rancher/rke-ha', '/rancher/', '/', '', '/rancher//rke-ha', '/ran cher', '/rancher/${var.x}'])('rejects the prefix %j', (prefix) => {
    expect(() => synth((stack) => new BootParameters(stack, 'boot', { prefix, values: { token: 'x' } }))).toThrow(/invalid SSM parameter prefix/);
  });

  it('accepts a single-level prefix', () => {
    expect(() => synth((stack) => new BootParameters(stack, 'boot', { prefix: '/rancher', values: {} }))).not.toThrow();
  });

  it('matches the snapshot', () => {
    expect(json).toMatchSnapshot();
  });
});
