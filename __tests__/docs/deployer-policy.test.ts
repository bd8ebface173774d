import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { iamMatches } from '../../cli/acceptance/acceptance-report';
import { AWS_CALLS } from '../../cli/shared/aws/calls';
import { EXAMPLE_DOMAIN, RKE_HA_TLS_VARIANTS, STACK_VARIANTS, synthSettings, type StackName } from '../helpers/variants';
import type { TerraformJson } from '../helpers/synth';

/**
 * docs/deployer-policy.json is the IAM policy the README gives the identity
 * that runs Terraform. It cannot be tried against AWS here, so it is held to
 * the synthesized stacks: every AWS resource and data source type any variant
 * declares must be listed below with the calls the AWS provider makes to
 * create, read, change and delete it, and the policy must allow each call. A
 * new resource type fails this test until someone decides what it needs.
 */
/** Each @aws-sdk/client-* package's client, as AWS_CALLS names it (the client class without `Client`). */
const SDK_CLIENTS: Readonly<Record<string, string>> = {
  cloudtrail: 'CloudTrail',
  cloudwatch: 'CloudWatch',
  'cloudwatch-logs': 'CloudWatchLogs',
  ec2: 'EC2',
  'elastic-load-balancing-v2': 'ElasticLoadBalancingV2',
  iam: 'IAM',
  kms: 'KMS',
  rds: 'RDS',
  'resource-groups-tagging-api': 'ResourceGroupsTaggingAPI',
  'route-53': 'Route53',
  s3: 'S3',
  ssm: 'SSM',
  sts: 'STS',
};

