import {
  DataAwsIamPolicyDocument,
  type DataAwsIamPolicyDocumentStatement,
  type DataAwsIamPolicyDocumentStatementCondition,
} from '@cdktn/provider-aws/lib/data-aws-iam-policy-document';
import { KmsKey } from '@cdktn/provider-aws/lib/kms-key';
import type { AwsProvider } from '@cdktn/provider-aws/lib/provider';
import type { Construct } from 'constructs';
import { stackAccount, stackPartition, stackServicePrincipal } from './aws-context';

// The stack's KMS key and the statements of its policy, in one place below every domain: the boot parameters
// (lib/nodes) encrypt with it, the alarm topic (lib/alarms) lets CloudWatch use it, the snapshot events topic
// (lib/kubernetes) lets S3 use it, and none imports another: each topic adds the statement it needs (grant*).

/**
 * What the account (its IAM administrators, through the root principal) may
 * do with the key: manage it, never use it. Every action that reveals
 * plaintext, directly or by a grant to oneself (`kms:CreateGrant`), is left
 * out; `kms:PutKeyPolicy` stays in, so an administrator can still change who
 * may decrypt, visibly, in the key policy.
 */
export const KEY_ADMINISTRATION_ACTIONS = [
  'kms:Describe*',
  'kms:Get*',
  'kms:List*',
  'kms:Put*',
  'kms:Update*',
  'kms:Enable*',
  'kms:Disable*',
  'kms:Revoke*',
  'kms:Delete*',
  'kms:CreateAlias',
  'kms:TagResource',
  'kms:UntagResource',
  'kms:ScheduleKeyDeletion',
  'kms:CancelKeyDeletion',
  'kms:RotateKeyOnDemand',
] as const;

/** The service that publishes an alarm's state changes, Route53 health-check alarms included (CloudWatch alarms in the partition's Route53 region). */
export const CLOUDWATCH_SERVICE = 'cloudwatch';

/** The statement every key of the stack starts with: the account administers it (KEY_ADMINISTRATION_ACTIONS) and cannot use it. */
export function accountAdministersStatement(scope: Construct): DataAwsIamPolicyDocumentStatement {
  const partition = stackPartition(scope);
  const account = stackAccount(scope);
  return {
    sid: 'AccountAdministers',
    principals: [{ type: 'AWS', identifiers: [`arn:${partition.partition}:iam::${account.accountId}:root`] }],
    actions: [...KEY_ADMINISTRATION_ACTIONS],
    resources: ['*'],
  };
}

/**
 * The key-policy statement that lets CloudWatch publish to a topic encrypted
 * with the key: SNS asks KMS for a data key on the publisher's behalf, with
 * the topic's ARN as encryption context, so the statement is for that topic
 * only. Without it the alarms change state and nobody hears of it.
 */
export function alarmTopicKeyStatement(scope: Construct, topicArn: string): DataAwsIamPolicyDocumentStatement {
  return {
    sid: 'CloudWatchPublishesAlarms',
    principals: [{ type: 'Service', identifiers: [stackServicePrincipal(scope, CLOUDWATCH_SERVICE)] }],
    actions: ['kms:GenerateDataKey*', 'kms:Decrypt'],
    resources: ['*'],
    condition: [{ test: 'StringEquals', variable: 'kms:EncryptionContext:aws:sns:topicArn', values: [topicArn] }],
  };
}

/**
 * The key-policy statement that lets S3 publish a bucket's event
 * notifications (the etcd snapshot bucket's) to a topic encrypted with the
 * key: SNS encrypts each message under a data key whose encryption context
 * names the topic, so the statement is for that topic only.
 */
export function snapshotEventsKeyStatement(scope: Construct, topicArn: string): DataAwsIamPolicyDocumentStatement {
  return {
    sid: 'S3PublishesSnapshotEvents',
    principals: [{ type: 'Service', identifiers: [stackServicePrincipal(scope, 's3')] }],
    actions: ['kms:GenerateDataKey', 'kms:Decrypt'],
    resources: ['*'],
    condition: [{ test: 'StringEquals', variable: 'kms:EncryptionContext:aws:sns:topicArn', values: [topicArn] }],
  };
}

/** What S3 replication does with a key: read the source's versions, or write the replicas. */
export type ReplicationKeyUse = 'decrypt' | 'encrypt';

/**
 * The key-policy statement that lets S3 replication, acting as the role `roleArn`, use the key for the buckets
 * `bucketArns` only and only through S3 (`viaService`: `s3.<region>.<suffix>`, the key's region): `decrypt` on a
 * source bucket's key (a version is read to be copied), `encrypt` on a destination's (the replica is written under
 * it, with an S3 Bucket Key a data key per bucket; S3 decrypts that Bucket Key to check it before use, so the
 * destination's key policy must also allow kms:Decrypt). S3 asks KMS with the bucket's ARN as encryption context when
 * the bucket has a Bucket Key and the object's ARN otherwise, so both are named (S3 User Guide, "Replicating
 * encrypted objects", "S3 Bucket Keys and replication").
 */
export function replicationKeyStatement(
  use: ReplicationKeyUse,
  roleArn: string,
  bucketArns: readonly string[],
  viaService: string,
): DataAwsIamPolicyDocumentStatement {
  return {
    sid: use === 'decrypt' ? 'S3ReplicationReads' : 'S3ReplicationWrites',
    principals: [{ type: 'AWS', identifiers: [roleArn] }],
    actions: use === 'decrypt' ? ['kms:Decrypt'] : ['kms:Encrypt', 'kms:GenerateDataKey', 'kms:Decrypt'],
    resources: ['*'],
    condition: [
      { test: 'StringEquals', variable: 'kms:ViaService', values: [viaService] },
      { test: 'StringLike', variable: 'kms:EncryptionContext:aws:s3:arn', values: bucketArns.flatMap((arn) => [arn, `${arn}/*`]) },
    ],
  };
}

