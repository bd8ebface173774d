import { DataAwsIamPolicyDocument } from '@cdktn/provider-aws/lib/data-aws-iam-policy-document';
import { IamRole } from '@cdktn/provider-aws/lib/iam-role';
import { IamRolePolicy } from '@cdktn/provider-aws/lib/iam-role-policy';
import type { AwsProvider } from '@cdktn/provider-aws/lib/provider';
import { SsmParameter } from '@cdktn/provider-aws/lib/ssm-parameter';
import { Construct } from 'constructs';
import { PARTITION_DNS_SUFFIXES, partitionOf } from '../config/aws-regions';
import { stackAccount, stackPartition } from '../common/aws-context';
import type { StackKey } from '../common/stack-key';
import type { SnapshotBucket } from '../kubernetes/snapshot-bucket';
import { STANDBY_TOKEN_PARAMETER } from './standby-facts-keys';

export { STANDBY_TOKEN_PARAMETER };

/** The break-glass role's name after the deployment's prefix (`<name>-<stack id>-etcd-break-glass`). */
export const ETCD_BREAK_GLASS_ROLE_SUFFIX = '-etcd-break-glass';

/** The IAM path of the project's named roles (BackupRole's too). */
const ROLE_PATH = '/rancher-ha-aws/';

/** What the break-glass role reads, and where. */
export interface EtcdBreakGlassProps {
  /** The deployment's prefix (`<name>-<stack id>`): the role is `<name>-<stack id>-etcd-break-glass`. */
  readonly name: string;
  /** The standby region (a literal). */
  readonly standbyRegion: string;
  /** The standby region's AWS provider. */
  readonly provider: AwsProvider;
  /** The standby's copy of the etcd snapshot bucket. */
  readonly copy: SnapshotBucket;
  /** The standby region's key, which encrypts the copy and the token's copy. */
  readonly key: StackKey;
  /**
   * The cluster token as production's parameter holds it: its `value` attribute (a reference), so the copy follows
   * a rotation whatever wrote it (the parameter ignores changes of its value; a refresh reads the rotated one).
   */
  readonly token: string;
  /** The deployment's SSM path (`/<name>/<stack id>`): the copy is `<parameterPath>/standby-token` in the standby region. */
  readonly parameterPath: string;
  /** The identities that run Terraform (a Terraform list, BootParameters.deployerArns): they write and refresh the copy. */
  readonly deployerArns: string[];
}

/**
 * What makes the standby's etcd snapshot copies restorable without production's region (issue 91 item 6;
 * docs/development/etcd-break-glass.md): the cluster token in an SSM SecureString of the standby region under the
 * copies' key, written by Terraform from production's parameter and by `rotate token` with it; and a role made by
 * production's apply (IAM is global: before any outage), `<name>-<stack id>-etcd-break-glass`, that the account's
 * principals whom IAM allows may assume (the account root trusted: their own policies decide), allowed only to list
 * and read the copy, decrypt it through S3 there, and read the token's copy. The copies' key grants it that use and
 * nothing else; the deployers encrypt and decrypt the token's copy, through SSM there, for that parameter only.
 */
export class EtcdBreakGlass extends Construct {
  /** The break-glass role. */
  readonly role: IamRole;
  /** The token's copy in the standby region. */
  readonly parameter: SsmParameter;

