/**
 * The AWS names the stacks build from `settings.name`, and the rules AWS (or
 * the AWS provider) applies to each. `nameProblems` checks them at synth
 * time, so a name that one resource would refuse fails here instead of
 * minutes into an apply. A test synthesizes every stack with the longest name
 * and holds this table to the names the constructs really build.
 */

/** The stack ids (construct ids of the stacks in main.ts). */
export const STACK_IDS = ['rke-ha', 'k8s-ha', 'docker'] as const;
export type StackId = (typeof STACK_IDS)[number];

/** Suffix length the AWS provider appends to a `name_prefix`/`bucket_prefix`/`identifier_prefix`. */
const UNIQUE_SUFFIX = 26;

interface NameKind {
  /** What the value is, in the message: "a load balancer name". */
  readonly what: string;
  /** The rules: each returns what is wrong, or undefined. */
  readonly rules: readonly ((value: string) => string | undefined)[];
}

const maxLength =
  (max: number, note = '') =>
  (v: string) =>
    v.length > max ? `may have at most ${max} characters${note}` : undefined;
const chars = (pattern: RegExp, allowed: string) => (v: string) => (pattern.test(v) ? undefined : `may hold ${allowed} only`);
const noPrefix = (prefix: string, owner: string) => (v: string) =>
  v.toLowerCase().startsWith(prefix) ? `may not start with "${prefix}" (${owner})` : undefined;
const noEdgeHyphen = (v: string) => (v.startsWith('-') || v.endsWith('-') ? 'may not start or end with "-"' : undefined);
const startsWithLetter = (v: string) => (/^[A-Za-z]/.test(v) ? undefined : 'must start with a letter');
const noDoubleHyphen = (v: string) => (v.includes('--') ? 'may not contain "--"' : undefined);