const CALLS: Record<string, readonly string[]> = {
  // Data sources.
  'data.aws_ami': ['ec2:DescribeImages'],
  'data.aws_availability_zones': ['ec2:DescribeAvailabilityZones'],
  'data.aws_caller_identity': [],
  'data.aws_partition': [],
  // The provider knows each service's principal per partition itself: no API call.
  'data.aws_service_principal': [],
  'data.aws_region': [],
  'data.aws_iam_policy_document': [],
  'data.aws_elb_hosted_zone_id': [],
  'data.aws_lb_hosted_zone_id': [],
  'data.aws_iam_session_context': ['iam:GetRole'],
  'data.aws_ebs_volumes': ['ec2:DescribeVolumes'],
  // A standby: whether its region offers the servers' instance type (at every plan).
  'data.aws_ec2_instance_type_offerings': ['ec2:DescribeInstanceTypeOfferings'],
  'data.aws_instances': ['ec2:DescribeInstances'],
  'data.aws_route53_zone': ['route53:ListHostedZones', 'route53:GetHostedZone', 'route53:ListTagsForResource'],
  'data.aws_route_table': ['ec2:DescribeRouteTables'],
  'data.aws_route_tables': ['ec2:DescribeRouteTables'],
  'data.aws_subnet': ['ec2:DescribeSubnets'],
  'data.aws_vpc': ['ec2:DescribeVpcs', 'ec2:DescribeVpcAttribute'],
  // A migration's preflight: the source bucket's listing, and the marker of a finished restore.
  'data.aws_s3_objects': ['s3:ListBucket'],
  'data.aws_ssm_parameters_by_path': ['ssm:GetParametersByPath'],
  // k8s-ha on EKS: the cluster (its ARN, its OIDC issuer) and, for IRSA, the IAM OIDC provider found by its URL.
  'data.aws_eks_cluster': ['eks:DescribeCluster'],
  'data.aws_iam_openid_connect_provider': ['iam:ListOpenIDConnectProviders', 'iam:GetOpenIDConnectProvider'],
  // The provider passes the role to EKS (iam:PassRole to pods.eks.amazonaws.com) and tags the association.
  aws_eks_pod_identity_association: [
    'eks:CreatePodIdentityAssociation',
    'eks:DescribePodIdentityAssociation',
    'eks:UpdatePodIdentityAssociation',
    'eks:DeletePodIdentityAssociation',
    'eks:TagResource',
    'iam:PassRole',
  ],
  // Network.
  aws_vpc: ['ec2:CreateVpc', 'ec2:DeleteVpc', 'ec2:ModifyVpcAttribute', 'ec2:DescribeVpcs', 'ec2:DescribeVpcAttribute', 'ec2:CreateTags'],
  aws_subnet: ['ec2:CreateSubnet', 'ec2:DeleteSubnet', 'ec2:ModifySubnetAttribute', 'ec2:DescribeSubnets'],
  aws_default_security_group: ['ec2:DescribeSecurityGroups', 'ec2:RevokeSecurityGroupIngress', 'ec2:RevokeSecurityGroupEgress'],
  aws_internet_gateway: [
    'ec2:CreateInternetGateway',
    'ec2:AttachInternetGateway',
    'ec2:DetachInternetGateway',
    'ec2:DeleteInternetGateway',
    'ec2:DescribeInternetGateways',
  ],
  // rkeHa.dualStack with private nodes: outbound IPv6.
  aws_egress_only_internet_gateway: [
    'ec2:CreateEgressOnlyInternetGateway',
    'ec2:DeleteEgressOnlyInternetGateway',
    'ec2:DescribeEgressOnlyInternetGateways',
  ],
  aws_route_table: ['ec2:CreateRouteTable', 'ec2:DeleteRouteTable', 'ec2:DescribeRouteTables'],
  aws_route: ['ec2:CreateRoute', 'ec2:ReplaceRoute', 'ec2:DeleteRoute'],
  aws_route_table_association: ['ec2:AssociateRouteTable', 'ec2:DisassociateRouteTable'],
  aws_nat_gateway: ['ec2:CreateNatGateway', 'ec2:DeleteNatGateway', 'ec2:DescribeNatGateways'],
  aws_eip: ['ec2:AllocateAddress', 'ec2:ReleaseAddress', 'ec2:DescribeAddresses', 'ec2:DescribeAddressesAttribute'],
  aws_eip_association: ['ec2:AssociateAddress', 'ec2:DisassociateAddress'],
  aws_security_group: ['ec2:CreateSecurityGroup', 'ec2:DeleteSecurityGroup', 'ec2:DescribeSecurityGroups', 'ec2:RevokeSecurityGroupEgress'],
  aws_vpc_security_group_ingress_rule: [
    'ec2:AuthorizeSecurityGroupIngress',
    'ec2:RevokeSecurityGroupIngress',
    'ec2:ModifySecurityGroupRules',
    'ec2:DescribeSecurityGroupRules',
  ],
  aws_vpc_security_group_egress_rule: [
    'ec2:AuthorizeSecurityGroupEgress',
    'ec2:RevokeSecurityGroupEgress',
    'ec2:ModifySecurityGroupRules',
    'ec2:DescribeSecurityGroupRules',
  ],
  aws_vpc_endpoint: [
    'ec2:CreateVpcEndpoint',
    'ec2:ModifyVpcEndpoint',
    'ec2:DeleteVpcEndpoints',
    'ec2:DescribeVpcEndpoints',
    'ec2:DescribePrefixLists',
  ],
  aws_flow_log: [
    'ec2:CreateFlowLogs',
    'ec2:DeleteFlowLogs',
    'ec2:DescribeFlowLogs',
    'logs:CreateLogDelivery',
    'logs:DeleteLogDelivery',
    'iam:PassRole',
  ],
  // Servers and volumes.
  aws_instance: [
    'ec2:RunInstances',
    'ec2:TerminateInstances',
    'ec2:StopInstances',
    'ec2:StartInstances',
    'ec2:ModifyInstanceAttribute',
    'ec2:ModifyInstanceMetadataOptions',
    'ec2:DescribeInstances',
    'ec2:DescribeInstanceAttribute',
    'ec2:DescribeVolumes',
    'ec2:CreateTags',
    'iam:PassRole',
  ],
  aws_ebs_volume: ['ec2:CreateVolume', 'ec2:DeleteVolume', 'ec2:ModifyVolume', 'ec2:DescribeVolumes'],
  aws_volume_attachment: ['ec2:AttachVolume', 'ec2:DetachVolume'],
  aws_dlm_lifecycle_policy: [
    'dlm:CreateLifecyclePolicy',
    'dlm:UpdateLifecyclePolicy',
    'dlm:DeleteLifecyclePolicy',
    'dlm:GetLifecyclePolicy',
    'dlm:TagResource',
    'iam:PassRole',
  ],
  // Load balancers.
  aws_lb: [
    'elasticloadbalancing:CreateLoadBalancer',
    'elasticloadbalancing:DeleteLoadBalancer',
    'elasticloadbalancing:ModifyLoadBalancerAttributes',
    'elasticloadbalancing:SetSecurityGroups',
    'elasticloadbalancing:SetSubnets',
    'elasticloadbalancing:DescribeLoadBalancers',
    'elasticloadbalancing:DescribeLoadBalancerAttributes',
    'elasticloadbalancing:AddTags',
    'iam:CreateServiceLinkedRole',
  ],
  aws_lb_target_group: [
    'elasticloadbalancing:CreateTargetGroup',
    'elasticloadbalancing:DeleteTargetGroup',
    'elasticloadbalancing:ModifyTargetGroup',
    'elasticloadbalancing:ModifyTargetGroupAttributes',
    'elasticloadbalancing:DescribeTargetGroups',
    'elasticloadbalancing:DescribeTargetGroupAttributes',
  ],
  aws_lb_target_group_attachment: [
    'elasticloadbalancing:RegisterTargets',
    'elasticloadbalancing:DeregisterTargets',
    'elasticloadbalancing:DescribeTargetHealth',
  ],
  aws_lb_listener: [
    'elasticloadbalancing:CreateListener',
    'elasticloadbalancing:DeleteListener',
    'elasticloadbalancing:ModifyListener',
    'elasticloadbalancing:DescribeListeners',
  ],
  // DNS and certificates.
  aws_route53_record: ['route53:ChangeResourceRecordSets', 'route53:ListResourceRecordSets', 'route53:GetChange'],
  aws_route53_health_check: [
    'route53:CreateHealthCheck',
    'route53:UpdateHealthCheck',
    'route53:DeleteHealthCheck',
    'route53:GetHealthCheck',
    'route53:ChangeTagsForResource',
  ],
  aws_acm_certificate: [
    'acm:RequestCertificate',
    'acm:ImportCertificate',
    'acm:DeleteCertificate',
    'acm:DescribeCertificate',
    'acm:AddTagsToCertificate',
    'acm:ListTagsForCertificate',
  ],
  aws_acm_certificate_validation: ['acm:DescribeCertificate'],
  // Data, keys, parameters, logs, events.
  aws_s3_bucket: [
    's3:CreateBucket',
    's3:DeleteBucket',
    's3:ListBucket',
    's3:GetBucketTagging',
    's3:PutBucketTagging',
    's3:GetBucketPolicy',
    's3:GetAccelerateConfiguration',
    's3:GetReplicationConfiguration',
    's3:ListBucketVersions',
    's3:DeleteObjectVersion',
  ],
  aws_s3_bucket_policy: ['s3:PutBucketPolicy', 's3:GetBucketPolicy', 's3:DeleteBucketPolicy'],
  aws_s3_bucket_public_access_block: ['s3:PutBucketPublicAccessBlock', 's3:GetBucketPublicAccessBlock'],
  aws_s3_bucket_ownership_controls: ['s3:PutBucketOwnershipControls', 's3:GetBucketOwnershipControls'],
  aws_s3_bucket_server_side_encryption_configuration: ['s3:PutEncryptionConfiguration', 's3:GetEncryptionConfiguration'],
  aws_s3_bucket_versioning: ['s3:PutBucketVersioning', 's3:GetBucketVersioning'],
  // The record beside Rancher's backups.
  aws_s3_object: ['s3:PutObject', 's3:GetObject', 's3:GetObjectTagging', 's3:DeleteObject'],
  aws_s3_bucket_lifecycle_configuration: ['s3:PutLifecycleConfiguration', 's3:GetLifecycleConfiguration'],
  aws_s3_bucket_logging: ['s3:PutBucketLogging', 's3:GetBucketLogging'],
  aws_s3_bucket_notification: ['s3:PutBucketNotification', 's3:GetBucketNotification'],
  aws_s3_bucket_object_lock_configuration: ['s3:PutBucketObjectLockConfiguration', 's3:GetBucketObjectLockConfiguration'],
  // standby.region: S3 assumes the replication role it is given (iam:PassRole to s3.amazonaws.com); DeleteBucketReplication
  // is authorized as s3:PutReplicationConfiguration.
  aws_s3_bucket_replication_configuration: ['s3:PutReplicationConfiguration', 's3:GetReplicationConfiguration', 'iam:PassRole'],
  aws_kms_key: [
    'kms:CreateKey',
    'kms:PutKeyPolicy',
    'kms:EnableKeyRotation',
    'kms:ScheduleKeyDeletion',
    'kms:DescribeKey',
    'kms:GetKeyPolicy',
    'kms:GetKeyRotationStatus',
    'kms:ListResourceTags',
    'kms:TagResource',
  ],
  aws_ssm_parameter: [
    'ssm:PutParameter',
    'ssm:DeleteParameter',
    'ssm:GetParameter',
    'ssm:DescribeParameters',
    'ssm:AddTagsToResource',
    'ssm:ListTagsForResource',
    'kms:Encrypt',
    'kms:Decrypt',
    'kms:GenerateDataKey',
  ],
  aws_cloudwatch_log_group: [
    'logs:CreateLogGroup',
    'logs:DeleteLogGroup',
    'logs:PutRetentionPolicy',
    'logs:AssociateKmsKey',
    'logs:DescribeLogGroups',
    'logs:TagResource',
    'logs:ListTagsForResource',
  ],
  aws_sns_topic: [
    'sns:CreateTopic',
    'sns:DeleteTopic',
    'sns:SetTopicAttributes',
    'sns:GetTopicAttributes',
    'sns:TagResource',
    'sns:ListTagsForResource',
  ],
  aws_sns_topic_policy: ['sns:SetTopicAttributes', 'sns:GetTopicAttributes'],
  // Alarms.
  aws_sns_topic_subscription: ['sns:Subscribe', 'sns:Unsubscribe', 'sns:GetSubscriptionAttributes', 'sns:SetSubscriptionAttributes'],
  aws_cloudwatch_metric_alarm: [
    'cloudwatch:PutMetricAlarm',
    'cloudwatch:DeleteAlarms',
    'cloudwatch:DescribeAlarms',
    'cloudwatch:TagResource',
    'cloudwatch:ListTagsForResource',
  ],
  aws_cloudwatch_event_rule: ['events:PutRule', 'events:DeleteRule', 'events:DescribeRule', 'events:TagResource', 'events:ListTagsForResource'],
  aws_cloudwatch_event_target: ['events:PutTargets', 'events:RemoveTargets', 'events:ListTargetsByRule'],
  // The freshness rules' targets.
  aws_sqs_queue: [
    'sqs:CreateQueue',
    'sqs:DeleteQueue',
    'sqs:GetQueueAttributes',
    'sqs:SetQueueAttributes',
    'sqs:GetQueueUrl',
    'sqs:TagQueue',
    'sqs:UntagQueue',
    'sqs:ListQueueTags',
  ],
  aws_sqs_queue_policy: ['sqs:SetQueueAttributes', 'sqs:GetQueueAttributes'],
  aws_db_instance: [
    'rds:CreateDBInstance',
    'rds:ModifyDBInstance',
    'rds:DeleteDBInstance',
    'rds:DescribeDBInstances',
    'rds:AddTagsToResource',
    'rds:ListTagsForResource',
    'iam:PassRole',
    'iam:CreateServiceLinkedRole',
  ],
  aws_db_subnet_group: ['rds:CreateDBSubnetGroup', 'rds:ModifyDBSubnetGroup', 'rds:DeleteDBSubnetGroup', 'rds:DescribeDBSubnetGroups'],
  // IAM.
  aws_iam_role: [
    'iam:CreateRole',
    'iam:DeleteRole',
    'iam:GetRole',
    'iam:UpdateAssumeRolePolicy',
    'iam:TagRole',
    'iam:ListRolePolicies',
    'iam:ListAttachedRolePolicies',
    'iam:ListInstanceProfilesForRole',
  ],
  aws_iam_role_policy: ['iam:PutRolePolicy', 'iam:GetRolePolicy', 'iam:DeleteRolePolicy'],
  aws_iam_role_policy_attachment: ['iam:AttachRolePolicy', 'iam:DetachRolePolicy', 'iam:ListAttachedRolePolicies'],
  aws_iam_user: ['iam:CreateUser', 'iam:DeleteUser', 'iam:GetUser', 'iam:TagUser', 'iam:UntagUser', 'iam:ListUserTags'],
  aws_iam_user_policy: ['iam:PutUserPolicy', 'iam:GetUserPolicy', 'iam:DeleteUserPolicy', 'iam:ListUserPolicies'],
  aws_iam_access_key: ['iam:CreateAccessKey', 'iam:DeleteAccessKey', 'iam:UpdateAccessKey', 'iam:ListAccessKeys'],
  aws_iam_instance_profile: [
    'iam:CreateInstanceProfile',
    'iam:DeleteInstanceProfile',
    'iam:GetInstanceProfile',
    'iam:AddRoleToInstanceProfile',
    'iam:RemoveRoleFromInstanceProfile',
    'iam:TagInstanceProfile',
  ],
};

