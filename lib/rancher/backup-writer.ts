import { DataAwsIamPolicyDocument } from '@cdktn/provider-aws/lib/data-aws-iam-policy-document';
import { IamAccessKey } from '@cdktn/provider-aws/lib/iam-access-key';
import { IamRole } from '@cdktn/provider-aws/lib/iam-role';
import { IamRolePolicy } from '@cdktn/provider-aws/lib/iam-role-policy';
import { IamUser } from '@cdktn/provider-aws/lib/iam-user';
import { IamUserPolicy } from '@cdktn/provider-aws/lib/iam-user-policy';
import { Construct } from 'constructs';
import { stackPartition } from '../common/aws-context';
import { BACKUP_FOLDER } from './backup-objects';

/** The writer's name and the buckets it writes and reads. */
export interface BackupWriterProps {
  /** The deployment's prefix: the user is `<name>-rancher-backup`. */
  readonly name: string;
  /** The backup bucket (a reference). */
  readonly bucket: string;
  /** A bucket of another deployment the first apply restores from (`backups.restoreFrom.bucket`): read only. */
  readonly restoreBucket?: string;
}

/**
 * The identity the rancher-backup operator writes with where the servers cannot hand it credentials (k8s-ha, whose
 * nodes are not the stack's; `backups.credentials: accessKey`): an IAM user with one access key, because the
 * operator reads only a key and secret from its credential Secret (no session token) and its pods cannot reach the
 * nodes' role (docs/design-notes.md, "Rancher backups"). The key is in Terraform
 * state, as the cluster's CA keys already are; it may list the bucket and
 * read and write objects under the backups' folder, and delete current
 * objects there (the operator's retention), which in the versioned bucket
 * leaves the data as a noncurrent version for the bucket's lifecycle to
 * expire. It can neither delete a version nor change the bucket.
 */
export class BackupWriter extends Construct {
  readonly user: IamUser;
  readonly key: IamAccessKey;
  readonly policy: IamUserPolicy;

  constructor(scope: Construct, id: string, props: BackupWriterProps) {
    super(scope, id);
    const statements = backupStatements(this, props);
    this.user = new IamUser(this, 'user', { name: `${props.name}-rancher-backup`, path: '/rancher-ha-aws/' });
    const document = new DataAwsIamPolicyDocument(this, 'policy-document', { statement: statements });
    this.policy = new IamUserPolicy(this, 'policy', { user: this.user.name, name: 'rancher-backups', policy: document.json });
    this.key = new IamAccessKey(this, 'key', { user: this.user.name });
  }
}

/**
 * What the operator may do, as a writer or as the backup role: list the backup bucket and read, write and delete
 * current objects under the backups' folder; with a migration, list and read the source bucket's backups.
 */
export function backupStatements(scope: Construct, props: Pick<BackupWriterProps, 'bucket' | 'restoreBucket'>) {
  const partition = stackPartition(scope).partition;
  const bucketArn = (bucket: string) => `arn:${partition}:s3:::${bucket}`;
  const statements = [
    { sid: 'ListBackups', actions: ['s3:ListBucket', 's3:GetBucketLocation'], resources: [bucketArn(props.bucket)] },
    {
      sid: 'WriteBackups',
      actions: ['s3:PutObject', 's3:GetObject', 's3:DeleteObject', 's3:AbortMultipartUpload'],
      resources: [`${bucketArn(props.bucket)}/${BACKUP_FOLDER}/*`],
    },
  ];
  if (props.restoreBucket !== undefined) {
    statements.push(
      { sid: 'ListRestoreSource', actions: ['s3:ListBucket', 's3:GetBucketLocation'], resources: [bucketArn(props.restoreBucket)] },
      { sid: 'ReadRestoreSource', actions: ['s3:GetObject'], resources: [`${bucketArn(props.restoreBucket)}/${BACKUP_FOLDER}/*`] },
    );
  }
  return statements;
}

/** The role's name and the one role that may assume it. */
export interface BackupRoleProps {
  /** The deployment's prefix: the role is `<name>-rancher-backup`. */
  readonly name: string;
  /** The servers' role (NodeRole.role): the only principal that may assume this one. */
  readonly nodeRole: IamRole;
}

/**
 * The identity the rancher-backup operator writes with when the servers hand it credentials
 * (`backups.credentials: servers`): a role only the servers' instance role may assume, for an hour at most, holding
 * the writer's grants. No IAM user and no key: the servers ask STS for a session every 15 minutes and give it to
 * the operator's service account alone (backup-credentials.sh; design notes, "Rancher backups"). Created with the
 * node role, before the servers (their user data names it); its bucket grants follow once the bucket exists
 * (`grant`).
 */
export class BackupRole extends Construct {
  /** The backup role (sessions of an hour at most). */
  readonly role: IamRole;
  /** The node role's permission to assume it, and nothing else. */
  readonly assume: IamRolePolicy;

  constructor(scope: Construct, id: string, props: BackupRoleProps) {
    super(scope, id);
    // The role's ARN as principal (not the account root): no other identity of the account can be granted to assume it.
    const trust = new DataAwsIamPolicyDocument(this, 'trust', {
      statement: [{ actions: ['sts:AssumeRole'], principals: [{ type: 'AWS', identifiers: [props.nodeRole.arn] }] }],
    });
    this.role = new IamRole(this, 'role', {
      name: `${props.name}-rancher-backup`,
      path: '/rancher-ha-aws/',
      assumeRolePolicy: trust.json,
      maxSessionDuration: 3600,
    });
    const assume = new DataAwsIamPolicyDocument(this, 'assume', {
      statement: [{ sid: 'BackupCredentials', actions: ['sts:AssumeRole'], resources: [this.role.arn] }],
    });
    this.assume = new IamRolePolicy(this, 'node-assume', { role: props.nodeRole.id, name: 'rancher-backup-credentials', policy: assume.json });
  }

  /** The writer's grants on the backup bucket (and a migration's source), as the role's inline policy. */
  grant(scope: Construct, id: string, buckets: Pick<BackupWriterProps, 'bucket' | 'restoreBucket'>): IamRolePolicy {
    const document = new DataAwsIamPolicyDocument(scope, `${id}-document`, { statement: backupStatements(scope, buckets) });
    return new IamRolePolicy(scope, id, { role: this.role.id, name: 'rancher-backups', policy: document.json });
  }
}
