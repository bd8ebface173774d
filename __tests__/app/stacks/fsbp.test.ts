import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { SettingsInput } from '../../../app/config/settings-schema';
import { dataSources, resources, type TerraformJson } from '../../helpers/synth';
import { subnetMapsPublicAddress } from '../../helpers/replacement';
import {
  mergeSettings,
  RKE_HA_TLS_VARIANTS,
  STACK_VARIANTS,
  type StackVariant,
  synthSettings,
  K8S_HA_STACK,
  RKE_HA_STACK,
} from '../../helpers/variants';

/**
 * The AWS Foundational Security Best Practices controls that apply to what the
 * stacks create (issues 11 and 37.4), and the few of other Security Hub standards
 * the security notes name (marked there), evaluated on the synthesized Terraform
 * of every stack variant (what the module asks AWS for, not what Security Hub
 * would find in an account). A control applies to a variant when the variant
 * creates what the control looks at; `FSBP_REPORT=1` prints the table.
 */

type Verdict = 'pass' | 'fail' | 'n/a';

interface Control {
  /** The control's id in Security Hub, as docs/security.md's table names it (one control can have a row per bucket). */
  readonly id: string;
  /** Unique within this file where the id is not (a row per bucket): the id and what the row is about. */
  readonly key?: string;
  readonly title: string;
  /** Whether the variant creates what the control looks at. */
  readonly applies: (json: TerraformJson) => boolean;
  readonly passes: (json: TerraformJson) => boolean;
}

/** What the verdicts and the tally name a control by. */
const keyOf = (c: Control) => c.key ?? c.id;

const entries = (json: TerraformJson, type: string): [string, any][] => Object.entries(resources(json, type));
const refersTo = (value: unknown, type: string, name: string) => typeof value === 'string' && value.startsWith(`\${${type}.${name}.`);
/** Nested blocks arrive as an object or a one-element list. */
const block = (value: any): any => (Array.isArray(value) ? value[0] : value);
const list = (value: any): any[] => (value === undefined ? [] : Array.isArray(value) ? value : [value]);

/** The etcd snapshot bucket (SnapshotBucket), by its name prefix. */
const snapshotBuckets = (json: TerraformJson) => entries(json, 'aws_s3_bucket').filter(([, b]) => String(b.bucket_prefix ?? '').endsWith('-etcd-'));
/** Rancher's backup bucket (rke-ha, k8s-ha), by its name prefix. */
const backupBuckets = (json: TerraformJson) => entries(json, 'aws_s3_bucket').filter(([, b]) => String(b.bucket_prefix ?? '').endsWith('-backups-'));
const bucketResource = (json: TerraformJson, type: string, bucket: string) =>
  entries(json, type).find(([, r]) => refersTo(r.bucket, 'aws_s3_bucket', bucket))?.[1];

const hasInstances = (json: TerraformJson) => entries(json, 'aws_instance').length > 0;
/** Rancher's backups (rke-ha, k8s-ha): the stacks that give the operator an identity. */
const hasBackupBucket = (json: TerraformJson) => backupBuckets(json).length > 0;
const hasVpc = (json: TerraformJson) => entries(json, 'aws_vpc').length > 0;
const databases = (json: TerraformJson) => entries(json, 'aws_db_instance').map(([, db]) => db);
const albs = (json: TerraformJson) => entries(json, 'aws_lb').filter(([, lb]) => lb.load_balancer_type === 'application');
const listenersOf = (json: TerraformJson, lb: string) =>
  entries(json, 'aws_lb_listener').filter(([, l]) => refersTo(l.load_balancer_arn, 'aws_lb', lb));

/** Log types RDS.9 asks each engine to publish. */
const RDS_LOGS: Record<string, string[]> = { postgres: ['postgresql', 'upgrade'], mysql: ['audit', 'error', 'general', 'slowquery'] };
const DEFAULT_PORTS: Record<string, number> = { postgres: 5432, mysql: 3306 };
/** The engines' own administrator names, which RDS.25 refuses. */
const DEFAULT_ADMINS = ['postgres', 'admin', 'root', 'sa'];

/** The statements of the policy document a `${data.aws_iam_policy_document.<name>.json}` reference names. */
function policyStatements(json: TerraformJson, reference: unknown): any[] {
  const name = /^\$\{data\.aws_iam_policy_document\.([^.]+)\.json\}$/.exec(String(reference))?.[1];
  if (name === undefined) throw new Error(`not a policy document reference: ${String(reference)}`);
  return list(dataSources(json, 'aws_iam_policy_document')[name].statement);
}
const allows = (s: any) => (s.effect ?? 'Allow') === 'Allow';
/** An Allow statement anyone may use: a `*` principal (AWS or any type) and no condition narrowing it. */
const publicAllow = (s: any) =>
  allows(s) && list(s.condition).length === 0 && list(s.principals).some((p: any) => p.type === '*' || list(p.identifiers).includes('*'));
/** The statements of every policy resource of a type (its `policy` attribute). */
const statementsOf = (json: TerraformJson, type: string) => entries(json, type).flatMap(([, p]) => policyStatements(json, p.policy));

/** KMS actions that reveal plaintext, directly or by letting the caller grant itself. */
const DECRYPTING = /^kms:(\*|Decrypt|ReEncrypt\*|ReEncryptFrom|CreateGrant|GenerateDataKey\*?)$/;

/** The interface endpoints the nodes call (boot parameters, Session Manager), and S3 where etcd snapshots go. */
const NODE_SERVICES = ['ssm', 'ssmmessages', 'ec2messages'];

