import { DataAwsEksCluster } from '@cdktn/provider-aws/lib/data-aws-eks-cluster';
import { DataAwsIamOpenidConnectProvider } from '@cdktn/provider-aws/lib/data-aws-iam-openid-connect-provider';
import { DataAwsIamPolicyDocument, type DataAwsIamPolicyDocumentStatement } from '@cdktn/provider-aws/lib/data-aws-iam-policy-document';
import { EksPodIdentityAssociation } from '@cdktn/provider-aws/lib/eks-pod-identity-association';
import { IamRole } from '@cdktn/provider-aws/lib/iam-role';
import { IamRolePolicy } from '@cdktn/provider-aws/lib/iam-role-policy';
import { Fn } from 'cdktf';
import { Construct } from 'constructs';
import { backupStatements, type BackupWriterProps } from './backup-writer';

/** How EKS gives a pod's service account a role: IAM roles for service accounts, or EKS Pod Identity. */
export type EksIdentityMechanism = 'irsa' | 'pod-identity';

/** The annotation EKS's pod identity webhook reads on a service account (IRSA): the role to inject for its pods. */
export const IRSA_ROLE_ANNOTATION = 'eks.amazonaws.com/role-arn';
/** The address EKS's Pod Identity Agent answers on, in every pod's network (the webhook's `AWS_CONTAINER_CREDENTIALS_FULL_URI`). */
export const POD_IDENTITY_AGENT_ADDRESS = '169.254.170.23';
/** The audience EKS's webhook projects IRSA tokens for, in every partition. */
const IRSA_AUDIENCE = 'sts.amazonaws.com';

/** The role's name, the EKS cluster and service account it trusts, and the buckets it writes and reads. */
export interface BackupServiceAccountRoleProps extends Pick<BackupWriterProps, 'bucket' | 'restoreBucket'> {
  /** The deployment's prefix: the role is `<name>-rancher-backup`. */
  readonly name: string;
  /** The EKS cluster the operator runs on. */
  readonly clusterName: string;
  /** How EKS hands the role to the service account: IRSA or Pod Identity. */
  readonly mechanism: EksIdentityMechanism;
  /** The operator's namespace and service account: the only identity the role trusts. */
  readonly namespace: string;
  /** The operator's service account's name. */
  readonly serviceAccount: string;
}

/** Who a role trusts: one service account of one EKS cluster, through IRSA or Pod Identity. */
export interface ServiceAccountTrustProps {
  readonly clusterName: string;
  readonly mechanism: EksIdentityMechanism;
  readonly namespace: string;
  readonly serviceAccount: string;
  /** The trust statement's sid. */
  readonly sid: string;
}

/**
 * The trust of a role that only `namespace/serviceAccount` of the EKS cluster may assume, and the cluster read at plan
 * time (construct ids `cluster` and, for IRSA, `oidc-provider`, under `scope`). `irsa`: the cluster's IAM OIDC
 * provider, `sts:AssumeRoleWithWebIdentity` with the token's `sub` the service account and its `aud` STS.
 * `pod-identity`: EKS's Pod Identity service, the session tags EKS sets required to name this cluster, namespace and
 * service account (without them any association of the account could name the role).
 */
