import { ClusterRoleBindingV1 } from '@cdktf/provider-kubernetes/lib/cluster-role-binding-v1';
import { ClusterRoleV1 } from '@cdktf/provider-kubernetes/lib/cluster-role-v1';
import { DeploymentV1 } from '@cdktf/provider-kubernetes/lib/deployment-v1';
import { NamespaceV1 } from '@cdktf/provider-kubernetes/lib/namespace-v1';
import { RoleBindingV1 } from '@cdktf/provider-kubernetes/lib/role-binding-v1';
import { RoleV1 } from '@cdktf/provider-kubernetes/lib/role-v1';
import { ServiceAccountV1 } from '@cdktf/provider-kubernetes/lib/service-account-v1';
import type { ITerraformDependable } from 'cdktf';
import { Construct } from 'constructs';
import { annotationPaths, RANCHER_NAMESPACE_ANNOTATIONS } from '../cluster-writes';
import { imageRef } from '../image-ref';
import { SYSTEM_UPGRADE_CONTROLLER, SYSTEM_UPGRADE_NAMESPACE, SYSTEM_UPGRADE_SERVICE_ACCOUNT } from './upgrade-plan';

export interface SystemUpgradeControllerProps {
  /** The Kubernetes API answers. */
  readonly dependsOn: ITerraformDependable[];
  /** Registry prefix of the controller's and the Jobs' kubectl image (`airGap.systemDefaultRegistry`). */
  readonly registry?: string;
  /** Seconds one node's upgrade Job may run (the controller's default for Plans that do not say). */
  readonly jobDeadlineSeconds: number;
}

const NAME = 'system-upgrade-controller';
/** The Lease a server holds while it restarts to renew its certificates (cert-renewal.sh); the prepare step reads it. */
export const SERVER_RESTART_LEASE = 'rancher-aws-server-restart';
/** The pod label the controller finds itself by; its upgrade Jobs never drain pods carrying it. */
const CONTROLLER_LABEL = { 'upgrade.cattle.io/controller': NAME };

/**
 * The system-upgrade-controller at its pinned release, from typed Kubernetes
 * resources (the objects of the upstream manifests, written out here): every
 * one exists at plan time, and the controller registers the Plan CRD itself
 * when it starts. Its upgrade Jobs are privileged (host PID, the host's root
 * mounted): the namespace admits privileged pods, and nothing else runs there.
 */
export class SystemUpgradeController extends Construct {
  readonly namespace: NamespaceV1;
  /** What a Plan needs before it is applied: the controller running with its permissions. */
  readonly ready: ITerraformDependable[];

