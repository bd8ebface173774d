import { AwsProvider } from '@cdktn/provider-aws/lib/provider';
import { LocalBackend, type TerraformStack } from 'cdktf';
import { AGENT_MESSAGE_ACTIONS, NodeRole, SESSION_MANAGER_ACTIONS } from '../../../lib/nodes/node-role';
import { dataSources, ref, resources, servicePrincipal, synthConstruct, type TerraformJson } from '../../helpers/synth';

function synth(add: (stack: TerraformStack) => void) {
  return synthConstruct((stack) => {
    new LocalBackend(stack, { path: 'terraform.test.tfstate' });
    new AwsProvider(stack, 'aws', { region: 'us-east-1' });
    add(stack);
  });
}

function at(entries: Record<string, any>, path: string): [string, any] {
  const found = Object.entries(entries).filter(([, r]) => r['//'].metadata.path === `test/${path}`);
  if (found.length !== 1) throw new Error(`expected one block at test/${path}, found ${found.length}`);
  return found[0];
}

const PATH = '/demo/rke-ha';
const BUCKET = 'arn:aws:s3:::demo-etcd-snapshots';

function only(entries: Record<string, any>): [string, any] {
  const all = Object.entries(entries);
  if (all.length !== 1) throw new Error(`expected one data source of the kind in the stack, found ${all.length}`);
  return all[0];
}

/** The pieces of one NodeRole in the synthesized JSON. */
function role(json: TerraformJson, id: string) {
  const documents = dataSources(json, 'aws_iam_policy_document');
  const [assumeName, assume] = at(documents, `${id}/assume`);
  const [policyName, policy] = at(documents, `${id}/policy`);
  const [roleName, iamRole] = at(resources(json, 'aws_iam_role'), `${id}/role`);
  // One per stack, whichever construct asked first (lib/common/aws-context.ts).
  const [partitionName] = only(dataSources(json, 'aws_partition'));
  const [accountName] = only(dataSources(json, 'aws_caller_identity'));
  const [regionName] = only(dataSources(json, 'aws_region'));
  return {
    assumeName,
    assume,
    policyName,
    policy,
    roleName,
    iamRole,
    partitionName,
    accountName,
    regionName,
    inline: at(resources(json, 'aws_iam_role_policy'), `${id}/inline`)[1],
    profile: at(resources(json, 'aws_iam_instance_profile'), `${id}/profile`)[1],
  };
}

