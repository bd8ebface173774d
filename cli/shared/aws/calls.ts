/**
 * Every AWS call the operations make, keyed `<SDK client> <SDK command>` as AWS SDK for JavaScript v3 names them
 * (`SSMClient` sends `SendCommandCommand`: `SSM SendCommand`), with the IAM actions it needs. This is the one list:
 * the SDK clients refuse any command not in it (cli/shared/aws/clients.ts), and __tests__/docs/deployer-policy.test.ts
 * holds docs/deployer-policy.json to it.
 *
 * No SDK import here: a table of names, readable without loading the SDK.
 */
export const AWS_CALLS: Readonly<Record<string, readonly string[]>> = {
  // roll
  'SSM SendCommand': ['ssm:SendCommand'],
  'SSM GetCommandInvocation': ['ssm:GetCommandInvocation'],
  'RDS CreateDBSnapshot': ['rds:CreateDBSnapshot'],
  'RDS DescribeDBSnapshots': ['rds:DescribeDBSnapshots'],
  // acceptance run, docker's migrate phase: the final snapshot its rke-ha (K3s) deployment's datastore leaves
  'RDS DeleteDBSnapshot': ['rds:DeleteDBSnapshot'],
  // teardown
  'ElasticLoadBalancingV2 ModifyLoadBalancerAttributes': ['elasticloadbalancing:ModifyLoadBalancerAttributes'],
  'RDS ModifyDBInstance': ['rds:ModifyDBInstance'],
  'RDS DescribeDBInstances': ['rds:DescribeDBInstances'],
  'S3 ListObjectVersions': ['s3:ListBucketVersions'],
  'S3 DeleteObjects': ['s3:DeleteObject', 's3:DeleteObjectVersion'],
  'S3 DeleteBucket': ['s3:DeleteBucket'],
  'CloudWatchLogs DeleteLogGroup': ['logs:DeleteLogGroup'],
  'KMS ScheduleKeyDeletion': ['kms:ScheduleKeyDeletion'],
  'EC2 DescribeSnapshots': ['ec2:DescribeSnapshots'],
  // drill: production's backups, read only
  'S3 ListObjectsV2': ['s3:ListBucket'],
  'S3 GetObject': ['s3:GetObject'],
  // drill --etcd: production's snapshot copied into the throwaway's bucket (read there, written here), the cluster
  // token handed to the throwaway's first server through a parameter of its own, deleted after the restore
  'S3 CopyObject': ['s3:GetObject', 's3:PutObject'],
  'SSM PutParameter': ['ssm:PutParameter'],
  'SSM DeleteParameter': ['ssm:DeleteParameter'],
  // failover --prepare: the standby-target's tags (SSM takes none with PutParameter's Overwrite); teardown deletes it
  'SSM AddTagsToResource': ['ssm:AddTagsToResource'],
  // rotate token: the cluster token read, and the new one written, in the deployment's own parameter
  'SSM GetParameter': ['ssm:GetParameter'],
  'SSM ListCommandInvocations': ['ssm:ListCommandInvocations'],
  // acceptance: who runs it (no permission needed), a name already taken, the sweep, CloudTrail's event history
  'STS GetCallerIdentity': [],
  // acceptance: the failover phase's credentials, the primary region denied by their session policy
  'STS AssumeRole': ['sts:AssumeRole'],
  'ResourceGroupsTaggingAPI GetResources': ['tag:GetResources'],
  'KMS DescribeKey': ['kms:DescribeKey'],
  'EC2 DescribeInstances': ['ec2:DescribeInstances'],
  'CloudTrail LookupEvents': ['cloudtrail:LookupEvents'],
  // acceptance: the servers' metrics read back (its metrics phase)
  'CloudWatch GetMetricData': ['cloudwatch:GetMetricData'],
  // acceptance: the docker host stopped (the break), and the IAM the Tagging API does not list (its sweep)
  'EC2 StopInstances': ['ec2:StopInstances'],
  // acceptance: the primary's servers started again after its failover phase's failover (the region back)
  'EC2 StartInstances': ['ec2:StartInstances'],
  'IAM ListRoles': ['iam:ListRoles'],
  'IAM ListRoleTags': ['iam:ListRoleTags'],
  'IAM ListUsers': ['iam:ListUsers'],
  'IAM ListUserTags': ['iam:ListUserTags'],
  'IAM ListInstanceProfiles': ['iam:ListInstanceProfiles'],
  'IAM ListInstanceProfileTags': ['iam:ListInstanceProfileTags'],
  'IAM ListPolicies': ['iam:ListPolicies'],
  'IAM ListPolicyTags': ['iam:ListPolicyTags'],
  // failover: the hostname's records moved to the standby's load balancer, and the change followed until INSYNC
  'Route53 ChangeResourceRecordSets': ['route53:ChangeResourceRecordSets'],
  'Route53 GetChange': ['route53:GetChange'],
  // failover and failback: the hostname moved by the metric its failover routing's alarm watches (standby region), and
  // that alarm followed until it says so (cli/shared/dns-move.ts)
  'CloudWatch PutMetricData': ['cloudwatch:PutMetricData'],
  'CloudWatch DescribeAlarms': ['cloudwatch:DescribeAlarms'],
};

/** The table key of an SDK command sent by a client (`SSMClient`, `SendCommandCommand`: `SSM SendCommand`). */
export function sdkCall(clientName: string, commandName: string): string {
  return `${clientName.replace(/Client$/, '')} ${commandName.replace(/Command$/, '')}`;
}