export function serviceAccountTrust(
  scope: Construct,
  props: ServiceAccountTrustProps,
): { readonly cluster: DataAwsEksCluster; readonly statement: DataAwsIamPolicyDocumentStatement[] } {
  const cluster = new DataAwsEksCluster(scope, 'cluster', { name: props.clusterName });
  const subject = `system:serviceaccount:${props.namespace}:${props.serviceAccount}`;
  if (props.mechanism === 'irsa') {
    const issuer = cluster.identity.get(0).oidc.get(0).issuer;
    const provider = new DataAwsIamOpenidConnectProvider(scope, 'oidc-provider', { url: issuer });
    // The condition keys are the issuer without its scheme (IAM's key for an OIDC provider's claims).
    const claim = (name: string) => `${Fn.replace(issuer, 'https://', '')}:${name}`;
    return {
      cluster,
      statement: [
        {
          sid: props.sid,
          actions: ['sts:AssumeRoleWithWebIdentity'],
          principals: [{ type: 'Federated', identifiers: [provider.arn] }],
          condition: [
            { test: 'StringEquals', variable: claim('sub'), values: [subject] },
            { test: 'StringEquals', variable: claim('aud'), values: [IRSA_AUDIENCE] },
          ],
        },
      ],
    };
  }
  return {
    cluster,
    statement: [
      {
        sid: props.sid,
        actions: ['sts:AssumeRole', 'sts:TagSession'],
        principals: [{ type: 'Service', identifiers: ['pods.eks.amazonaws.com'] }],
        condition: [
          { test: 'StringEquals', variable: 'aws:RequestTag/eks-cluster-arn', values: [cluster.arn] },
          { test: 'StringEquals', variable: 'aws:RequestTag/kubernetes-namespace', values: [props.namespace] },
          { test: 'StringEquals', variable: 'aws:RequestTag/kubernetes-service-account', values: [props.serviceAccount] },
        ],
      },
    ],
  };
}

/**
 * The identity the rancher-backup operator writes with on EKS (`backups.credentials: irsa | pod-identity`): a role
 * holding the writer's grants (list the bucket, read, write and delete current objects under the backups' folder),
 * which only the operator's service account of that one cluster can assume. No IAM user, no key: EKS hands the pod
 * hour-long credentials, which the operator's S3 client asks for itself when its storage location names no
 * credential Secret (docs/design-notes.md, "Rancher backups").
 *
 * `irsa`: trust on the cluster's IAM OIDC provider (read at plan time: the plan fails while the cluster has none),
 * `sts:AssumeRoleWithWebIdentity` with the token's `sub` equal to the service account and its `aud` to STS; the
 * chart annotates the service account with the role (`serviceAccountAnnotations`). `pod-identity`: trust on EKS's
 * Pod Identity service, with the session tags EKS sets required to name this cluster, namespace and service
 * account, and an association of the service account with the role.
 */
export class BackupServiceAccountRole extends Construct {
  /** The role, trusting only the operator's service account on that cluster. */
  readonly role: IamRole;
  /** The writer's grants on the bucket, as the role's inline policy. */
  readonly policy: IamRolePolicy;
  /** With `pod-identity`: what must exist before the operator's pod starts (EKS's webhook reads it at pod creation). */
  readonly association?: EksPodIdentityAssociation;
  private readonly mechanism: EksIdentityMechanism;

  constructor(scope: Construct, id: string, props: BackupServiceAccountRoleProps) {
    super(scope, id);
    this.mechanism = props.mechanism;
    const { cluster, statement } = serviceAccountTrust(this, { ...props, sid: 'OperatorServiceAccount' });
    const trust = new DataAwsIamPolicyDocument(this, 'trust', { statement });
    this.role = new IamRole(this, 'role', {
      name: `${props.name}-rancher-backup`,
      path: '/rancher-ha-aws/',
      assumeRolePolicy: trust.json,
      maxSessionDuration: 3600,
    });
    const grants = new DataAwsIamPolicyDocument(this, 'policy-document', { statement: backupStatements(this, props) });
    this.policy = new IamRolePolicy(this, 'policy', { role: this.role.id, name: 'rancher-backups', policy: grants.json });
    if (props.mechanism === 'pod-identity') {
      this.association = new EksPodIdentityAssociation(this, 'association', {
        clusterName: cluster.name,
        namespace: props.namespace,
        serviceAccount: props.serviceAccount,
        roleArn: this.role.arn,
      });
    }
  }

  /** The operator's service account annotations: the role for IRSA, none for Pod Identity (the association names it). */
  serviceAccountAnnotations(): Record<string, string> {
    return this.mechanism === 'irsa' ? { [IRSA_ROLE_ANNOTATION]: this.role.arn } : {};
  }
}