/** EC2.18's default authorized ports: open to the world, only these. */
const AUTHORIZED_PORTS = [80, 443];
/** The ports EC2.19 calls high-risk. */
const HIGH_RISK_PORTS = [
  20, 21, 22, 23, 25, 110, 135, 143, 445, 1433, 1434, 3000, 3306, 3389, 4333, 5000, 5432, 5500, 5601, 8080, 8088, 8888, 9200, 9300,
];

/**
 * Ingress rules open to every address, as [from, to, protocol]. An admin-networks rule (`for_each` over
 * `admin_cidrs`) is not: the variable's validation refuses `/0` and lists that cover the internet.
 */
function worldIngress(json: TerraformJson): [number, number, string][] {
  const world = (cidr: unknown) => cidr === '0.0.0.0/0' || cidr === '::/0';
  const rules = entries(json, 'aws_vpc_security_group_ingress_rule')
    .filter(([, r]) => world(r.cidr_ipv4) || world(r.cidr_ipv6))
    .map(([, r]) => [r.from_port ?? 0, r.to_port ?? 65535, String(r.ip_protocol)] as [number, number, string]);
  const inline = entries(json, 'aws_security_group')
    .flatMap(([, g]) => list(g.ingress))
    .filter((r: any) => list(r.cidr_blocks).some(world) || list(r.ipv6_cidr_blocks).some(world))
    .map((r: any) => [r.from_port, r.to_port, String(r.protocol)] as [number, number, string]);
  return [...rules, ...inline];
}
const coversPort = ([from, to, protocol]: [number, number, string], port: number) => protocol === '-1' || (from <= port && port <= to);

/** A control on every K3s datastore (RDS), applicable where there is one. */
const rdsControl = (id: string, title: string, test: (db: any) => boolean): Control => ({
  id,
  title,
  applies: (json) => databases(json).length > 0,
  passes: (json) => databases(json).every(test),
});
/** A control on some of the buckets, applicable where there is one. */
const bucketControl =
  (what: string, buckets: (json: TerraformJson) => [string, any][]) =>
  (id: string, title: string, test: (json: TerraformJson, name: string, bucket: any) => boolean): Control => ({
    id,
    key: what === '' ? undefined : `${id} ${what}`,
    title,
    applies: (json) => buckets(json).length > 0,
    passes: (json) => buckets(json).every(([name, bucket]) => test(json, name, bucket)),
  });
const snapshotBucketControl = bucketControl('snapshots', snapshotBuckets);
const backupBucketControl = bucketControl('backups', backupBuckets);
/** A control on every bucket a variant creates (snapshots, backups, the options' log buckets). */
const everyBucketControl = bucketControl('', (json) => entries(json, 'aws_s3_bucket'));

const accessLogged = (json: TerraformJson, name: string) => bucketResource(json, 'aws_s3_bucket_logging', name)?.target_bucket !== undefined;
/**
 * A bucket notifies when its notification configuration delivers to EventBridge or names an SNS, SQS or Lambda
 * destination: the rule AWS publishes for the same check (Control Tower's CT.S3.PR.4, `EventBridgeEnabled` true or a
 * non-empty destination list) and third-party FSBP scans of S3.11 apply (docs/design-notes.md, "S3.11").
 */
const notifies = (json: TerraformJson, name: string) => {
  const n = bucketResource(json, 'aws_s3_bucket_notification', name);
  return n !== undefined && (n.eventbridge === true || [n.topic, n.queue, n.lambda_function].some((d) => list(d).length > 0));
};
const objectLocked = (json: TerraformJson, name: string, bucket: any) => {
  const config = bucketResource(json, 'aws_s3_bucket_object_lock_configuration', name);
  return bucket.object_lock_enabled === true || (config !== undefined && (config.object_lock_enabled ?? 'Enabled') === 'Enabled');
};
const kmsEncrypted = (json: TerraformJson, name: string) => {
  const rules = list(bucketResource(json, 'aws_s3_bucket_server_side_encryption_configuration', name)?.rule);
  return rules.some((r) => /^aws:kms/.test(block(r.apply_server_side_encryption_by_default)?.sse_algorithm ?? ''));
};
const publicAccessBlocked = (json: TerraformJson, name: string) => {
  const b = bucketResource(json, 'aws_s3_bucket_public_access_block', name);
  return b !== undefined && ['block_public_acls', 'block_public_policy', 'ignore_public_acls', 'restrict_public_buckets'].every((k) => b[k] === true);
};
const bucketStatements = (json: TerraformJson, name: string) => {
  const policy = bucketResource(json, 'aws_s3_bucket_policy', name);
  return policy === undefined ? [] : policyStatements(json, policy.policy);
};
const hasLifecycle = (json: TerraformJson, name: string) =>
  list(bucketResource(json, 'aws_s3_bucket_lifecycle_configuration', name)?.rule).some((r: any) => r.status === 'Enabled');

