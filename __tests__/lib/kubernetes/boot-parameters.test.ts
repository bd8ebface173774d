import { AwsProvider } from '@cdktf/provider-aws/lib/provider';
import { Password } from '@cdktf/provider-random/lib/password';
import { RandomProvider } from '@cdktf/provider-random/lib/provider';
import { LocalBackend, type TerraformStack } from 'cdktf';
import { BootParameters } from '../../../lib/kubernetes/boot-parameters';
import { dataSources, ref, resources, synthConstruct } from '../../helpers/synth';

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
      readerRoleArn: 'arn:aws:iam::111122223333:role/demo-node',
    });
  });
  const ssm = resources(json, 'aws_ssm_parameter');
  const byName = (name: string) => Object.entries(ssm).find(([, p]) => p.name === name) as [string, any];

  it('creates one SecureString per value under the prefix', () => {
    expect(Object.values(ssm).map((p) => p.name).sort()).toEqual(['/rancher/rke-ha/server-ca-cert', '/rancher/rke-ha/token']);
    const [keyName] = Object.keys(resources(json, 'aws_kms_key'));
    for (const p of Object.values(ssm)) expect(p).toMatchObject({ type: 'SecureString', tier: 'Intelligent-Tiering', key_id: ref('aws_kms_key', keyName, 'arn') });
    expect(parameters.prefix).toBe('/rancher/rke-ha');
  });

  it('stores a Terraform reference, not a literal, when given a token', () => {
    expect(byName('/rancher/rke-ha/token')[1].value).toBe(ref('random_password', 'join-token', 'result'));
    expect(byName('/rancher/rke-ha/server-ca-cert')[1].value).toBe('literal-value');
    expect(text).not.toMatch(/TfToken/);
  });

  it('encrypts with a rotating key of its own that only the node role may use to decrypt, through SSM', () => {
    const [, key] = Object.entries(resources(json, 'aws_kms_key'))[0];
    expect(key).toMatchObject({ enable_key_rotation: true, deletion_window_in_days: 7 });
    const [, policy] = Object.entries(dataSources(json, 'aws_iam_policy_document'))[0];
    const nodes = policy.statement.find((st: { sid: string }) => st.sid === 'NodesDecryptThroughSsm');
    expect(nodes).toMatchObject({ actions: ['kms:Decrypt'], principals: [{ type: 'AWS', identifiers: ['arn:aws:iam::111122223333:role/demo-node'] }] });
    expect(nodes.condition[0]).toMatchObject({ test: 'StringEquals', variable: 'kms:ViaService' });
    expect(policy.statement.map((st: { sid: string }) => st.sid)).toEqual(['AccountAdministers', 'NodesDecryptThroughSsm']);
  });

  it.each(['rancher/rke-ha', '/rancher/', '/', '', '/rancher//rke-ha', '/ran cher', '/rancher/${var.x}'])('rejects the prefix %j', (prefix) => {
    expect(() => synth((stack) => new BootParameters(stack, 'boot', { prefix, values: { token: 'x' }, readerRoleArn: 'arn:aws:iam::1:role/r' }))).toThrow(/invalid SSM parameter prefix/);
  });

  it('accepts a single-level prefix', () => {
    expect(() => synth((stack) => new BootParameters(stack, 'boot', { prefix: '/rancher', values: {}, readerRoleArn: 'arn:aws:iam::1:role/r' }))).not.toThrow();
  });

  it('matches the snapshot', () => {
    expect(json).toMatchSnapshot();
  });
});