  constructor(scope: Construct, id: string, props: EtcdBreakGlassProps) {
    super(scope, id);
    const { provider, copy, key } = props;
    const partition = stackPartition(this).partition;
    const account = stackAccount(this).accountId;
    const suffix = PARTITION_DNS_SUFFIXES[partitionOf(props.standbyRegion)];
    const name = `${props.parameterPath}${STANDBY_TOKEN_PARAMETER}`;
    // Built, not the parameter's `arn`: the key's policy names it, and the parameter names the key.
    const parameterArn = `arn:${partition}:ssm:${props.standbyRegion}:${account}:parameter${name}`;
    const viaS3 = { test: 'StringEquals', variable: 'kms:ViaService', values: [`s3.${props.standbyRegion}.${suffix}`] };
    const viaSsm = { test: 'StringEquals', variable: 'kms:ViaService', values: [`ssm.${props.standbyRegion}.${suffix}`] };
    // S3 asks KMS with the bucket's ARN (a Bucket Key) or the object's (without one): both, as the replication's grant.
    const ofCopy = { test: 'StringLike', variable: 'kms:EncryptionContext:aws:s3:arn', values: [copy.arn, `${copy.arn}/*`] };
    // SSM encrypts a SecureString with the parameter's ARN as encryption context (PARAMETER_ARN).
    const ofParameter = { test: 'StringEquals', variable: 'kms:EncryptionContext:PARAMETER_ARN', values: [parameterArn] };

    const trust = new DataAwsIamPolicyDocument(this, 'trust', {
      statement: [{ actions: ['sts:AssumeRole'], principals: [{ type: 'AWS', identifiers: [`arn:${partition}:iam::${account}:root`] }] }],
    });
    this.role = new IamRole(this, 'role', {
      name: `${props.name}${ETCD_BREAK_GLASS_ROLE_SUFFIX}`,
      path: ROLE_PATH,
      description: `Break glass: reads ${props.name}'s etcd snapshot copies and cluster token in ${props.standbyRegion} (docs/recover.md)`,
      assumeRolePolicy: trust.json,
      maxSessionDuration: 3600,
    });
    const permissions = new DataAwsIamPolicyDocument(this, 'permissions', {
      statement: [
        { sid: 'ListEtcdCopy', actions: ['s3:ListBucket'], resources: [copy.arn] },
        { sid: 'ReadEtcdCopy', actions: ['s3:GetObject'], resources: [`${copy.arn}/*`] },
        { sid: 'DecryptEtcdCopy', actions: ['kms:Decrypt'], resources: [key.arn], condition: [viaS3, ofCopy] },
        { sid: 'ReadToken', actions: ['ssm:GetParameter'], resources: [parameterArn] },
        { sid: 'DecryptToken', actions: ['kms:Decrypt'], resources: [key.arn], condition: [viaSsm, ofParameter] },
      ],
    });
    new IamRolePolicy(this, 'role-policy', { name: 'etcd-break-glass', role: this.role.id, policy: permissions.json });

    key.grant({
      sid: 'BreakGlassReadsEtcdCopy',
      principals: [{ type: 'AWS', identifiers: [this.role.arn] }],
      actions: ['kms:Decrypt'],
      resources: ['*'],
      condition: [viaS3, ofCopy],
    });
    key.grant({
      sid: 'BreakGlassReadsToken',
      principals: [{ type: 'AWS', identifiers: [this.role.arn] }],
      actions: ['kms:Decrypt'],
      resources: ['*'],
      condition: [viaSsm, ofParameter],
    });
    key.grant({
      sid: 'DeployersWriteToken',
      principals: [{ type: 'AWS', identifiers: props.deployerArns }],
      // A standard parameter is encrypted with Encrypt; Terraform's refresh and `rotate token`'s check decrypt it.
      actions: ['kms:Encrypt', 'kms:Decrypt'],
      resources: ['*'],
      condition: [viaSsm, ofParameter],
    });

    this.parameter = new SsmParameter(this, 'token', {
      provider,
      name,
      type: 'SecureString',
      keyId: key.arn,
      tier: 'Standard',
      // No ignore_changes: production's parameter's value, as a refresh reads it, is what this one holds; a rotation
      // writes both (cli/rotate/rotate.ts), and an apply after one stopped between the two writes this one again.
      value: props.token,
      description: `${props.name}'s cluster token, for a restore of the etcd snapshot copies in ${props.standbyRegion} (docs/recover.md)`,
    });
  }
}