interface Statement {
  readonly Sid: string;
  readonly Effect: 'Allow' | 'Deny';
  readonly Action: string | string[];
  readonly Resource: string | string[];
  readonly Condition?: Record<string, Record<string, string | string[]>>;
}

const policy = JSON.parse(readFileSync(join(__dirname, '..', '..', 'docs', 'deployer-policy.json'), 'utf8')) as {
  Version: string;
  Statement: Statement[];
};
const list = (v: string | string[]) => (Array.isArray(v) ? v : [v]);
/** IAM action matching: case-insensitive, `*` and `?` wildcards (the acceptance report's comparison reads it the same way). */
const matches = iamMatches;
const allowing = (action: string) => policy.Statement.filter((s) => s.Effect === 'Allow' && list(s.Action).some((p) => matches(p, action)));

const variants: { stack: StackName; settings: object }[] = [
  ...STACK_VARIANTS,
  ...Object.values(RKE_HA_TLS_VARIANTS).map((tls) => ({
    stack: 'rke-ha' as StackName,
    settings: { ...EXAMPLE_DOMAIN, rancher: { tls } },
  })),
  // standby.region: the copies in a second region, their key, the replication and its role.
  { stack: 'rke-ha' as StackName, settings: { standby: { region: 'us-west-2' } } },
  // k8s-ha on EKS: the backup operator's role through IRSA or Pod Identity (docs/k8s-ha.md, "Backups on EKS").
  ...(['irsa', 'pod-identity'] as const).map((credentials) => ({
    stack: 'k8s-ha' as StackName,
    settings: { backups: { credentials }, k8sHa: { eks: { clusterName: 'prod' } } },
  })),
];
const synthesized: TerraformJson[] = variants.map((v) => synthSettings(v.stack, v.settings).json);
const awsTypes = [
  ...new Set(synthesized.flatMap((json) => [...Object.keys(json.resource ?? {}), ...Object.keys(json.data ?? {}).map((t) => `data.${t}`)])),
]
  .filter((t) => /^(data\.)?aws_/.test(t))
  .sort();

