import { AwsProvider } from '@cdktn/provider-aws/lib/provider';
import { Password } from '@cdktn/provider-random/lib/password';
import { RandomProvider } from '@cdktn/provider-random/lib/provider';
import { type IResolvable, LocalBackend, type TerraformStack, TerraformVariable } from 'cdktf';
import { KEY_ADMINISTRATION_ACTIONS } from '../../../lib/common/stack-key';
import { BootParameters } from '../../../lib/nodes/boot-parameters';
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
    expect(
      Object.values(ssm)
        .map((p) => p.name)
        .sort(),
    ).toEqual(['/rancher/rke-ha/server-ca-cert', '/rancher/rke-ha/token']);
    const [keyName] = Object.keys(resources(json, 'aws_kms_key'));
    for (const p of Object.values(ssm))
      expect(p).toMatchObject({ type: 'SecureString', tier: 'Intelligent-Tiering', key_id: ref('aws_kms_key', keyName, 'arn') });
    expect(parameters.prefix).toBe('/rancher/rke-ha');
  });

  it('ignores changes of the value of the parameters an operations command rotates, and of no other; refuses a name it does not hold', () => {
    const { json: rotated } = synth((stack) => {
      new BootParameters(stack, 'boot', {
        prefix: '/rancher/rke-ha',
        values: { token: 'first-token', 'server-ca-cert': 'literal-value' },
        readerRoleArn: 'arn:aws:iam::111122223333:role/demo-node',
        rotatedByCommand: ['token'],
      });
    });
    const byParameter = Object.fromEntries(Object.values(resources(rotated, 'aws_ssm_parameter')).map((p) => [p.name, p.lifecycle]));
    expect(byParameter).toEqual({ '/rancher/rke-ha/token': { ignore_changes: ['value'] }, '/rancher/rke-ha/server-ca-cert': undefined });
    // Without the prop, nothing is ignored (the parameters of the suite above).
    expect(Object.values(ssm).map((p) => p.lifecycle)).toEqual([undefined, undefined]);
    expect(() =>
      synth((stack) => {
        new BootParameters(stack, 'boot', {
          prefix: '/rancher/rke-ha',
          values: { token: 'first-token' },
          readerRoleArn: 'arn:aws:iam::111122223333:role/demo-node',
          rotatedByCommand: ['tokne'],
        });
      }),
    ).toThrow('rotatedByCommand names parameters that are not among the values: tokne');
  });

  it('stores a Terraform reference, not a literal, when given a token', () => {
    expect(byName('/rancher/rke-ha/token')[1].value).toBe(ref('random_password', 'join-token', 'result'));
    expect(byName('/rancher/rke-ha/server-ca-cert')[1].value).toBe('literal-value');
    expect(text).not.toMatch(/TfToken/);
  });

  const statements = (j: typeof json) => Object.values(dataSources(j, 'aws_iam_policy_document'))[0].statement as any[];
  const sid = (j: typeof json, id: string) => statements(j).find((st) => st.sid === id);
  const [sessionName, session] = Object.entries(dataSources(json, 'aws_iam_session_context'))[0];

  it('encrypts with a rotating key of its own that the node role may use to decrypt, through SSM', () => {
    const [, key] = Object.entries(resources(json, 'aws_kms_key'))[0];
    expect(key).toMatchObject({ enable_key_rotation: true, deletion_window_in_days: 30 });
    expect(key.lifecycle).toBeUndefined();
    const nodes = sid(json, 'NodesDecryptThroughSsm');
    expect(nodes).toMatchObject({
      actions: ['kms:Decrypt'],
      principals: [{ type: 'AWS', identifiers: ['arn:aws:iam::111122223333:role/demo-node'] }],
    });
    expect(nodes.condition[0]).toMatchObject({ test: 'StringEquals', variable: 'kms:ViaService' });
    expect(statements(json).map((st) => st.sid)).toEqual(['AccountAdministers', 'NodesDecryptThroughSsm', 'DeployersThroughSsm']);
  });

  it('lets the account administer the key but not use it: no IAM policy, however broad, decrypts with it', () => {
    const account = sid(json, 'AccountAdministers');
    expect(account.principals[0].identifiers[0]).toMatch(/:root$/);
    expect(account.actions).toEqual([...KEY_ADMINISTRATION_ACTIONS]);
    // Neither directly nor through a grant to oneself (kms:Create* would include CreateGrant).
    for (const action of ['kms:Decrypt', 'kms:ReEncryptFrom', 'kms:GenerateDataKey', 'kms:CreateGrant', 'kms:Encrypt']) {
      expect(account.actions.some((pattern: string) => new RegExp(`^${pattern.replace('*', '.*')}$`).test(action))).toBe(false);
    }
    expect(account.actions).toContain('kms:Put*');
  });

  it('lets the identity running Terraform, and deployer_arns, encrypt and decrypt through SSM: Terraform writes the parameters and reads them on refresh', () => {
    // The role or user behind the session, not the session (whose ARN changes every time).
    expect(session.arn).toMatch(/^\$\{data\.aws_caller_identity\.[^.]+\.arn\}$/);
    expect(sid(json, 'DeployersThroughSsm')).toMatchObject({
      actions: ['kms:Encrypt', 'kms:Decrypt', 'kms:GenerateDataKey'],
      principals: [{ type: 'AWS', identifiers: `\${concat([data.aws_iam_session_context.${sessionName}.issuer_arn], [])}` }],
      condition: [{ test: 'StringEquals', variable: 'kms:ViaService' }],
    });
    const withOthers = synth(
      (stack) =>
        new BootParameters(stack, 'boot', {
          prefix: '/r',
          values: {},
          readerRoleArn: 'arn:aws:iam::1:role/r',
          deployerArns: ['arn:aws:iam::1:role/pipeline'],
        }),
    ).json;
    expect(sid(withOthers, 'DeployersThroughSsm').principals[0].identifiers).toMatch(/\], \["arn:aws:iam::1:role\/pipeline"\]\)\}$/);
  });

  // issue 91 item 1: a failover's plan of its standby makes no IAM call (cli/failover/prepared-deployer.ts).
  it('reads the identity running Terraform unless told not to: false reads nothing, a Terraform boolean counts the read', () => {
    const deployers = (readsDeployerSession: (stack: TerraformStack) => boolean | IResolvable) => {
      const made = synth(
        (stack) =>
          new BootParameters(stack, 'boot', {
            prefix: '/r',
            values: {},
            readerRoleArn: 'arn:aws:iam::1:role/r',
            deployerArns: ['arn:aws:iam::1:role/pipeline'],
            readsDeployerSession: readsDeployerSession(stack),
          }),
      ).json;
      return { identifiers: sid(made, 'DeployersThroughSsm').principals[0].identifiers, reads: dataSources(made, 'aws_iam_session_context') };
    };
    const off = deployers(() => false);
    expect(off).toEqual({ identifiers: '${concat([], ["arn:aws:iam::1:role/pipeline"])}', reads: {} });
    const counted = deployers((stack) => new TerraformVariable(stack, 'read_deployer_session', { type: 'bool', default: true }).booleanValue);
    const [name, read] = Object.entries(counted.reads)[0] as [string, any];
    expect(read.count).toBe('${var.read_deployer_session ? 1 : 0}');
    // The splat is the empty list when the read is not made (an index would be an error there).
    expect(counted.identifiers).toBe(`\${concat(data.aws_iam_session_context.${name}[*].issuer_arn, ["arn:aws:iam::1:role/pipeline"])}`);
  });

  it('lets the node role use the key through S3 for the snapshot bucket only, when given one', () => {
    expect(sid(json, 'NodesUseSnapshotBucket')).toBeUndefined();
    const withBucket = synth(
      (stack) =>
        new BootParameters(stack, 'boot', {
          prefix: '/r',
          values: {},
          readerRoleArn: 'arn:aws:iam::1:role/r',
          snapshotBucketArn: 'arn:aws:s3:::demo-etcd',
        }),
    ).json;
    const s3 = sid(withBucket, 'NodesUseSnapshotBucket');
    expect(s3).toMatchObject({
      actions: ['kms:GenerateDataKey', 'kms:Decrypt'],
      principals: [{ type: 'AWS', identifiers: ['arn:aws:iam::1:role/r'] }],
    });
    expect(s3.condition.map((c: any) => [c.variable, c.values[0]])).toEqual([
      ['kms:ViaService', expect.stringMatching(/^s3\./)],
      ['kms:EncryptionContext:aws:s3:arn', 'arn:aws:s3:::demo-etcd'],
    ]);
    // The operators may read the snapshots (a restore into a new deployment), never write them.
    expect(sid(json, 'DeployersReadSnapshots')).toBeUndefined();
    const read = sid(withBucket, 'DeployersReadSnapshots');
    expect(read.actions).toEqual(['kms:Decrypt']);
    expect(read.principals[0].identifiers).toMatch(/^\$\{concat\(\[data\.aws_iam_session_context\./);
    expect(read.condition).toEqual(s3.condition);
  });

  it('outlives a destroy when asked (while the snapshots it encrypts are kept)', () => {
    const kept = synth(
      (stack) =>
        new BootParameters(stack, 'boot', {
          prefix: '/r',
          values: {},
          readerRoleArn: 'arn:aws:iam::1:role/r',
          snapshotBucketArn: 'arn:aws:s3:::b',
          preventDestroy: true,
        }),
    ).json;
    expect(Object.values(resources(kept, 'aws_kms_key'))[0].lifecycle).toEqual({ prevent_destroy: true });
  });

  it('lets no service use the key for a topic until a topic grants it (SnapshotEvents, DeploymentAlarms)', () => {
    expect(sid(json, 'S3PublishesSnapshotEvents')).toBeUndefined();
    expect(sid(json, 'CloudWatchPublishesAlarms')).toBeUndefined();
  });

  it.each(['rancher/rke-ha', '/rancher/', '/', '', '/rancher//rke-ha', '/ran cher', '/rancher/${var.x}'])('rejects the prefix %j', (prefix) => {
    expect(() =>
      synth((stack) => new BootParameters(stack, 'boot', { prefix, values: { token: 'x' }, readerRoleArn: 'arn:aws:iam::1:role/r' })),
    ).toThrow(/invalid SSM parameter prefix/);
  });

  it('accepts a single-level prefix', () => {
    expect(() =>
      synth((stack) => new BootParameters(stack, 'boot', { prefix: '/rancher', values: {}, readerRoleArn: 'arn:aws:iam::1:role/r' })),
    ).not.toThrow();
  });

  it('matches the snapshot', () => {
    expect(json).toMatchSnapshot();
  });
});
