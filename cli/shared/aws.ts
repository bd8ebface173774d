import { CommandFailed, run } from './process';

/**
 * Every AWS CLI call the operations make (`<service> <operation>`), with the
 * IAM actions it needs. `Aws.call` refuses any other, so this table is the
 * whole list: __tests__/docs/deployer-policy.test.ts holds
 * docs/deployer-policy.json to it.
 */
export const AWS_CALLS: Readonly<Record<string, readonly string[]>> = {
  // roll
  'ssm send-command': ['ssm:SendCommand'],
  'ssm get-command-invocation': ['ssm:GetCommandInvocation'],
  'rds create-db-snapshot': ['rds:CreateDBSnapshot'],
  'rds describe-db-snapshots': ['rds:DescribeDBSnapshots'],
  // acceptance run, docker's migrate phase: the final snapshot its rke-ha (K3s) deployment's datastore leaves
  'rds delete-db-snapshot': ['rds:DeleteDBSnapshot'],
  // teardown
  'elbv2 modify-load-balancer-attributes': ['elasticloadbalancing:ModifyLoadBalancerAttributes'],
  'rds modify-db-instance': ['rds:ModifyDBInstance'],
  'rds describe-db-instances': ['rds:DescribeDBInstances'],
  's3api list-object-versions': ['s3:ListBucketVersions'],
  's3api delete-objects': ['s3:DeleteObject', 's3:DeleteObjectVersion'],
  's3api delete-bucket': ['s3:DeleteBucket'],
  'logs delete-log-group': ['logs:DeleteLogGroup'],
  'kms schedule-key-deletion': ['kms:ScheduleKeyDeletion'],
  'ec2 describe-snapshots': ['ec2:DescribeSnapshots'],
  // drill: production's backups, read only
  's3api list-objects-v2': ['s3:ListBucket'],
  's3api get-object': ['s3:GetObject'],
  // drill --etcd: production's snapshot copied into the throwaway's bucket (read there, written here), the cluster
  // token handed to the throwaway's first server through a parameter of its own, deleted after the restore
  's3api copy-object': ['s3:GetObject', 's3:PutObject'],
  'ssm put-parameter': ['ssm:PutParameter'],
  'ssm delete-parameter': ['ssm:DeleteParameter'],
  // rotate token: the cluster token read, and the new one written, in the deployment's own parameter
  'ssm get-parameter': ['ssm:GetParameter'],
  'ssm list-command-invocations': ['ssm:ListCommandInvocations'],
  // acceptance: who runs it (no permission needed), a name already taken, the sweep, CloudTrail's event history
  'sts get-caller-identity': [],
  'resourcegroupstaggingapi get-resources': ['tag:GetResources'],
  'kms describe-key': ['kms:DescribeKey'],
  'ec2 describe-instances': ['ec2:DescribeInstances'],
  'cloudtrail lookup-events': ['cloudtrail:LookupEvents'],
  // acceptance: the servers' metrics read back (its metrics phase)
  'cloudwatch get-metric-data': ['cloudwatch:GetMetricData'],
  // acceptance: the docker host stopped (the break), and the IAM the Tagging API does not list (its sweep)
  'ec2 stop-instances': ['ec2:StopInstances'],
  'iam list-roles': ['iam:ListRoles'],
  'iam list-role-tags': ['iam:ListRoleTags'],
  'iam list-users': ['iam:ListUsers'],
  'iam list-user-tags': ['iam:ListUserTags'],
  'iam list-instance-profiles': ['iam:ListInstanceProfiles'],
  'iam list-instance-profile-tags': ['iam:ListInstanceProfileTags'],
  'iam list-policies': ['iam:ListPolicies'],
  'iam list-policy-tags': ['iam:ListPolicyTags'],
};

/** The AWS CLI, always with an explicit region and JSON output. */
export class Aws {
  constructor(readonly region: string) {}

  /**
   * Runs `aws <args>`; undefined when AWS answered with one of `gone` (the thing is already deleted). `T` is the
   * part of the answer the caller reads (the CLI's JSON is not checked against it: every field is optional there).
   * `input` goes to its standard input (a secret passed as `--cli-input-json file:///dev/stdin`, never as an argument,
   * which any local user can read in the process list).
   */
  call<T = Record<string, unknown>>(args: readonly string[], gone: readonly string[] = [], timeoutMs = 300_000, input?: string): T | undefined {
    const operation = `${args[0]} ${args[1]}`;
    if (!(operation in AWS_CALLS))
      throw new Error(`aws ${operation} is not in AWS_CALLS (cli/shared/aws.ts): add it there, and its IAM actions to docs/deployer-policy.json.`);
    const result = run('aws', [...args, '--region', this.region, '--output', 'json'], { timeoutMs, input });
    if (result.code === 0) return (result.stdout.trim() === '' ? {} : JSON.parse(result.stdout)) as T;
    if (gone.some((code) => result.stderr.includes(code))) return undefined;
    throw new CommandFailed(`aws ${args.join(' ')}`, result);
  }
}

/** The region of an ARN (arn:partition:service:region:account:...). */
export function arnRegion(arn: string): string | undefined {
  const region = arn.split(':')[3];
  return region ? region : undefined;
}