  constructor(scope: Construct, id: string, props: SystemUpgradeControllerProps) {
    super(scope, id);
    this.namespace = new NamespaceV1(this, 'namespace', {
      metadata: { name: SYSTEM_UPGRADE_NAMESPACE, labels: { 'pod-security.kubernetes.io/enforce': 'privileged' } },
      dependsOn: props.dependsOn,
      // Rancher marks every namespace of its cluster (cluster-writes.ts). It is not one of Rancher's system namespaces
      // (rancher v2.14.3 pkg/settings/setting.go), so no project labels arrive; the Pod Security label stays managed.
      lifecycle: { ignoreChanges: annotationPaths(RANCHER_NAMESPACE_ANNOTATIONS) },
    });
    const namespace = this.namespace.metadata.name;
    const account = new ServiceAccountV1(this, 'service-account', { metadata: { name: SYSTEM_UPGRADE_SERVICE_ACCOUNT, namespace } });
    const subject = [{ kind: 'ServiceAccount', name: account.metadata.name, namespace }];

    // The controller: watches Plans, labels nodes, registers its CRD, runs Jobs in its namespace.
    const controller = new ClusterRoleV1(this, 'cluster-role', {
      metadata: { name: NAME },
      rule: [
        { apiGroups: ['batch'], resources: ['jobs'], verbs: ['get', 'list', 'watch'] },
        {
          apiGroups: ['apiextensions.k8s.io'],
          resources: ['customresourcedefinitions'],
          verbs: ['get', 'list', 'watch', 'create', 'patch', 'update'],
        },
        { apiGroups: [''], resources: ['namespaces', 'nodes'], verbs: ['get', 'list', 'watch'] },
        { apiGroups: [''], resources: ['nodes'], verbs: ['update'] },
        { apiGroups: [''], resources: ['events'], verbs: ['get', 'create', 'patch', 'update'] },
        { apiGroups: ['coordination.k8s.io'], resources: ['leases'], verbs: ['create'] },
        { apiGroups: ['coordination.k8s.io'], resources: ['leases'], resourceNames: [NAME], verbs: ['get', 'update'] },
        {
          apiGroups: ['upgrade.cattle.io'],
          resources: ['plans', 'plans/status'],
          verbs: ['get', 'list', 'watch', 'create', 'patch', 'update', 'delete'],
        },
      ],
      dependsOn: props.dependsOn,
    });
    // The upgrade Jobs (same account): cordon the node, and evict pods where a Plan drains.
    const drainer = new ClusterRoleV1(this, 'drainer-cluster-role', {
      metadata: { name: `${NAME}-drainer` },
      rule: [
        { apiGroups: [''], resources: ['pods/eviction'], verbs: ['create'] },
        { apiGroups: [''], resources: ['pods'], verbs: ['get', 'list', 'delete'] },
        { apiGroups: [''], resources: ['nodes'], verbs: ['get', 'patch'] },
        { apiGroups: ['apps'], resources: ['statefulsets', 'daemonsets', 'replicasets'], verbs: ['get', 'list'] },
      ],
      dependsOn: props.dependsOn,
    });
    const bindings: ITerraformDependable[] = [controller, drainer].map(
      (role, i) =>
        new ClusterRoleBindingV1(this, i === 0 ? 'cluster-role-binding' : 'drainer-cluster-role-binding', {
          metadata: { name: role.metadata.name },
          roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: role.metadata.name },
          subject,
        }),
    );
    const jobs = new RoleV1(this, 'role', {
      metadata: { name: NAME, namespace },
      rule: [
        { apiGroups: ['batch'], resources: ['jobs'], verbs: ['create', 'delete', 'deletecollection', 'patch', 'update', 'get', 'list', 'watch'] },
        { apiGroups: [''], resources: ['secrets'], verbs: ['get', 'list', 'watch'] },
      ],
    });
    bindings.push(
      new RoleBindingV1(this, 'role-binding', {
        metadata: { name: NAME, namespace },
        roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: jobs.metadata.name },
        subject,
      }),
    );
    // The Plan's prepare step (same account) waits while a server restarts for its certificates: it reads that one Lease.
    const lease = new RoleV1(this, 'restart-lease-role', {
      metadata: { name: `${NAME}-restart-lease`, namespace: 'kube-system' },
      rule: [{ apiGroups: ['coordination.k8s.io'], resources: ['leases'], resourceNames: [SERVER_RESTART_LEASE], verbs: ['get'] }],
      dependsOn: props.dependsOn,
    });
    bindings.push(
      new RoleBindingV1(this, 'restart-lease-role-binding', {
        metadata: { name: lease.metadata.name, namespace: 'kube-system' },
        roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: lease.metadata.name },
        subject,
      }),
    );

    const env: Record<string, string> = {
      SYSTEM_UPGRADE_CONTROLLER_DEBUG: 'false',
      SYSTEM_UPGRADE_CONTROLLER_THREADS: '2',
      SYSTEM_UPGRADE_CONTROLLER_LEADER_ELECT: 'true',
      SYSTEM_UPGRADE_JOB_ACTIVE_DEADLINE_SECONDS: String(props.jobDeadlineSeconds),
      SYSTEM_UPGRADE_JOB_BACKOFF_LIMIT: '99',
      SYSTEM_UPGRADE_JOB_IMAGE_PULL_POLICY: 'IfNotPresent',
      SYSTEM_UPGRADE_JOB_KUBECTL_IMAGE: imageRef(SYSTEM_UPGRADE_CONTROLLER.kubectlImage, props.registry),
      SYSTEM_UPGRADE_JOB_PRIVILEGED: 'true',
      SYSTEM_UPGRADE_JOB_TTL_SECONDS_AFTER_FINISH: '900',
      SYSTEM_UPGRADE_PLAN_POLLING_INTERVAL: '15m',
    };
    const fromField = (name: string, fieldPath: string) => ({ name, valueFrom: { fieldRef: { fieldPath } } });
    const deployment = new DeploymentV1(this, 'deployment', {
      metadata: { name: NAME, namespace },
      spec: {
        replicas: '1',
        strategy: { type: 'Recreate' },
        selector: { matchLabels: CONTROLLER_LABEL },
        template: {
          metadata: { labels: { ...CONTROLLER_LABEL, 'app.kubernetes.io/name': NAME } },
          spec: {
            serviceAccountName: account.metadata.name,
            affinity: {
              nodeAffinity: {
                requiredDuringSchedulingIgnoredDuringExecution: {
                  nodeSelectorTerm: [{ matchExpressions: [{ key: 'node-role.kubernetes.io/control-plane', operator: 'Exists' }] }],
                },
              },
            },
            toleration: [
              { key: 'CriticalAddonsOnly', operator: 'Exists' },
              { key: 'node-role.kubernetes.io/control-plane', operator: 'Exists', effect: 'NoSchedule' },
              { key: 'node-role.kubernetes.io/etcd', operator: 'Exists', effect: 'NoExecute' },
            ],
            container: [
              {
                name: NAME,
                image: imageRef(SYSTEM_UPGRADE_CONTROLLER.image, props.registry),
                imagePullPolicy: 'IfNotPresent',
                env: [
                  ...Object.entries(env).map(([name, value]) => ({ name, value })),
                  fromField('SYSTEM_UPGRADE_CONTROLLER_NAME', "metadata.labels['upgrade.cattle.io/controller']"),
                  fromField('SYSTEM_UPGRADE_CONTROLLER_NAMESPACE', 'metadata.namespace'),
                  fromField('SYSTEM_UPGRADE_CONTROLLER_NODE_NAME', 'spec.nodeName'),
                ],
                securityContext: {
                  runAsNonRoot: true,
                  runAsUser: '65534',
                  runAsGroup: '65534',
                  allowPrivilegeEscalation: false,
                  seccompProfile: { type: 'RuntimeDefault' },
                  capabilities: { drop: ['ALL'] },
                },
                resources: { requests: { cpu: '10m', memory: '32Mi' }, limits: { memory: '256Mi' } },
                volumeMount: [{ name: 'tmp', mountPath: '/tmp' }],
              },
            ],
            volume: [{ name: 'tmp', emptyDir: {} }],
          },
        },
      },
      dependsOn: bindings,
    });
    this.ready = [deployment, ...bindings];
  }
}