describe('NodeRole', () => {
  let withBucket!: NodeRole;
  const { json } = synth((stack) => {
    withBucket = new NodeRole(stack, 'nodes', { name: 'demo', parameterPath: PATH, snapshotBucketArn: BUCKET });
    new NodeRole(stack, 'no-bucket', { name: 'plain', parameterPath: '/plain' });
    new NodeRole(stack, 'metric', { name: 'metric', parameterPath: '/metric', metricNamespace: 'RancherHA/demo-rke-ha' });
  });
  const r = role(json, 'nodes');

  it('may send metrics to its one namespace only (the condition key; PutMetricData takes no resource), and not at all without one', () => {
    const metric = role(json, 'metric');
    expect(metric.policy.statement.filter((st: any) => st.actions.some((a: string) => a.startsWith('cloudwatch:')))).toEqual([
      {
        sid: 'RestartMetric',
        actions: ['cloudwatch:PutMetricData'],
        resources: ['*'],
        condition: [{ test: 'StringEquals', variable: 'cloudwatch:namespace', values: ['RancherHA/demo-rke-ha'] }],
      },
    ]);
    for (const id of ['nodes', 'no-bucket']) {
      expect(
        role(json, id)
          .policy.statement.flatMap((st: any) => st.actions)
          .filter((a: string) => a.startsWith('cloudwatch:')),
      ).toEqual([]);
    }
  });

  it('may be assumed by EC2 only', () => {
    expect(r.assume.statement).toEqual([
      { actions: ['sts:AssumeRole'], principals: [{ type: 'Service', identifiers: [servicePrincipal(json, 'ec2')] }] },
    ]);
    expect(r.iamRole).toMatchObject({ name_prefix: 'demo-', assume_role_policy: `\${data.aws_iam_policy_document.${r.assumeName}.json}` });
  });

  it('attaches no managed policy: AmazonSSMManagedInstanceCore would let it read every SSM parameter in the account', () => {
    expect(resources(json, 'aws_iam_role_policy_attachment')).toEqual({});
  });

  it('allows what Session Manager needs and the agent message channel, and no other SSM action on every resource', () => {
    expect(SESSION_MANAGER_ACTIONS).toEqual([
      'ssm:UpdateInstanceInformation',
      'ssmmessages:CreateControlChannel',
      'ssmmessages:CreateDataChannel',
      'ssmmessages:OpenControlChannel',
      'ssmmessages:OpenDataChannel',
    ]);
    expect(AGENT_MESSAGE_ACTIONS.every((a) => a.startsWith('ec2messages:'))).toBe(true);
    const everywhere = r.policy.statement.filter((st: any) => st.resources.includes('*'));
    expect(everywhere.map((st: any) => st.sid)).toEqual(['SessionManager', 'AgentMessages']);
    expect(everywhere.flatMap((st: any) => st.actions)).toEqual([...SESSION_MANAGER_ACTIONS, ...AGENT_MESSAGE_ACTIONS]);
  });

  const parametersUnder = (rr: ReturnType<typeof role>, path: string) =>
    `arn:\${data.aws_partition.${rr.partitionName}.partition}:ssm:\${data.aws_region.${rr.regionName}.region}:\${data.aws_caller_identity.${rr.accountName}.account_id}:parameter${path}/*`;

  it('allows ssm:GetParameter under the given path and S3 on the given bucket only', () => {
    expect(r.inline).toMatchObject({
      role: ref('aws_iam_role', r.roleName, 'id'),
      name: 'rancher-node',
      policy: `\${data.aws_iam_policy_document.${r.policyName}.json}`,
    });
    expect(r.policy.statement.filter((st: any) => !st.resources.includes('*'))).toEqual([
      { sid: 'BootParameters', actions: ['ssm:GetParameter'], resources: [parametersUnder(r, PATH)] },
      { sid: 'SnapshotBucket', actions: ['s3:ListBucket', 's3:GetBucketLocation'], resources: [BUCKET] },
      { sid: 'SnapshotObjects', actions: ['s3:GetObject', 's3:PutObject', 's3:DeleteObject'], resources: [`${BUCKET}/*`] },
    ]);
  });

  it('grants no wildcard resource or action beyond the agent actions, which take no narrower resource', () => {
    for (const statement of r.policy.statement.filter((st: any) => !['SessionManager', 'AgentMessages'].includes(st.sid))) {
      // The only wildcard is the path's own trailing /* and the region (parameters are regional, the path unique).
      for (const resource of statement.resources) expect(resource).not.toBe('*');
      expect(statement.actions.filter((a: string) => a.includes('*'))).toEqual([]);
      expect(statement).not.toHaveProperty('not_actions');
      expect(statement).not.toHaveProperty('not_resources');
    }
  });

  it('has no S3 statement without a snapshot bucket', () => {
    const plain = role(json, 'no-bucket');
    expect(plain.policy.statement.map((st: any) => st.sid)).toEqual(['BootParameters', 'SessionManager', 'AgentMessages']);
    expect(plain.policy.statement[0]).toEqual({
      sid: 'BootParameters',
      actions: ['ssm:GetParameter'],
      resources: [parametersUnder(plain, '/plain')],
    });
  });

  it('wraps the role in an instance profile and exposes the grants', () => {
    expect(r.profile).toEqual({ '//': expect.anything(), name_prefix: 'demo-', role: ref('aws_iam_role', r.roleName, 'name') });
    expect(withBucket.grants).toHaveLength(1);
  });

  it('matches the snapshot', () => {
    expect(json).toMatchSnapshot();
  });
});