/** The KMS key's description and policy. */
export interface StackKeyProps {
  /** The key's description in KMS. */
  readonly description: string;
  /** The policy's statements (accountAdministersStatement first). */
  readonly statement: DataAwsIamPolicyDocumentStatement[];
  /** Whether the key outlives a destroy (`prevent_destroy`). @default false */
  readonly preventDestroy?: boolean;
  /** The provider of the key's region. @default the stack's default AWS provider */
  readonly provider?: AwsProvider;
  /** Prepended to the construct ids `key-policy` and `key` (a second key in the same scope). @default none */
  readonly idPrefix?: string;
}

/** A key of the stack's, as a construct that encrypts with it and grants its use takes it. */
export interface IStackKey {
  /** The key's ARN (a Terraform reference). */
  readonly arn: string;
  /**
   * Lets CloudWatch publish an alarm's state changes to the SNS topic `topicArn` encrypted with this key
   * (alarmTopicKeyStatement): the statement is added to the key's policy.
   */
  grantAlarmPublishing(topicArn: string): void;
  /**
   * Lets S3 publish a bucket's event notifications to the SNS topic `topicArn` encrypted with this key
   * (snapshotEventsKeyStatement): the statement is added to the key's policy.
   */
  grantSnapshotEventsPublishing(topicArn: string): void;
}

/**
 * A customer managed key with rotation and the longest deletion window, its policy the statements it was made with
 * and those its grants add, in that order. Its construct ids are `<idPrefix>key-policy` and `<idPrefix>key` directly
 * in the scope it was made in, never a construct of its own: the Terraform addresses of the keys that exist
 * (`boot-parameters_key_...`, `alarms_key_...`) are where the key lives in state.
 */
export class StackKey implements IStackKey {
  /** The KMS key (rotation on, 30-day deletion window). */
  readonly key: KmsKey;
  private readonly policy: DataAwsIamPolicyDocument;
  private readonly statements: DataAwsIamPolicyDocumentStatement[];
  private readonly scope: Construct;

  constructor(scope: Construct, props: StackKeyProps) {
    const prefix = props.idPrefix ?? '';
    this.scope = scope;
    this.statements = [...props.statement];
    this.policy = new DataAwsIamPolicyDocument(scope, `${prefix}key-policy`, { provider: props.provider, statement: this.statements });
    this.key = new KmsKey(scope, `${prefix}key`, {
      provider: props.provider,
      description: props.description,
      enableKeyRotation: true,
      // The longest window: a key scheduled for deletion by mistake (a destroy) can be recovered for 30 days.
      deletionWindowInDays: 30,
      policy: this.policy.json,
      lifecycle: props.preventDestroy ? { preventDestroy: true } : undefined,
    });
  }

  get arn(): string {
    return this.key.arn;
  }

  grantAlarmPublishing(topicArn: string): void {
    this.grantTopic(alarmTopicKeyStatement(this.scope, topicArn), topicArn);
  }

  grantSnapshotEventsPublishing(topicArn: string): void {
    this.grantTopic(snapshotEventsKeyStatement(this.scope, topicArn), topicArn);
  }

  /** Lets S3 replication acting as `roleArn` use the key for `bucketArns` (replicationKeyStatement), once per use. */
  grantReplication(use: ReplicationKeyUse, roleArn: string, bucketArns: readonly string[], viaService: string): void {
    const statement = replicationKeyStatement(use, roleArn, bucketArns, viaService);
    // One replication role per deployment: a second grant of the same use would be a second construct replicating.
    if (this.statements.some((s) => s.sid === statement.sid)) throw new Error(`the key ${this.key.node.path} grants ${statement.sid} already`);
    this.statements.push(statement);
    this.policy.putStatement([...this.statements]);
  }

  /** Adds `statement`, whose sid the policy has not yet (one construct per use), to the key's policy. */
  grant(statement: DataAwsIamPolicyDocumentStatement): void {
    if (this.statements.some((s) => s.sid === statement.sid)) throw new Error(`the key ${this.key.node.path} grants ${statement.sid} already`);
    this.statements.push(statement);
    this.policy.putStatement([...this.statements]);
  }

  /**
   * Adds `statement`, which is for the one topic `topicArn` (its only condition names it), to the key's policy. A
   * second topic granted the same use is merged into that statement's condition (one statement per use, as the
   * policy's size is bounded); the same topic twice is refused: two constructs that think they publish it.
   */
  private grantTopic(statement: DataAwsIamPolicyDocumentStatement, topicArn: string): void {
    const at = this.statements.findIndex((s) => s.sid === statement.sid);
    if (at < 0) {
      this.statements.push(statement);
    } else {
      const granted = this.statements[at];
      // The statements of a grant are this file's own: one condition, a list of topic ARNs.
      const [topics] = granted.condition as DataAwsIamPolicyDocumentStatementCondition[];
      if (topics.values.includes(topicArn)) throw new Error(`the key ${this.key.node.path} grants ${statement.sid} already, for ${topicArn}`);
      this.statements[at] = { ...granted, condition: [{ ...topics, values: [...topics.values, topicArn] }] };
    }
    this.policy.putStatement([...this.statements]);
  }
}