/** The roles behind the instance profiles (the nodes' identity). */
const instanceRoles = (json: TerraformJson) =>
  entries(json, 'aws_iam_instance_profile').map(([, p]) => /^\$\{aws_iam_role\.([^.]+)\./.exec(String(p.role))?.[1] ?? String(p.role));
const roleActions = (json: TerraformJson, role: string) =>
  entries(json, 'aws_iam_role_policy')
    .filter(([, p]) => refersTo(p.role, 'aws_iam_role', role))
    .flatMap(([, p]) => policyStatements(json, p.policy))
    .filter(allows)
    .flatMap((s) => list(s.actions));

/** The values of one filter of every image lookup (`data.aws_ami`); none where the image is given by id. */
const imageFilters = (json: TerraformJson, filter: string): string[] =>
  Object.values(dataSources(json, 'aws_ami')).flatMap((ami: any) =>
    list(ami.filter)
      .filter((f: any) => f.name === filter)
      .flatMap((f: any) => list(f.values)),
  );

const CONTROLS: readonly Control[] = [
  {
    id: 'EC2.2',
    title: 'the default security group of every VPC restricts all traffic',
    applies: hasVpc,
    passes: (json) =>
      entries(json, 'aws_vpc').every(([vpc]) =>
        entries(json, 'aws_default_security_group').some(
          ([, g]) => refersTo(g.vpc_id, 'aws_vpc', vpc) && list(g.ingress).length === 0 && list(g.egress).length === 0,
        ),
      ),
  },
  {
    id: 'EC2.3',
    title: 'attached EBS volumes (root and data) are encrypted',
    applies: hasInstances,
    passes: (json) =>
      entries(json, 'aws_instance').every(
        ([, i]) => block(i.root_block_device)?.encrypted === true && list(i.ebs_block_device).every((d: any) => d.encrypted === true),
      ) && entries(json, 'aws_ebs_volume').every(([, v]) => v.encrypted === true),
  },
  {
    id: 'EC2.6',
    title: 'VPC flow logging is enabled in every VPC',
    applies: hasVpc,
    passes: (json) => entries(json, 'aws_vpc').every(([vpc]) => entries(json, 'aws_flow_log').some(([, f]) => refersTo(f.vpc_id, 'aws_vpc', vpc))),
  },
  {
    id: 'EC2.8',
    title: 'instances require IMDSv2',
    applies: hasInstances,
    passes: (json) => entries(json, 'aws_instance').every(([, i]) => block(i.metadata_options)?.http_tokens === 'required'),
  },
  {
    id: 'EC2.9',
    title: 'instances have no public IPv4 address',
    applies: hasInstances,
    passes: (json) =>
      entries(json, 'aws_instance').every(([name, instance]) => {
        const publicAtLaunch = instance.associate_public_ip_address ?? subnetMapsPublicAddress(json, instance);
        const elasticIp = entries(json, 'aws_eip_association').some(([, a]) => refersTo(a.instance_id, 'aws_instance', name));
        return publicAtLaunch !== true && !elasticIp;
      }),
  },
  {
    id: 'EC2.10',
    title: 'VPC endpoints for the services the nodes call (SSM, Session Manager, and S3 for etcd snapshots)',
    applies: hasInstances,
    passes: (json) => {
      const services = entries(json, 'aws_vpc_endpoint').map(
        ([, e]) => [String(e.service_name).split('.').pop(), e.vpc_endpoint_type ?? 'Gateway'] as const,
      );
      const interfaces = services.filter(([, type]) => type === 'Interface').map(([s]) => s);
      const needsS3 = snapshotBuckets(json).length > 0;
      return NODE_SERVICES.every((s) => interfaces.includes(s)) && (!needsS3 || services.some(([s]) => s === 's3'));
    },
  },
  {
    id: 'EC2.15',
    title: 'subnets do not assign public IPv4 addresses on launch',
    applies: (json) => entries(json, 'aws_subnet').length > 0,
    passes: (json) => entries(json, 'aws_subnet').every(([, s]) => s.map_public_ip_on_launch !== true),
  },
  {
    id: 'EC2.17',
    title: 'instances use one network interface',
    applies: hasInstances,
    passes: (json) =>
      entries(json, 'aws_network_interface_attachment').length === 0 &&
      entries(json, 'aws_instance').every(([, i]) => list(i.network_interface).length <= 1),
  },
  {
    id: 'EC2.18',
    title: 'security groups admit unrestricted traffic only to TCP 80 and 443',
    applies: (json) => entries(json, 'aws_security_group').length > 0,
    passes: (json) => worldIngress(json).every(([from, to, protocol]) => protocol === 'tcp' && from === to && AUTHORIZED_PORTS.includes(from)),
  },
  {
    id: 'EC2.19',
    title: 'security groups admit no unrestricted traffic to the high-risk ports',
    applies: (json) => entries(json, 'aws_security_group').length > 0,
    passes: (json) => worldIngress(json).every((rule) => HIGH_RISK_PORTS.every((port) => !coversPort(rule, port))),
  },
  {
    id: 'EC2.24',
    title: 'instances are not of a paravirtual type (the image lookups ask for HVM)',
    applies: hasInstances,
    passes: (json) => imageFilters(json, 'virtualization-type').every((v) => v === 'hvm'),
  },
  {
    id: 'EC2.28',
    title: 'EBS volumes are covered by an AWS Backup plan',
    applies: hasInstances,
    passes: (json) => entries(json, 'aws_backup_selection').length > 0,
  },
  {
    id: 'ELB.1',
    title: 'application load balancers redirect HTTP to HTTPS',
    applies: (json) => albs(json).length > 0,
    passes: (json) =>
      albs(json).every(([lb]) =>
        listenersOf(json, lb)
          .filter(([, l]) => l.protocol === 'HTTP')
          .every(([, l]) => list(l.default_action).every((a: any) => a.type === 'redirect' && block(a.redirect)?.protocol === 'HTTPS')),
      ),
  },
  {
    id: 'ELB.4',
    title: 'application load balancers drop invalid HTTP headers',
    applies: (json) => albs(json).length > 0,
    passes: (json) => albs(json).every(([, lb]) => lb.drop_invalid_header_fields === true),
  },
  {
    id: 'ELB.5',
    title: 'application load balancers write access logs',
    applies: (json) => albs(json).length > 0,
    passes: (json) => albs(json).every(([, lb]) => block(lb.access_logs)?.enabled === true),
  },
  {
    id: 'ELB.6',
    title: 'load balancers have deletion protection',
    applies: (json) => entries(json, 'aws_lb').length > 0,
    passes: (json) => entries(json, 'aws_lb').every(([, lb]) => lb.enable_deletion_protection === true),
  },
  {
    id: 'ELB.12',
    title: 'application load balancers mitigate desync in defensive or strictest mode',
    applies: (json) => albs(json).length > 0,
    passes: (json) => albs(json).every(([, lb]) => ['defensive', 'strictest'].includes(lb.desync_mitigation_mode ?? 'defensive')),
  },
  {
    id: 'ELB.13',
    title: 'load balancers span more than one Availability Zone',
    applies: (json) => entries(json, 'aws_lb').length > 0,
    passes: (json) => entries(json, 'aws_lb').every(([, lb]) => list(lb.subnets).length + list(lb.subnet_mapping).length >= 2),
  },
  {
    id: 'ELB.17',
    title: 'TLS listeners use a recommended security policy (a TLS 1.3 one)',
    applies: (json) => entries(json, 'aws_lb_listener').some(([, l]) => ['HTTPS', 'TLS'].includes(l.protocol)),
    passes: (json) =>
      entries(json, 'aws_lb_listener')
        .filter(([, l]) => ['HTTPS', 'TLS'].includes(l.protocol))
        .every(([, l]) => /^ELBSecurityPolicy-TLS13-/.test(l.ssl_policy ?? '')),
  },
  {
    id: 'ELB.18',
    title: 'load balancer listeners use HTTPS or TLS',
    applies: (json) => entries(json, 'aws_lb_listener').length > 0,
    passes: (json) => entries(json, 'aws_lb_listener').every(([, l]) => ['HTTPS', 'TLS'].includes(l.protocol)),
  },
  everyBucketControl(
    'S3.2',
    'buckets block public read access',
    (json, name) => publicAccessBlocked(json, name) && !bucketStatements(json, name).some(publicAllow),
  ),
  everyBucketControl(
    'S3.3',
    'buckets block public write access',
    (json, name) => publicAccessBlocked(json, name) && !bucketStatements(json, name).some(publicAllow),
  ),
  everyBucketControl('S3.5', 'bucket policies deny requests without TLS', (json, name) =>
    bucketStatements(json, name).some(
      (s) =>
        s.effect === 'Deny' &&
        list(s.condition).some((c: any) => c.variable === 'aws:SecureTransport' && list(c.values).includes('false')) &&
        list(s.actions).some((a: string) => a === 's3:*'),
    ),
  ),
  everyBucketControl('S3.6', 'bucket policies grant nothing to other accounts', (json, name) =>
    bucketStatements(json, name)
      .filter(allows)
      .every((s) => list(s.principals).every((p: any) => p.type === 'Service')),
  ),
  everyBucketControl('S3.8', 'buckets block public access (all four settings)', (json, name) => publicAccessBlocked(json, name)),
  snapshotBucketControl('S3.9', 'the etcd snapshot bucket has server access logging', (json, name) => accessLogged(json, name)),
  backupBucketControl('S3.9', "Rancher's backup bucket has server access logging", (json, name) => accessLogged(json, name)),
  everyBucketControl(
    'S3.10',
    'versioned buckets have a lifecycle configuration',
    (json, name) =>
      block(bucketResource(json, 'aws_s3_bucket_versioning', name)?.versioning_configuration)?.status !== 'Enabled' || hasLifecycle(json, name),
  ),
  snapshotBucketControl('S3.11', 'the etcd snapshot bucket has event notifications', (json, name) => notifies(json, name)),
  backupBucketControl('S3.11', "Rancher's backup bucket has event notifications (EventBridge, SNS, SQS or Lambda)", (json, name) =>
    notifies(json, name),
  ),
  everyBucketControl(
    'S3.12',
    'buckets do not use ACLs (bucket owner enforced)',
    (json, name) => block(bucketResource(json, 'aws_s3_bucket_ownership_controls', name)?.rule)?.object_ownership === 'BucketOwnerEnforced',
  ),
  everyBucketControl('S3.13', 'buckets have a lifecycle configuration', (json, name) => hasLifecycle(json, name)),
  snapshotBucketControl('S3.15', 'the etcd snapshot bucket has Object Lock enabled', objectLocked),
  backupBucketControl('S3.15', "Rancher's backup bucket has Object Lock enabled", objectLocked),
  snapshotBucketControl('S3.17', 'the etcd snapshot bucket is encrypted with KMS keys', (json, name) => kmsEncrypted(json, name)),
  backupBucketControl('S3.17', "Rancher's backup bucket is encrypted with KMS keys", (json, name) => kmsEncrypted(json, name)),
  {
    id: 'SNS.1',
    title: 'SNS topics are encrypted with a KMS key',
    applies: (json) => entries(json, 'aws_sns_topic').length > 0,
    passes: (json) => entries(json, 'aws_sns_topic').every(([, t]) => t.kms_master_key_id !== undefined),
  },
  {
    id: 'SNS.2',
    title: 'SNS topics log the delivery status of their messages',
    applies: (json) => entries(json, 'aws_sns_topic').length > 0,
    passes: (json) => entries(json, 'aws_sns_topic').every(([, t]) => Object.keys(t).some((k) => k.endsWith('_failure_feedback_role_arn'))),
  },
  {
    id: 'SNS.4',
    title: 'SNS topic policies allow no public access',
    applies: (json) => entries(json, 'aws_sns_topic').length > 0,
    passes: (json) => !statementsOf(json, 'aws_sns_topic_policy').some(publicAllow),
  },
  {
    id: 'SQS.1',
    title: "SQS queues (the freshness alarms' rule targets) are encrypted at rest",
    applies: (json) => entries(json, 'aws_sqs_queue').length > 0,
    passes: (json) => entries(json, 'aws_sqs_queue').every(([, q]) => q.sqs_managed_sse_enabled === true || q.kms_master_key_id !== undefined),
  },
  {
    id: 'SQS.3',
    title: 'SQS queue policies allow no public access',
    applies: (json) => entries(json, 'aws_sqs_queue').length > 0,
    passes: (json) => !statementsOf(json, 'aws_sqs_queue_policy').some(publicAllow),
  },
  {
    id: 'SSM.1',
    title: 'instances are managed by Systems Manager (their role lets the agent register)',
    applies: hasInstances,
    passes: (json) => {
      const roles = instanceRoles(json);
      // Ubuntu's images ship the agent; RHEL's and Rocky's do not (docs/rke-ha.md, "Operating system").
      const withAgent = imageFilters(json, 'name').every((name) => name.startsWith('ubuntu/'));
      return withAgent && roles.length > 0 && roles.every((role) => roleActions(json, role).includes('ssm:UpdateInstanceInformation'));
    },
  },
  {
    id: 'ACM.1',
    title: 'ACM certificates are renewed by ACM (issued, not imported)',
    applies: (json) => entries(json, 'aws_acm_certificate').length > 0,
    passes: (json) => entries(json, 'aws_acm_certificate').every(([, c]) => c.validation_method !== undefined && c.private_key === undefined),
  },
  {
    id: 'ACM.2',
    title: 'certificates ACM issues use RSA keys of 2,048 bits or more (or ECDSA)',
    applies: (json) => entries(json, 'aws_acm_certificate').some(([, c]) => c.private_key === undefined),
    passes: (json) =>
      entries(json, 'aws_acm_certificate')
        .filter(([, c]) => c.private_key === undefined)
        .every(([, c]) => c.key_algorithm === undefined || !/^RSA_1024$/.test(c.key_algorithm)),
  },
  {
    id: 'KMS.2',
    title: 'no inline policy allows decrypting with every KMS key',
    applies: (json) => entries(json, 'aws_iam_role_policy').length + entries(json, 'aws_iam_user_policy').length > 0,
    passes: (json) =>
      ![...statementsOf(json, 'aws_iam_role_policy'), ...statementsOf(json, 'aws_iam_user_policy')].some(
        (s) =>
          allows(s) &&
          list(s.actions).some((a: string) => /^kms:(\*|Decrypt|ReEncryptFrom)$/.test(a)) &&
          list(s.resources).some((r: string) => r === '*' || r.endsWith(':key/*')),
      ),
  },
  {
    id: 'KMS.3',
    title: "keys are not deleted by mistake (KMS's longest deletion window)",
    applies: (json) => entries(json, 'aws_kms_key').length > 0,
    passes: (json) => entries(json, 'aws_kms_key').every(([, k]) => k.deletion_window_in_days === 30),
  },
  {
    id: 'KMS.4',
    title: 'customer managed keys rotate yearly',
    applies: (json) => entries(json, 'aws_kms_key').length > 0,
    passes: (json) => entries(json, 'aws_kms_key').every(([, k]) => k.enable_key_rotation === true),
  },
  {
    id: 'KMS.5',
    title: 'key policies allow no public access',
    applies: (json) => entries(json, 'aws_kms_key').length > 0,
    passes: (json) => !entries(json, 'aws_kms_key').some(([, k]) => policyStatements(json, k.policy).some(publicAllow)),
  },
  rdsControl('RDS.2', 'the datastore is not publicly accessible', (db) => db.publicly_accessible === false),
  rdsControl('RDS.3', 'the datastore is encrypted at rest', (db) => db.storage_encrypted === true),
  rdsControl('RDS.5', 'the datastore is Multi-AZ', (db) => db.multi_az === true),
  rdsControl('RDS.6', 'the datastore has enhanced monitoring', (db) => (db.monitoring_interval ?? 0) > 0 && db.monitoring_role_arn !== undefined),
  rdsControl('RDS.8', 'the datastore has deletion protection', (db) => db.deletion_protection === true),
  rdsControl('RDS.9', "the datastore publishes its engine's logs to CloudWatch Logs", (db) =>
    RDS_LOGS[db.engine].every((log) => list(db.enabled_cloudwatch_logs_exports).includes(log)),
  ),
  rdsControl('RDS.10', 'the datastore has IAM authentication', (db) => db.iam_database_authentication_enabled === true),
  rdsControl('RDS.11', 'the datastore has automatic backups', (db) => (db.backup_retention_period ?? 1) > 0),
  rdsControl('RDS.13', 'the datastore takes automatic minor version upgrades', (db) => db.auto_minor_version_upgrade !== false),
  rdsControl('RDS.17', 'the datastore copies its tags to snapshots', (db) => db.copy_tags_to_snapshot === true),
  rdsControl('RDS.18', 'the datastore is in a VPC (a subnet group of the stack)', (db) => db.db_subnet_group_name !== undefined),
  rdsControl(
    'RDS.23',
    "the datastore does not listen on its engine's default port",
    (db) => db.port !== undefined && db.port !== DEFAULT_PORTS[db.engine],
  ),
  rdsControl('RDS.25', 'the datastore has an administrator name of its own', (db) => !DEFAULT_ADMINS.includes(String(db.username))),
  {
    id: 'Route53.2',
    title: 'public hosted zones log DNS queries (the stacks look zones up, never create one)',
    applies: (json) => entries(json, 'aws_route53_zone').length > 0,
    passes: (json) => entries(json, 'aws_route53_query_log').length > 0,
  },
  {
    id: 'IAM.2',
    title: 'no IAM user has a policy of its own (the backup writer of an access key)',
    applies: hasBackupBucket,
    passes: (json) => entries(json, 'aws_iam_user_policy').length === 0 && entries(json, 'aws_iam_user_policy_attachment').length === 0,
  },
  {
    id: 'IAM.3',
    title: 'no IAM access key (one Terraform creates is rotated only by a -replace, never within 90 days on its own)',
    applies: hasBackupBucket,
    passes: (json) => entries(json, 'aws_iam_access_key').length === 0,
  },
  {
    id: 'IAM.5',
    title: 'IAM users the stack creates have no console password (so no MFA to require)',
    applies: (json) => entries(json, 'aws_iam_user').length > 0,
    passes: (json) => entries(json, 'aws_iam_user_login_profile').length === 0,
  },
  {
    id: 'IAM: node role',
    title: 'the node role does not carry AmazonSSMManagedInstanceCore, nor any ssm:GetParameter* on every parameter',
    applies: (json) => entries(json, 'aws_iam_instance_profile').length > 0,
    passes: (json) => {
      const managed = entries(json, 'aws_iam_role_policy_attachment').some(([, a]) => String(a.policy_arn).endsWith('/AmazonSSMManagedInstanceCore'));
      const everyParameter = entries(json, 'aws_iam_role_policy')
        .flatMap(([, p]) => policyStatements(json, p.policy))
        .some((s) => list(s.actions).some((a: string) => /^ssm:(\*|GetParameter)/.test(a)) && list(s.resources).includes('*'));
      return !managed && !everyParameter;
    },
  },
  {
    id: 'KMS: key policy',
    title: 'only the node role (and the deployer, through SSM) may decrypt with the stack key; the account administers it without decrypting',
    applies: (json) => entries(json, 'aws_kms_key').length > 0,
    passes: (json) =>
      entries(json, 'aws_kms_key').every(([, key]) =>
        policyStatements(json, key.policy)
          .filter((s) => allows(s) && list(s.actions).some((a: string) => DECRYPTING.test(a)))
          .every((s) =>
            list(s.principals).every((p: any) => p.type !== '*' && list(p.identifiers).every((id: string) => id !== '*' && !id.endsWith(':root'))),
          ),
      ),
  },
];

/**
 * The account-level controls (and the account's own services) no stack here can pass for its user: each with the
 * resource types that would mean a stack had taken it on, which no variant may create.
 */
const ACCOUNT_CONTROLS: Readonly<Record<string, readonly string[]>> = {
  'Account.1': ['aws_account_alternate_contact'],
  'CloudTrail.1': ['aws_cloudtrail'],
  'CloudTrail.2': ['aws_cloudtrail'],
  'CloudTrail.4': ['aws_cloudtrail'],
  'CloudTrail.5': ['aws_cloudtrail'],
  'Config.1': ['aws_config_configuration_recorder', 'aws_config_delivery_channel'],
  'EC2.1': ['aws_ebs_snapshot_block_public_access'],
  'EC2.7': ['aws_ebs_encryption_by_default', 'aws_ebs_default_kms_key'],
  'GuardDuty.1': ['aws_guardduty_detector'],
  'IAM.4': [],
  'IAM.6': [],
  'IAM.7': ['aws_iam_account_password_policy'],
  'Inspector.1': ['aws_inspector2_enabler'],
  'S3.1': ['aws_s3_account_public_access_block'],
};

/**
 * The setting that makes each control pass where the defaults do not (or, for a control on by default, the one that
 * could turn it off), as the table's "how to enable" names it. Keyed by the control's key.
 */
const ENABLE: Readonly<Record<string, { readonly path: string; readonly settings: SettingsInput }>> = {
  'EC2.6': { path: 'vpc.flowLogs.destination', settings: { vpc: { flowLogs: { destination: 'cloudwatch' } } } },
  'EC2.9': { path: 'rkeHa.privateNodes', settings: { rkeHa: { privateNodes: true } } },
  'EC2.10': { path: 'vpc.endpoints', settings: { vpc: { endpoints: ['s3', 'ssm', 'ssmmessages', 'ec2messages'] } } },
  'S3.9 snapshots': { path: 'rkeHa.etcdSnapshots.accessLogging', settings: { rkeHa: { etcdSnapshots: { accessLogging: true } } } },
  'S3.11 snapshots': { path: 'rkeHa.etcdSnapshots.eventNotifications', settings: { rkeHa: { etcdSnapshots: { eventNotifications: true } } } },
  'S3.15 snapshots': { path: 'rkeHa.etcdSnapshots.objectLock', settings: { rkeHa: { etcdSnapshots: { objectLock: true } } } },
  'ELB.6': { path: 'rkeHa.loadBalancer.deletionProtection', settings: { rkeHa: { loadBalancer: { deletionProtection: true } } } },
  'RDS.6': { path: 'rkeHa.datastore.monitoringInterval', settings: { rkeHa: { datastore: { monitoringInterval: 60 } } } },
  'RDS.9': { path: 'rkeHa.datastore.logExports', settings: { rkeHa: { datastore: { logExports: true } } } },
  'RDS.10': { path: 'rkeHa.datastore.iamAuthentication', settings: { rkeHa: { datastore: { iamAuthentication: true } } } },
  'RDS.23': { path: 'rkeHa.datastore.port', settings: { rkeHa: { datastore: { port: 5433 } } } },
  'RDS.5': { path: 'rkeHa.datastore.multiAz', settings: { rkeHa: { datastore: { multiAz: true } } } },
  'RDS.11': { path: 'rkeHa.datastore.backupRetentionDays', settings: { rkeHa: { datastore: { backupRetentionDays: 7 } } } },
  'RDS.8': { path: 'rkeHa.datastore.deletionProtection', settings: { rkeHa: { datastore: { deletionProtection: true } } } },
};

/** Every option of ENABLE at once, for each rke-ha shape the controls look at. */
const allOptions = Object.values(ENABLE).reduce<Record<string, any>>((acc, e) => mergeSettings(acc, e.settings), {});
const ALL_ON: readonly StackVariant[] = [
  { name: 'rke-ha every option', stack: RKE_HA_STACK, settings: allOptions },
  { name: 'rke-ha k3s every option', stack: RKE_HA_STACK, settings: mergeSettings(allOptions, { rkeHa: { distribution: 'k3s' } }) },
];

/** Every variant the stack tests synthesize: STACK_VARIANTS and the rke-ha TLS pairs. */
const VARIANTS: readonly StackVariant[] = [
  ...STACK_VARIANTS,
  ...Object.entries(RKE_HA_TLS_VARIANTS).map(
    ([name, tls]) => ({ name: `rke-ha tls ${name}`, stack: RKE_HA_STACK, settings: { rancher: { tls } } }) as StackVariant,
  ),
];

const synthesized = VARIANTS.map((variant) => ({ variant, json: synthSettings(variant.stack, variant.settings).json }));

function verdict(control: Control, json: TerraformJson): Verdict {
  if (!control.applies(json)) return 'n/a';
  return control.passes(json) ? 'pass' : 'fail';
}

const verdicts = synthesized.map(({ variant, json }) => ({
  variant: variant.name,
  results: Object.fromEntries(CONTROLS.map((c) => [keyOf(c), verdict(c, json)])),
}));

/** Per control: variants passing / variants the control applies to. */
function tally(): Record<string, string> {
  return Object.fromEntries(
    CONTROLS.map((c) => {
      const applicable = verdicts.filter((v) => v.results[keyOf(c)] !== 'n/a');
      return [keyOf(c), `${applicable.filter((v) => v.results[keyOf(c)] === 'pass').length}/${applicable.length}`];
    }),
  );
}

if (process.env.FSBP_REPORT) {
  const rows = verdicts.map((v) => `${v.variant.padEnd(64)} ${CONTROLS.map((c) => v.results[keyOf(c)].padEnd(5)).join(' ')}`);
  const t = tally();
  const [passed, applicable] = Object.values(t)
    .map((x) => x.split('/').map(Number))
    .reduce(([p, a], [x, y]) => [p + x, a + y], [0, 0]);
  console.log(
    [
      `${''.padEnd(64)} ${CONTROLS.map((c) => c.id.slice(0, 5).padEnd(5)).join(' ')}`,
      ...rows,
      '',
      ...Object.entries(t).map(([key, x]) => `${key}: ${x}`),
      `total: ${passed}/${applicable}`,
    ].join('\n'),
  );
}

/** The stacks the table has a column for, in its order, and the variant each column's verdicts are read from. */
const COLUMNS = ['rke-ha', 'k8s-ha', 'docker'] as const;
const isRds = (id: string) => id.startsWith('RDS.');
/** RDS controls concern the K3s datastore, which rke-ha creates with `rkeHa.distribution: k3s` only. */
const columnVariant = (column: (typeof COLUMNS)[number], id: string) =>
  column === 'rke-ha' && isRds(id) ? 'rke-ha k3s on PostgreSQL' : `${column} defaults`;
/** How a verdict reads in the table. */
const CELL: Record<Verdict, string> = { pass: 'on', fail: 'off', 'n/a': '—' };

interface Row {
  readonly id: string;
  readonly cells: readonly string[];
  readonly enable: string;
}

/** The FSBP table of docs/security.md: control (its id in backticks), one cell per stack, how to enable. */
function securityTable(): Row[] {
  const doc = readFileSync(join(__dirname, '..', '..', '..', 'docs', 'security.md'), 'utf8');
  const section = doc.slice(doc.indexOf('## AWS Foundational Security Best Practices'));
  const table = section.slice(section.indexOf('| control |'), section.indexOf('\n\n', section.indexOf('| control |')));
  return [...table.matchAll(/^\| `([^`]+)`[^|]*\| ([^|]*) \| ([^|]*) \| ([^|]*) \| ([^|]*) \|/gm)].map((m) => ({
    id: m[1],
    cells: [m[2], m[3], m[4]].map((c) => c.trim()),
    enable: m[5],
  }));
}

describe('the FSBP table of docs/security.md', () => {
  const rows = securityTable();
  const stackRows = rows.filter((r) => !(r.id in ACCOUNT_CONTROLS));
  const accountRows = rows.filter((r) => r.id in ACCOUNT_CONTROLS);
  const allOn = ALL_ON.map((variant) => synthSettings(variant.stack, variant.settings).json);

  it('lists the controls this test evaluates, in its order, then the account-level ones', () => {
    expect(stackRows.map((r) => r.id)).toEqual(CONTROLS.map((c) => c.id));
    expect(accountRows.map((r) => r.id)).toEqual(Object.keys(ACCOUNT_CONTROLS));
    expect(rows.map((r) => r.id)).toEqual([...CONTROLS.map((c) => c.id), ...Object.keys(ACCOUNT_CONTROLS)]);
  });

  it.each(CONTROLS.map((c, i) => [keyOf(c), i] as const))(
    '%s: each stack\'s cell is "on" when it passes with the defaults, "off" when it fails, "—" where it does not apply',
    (_key, i) => {
      const control = CONTROLS[i];
      const expected = COLUMNS.map((column) => CELL[verdicts.find((v) => v.variant === columnVariant(column, control.id))!.results[keyOf(control)]]);
      expect(stackRows[i].cells).toEqual(expected);
    },
  );

  it.each(Object.keys(ENABLE))('%s: "how to enable" names the setting, which makes it pass', (key) => {
    const i = CONTROLS.findIndex((c) => keyOf(c) === key);
    expect(stackRows[i].enable).toContain(`\`${ENABLE[key].path}`);
    expect(verdict(CONTROLS[i], allOn[isRds(CONTROLS[i].id) ? 1 : 0])).toBe('pass');
  });

  it.each(['IAM.2', 'IAM.3'])('%s: k8s-ha\'s "how to enable" names irsa and pod-identity, with which it passes on EKS', (id) => {
    const row = stackRows.find((r) => r.id === id)!;
    const control = CONTROLS.find((c) => c.id === id)!;
    for (const credentials of ['irsa', 'pod-identity'] as const) {
      expect(row.enable).toContain(`\`backups.credentials: ${credentials}\``);
      const { json } = synthSettings(K8S_HA_STACK, { backups: { credentials }, k8sHa: { eks: { clusterName: 'prod' } } });
      expect(verdict(control, json)).toBe('pass');
    }
  });

  it('S3.11: with alarms.enabled false neither bucket notifies, as its rows say (the default passes by the alarms’ EventBridge delivery)', () => {
    const alarmsOff = synthSettings(RKE_HA_STACK, { alarms: { enabled: false } }).json;
    expect(CONTROLS.filter((c) => c.id === 'S3.11').map((c) => [keyOf(c), verdict(c, alarmsOff)])).toEqual([
      ['S3.11 snapshots', 'fail'],
      ['S3.11 backups', 'fail'],
    ]);
  });

  it.each(Object.keys(ACCOUNT_CONTROLS))('%s: account-level in every column, and no variant takes it on', (id) => {
    expect(accountRows.find((r) => r.id === id)!.cells).toEqual(COLUMNS.map(() => 'account'));
    const created = synthesized.flatMap(({ variant, json }) =>
      ACCOUNT_CONTROLS[id].filter((type) => entries(json, type).length > 0).map((type) => `${variant.name}: ${type}`),
    );
    expect(created).toEqual([]);
  });
});

