import { DataAwsIamPolicyDocument } from '@cdktn/provider-aws/lib/data-aws-iam-policy-document';
import { EksPodIdentityAssociation } from '@cdktn/provider-aws/lib/eks-pod-identity-association';
import { IamAccessKey } from '@cdktn/provider-aws/lib/iam-access-key';
import { IamRole } from '@cdktn/provider-aws/lib/iam-role';
import { IamRolePolicy } from '@cdktn/provider-aws/lib/iam-role-policy';
import { IamUser } from '@cdktn/provider-aws/lib/iam-user';
import { IamUserPolicy } from '@cdktn/provider-aws/lib/iam-user-policy';
import { CronJobV1, type CronJobV1SpecJobTemplateSpecTemplateSpecContainerEnv } from '@cdktf/provider-kubernetes/lib/cron-job-v1';
import { NamespaceV1 } from '@cdktf/provider-kubernetes/lib/namespace-v1';
import { RoleBindingV1 } from '@cdktf/provider-kubernetes/lib/role-binding-v1';
import { RoleV1 } from '@cdktf/provider-kubernetes/lib/role-v1';
import { SecretV1 } from '@cdktf/provider-kubernetes/lib/secret-v1';
import { ServiceAccountV1 } from '@cdktf/provider-kubernetes/lib/service-account-v1';
import type { ITerraformDependable } from 'cdktf';
import { Construct } from 'constructs';
import { stackAccount, stackPartition } from '../common/aws-context';
import { escapeTemplate } from '../common/terraform-template';
import { PINS } from '../config/pins';
import FAILOVER_FENCE from '../kubernetes/failover-fence.sh';
import { annotationPaths, RANCHER_NAMESPACE_ANNOTATIONS, RANCHER_SECRET_ANNOTATIONS } from '../kubernetes/cluster-writes';
import { imageRef } from '../kubernetes/image-ref';
import { SHELL_IMAGE } from '../kubernetes/readiness-gates';
import type { ChartProxy } from '../network/chart-proxy';
import { shellFunctions } from '../nodes/private/boot-files';
import { serviceAccountTrust, IRSA_ROLE_ANNOTATION, type EksIdentityMechanism } from '../rancher/backup-service-account-role';
import FENCE_GUARD from './fence-guard.sh';
import FENCE_GUARD_READ from './fence-guard-read.sh';
import { FAILOVER_FENCE_PARAMETER } from './standby-facts-keys';

/** The guard's name: its namespace, service account, Role, CronJob and (with an access key) IAM user's suffix. */
export const FENCE_GUARD_NAME = 'rancher-aws-failover-fence';
/** The AWS CLI's image (amazon/aws-cli, tagged with the CLI's version), which reads the fence. */
export const AWS_CLI_IMAGE = { repository: 'amazon/aws-cli', tag: PINS.awsCli.version } as const;
/** The line of rke-ha's script from which its decision is shared (failover-fence.sh). */
const DECISION_START = '[ "$FENCE" != unknown ] || exit 0';
/** Where the reader leaves what it saw, in the pod's shared emptyDir. */
const STATE_DIR = '/fence';

/**
 * The decision rke-ha's servers take on the fence (failover-fence.sh: its names, rancher_state, and its text from
 * DECISION_START to the end), for a script that has set FENCE, FENCE_PARAMETER, FENCE_REGION and defined kube and log.
 * Taken from the one file, so both act alike; failover-fence.sh's servers run it unchanged.
 */
export function fenceDecision(): string {
  const names = FAILOVER_FENCE.match(/^(NAMESPACE|DEPLOYMENT|FENCED_ANNOTATION)=.*$/gm) ?? [];
  const start = FAILOVER_FENCE.indexOf(`\n${DECISION_START}\n`);
  if (names.length !== 3 || start < 0) throw new Error('failover-fence.sh: its names or its decision are not where fenceDecision takes them');
  return [...names, '', shellFunctions(FAILOVER_FENCE, ['rancher_state']), FAILOVER_FENCE.slice(start + 1)].join('\n');
}

/** The guard's main container's script: fence-guard.sh, then the shared decision. */
export const FENCE_GUARD_SCRIPT = `${FENCE_GUARD}\n${fenceDecision()}`;

type ContainerEnv = CronJobV1SpecJobTemplateSpecTemplateSpecContainerEnv;

/** How the guard's pods get AWS credentials: an IAM user's key of their own, or a role EKS hands their service account. */
export type FenceGuardIdentity =
  { readonly kind: 'accessKey' } | { readonly kind: 'eks'; readonly clusterName: string; readonly mechanism: EksIdentityMechanism };

