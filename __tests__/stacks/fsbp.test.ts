import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { SettingsInput } from '../../lib/config/schema';
import { RKE_HA_STACK } from '../../app/stacks/rke-ha';
import { dataSources, resources, type TerraformJson } from '../helpers/synth';
import { subnetMapsPublicAddress } from '../helpers/replacement';
import { mergeSettings, RKE_HA_TLS_VARIANTS, STACK_VARIANTS, type StackVariant, synthSettings } from '../helpers/variants';

/**
 * The AWS Foundational Security Best Practices controls issue 11 names,
 * evaluated on the synthesized Terraform of every stack variant (what the
 * module asks AWS for, not what Security Hub would find in an account). A
 * control applies to a variant when the variant creates what the control
 * looks at; `FSBP_REPORT=1` prints the table.
 */

type Verdict = 'pass' | 'fail' | 'n/a';

interface Control {
  readonly id: string;
  readonly title: string;
  /** Whether the variant creates what the control looks at. */
  readonly applies: (json: TerraformJson) => boolean;
  readonly passes: (json: TerraformJson) => boolean;
}

const entries = (json: TerraformJson, type: string): [string, any][] => Object.entries(resources(json, type));
const refersTo = (value: unknown, type: string, name: string) => typeof value === 'string' && value.startsWith(`\${${type}.${name}.`);
/** Nested blocks arrive as an object or a one-element list. */
const block = (value: any): any => (Array.isArray(value) ? value[0] : value);
const list = (value: any): any[] => (value === undefined ? [] : Array.isArray(value) ? value : [value]);

/** The etcd snapshot bucket (SnapshotBucket), by its name prefix. */
const snapshotBuckets = (json: TerraformJson) => entries(json, 'aws_s3_bucket').filter(([, b]) => String(b.bucket_prefix ?? '').endsWith('-etcd-'));
const bucketResource = (json: TerraformJson, type: string, bucket: string) =>
  entries(json, type).find(([, r]) => refersTo(r.bucket, 'aws_s3_bucket', bucket))?.[1];

const hasInstances = (json: TerraformJson) => entries(json, 'aws_instance').length > 0;
/** Rancher's backups (rke-ha, k8s-ha): the stacks that give the operator an identity. */
const hasBackupBucket = (json: TerraformJson) => entries(json, 'aws_s3_bucket').some(([, b]) => String(b.bucket_prefix ?? '').endsWith('-backups-'));
const hasVpc = (json: TerraformJson) => entries(json, 'aws_vpc').length > 0;
const databases = (json: TerraformJson) => entries(json, 'aws_db_instance').map(([, db]) => db);

/** Log types RDS.9 asks each engine to publish. */
const RDS_LOGS: Record<string, string[]> = { postgres: ['postgresql', 'upgrade'], mysql: ['audit', 'error', 'general', 'slowquery'] };
const DEFAULT_PORTS: Record<string, number> = { postgres: 5432, mysql: 3306 };

/** The statements of the policy document a `${data.aws_iam_policy_document.<name>.json}` reference names. */
function policyStatements(json: TerraformJson, reference: unknown): any[] {
  const name = /^\$\{data\.aws_iam_policy_document\.([^.]+)\.json\}$/.exec(String(reference))?.[1];
  if (name === undefined) throw new Error(`not a policy document reference: ${String(reference)}`);
  return list(dataSources(json, 'aws_iam_policy_document')[name].statement);
}

/** KMS actions that reveal plaintext, directly or by letting the caller grant itself. */
const DECRYPTING = /^kms:(\*|Decrypt|ReEncrypt\*|ReEncryptFrom|CreateGrant|GenerateDataKey\*?)$/;

/** The interface endpoints the nodes call (boot parameters, Session Manager), and S3 where etcd snapshots go. */
const NODE_SERVICES = ['ssm', 'ssmmessages', 'ec2messages'];

