import { ClusterRoleBindingV1 } from '@cdktf/provider-kubernetes/lib/cluster-role-binding-v1';
import { ClusterRoleV1 } from '@cdktf/provider-kubernetes/lib/cluster-role-v1';
import { JobV1 } from '@cdktf/provider-kubernetes/lib/job-v1';
import { ServiceAccountV1 } from '@cdktf/provider-kubernetes/lib/service-account-v1';
import type { ITerraformDependable } from 'cdktf';
import { Construct } from 'constructs';
import { imageRef } from '../kubernetes/image-ref';
import { SHELL_IMAGE } from '../kubernetes/readiness-gates';
import { escapeTemplate, literal } from '../common/terraform-template';
import BACKUP_OBJECTS from './backup-objects.sh';

const NAME = 'rancher-aws-backup-objects';
/** The Job outlives its script's budget by this much, and Terraform's wait the Job's by as much again. */
const GRACE_SECONDS = 60;

export interface BackupObjectJobsProps {
  /** The operator's namespace (a reference: the Jobs wait for it). */
  readonly namespace: string;
  /** `airGap.systemDefaultRegistry`: the image comes from there. */
  readonly registry?: string;
  readonly dependsOn: ITerraformDependable[];
}

/**
 * Jobs that apply one Backup or Restore each and wait until the operator has
 * done it (backup-objects.sh): the objects' CRDs come with the operator in the
 * same apply, so they cannot be Terraform resources of their own. The image is
 * the readiness gates' (bash and kubectl, mirrored with Rancher's). Its
 * service account may read, create and change Backups and Restores, nothing
 * else; the objects stay when a Job is deleted (they are the operator's).
 */
export class BackupObjectJobs extends Construct {
  private readonly serviceAccount: ServiceAccountV1;
  private readonly access: ITerraformDependable[];
  private readonly namespace: string;
  private readonly image: string;

  constructor(scope: Construct, id: string, props: BackupObjectJobsProps) {
    super(scope, id);
    this.namespace = props.namespace;
    this.image = imageRef(SHELL_IMAGE, props.registry);
    this.serviceAccount = new ServiceAccountV1(this, 'service-account', { metadata: { name: NAME, namespace: props.namespace }, dependsOn: props.dependsOn });
    const role = new ClusterRoleV1(this, 'cluster-role', {
      metadata: { name: NAME },
      rule: [{ apiGroups: ['resources.cattle.io'], resources: ['backups', 'restores'], verbs: ['get', 'create', 'patch'] }],
      dependsOn: props.dependsOn,
    });
    const binding = new ClusterRoleBindingV1(this, 'cluster-role-binding', {
      metadata: { name: NAME },
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: role.metadata.name },
      subject: [{ kind: 'ServiceAccount', name: this.serviceAccount.metadata.name, namespace: props.namespace }],
    });
    this.access = [this.serviceAccount, binding];
  }

  /**
   * A Job `rancher-aws-<id>` that applies `object` and waits, `minutes` at most, until the operator reports it
   * Completed. A change of the object replaces the Job (its environment), which applies the change.
   */
  apply(id: string, props: { readonly object: Record<string, any>; readonly minutes: number; readonly dependsOn?: ITerraformDependable[] }): JobV1 {
    const budget = props.minutes * 60;
    const resource = `${String(props.object.kind).toLowerCase()}s.resources.cattle.io`;
    return new JobV1(this, id, {
      metadata: { name: `rancher-aws-${id}`, namespace: this.namespace, labels: { 'app.kubernetes.io/name': NAME } },
      spec: {
        backoffLimit: 0,
        activeDeadlineSeconds: budget + GRACE_SECONDS,
        template: {
          metadata: { labels: { 'app.kubernetes.io/name': NAME } },
          spec: {
            serviceAccountName: this.serviceAccount.metadata.name,
            restartPolicy: 'Never',
            securityContext: { runAsNonRoot: true, runAsUser: '1000', seccompProfile: { type: 'RuntimeDefault' } },
            container: [
              {
                name: 'apply',
                image: this.image,
                command: ['bash', '-c', escapeTemplate(BACKUP_OBJECTS)],
                env: [
                  // kubectl keeps a discovery cache under $HOME.
                  { name: 'HOME', value: '/tmp' },
                  { name: 'DEADLINE_SECONDS', value: String(budget) },
                  { name: 'RESOURCE', value: resource },
                  { name: 'NAME', value: literal(String(props.object.metadata.name)) },
                  // The bucket's name is a reference; every other string arrives as written.
                  { name: 'OBJECT', value: literal(JSON.stringify(props.object)) },
                ],
                resources: { requests: { cpu: '10m', memory: '32Mi' }, limits: { memory: '128Mi' } },
                securityContext: { allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, capabilities: { drop: ['ALL'] } },
                volumeMount: [{ name: 'tmp', mountPath: '/tmp' }],
              },
            ],
            volume: [{ name: 'tmp', emptyDir: { sizeLimit: '16Mi' } }],
          },
        },
      },
      waitForCompletion: true,
      timeouts: { create: `${props.minutes + 2}m`, update: `${props.minutes + 2}m` },
      dependsOn: [...this.access, ...(props.dependsOn ?? [])],
    });
  }
}