export interface FailoverFenceGuardProps {
  /** The deployment's prefix: the IAM user or role is `<name>-failover-fence`. */
  readonly name: string;
  /** The standby region, where the fence is read. */
  readonly standbyRegion: string;
  /** The deployment's SSM path (`/<name>/<stack id>`): the fence is `<parameterPath>/failover-fence`. */
  readonly parameterPath: string;
  readonly identity: FenceGuardIdentity;
  /** `airGap.systemDefaultRegistry`: both images come from there. */
  readonly registry?: string;
  /** The outbound proxy the AWS CLI reaches SSM through (`proxy`). */
  readonly proxy?: ChartProxy;
  /** Rancher's namespace (a reference: the Role waits for it). */
  readonly rancherNamespace: string;
  /** The cluster's API answering. */
  readonly dependsOn: ITerraformDependable[];
}

/**
 * k8s-ha's side of the failover's fence (docs/development/standby-trust.md, "The fence"): production's cluster is the
 * person's, so a CronJob there does what rke-ha's servers' timer does. Every minute a pod reads the fence in the
 * standby region with the AWS CLI (an init container: set, absent, or unknown) and applies rke-ha's decision
 * (fenceDecision) with kubectl: Rancher kept at 0 replicas while the fence is set, given back its replicas when it is
 * gone, left as it is when SSM does not answer.
 *
 * In a namespace of its own, which Rancher's resource set does not select (`^cattle-` namespaces' service accounts and
 * Secrets would be in Rancher's backups and pruned by a restore), except the Role and its binding, which must be in
 * cattle-system: get and patch on the Deployment `rancher` and its scale, by name, nothing else. Its AWS identity is
 * its own, whatever the backups use: `ssm:GetParameter` on the fence's one ARN and nothing more (the operator's
 * identity may write the backups, and may not exist: backups off): an IAM user with a key in a Secret of the guard's
 * namespace (`backups.credentials` accessKey or servers), or a role trusted for the guard's service account alone
 * (irsa, pod-identity with its association).
 */
export class FailoverFenceGuard extends Construct {
  readonly cronJob: CronJobV1;

  constructor(scope: Construct, id: string, props: FailoverFenceGuardProps) {
    super(scope, id);
    const fence = `${props.parameterPath}${FAILOVER_FENCE_PARAMETER}`;
    const partition = stackPartition(this).partition;
    const account = stackAccount(this).accountId;
    const grant = new DataAwsIamPolicyDocument(this, 'policy-document', {
      statement: [
        {
          sid: 'FailoverFence',
          actions: ['ssm:GetParameter'],
          resources: [`arn:${partition}:ssm:${props.standbyRegion}:${account}:parameter${fence}`],
        },
      ],
    });
    const iamName = `${props.name}-failover-fence`;
    const namespace = new NamespaceV1(this, 'namespace', {
      metadata: { name: FENCE_GUARD_NAME, labels: { 'pod-security.kubernetes.io/enforce': 'restricted' } },
      dependsOn: props.dependsOn,
      // Rancher's namespace controller marks every namespace of its cluster (cluster-writes.ts).
      lifecycle: { ignoreChanges: annotationPaths(RANCHER_NAMESPACE_ANNOTATIONS) },
    });
    const ns = namespace.metadata.name;

    let annotations: Record<string, string> = {};
    let credentials: { readonly secret: SecretV1; readonly env: ContainerEnv[] } | undefined;
    const needs: ITerraformDependable[] = [];
    if (props.identity.kind === 'accessKey') {
      const user = new IamUser(this, 'user', { name: iamName, path: '/rancher-ha-aws/' });
      needs.push(new IamUserPolicy(this, 'user-policy', { user: user.name, name: 'failover-fence', policy: grant.json }));
      const key = new IamAccessKey(this, 'key', { user: user.name });
      const secret = new SecretV1(this, 'credentials', {
        metadata: { name: `${FENCE_GUARD_NAME}-aws`, namespace: ns },
        data: { AWS_ACCESS_KEY_ID: key.id, AWS_SECRET_ACCESS_KEY: key.secret },
        // Stamped by Rancher should someone move the namespace into a project (cluster-writes.ts).
        lifecycle: { ignoreChanges: annotationPaths(RANCHER_SECRET_ANNOTATIONS) },
      });
      const fromSecret = (name: string) => ({ name, valueFrom: { secretKeyRef: { name: secret.metadata.name, key: name } } });
      credentials = { secret, env: [fromSecret('AWS_ACCESS_KEY_ID'), fromSecret('AWS_SECRET_ACCESS_KEY')] };
      needs.push(secret);
    } else {
      const { mechanism, clusterName } = props.identity;
      const trust = serviceAccountTrust(this, {
        clusterName,
        mechanism,
        namespace: FENCE_GUARD_NAME,
        serviceAccount: FENCE_GUARD_NAME,
        sid: 'FenceGuard',
      });
      const role = new IamRole(this, 'role', {
        name: iamName,
        path: '/rancher-ha-aws/',
        assumeRolePolicy: new DataAwsIamPolicyDocument(this, 'trust', { statement: trust.statement }).json,
        maxSessionDuration: 3600,
      });
      needs.push(new IamRolePolicy(this, 'role-policy', { role: role.id, name: 'failover-fence', policy: grant.json }));
      if (mechanism === 'irsa') annotations = { [IRSA_ROLE_ANNOTATION]: role.arn };
      else
        // Before the pods: EKS's webhook reads the association when a pod is created.
        needs.push(
          new EksPodIdentityAssociation(this, 'association', {
            clusterName: trust.cluster.name,
            namespace: FENCE_GUARD_NAME,
            serviceAccount: FENCE_GUARD_NAME,
            roleArn: role.arn,
          }),
        );
    }

    const serviceAccount = new ServiceAccountV1(this, 'service-account', {
      metadata: { name: FENCE_GUARD_NAME, namespace: ns, annotations },
      automountServiceAccountToken: true,
    });
    // What the decision's kubectl calls need: get (its read, and annotate's and scale's lookups), patch (annotate), and
    // patch on the scale subresource (kubectl's scale command patches it blindly when given no precondition:
    // k8s.io/kubectl pkg/cmd/scale/scale.go).
    const role = new RoleV1(this, 'rancher-role', {
      metadata: { name: FENCE_GUARD_NAME, namespace: props.rancherNamespace },
      rule: [{ apiGroups: ['apps'], resources: ['deployments', 'deployments/scale'], resourceNames: ['rancher'], verbs: ['get', 'patch'] }],
      dependsOn: props.dependsOn,
    });
    const binding = new RoleBindingV1(this, 'rancher-role-binding', {
      metadata: { name: FENCE_GUARD_NAME, namespace: props.rancherNamespace },
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: role.metadata.name },
      subject: [{ kind: 'ServiceAccount', name: serviceAccount.metadata.name, namespace: ns }],
    });