/** A control on every K3s datastore (RDS), applicable where there is one. */
const rdsControl = (id: string, title: string, test: (db: any) => boolean): Control => ({
  id,
  title,
  applies: (json) => databases(json).length > 0,
  passes: (json) => databases(json).every(test),
});
/** A control on every etcd snapshot bucket, applicable where there is one. */
const snapshotBucketControl = (id: string, title: string, test: (json: TerraformJson, name: string, bucket: any) => boolean): Control => ({
  id,
  title,
  applies: (json) => snapshotBuckets(json).length > 0,
  passes: (json) => snapshotBuckets(json).every(([name, bucket]) => test(json, name, bucket)),
});

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
    id: 'EC2.6',
    title: 'VPC flow logging is enabled in every VPC',
    applies: hasVpc,
    passes: (json) => entries(json, 'aws_vpc').every(([vpc]) => entries(json, 'aws_flow_log').some(([, f]) => refersTo(f.vpc_id, 'aws_vpc', vpc))),
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
    id: 'EC2.28',
    title: 'EBS volumes are covered by an AWS Backup plan',
    applies: hasInstances,
    passes: (json) => entries(json, 'aws_backup_selection').length > 0,
  },
  {
    id: 'ELB.6',
    title: 'load balancers have deletion protection',
    applies: (json) => entries(json, 'aws_lb').length > 0,
    passes: (json) => entries(json, 'aws_lb').every(([, lb]) => lb.enable_deletion_protection === true),
  },
  snapshotBucketControl(
    'S3.9',
    'the etcd snapshot bucket has server access logging',
    (json, name) => bucketResource(json, 'aws_s3_bucket_logging', name)?.target_bucket !== undefined,
  ),
  snapshotBucketControl('S3.11', 'the etcd snapshot bucket has event notifications', (json, name) => {
    const n = bucketResource(json, 'aws_s3_bucket_notification', name);
    return n !== undefined && [n.topic, n.queue, n.lambda_function].some((d) => list(d).length > 0);
  }),
  snapshotBucketControl('S3.15', 'the etcd snapshot bucket has Object Lock enabled', (json, name, bucket) => {
    const config = bucketResource(json, 'aws_s3_bucket_object_lock_configuration', name);
    return bucket.object_lock_enabled === true || (config !== undefined && (config.object_lock_enabled ?? 'Enabled') === 'Enabled');
  }),
  snapshotBucketControl('S3.17', 'the etcd snapshot bucket is encrypted with KMS keys', (json, name) => {
    const rules = list(bucketResource(json, 'aws_s3_bucket_server_side_encryption_configuration', name)?.rule);
    return rules.some((r) => /^aws:kms/.test(block(r.apply_server_side_encryption_by_default)?.sse_algorithm ?? ''));
  }),
  {
    id: 'SQS.1',
    title: "SQS queues (the freshness alarms' rule targets) are encrypted at rest",
    applies: (json) => entries(json, 'aws_sqs_queue').length > 0,
    passes: (json) => entries(json, 'aws_sqs_queue').every(([, q]) => q.sqs_managed_sse_enabled === true || q.kms_master_key_id !== undefined),
  },
  rdsControl('RDS.6', 'the datastore has enhanced monitoring', (db) => (db.monitoring_interval ?? 0) > 0 && db.monitoring_role_arn !== undefined),
  rdsControl('RDS.8', 'the datastore has deletion protection', (db) => db.deletion_protection === true),
  rdsControl('RDS.9', "the datastore publishes its engine's logs to CloudWatch Logs", (db) =>
    RDS_LOGS[db.engine].every((log) => list(db.enabled_cloudwatch_logs_exports).includes(log)),
  ),
  rdsControl('RDS.10', 'the datastore has IAM authentication', (db) => db.iam_database_authentication_enabled === true),
  rdsControl(
    'RDS.23',
    "the datastore does not listen on its engine's default port",
    (db) => db.port !== undefined && db.port !== DEFAULT_PORTS[db.engine],
  ),
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
          .filter((s) => (s.effect ?? 'Allow') === 'Allow' && list(s.actions).some((a: string) => DECRYPTING.test(a)))
          .every((s) =>
            list(s.principals).every((p: any) => p.type !== '*' && list(p.identifiers).every((id: string) => id !== '*' && !id.endsWith(':root'))),
          ),
      ),
  },
];

/**
 * The setting that makes each control pass where the defaults do not (or, for a control on by default, the one that
 * could turn it off), as the README table's "how to enable" names it.
 */
const ENABLE: Readonly<Record<string, { readonly path: string; readonly settings: SettingsInput }>> = {
  'EC2.6': { path: 'vpc.flowLogs.destination', settings: { vpc: { flowLogs: { destination: 'cloudwatch' } } } },
  'EC2.9': { path: 'rkeHa.privateNodes', settings: { rkeHa: { privateNodes: true } } },
  'EC2.10': { path: 'vpc.endpoints', settings: { vpc: { endpoints: ['s3', 'ssm', 'ssmmessages', 'ec2messages'] } } },
  'S3.9': { path: 'rkeHa.etcdSnapshots.accessLogging', settings: { rkeHa: { etcdSnapshots: { accessLogging: true } } } },
  'S3.11': { path: 'rkeHa.etcdSnapshots.eventNotifications', settings: { rkeHa: { etcdSnapshots: { eventNotifications: true } } } },
  'S3.15': { path: 'rkeHa.etcdSnapshots.objectLock', settings: { rkeHa: { etcdSnapshots: { objectLock: true } } } },
  'ELB.6': { path: 'rkeHa.loadBalancer.deletionProtection', settings: { rkeHa: { loadBalancer: { deletionProtection: true } } } },
  'RDS.6': { path: 'rkeHa.datastore.monitoringInterval', settings: { rkeHa: { datastore: { monitoringInterval: 60 } } } },
  'RDS.9': { path: 'rkeHa.datastore.logExports', settings: { rkeHa: { datastore: { logExports: true } } } },
  'RDS.10': { path: 'rkeHa.datastore.iamAuthentication', settings: { rkeHa: { datastore: { iamAuthentication: true } } } },
  'RDS.23': { path: 'rkeHa.datastore.port', settings: { rkeHa: { datastore: { port: 5433 } } } },
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
  results: Object.fromEntries(CONTROLS.map((c) => [c.id, verdict(c, json)])),
}));