describe('NodeRole with a private registry login (airGap.registryCredentials)', () => {
  const REGISTRY = 'registry.internal:5000';
  const SECRET_ARN = 'arn:aws:secretsmanager:eu-west-1:210987654321:secret:rancher/registry-login-AbC123';
  const { json } = synth((stack) => {
    new NodeRole(stack, 'ssm', {
      name: 'a',
      parameterPath: '/a',
      registryCredentials: { registry: REGISTRY, ssmParameter: '/rancher/registry-login' },
    });
    new NodeRole(stack, 'ssm-arn', {
      name: 'b',
      parameterPath: '/b',
      registryCredentials: { registry: REGISTRY, ssmParameter: 'arn:aws:ssm:eu-west-1:210987654321:parameter/shared/login' },
    });
    new NodeRole(stack, 'secret', {
      name: 'c',
      parameterPath: '/c',
      registryCredentials: { registry: REGISTRY, secretsManagerSecret: 'rancher/login' },
    });
    new NodeRole(stack, 'secret-arn', {
      name: 'd',
      parameterPath: '/d',
      registryCredentials: { registry: REGISTRY, secretsManagerSecret: SECRET_ARN },
    });
  });
  const login = (id: string) => role(json, id).policy.statement.filter((st: any) => st.sid.startsWith('RegistryCredentials'));
  const stack = role(json, 'ssm');
  const partition = `\${data.aws_partition.${stack.partitionName}.partition}`;
  const dnsSuffix = `\${data.aws_partition.${stack.partitionName}.dns_suffix}`;
  const region = `\${data.aws_region.${stack.regionName}.region}`;
  const account = `\${data.aws_caller_identity.${stack.accountName}.account_id}`;

  it('reads that one SSM parameter, named without an ARN: in the stack region and account', () => {
    const parameter = `arn:${partition}:ssm:${region}:${account}:parameter/rancher/registry-login`;
    expect(login('ssm')).toEqual([
      { sid: 'RegistryCredentials', actions: ['ssm:GetParameter'], resources: [parameter] },
      {
        sid: 'RegistryCredentialsKey',
        actions: ['kms:Decrypt'],
        resources: [`arn:${partition}:kms:${region}:${account}:key/*`],
        condition: [
          { test: 'StringEquals', variable: 'kms:ViaService', values: [`ssm.${region}.${dnsSuffix}`] },
          { test: 'StringEquals', variable: 'kms:EncryptionContext:PARAMETER_ARN', values: [parameter] },
        ],
      },
    ]);
  });

  it("reads an SSM parameter by ARN in its own region and account, decrypting with that account's keys through that region's SSM", () => {
    const parameter = 'arn:aws:ssm:eu-west-1:210987654321:parameter/shared/login';
    expect(login('ssm-arn')).toEqual([
      { sid: 'RegistryCredentials', actions: ['ssm:GetParameter'], resources: [parameter] },
      {
        sid: 'RegistryCredentialsKey',
        actions: ['kms:Decrypt'],
        resources: ['arn:aws:kms:eu-west-1:210987654321:key/*'],
        condition: [
          { test: 'StringEquals', variable: 'kms:ViaService', values: [`ssm.eu-west-1.${dnsSuffix}`] },
          { test: 'StringEquals', variable: 'kms:EncryptionContext:PARAMETER_ARN', values: [parameter] },
        ],
      },
    ]);
  });

  it('reads a Secrets Manager secret named without an ARN through the suffix Secrets Manager appends (six characters), and no other secret', () => {
    const secret = `arn:${partition}:secretsmanager:${region}:${account}:secret:rancher/login-??????`;
    expect(login('secret')).toEqual([
      { sid: 'RegistryCredentials', actions: ['secretsmanager:GetSecretValue'], resources: [secret] },
      {
        sid: 'RegistryCredentialsKey',
        actions: ['kms:Decrypt'],
        resources: [`arn:${partition}:kms:${region}:${account}:key/*`],
        condition: [
          { test: 'StringEquals', variable: 'kms:ViaService', values: [`secretsmanager.${region}.${dnsSuffix}`] },
          { test: 'StringLike', variable: 'kms:EncryptionContext:SecretARN', values: [secret] },
        ],
      },
    ]);
  });

  it('reads a Secrets Manager secret by its full ARN exactly', () => {
    const [read, key] = login('secret-arn');
    expect(read).toEqual({ sid: 'RegistryCredentials', actions: ['secretsmanager:GetSecretValue'], resources: [SECRET_ARN] });
    expect(key.resources).toEqual(['arn:aws:kms:eu-west-1:210987654321:key/*']);
    expect(key.condition).toContainEqual({ test: 'StringLike', variable: 'kms:EncryptionContext:SecretARN', values: [SECRET_ARN] });
  });

  it('adds the two statements and nothing else; a role without a login has neither', () => {
    for (const id of ['ssm', 'ssm-arn', 'secret', 'secret-arn']) {
      expect(role(json, id).policy.statement.map((st: any) => st.sid)).toEqual([
        'BootParameters',
        'SessionManager',
        'AgentMessages',
        'RegistryCredentials',
        'RegistryCredentialsKey',
      ]);
    }
  });
});