const KINDS = {
  loadBalancer: {
    what: 'a load balancer name',
    rules: [
      maxLength(32),
      chars(/^[A-Za-z0-9-]*$/, 'letters, digits and "-"'),
      noEdgeHyphen,
      noPrefix('internal-', 'reserved for internal load balancers'),
    ],
  },
  targetGroup: { what: 'a target group name', rules: [maxLength(32), chars(/^[A-Za-z0-9-]*$/, 'letters, digits and "-"'), noEdgeHyphen] },
  securityGroupPrefix: { what: 'a security group name prefix', rules: [maxLength(100), noPrefix('sg-', 'reserved for security group ids')] },
  iamUser: { what: 'an IAM user name', rules: [maxLength(64), chars(/^[\w+=,.@-]*$/, 'letters, digits and _+=,.@-')] },
  iamRole: { what: 'an IAM role name', rules: [maxLength(64), chars(/^[\w+=,.@-]*$/, 'letters, digits and _+=,.@-')] },
  iamPrefix: {
    what: 'an IAM name prefix',
    rules: [maxLength(64 - UNIQUE_SUFFIX, ' (64 with the unique suffix)'), chars(/^[\w+=,.@-]*$/, 'letters, digits and _+=,.@-')],
  },
  rdsIdentifierPrefix: {
    what: 'an RDS identifier prefix',
    rules: [
      maxLength(63 - UNIQUE_SUFFIX, ' (63 with the unique suffix)'),
      chars(/^[a-z0-9-]*$/, 'lower-case letters, digits and "-"'),
      startsWithLetter,
      noDoubleHyphen,
    ],
  },
  rdsSnapshot: {
    what: 'an RDS snapshot identifier',
    rules: [maxLength(255), chars(/^[A-Za-z0-9-]*$/, 'letters, digits and "-"'), startsWithLetter, noDoubleHyphen, noEdgeHyphen],
  },
  dbSubnetGroupPrefix: {
    what: 'a DB subnet group name prefix',
    rules: [maxLength(255 - UNIQUE_SUFFIX), chars(/^[a-z0-9 ._-]*$/, 'lower-case letters, digits, spaces and ._-')],
  },
  s3BucketPrefix: {
    what: 'an S3 bucket name prefix',
    rules: [
      maxLength(63 - UNIQUE_SUFFIX, ' (63 with the unique suffix)'),
      chars(/^[a-z0-9.-]*$/, 'lower-case letters, digits, "." and "-"'),
      (v: string) => (/^[a-z0-9]/.test(v) ? undefined : 'must start with a letter or digit'),
      noPrefix('xn--', 'reserved by S3'),
      noPrefix('sthree-', 'reserved by S3'),
      noPrefix('amzn-s3-demo-', 'reserved by S3'),
    ],
  },
  ssmPath: {
    what: 'an SSM parameter path',
    rules: [
      maxLength(900),
      chars(/^[A-Za-z0-9_./-]*$/, 'letters, digits and _.-/'),
      (v: string) => (/^\/(aws|ssm)/i.test(v) ? 'may not start with "aws" or "ssm" (reserved by SSM Parameter Store)' : undefined),
    ],
  },
  dlmDescription: { what: 'a DLM policy description', rules: [maxLength(500), chars(/^[0-9A-Za-z _-]*$/, 'letters, digits, spaces, "_" and "-"')] },
  certificateCommonName: { what: 'a certificate common name', rules: [maxLength(64)] },
  snsTopic: { what: 'an SNS topic name', rules: [maxLength(256), chars(/^[A-Za-z0-9_-]*$/, 'letters, digits, "_" and "-"')] },
  logGroup: { what: 'a CloudWatch Logs group name', rules: [maxLength(512), chars(/^[A-Za-z0-9_\-/.#]*$/, 'letters, digits and _-/.#')] },
} satisfies Record<string, NameKind>;

export interface GeneratedName {
  /** The stack id the name is built with. */
  readonly stack: string;
  /** The resource, as a person reads it: "network load balancer". */
  readonly resource: string;
  readonly kind: keyof typeof KINDS;
  readonly value: string;
}

/** The stacks whose names are checked, by mode: their ids (resource names start with `<name>-<stack id>`). */
export interface NamedStacks {
  readonly rkeHa?: string;
  readonly k8sHa?: string;
  readonly docker?: string;
}

/** The app's stacks under their own ids. */
const APP_STACKS: NamedStacks = { rkeHa: 'rke-ha', k8sHa: 'k8s-ha', docker: 'docker' };

/**
 * Every name a stack builds from `name` (prefix `<name>-<stack>`), with the
 * construct that builds it. Keep in step with lib/ and stacks/ (the test
 * "resource names" synthesizes the stacks and compares).
 */
export function generatedNames(name: string, stacks: NamedStacks = APP_STACKS): GeneratedName[] {
  const n = (stack: string, resource: string, kind: keyof typeof KINDS, value: string): GeneratedName => ({ stack, resource, kind, value });
  return [
    ...(stacks.rkeHa === undefined ? [] : rkeHaNames(name, stacks.rkeHa, n)),
    ...(stacks.k8sHa === undefined
      ? []
      : [
          ...backupNames(stacks.k8sHa, `${name}-${stacks.k8sHa}`, n, 'iamUser'),
          n(stacks.k8sHa, 'alarm topic', 'snsTopic', `${name}-${stacks.k8sHa}-alarms`),
        ]),
    ...(stacks.docker === undefined ? [] : dockerNames(name, stacks.docker, n)),
  ];
}

type Make = (stack: string, resource: string, kind: keyof typeof KINDS, value: string) => GeneratedName;

function rkeHaNames(name: string, stack: string, n: Make): GeneratedName[] {
  const rke = `${name}-${stack}`;
  return [
    n(stack, 'network load balancer', 'loadBalancer', rke),
    ...[80, 443, 6443].map((port) => n(stack, `NLB target group for ${port}`, 'targetGroup', `${rke}-${port}`)),
    n(stack, 'NLB security group', 'securityGroupPrefix', `${rke}-lb-`),
    n(stack, 'application load balancer', 'loadBalancer', `${rke}-alb`),
    n(stack, 'ALB target group', 'targetGroup', `${rke}-alb-http`),
    n(stack, 'ALB security group', 'securityGroupPrefix', `${rke}-alb-`),
    n(stack, 'node security group', 'securityGroupPrefix', `${rke}-`),
    n(stack, 'datastore security group', 'securityGroupPrefix', `${rke}-db-`),
    n(stack, 'node IAM role', 'iamPrefix', `${rke}-`),
    n(stack, 'RDS datastore', 'rdsIdentifierPrefix', `${rke}-`),
    n(stack, 'RDS monitoring IAM role', 'iamPrefix', `${rke}-rds-mon-`),
    n(stack, 'RDS final snapshot', 'rdsSnapshot', `${rke}-final-0123abcd`),
    n(stack, 'DB subnet group', 'dbSubnetGroupPrefix', `${rke}-`),
    n(stack, 'etcd snapshot bucket', 's3BucketPrefix', `${rke}-etcd-`),
    n(stack, 'etcd snapshot access log bucket', 's3BucketPrefix', `${rke}-etcd-logs-`),
    n(stack, 'etcd snapshot events topic', 'snsTopic', `${rke}-etcd-events`),
    n(stack, "servers' boot document bucket", 's3BucketPrefix', `${rke}-boot-`),
    ...backupNames(stack, rke, n, 'iamRole'),
    n(stack, 'alarm topic', 'snsTopic', `${rke}-alarms`),
    n(stack, 'boot parameters', 'ssmPath', `/${name}/${stack}/cluster-initialized`),
    ...vpcOptionNames(stack, rke),
    n(stack, 'cluster server CA', 'certificateCommonName', `${rke}-server-ca`),
    n(stack, 'cluster client CA', 'certificateCommonName', `${rke}-client-ca`),
  ];
}

/**
 * Rancher's backups (rke-ha, k8s-ha): their bucket and the operator's identity, a role the servers assume (rke-ha's
 * default, backups.credentials: servers) or an IAM user (k8s-ha; rke-ha with accessKey, the same name and rules).
 */
function backupNames(stack: string, prefix: string, n: Make, identity: 'iamUser' | 'iamRole'): GeneratedName[] {
  return [
    n(stack, 'Rancher backup bucket', 's3BucketPrefix', `${prefix}-backups-`),
    n(stack, identity === 'iamRole' ? 'Rancher backup role' : 'Rancher backup writer', identity, `${prefix}-rancher-backup`),
  ];
}

function dockerNames(name: string, stack: string, n: Make): GeneratedName[] {
  const docker = `${name}-${stack}`;
  return [
    n(stack, 'host security group', 'securityGroupPrefix', `${docker}-`),
    n(stack, 'ALB', 'loadBalancer', `${docker}-alb`),
    n(stack, 'ALB target group', 'targetGroup', `${docker}-alb-http`),
    n(stack, 'ALB security group', 'securityGroupPrefix', `${docker}-alb-`),
    n(stack, 'host IAM role', 'iamPrefix', `${docker}-`),
    n(stack, 'DLM IAM role', 'iamPrefix', `${docker}-dlm-`),
    n(stack, 'DLM snapshot policy', 'dlmDescription', `${docker} Rancher data volume`),
    n(stack, 'boot parameters', 'ssmPath', `/${name}/${stack}/bootstrap-password`),
    n(stack, 'alarm topic', 'snsTopic', `${docker}-alarms`),
    ...vpcOptionNames(stack, docker),
  ];
}

/** The names of the `vpc` options (flow logs, endpoints), built alike in every stack with a VPC. */
function vpcOptionNames(stack: string, prefix: string): GeneratedName[] {
  return [
    { stack, resource: 'flow log group', kind: 'logGroup', value: `/aws/vpc-flow-logs/${prefix}` },
    { stack, resource: 'flow log IAM role', kind: 'iamPrefix', value: `${prefix}-flow-logs-` },
    { stack, resource: 'flow log bucket', kind: 's3BucketPrefix', value: `${prefix}-flow-logs-` },
    { stack, resource: 'VPC endpoint security group', kind: 'securityGroupPrefix', value: `${prefix}-endpoints-` },
  ];
}

/**
 * What AWS would refuse in the names built from `name`: one message per
 * broken rule, naming the first resource that breaks it and its name.
 */
export function generatedNameProblems(name: string, stacks: NamedStacks = APP_STACKS): string[] {
  const problems = new Map<string, string>();
  for (const generated of generatedNames(name, stacks)) {
    const kind = KINDS[generated.kind];
    for (const rule of kind.rules) {
      const wrong = rule(generated.value);
      if (wrong === undefined) continue;
      const key = `${kind.what}: ${wrong}`;
      if (!problems.has(key)) problems.set(key, `makes the ${generated.stack} ${generated.resource} "${generated.value}", and ${kind.what} ${wrong}`);
    }
  }
  return [...problems.values()];
}

/**
 * What AWS would refuse in one name a construct builds (a load balancer or
 * target group name), or undefined; nothing for a Terraform reference, whose
 * value is known only at apply.
 */
export function awsNameProblem(kind: 'loadBalancer' | 'targetGroup', value: string): string | undefined {
  if (value.includes('${') || value.includes('TfToken[')) return undefined;
  const rules = KINDS[kind];
  for (const rule of rules.rules) {
    const wrong = rule(value);
    if (wrong !== undefined) return `${rules.what} "${value}" ${wrong}`;
  }
  return undefined;
}

/** Throws, naming the construct, when a name it builds would be refused by AWS at apply. */
export function requireAwsNames(constructPath: string, names: readonly (readonly ['loadBalancer' | 'targetGroup', string])[]): void {
  const problems = names.map(([kind, value]) => awsNameProblem(kind, value)).filter((p): p is string => p !== undefined);
  if (problems.length > 0) throw new Error(`${constructPath}: ${problems.join('; ')} (AWS refuses it at apply)`);
}

/** The rules of `name` itself, most basic first; the first broken one is reported. */
export function nameProblem(name: string): string | undefined {
  if (name.length < 2 || name.length > 16) {
    return 'expected 2-16 characters (the longest name built from it, the ALB target group "<name>-rke-ha-alb-http", may have 32)';
  }
  if (!/^[a-z0-9-]*$/.test(name)) return 'expected lower-case letters, digits and "-" only';
  if (!/^[a-z]/.test(name)) return 'must start with a lower-case letter';
  if (name.endsWith('-')) return 'must end with a letter or digit (resource names continue it with "-<stack>")';
  if (name.includes('--')) return 'must not contain "--" (RDS identifiers and snapshot names built from it may not)';
  if (/^(aws|ssm)/.test(name)) return 'must not start with "aws" or "ssm" (reserved by SSM Parameter Store)';
  return generatedNameProblems(name)[0];
}