/** Per control: variants passing / variants the control applies to. */
function tally(): Record<string, string> {
  return Object.fromEntries(
    CONTROLS.map((c) => {
      const applicable = verdicts.filter((v) => v.results[c.id] !== 'n/a');
      return [c.id, `${applicable.filter((v) => v.results[c.id] === 'pass').length}/${applicable.length}`];
    }),
  );
}

if (process.env.FSBP_REPORT) {
  const rows = verdicts.map((v) => `${v.variant.padEnd(64)} ${CONTROLS.map((c) => v.results[c.id].padEnd(5)).join(' ')}`);
  const t = tally();
  const [passed, applicable] = Object.values(t)
    .map((x) => x.split('/').map(Number))
    .reduce(([p, a], [x, y]) => [p + x, a + y], [0, 0]);
  console.log(
    [
      `${''.padEnd(64)} ${CONTROLS.map((c) => c.id.slice(0, 5).padEnd(5)).join(' ')}`,
      ...rows,
      '',
      ...Object.entries(t).map(([id, x]) => `${id}: ${x}`),
      `total: ${passed}/${applicable}`,
    ].join('\n'),
  );
}

/** The FSBP table of docs/security.md: control, default (on/off), how to enable. */
function readmeTable(): { id: string; default: string; enable: string }[] {
  const readme = readFileSync(join(__dirname, '..', '..', 'docs', 'security.md'), 'utf8');
  const section = readme.slice(readme.indexOf('## AWS Foundational Security Best Practices'));
  const table = section.slice(section.indexOf('| control |'), section.indexOf('\n\n', section.indexOf('| control |')));
  return [...table.matchAll(/^\| `([^`]+)`[^|]*\| (\w+) \| ([^|]*) \|/gm)].map((m) => ({ id: m[1], default: m[2], enable: m[3] }));
}

describe('the FSBP table of docs/security.md', () => {
  const rows = readmeTable();
  const isRds = (id: string) => id.startsWith('RDS.');
  const defaultVerdict = (id: string) =>
    verdicts.find((v) => v.variant === (isRds(id) ? 'rke-ha k3s on PostgreSQL' : 'rke-ha defaults'))!.results[id];
  const allOn = ALL_ON.map((variant) => synthSettings(variant.stack, variant.settings).json);

  it('lists the controls this test evaluates, in its order', () => {
    expect(rows.map((r) => r.id)).toEqual(CONTROLS.map((c) => c.id));
  });

  it.each(CONTROLS.map((c) => c.id))('%s: "on" exactly when it passes with the defaults', (id) => {
    const row = rows.find((r) => r.id === id)!;
    expect(row.default).toBe(defaultVerdict(id) === 'pass' ? 'on' : 'off');
  });

  it.each(Object.keys(ENABLE))('%s: "how to enable" names the setting, which makes it pass', (id) => {
    expect(rows.find((r) => r.id === id)!.enable).toContain(`\`${ENABLE[id].path}`);
    const control = CONTROLS.find((c) => c.id === id)!;
    expect(verdict(control, allOn[isRds(id) ? 1 : 0])).toBe('pass');
  });
});

describe('FSBP controls on every synthesized variant', () => {
  it('evaluates every control on every variant', () => {
    expect(verdicts).toHaveLength(STACK_VARIANTS.length + Object.keys(RKE_HA_TLS_VARIANTS).length);
  });

  it('passes as many variants per control as recorded (passing / applicable)', () => {
    expect(tally()).toEqual({
      'EC2.2': '35/35',
      'EC2.6': '3/35',
      'EC2.9': '7/39',
      'EC2.10': '5/39',
      'EC2.15': '35/35',
      'EC2.28': '0/39',
      'ELB.6': '29/31',
      'S3.9': '1/24',
      'S3.11': '1/24',
      'S3.15': '1/24',
      'S3.17': '24/24',
      'SQS.1': '39/39',
      'RDS.6': '1/6',
      'RDS.8': '6/6',
      'RDS.9': '1/6',
      'RDS.10': '1/6',
      'RDS.23': '1/6',
      'IAM.2': '31/40',
      'IAM.3': '31/40',
      'IAM: node role': '39/39',
      'KMS: key policy': '49/49',
    });
  });
});