describe('docs/deployer-policy.json, the deployer identity the README asks for', () => {
  it('knows what every AWS resource and data source type of every stack variant calls', () => {
    expect(awsTypes.filter((t) => !(t in CALLS))).toEqual([]);
    // And lists no type the stacks no longer use, so the table does not rot.
    expect(Object.keys(CALLS).filter((t) => !awsTypes.includes(t))).toEqual([]);
  });

  it.each(awsTypes)('allows the calls %s needs', (type) => {
    expect((CALLS[type] ?? []).filter((action) => allowing(action).length === 0)).toEqual([]);
  });

  it('grants no service-wide or account-wide wildcard', () => {
    const broad = policy.Statement.flatMap((s) => list(s.Action)).filter((a) => a === '*' || /^[a-z0-9-]+:\*$/i.test(a));
    expect(broad).toEqual([]);
  });

  it('lets the deployer attach only the AWS managed policies the stacks attach', () => {
    const attach = allowing('iam:AttachRolePolicy');
    expect(attach).toHaveLength(1);
    const allowed = list(attach[0].Condition?.ArnLike?.['iam:PolicyARN'] ?? []);
    const attached = [
      ...new Set(
        synthesized.flatMap((json) => Object.values(json.resource?.aws_iam_role_policy_attachment ?? {}).map((a: any) => String(a.policy_arn))),
      ),
    ];
    expect(attached.length).toBeGreaterThan(0);
    // `arn:${data.aws_partition...}:iam::aws:policy/...`: any partition, as the policy's `arn:*:` says.
    const unmatched = attached.filter((arn) => !allowed.some((p) => matches(p, arn.replace(/^arn:\$\{[^}]+\}:/, 'arn:aws:'))));
    expect(unmatched).toEqual([]);
    expect(allowed.filter((p) => !attached.some((arn) => matches(p, arn.replace(/^arn:\$\{[^}]+\}:/, 'arn:aws:'))))).toEqual([]);
  });

  it('passes roles only to the services whose role the stacks create', () => {
    const pass = allowing('iam:PassRole');
    expect(pass).toHaveLength(1);
    const services = list(pass[0].Condition?.StringEquals?.['iam:PassedToService'] ?? []).sort();
    // A principal is a reference to the stack's aws_service_principal of its service (its name in the partition the
    // stack is in; in the commercial one the policy is written for, `<service>.amazonaws.com`).
    const principalName = (json: any, identifier: string) => {
      const reference = /^\$\{data\.aws_service_principal\.([^.]+)\.name\}$/.exec(identifier);
      return reference ? `${json.data.aws_service_principal[reference[1]].service_name}.amazonaws.com` : identifier;
    };
    const trusted = [
      ...new Set(
        synthesized.flatMap((json) =>
          Object.values(json.data?.aws_iam_policy_document ?? {}).flatMap((doc: any) =>
            (doc.statement ?? [])
              .filter((s: any) => (s.actions ?? []).includes('sts:AssumeRole'))
              .flatMap((s: any) =>
                (s.principals ?? []).flatMap((p: any) => (p.type === 'Service' ? p.identifiers.map((i: string) => principalName(json, i)) : [])),
              ),
          ),
        ),
      ),
    ].sort();
    expect(trusted.length).toBeGreaterThan(0);
    expect(services).toEqual(trusted);
  });

  // The operations CLI (cli/) calls AWS itself: its SDK clients refuse any call not in AWS_CALLS, so that table is the
  // list, and each of its actions must be allowed here too.
  it.each(Object.keys(AWS_CALLS))("allows what the operations CLI's %s needs", (operation) => {
    expect(AWS_CALLS[operation].filter((action) => allowing(action).length === 0)).toEqual([]);
  });

  it('lists in AWS_CALLS every aws call written in cli/, and no call it no longer makes', () => {
    const dir = join(__dirname, '..', '..', 'cli');
    const files = readdirSync(dir, { recursive: true, encoding: 'utf8' })
      .filter((f) => f.endsWith('.ts'))
      .map((f) => ({ f, text: readFileSync(join(dir, f), 'utf8') }));
    const source = files.map(({ text }) => text).join('\n');
    // No call through the AWS CLI (a process the table would not see): the SDK is the one way to AWS.
    expect(source.match(/\brun(?:Async)?\(\s*'aws'|\baws\??\.call(?:<[^(]*?>)?\(/g)).toBeNull();
    // Through the SDK: each command a file builds or pages through (`new XCommand(`, `paginateX(`), of the one
    // client package that file imports.
    const sdkWritten = files.flatMap(({ f, text }) => {
      const commands = [...text.matchAll(/new ([A-Za-z0-9]+)Command\(|paginate([A-Za-z0-9]+)\(/g)].map((m) => m[1] ?? m[2]);
      if (commands.length === 0) return [];
      const packages = [...new Set([...text.matchAll(/from '@aws-sdk\/client-([a-z0-9-]+)'/g)].map((m) => m[1]))];
      expect({ f, packages: packages.length }).toEqual({ f, packages: 1 });
      return commands.map((command) => `${SDK_CLIENTS[packages[0]]} ${command}`);
    });
    expect(sdkWritten.length).toBeGreaterThan(10);
    expect([...new Set(sdkWritten)].sort()).toEqual(Object.keys(AWS_CALLS).sort());
  });

  it('lets the roll send commands only as AWS-RunShellScript, to instances', () => {
    const send = allowing('ssm:SendCommand');
    expect(send).toHaveLength(1);
    expect(list(send[0].Resource).sort()).toEqual(['arn:*:ec2:*:*:instance/*', 'arn:*:ssm:*::document/AWS-RunShellScript']);
    // Through the SDK (onServer, cli/shared/server-command.ts: the roll's, the rotations', the drill's and the
    // acceptance run's commands on one server; the acceptance run's downstream instance): one file builds SendCommand,
    // always with its one document.
    const dir = join(__dirname, '..', '..', 'cli');
    expect(readFileSync(join(dir, 'shared', 'server-command.ts'), 'utf8')).toContain('side.sendShellCommand(');
    const sdkSenders = readdirSync(dir, { recursive: true, encoding: 'utf8' })
      .filter((f) => f.endsWith('.ts'))
      .map((f) => ({ f, text: readFileSync(join(dir, f), 'utf8') }))
      .filter(({ text }) => text.includes('new SendCommandCommand('));
    expect(sdkSenders.map(({ f }) => f)).toEqual([join('shared', 'aws', 'server-commands.ts')]);
    expect(sdkSenders[0].text).toMatch(/SHELL_DOCUMENT = 'AWS-RunShellScript'/);
    expect(sdkSenders[0].text.match(/DocumentName: [^,\n]+/g)).toEqual(['DocumentName: SHELL_DOCUMENT']);
  });
});