    const env = [
      { name: 'HOME', value: '/tmp' },
      { name: 'FENCE_PARAMETER', value: fence },
      { name: 'FENCE_REGION', value: props.standbyRegion },
      { name: 'FENCE_STATE', value: `${STATE_DIR}/state` },
    ];
    const proxy = props.proxy
      ? [
          { name: 'HTTPS_PROXY', value: props.proxy.url },
          { name: 'NO_PROXY', value: props.proxy.noProxy.join(',') },
        ]
      : [];
    const container = (name: string, image: string, script: string, extra: ContainerEnv[]) => ({
      name,
      image,
      imagePullPolicy: 'IfNotPresent',
      command: ['bash', '-c', escapeTemplate(script)],
      env: [...env, ...extra],
      resources: { requests: { cpu: '10m', memory: '32Mi' }, limits: { memory: '128Mi' } },
      securityContext: { allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, capabilities: { drop: ['ALL'] } },
      volumeMount: [
        { name: 'tmp', mountPath: '/tmp' },
        { name: 'fence', mountPath: STATE_DIR },
      ],
    });
    const labels = { 'app.kubernetes.io/name': FENCE_GUARD_NAME };
    this.cronJob = new CronJobV1(this, 'cron-job', {
      metadata: { name: FENCE_GUARD_NAME, namespace: ns, labels },
      spec: {
        schedule: '* * * * *',
        concurrencyPolicy: 'Forbid',
        // A run missed by more than this is skipped; the next minute's runs. A run still going (Forbid) skips it too.
        startingDeadlineSeconds: 50,
        successfulJobsHistoryLimit: 1,
        failedJobsHistoryLimit: 1,
        jobTemplate: {
          metadata: { labels },
          spec: {
            backoffLimit: 0,
            // The reader's calls (3 attempts of 5 s to connect and 10 s to answer at most) and kubectl's three.
            activeDeadlineSeconds: 110,
            ttlSecondsAfterFinished: '300',
            template: {
              metadata: { labels },
              spec: {
                serviceAccountName: serviceAccount.metadata.name,
                restartPolicy: 'Never',
                securityContext: { runAsNonRoot: true, runAsUser: '1000', seccompProfile: { type: 'RuntimeDefault' } },
                initContainer: [
                  container('read', imageRef(AWS_CLI_IMAGE, props.registry), FENCE_GUARD_READ, [...(credentials?.env ?? []), ...proxy]),
                ],
                container: [container('guard', imageRef(SHELL_IMAGE, props.registry), FENCE_GUARD_SCRIPT, [])],
                volume: [
                  { name: 'tmp', emptyDir: { sizeLimit: '16Mi' } },
                  { name: 'fence', emptyDir: { sizeLimit: '1Mi' } },
                ],
              },
            },
          },
        },
      },
      dependsOn: [binding, serviceAccount, ...needs],
    });
  }
}