describe('FSBP controls on every synthesized variant', () => {
  it('evaluates every control on every variant', () => {
    expect(verdicts).toHaveLength(STACK_VARIANTS.length + Object.keys(RKE_HA_TLS_VARIANTS).length);
  });

  it('passes as many variants per control as recorded (passing / applicable)', () => {
    expect(tally()).toEqual({
      'EC2.2': '36/36',
      'EC2.3': '40/40',
      'EC2.6': '3/36',
      'EC2.8': '40/40',
      'EC2.9': '7/40',
      'EC2.10': '5/40',
      'EC2.15': '36/36',
      'EC2.17': '40/40',
      'EC2.18': '40/40',
      'EC2.19': '40/40',
      'EC2.24': '40/40',
      'EC2.28': '0/40',
      'ELB.1': '6/6',
      'ELB.4': '6/6',
      'ELB.5': '0/6',
      'ELB.6': '30/32',
      'ELB.12': '6/6',
      'ELB.13': '32/32',
      'ELB.17': '6/6',
      'ELB.18': '0/32',
      'S3.2': '43/43',
      'S3.3': '43/43',
      'S3.5': '43/43',
      'S3.6': '43/43',
      'S3.8': '43/43',
      'S3.9 snapshots': '2/25',
      'S3.9 backups': '0/43',
      'S3.10': '43/43',
      'S3.11 snapshots': '25/25',
      'S3.11 backups': '43/43',
      'S3.12': '43/43',
      'S3.13': '43/43',
      'S3.15 snapshots': '2/25',
      'S3.15 backups': '0/43',
      'S3.17 snapshots': '25/25',
      'S3.17 backups': '0/43',
      'SNS.1': '52/52',
      'SNS.2': '0/52',
      'SNS.4': '52/52',
      'SQS.1': '42/42',
      'SQS.3': '42/42',
      'SSM.1': '40/40',
      'ACM.1': '3/6',
      'ACM.2': '3/3',
      'KMS.2': '49/51',
      'KMS.3': '52/52',
      'KMS.4': '52/52',
      'KMS.5': '52/52',
      'RDS.2': '6/6',
      'RDS.3': '6/6',
      'RDS.5': '6/6',
      'RDS.6': '1/6',
      'RDS.8': '6/6',
      'RDS.9': '1/6',
      'RDS.10': '1/6',
      'RDS.11': '6/6',
      'RDS.13': '6/6',
      'RDS.17': '6/6',
      'RDS.18': '6/6',
      'RDS.23': '1/6',
      'RDS.25': '6/6',
      'Route53.2': '0/0',
      'IAM.2': '32/43',
      'IAM.3': '32/43',
      'IAM.5': '11/11',
      'IAM: node role': '40/40',
      'KMS: key policy': '52/52',
    });
  });
});
