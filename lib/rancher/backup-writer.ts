import { DataAwsIamPolicyDocument } from '@cdktf/provider-aws/lib/data-aws-iam-policy-document';
import { IamAccessKey } from '@cdktf/provider-aws/lib/iam-access-key';
import { IamUser } from '@cdktf/provider-aws/lib/iam-user';
import { IamUserPolicy } from '@cdktf/provider-aws/lib/iam-user-policy';
import { Construct } from 'constructs';
import { stackPartition } from '../common/aws-context';
import { BACKUP_FOLDER } from './backup-objects';

export interface BackupWriterProps {
  /** The deployment's prefix: the user is `<name>-rancher-backup`. */
  readonly name: string;
  /** The backup bucket (a reference). */
  readonly bucket: string;
  /** A bucket of another deployment the first apply restores from (`backups.restoreFrom.bucket`): read only. */
  readonly restoreBucket?: string;
}

/**
 * The identity the rancher-backup operator writes with: an IAM user with one
 * access key, because the operator reads only a key and secret from its
 * credential Secret (no session token) and its pods cannot reach the nodes'
 * role (docs/design-notes.md, "Rancher backups"). The key is in Terraform
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
    const partition = stackPartition(this).partition;
    const bucketArn = (bucket: string) => `arn:${partition}:s3:::${bucket}`;
    this.user = new IamUser(this, 'user', { name: `${props.name}-rancher-backup`, path: '/rancher-ha-aws/' });
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
    const document = new DataAwsIamPolicyDocument(this, 'policy-document', { statement: statements });
    this.policy = new IamUserPolicy(this, 'policy', { user: this.user.name, name: 'rancher-backups', policy: document.json });
    this.key = new IamAccessKey(this, 'key', { user: this.user.name });
  }
}
