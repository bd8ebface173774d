import type { Release } from '@cdktf/provider-helm/lib/release';
import { ClusterRoleBindingV1 } from '@cdktf/provider-kubernetes/lib/cluster-role-binding-v1';
import { ClusterRoleV1 } from '@cdktf/provider-kubernetes/lib/cluster-role-v1';
import { RoleBindingV1 } from '@cdktf/provider-kubernetes/lib/role-binding-v1';
import { RoleV1 } from '@cdktf/provider-kubernetes/lib/role-v1';
import { ServiceAccountV1 } from '@cdktf/provider-kubernetes/lib/service-account-v1';
import type { ITerraformDependable } from 'cdktf';
import { Construct } from 'constructs';
import { chartJob, chartJobRelease, gateChart, jobName } from '../kubernetes/gate-chart';
import { imageRef } from '../kubernetes/image-ref';
import { SHELL_IMAGE } from '../kubernetes/readiness-gates';
import { BACKUP_NAMESPACE, type OperatorObject } from './backup-objects';
import BACKUP_OBJECTS from './backup-objects.sh';
import { RANCHER_NAMESPACE } from './namespace';
import RESTORE_DISARM from './restore-disarm.sh';

const NAME = 'rancher-aws-backup-objects';
/** The identity of the Jobs that may also delete Secrets of the namespace (a migration's Restore). */
const CLEANUP_NAME = 'rancher-aws-backup-cleanup';
/** The identity of a drill's Restore (restore-disarm.sh), and the name of its hold on pods. */
export const DISARM_NAME = 'rancher-aws-restore-disarm';
/**
 * The namespaces of the Deployments Rancher's full resource set carries (rancher-backup 109.0.7+up10.0.8,
 * `files/default/basic-resourceset-contents`: the aks, ali, eks and gke config operators in cattle-system, Elemental's,
 * rancher-operator's, Fleet's and gitjob), as a CEL regular expression: a drill's Restore holds their pods.
 */
export const HELD_NAMESPACES = '^(cattle-system|cattle-elemental-system|rancher-operator-system|cattle-fleet-.*|fleet-.*)$';

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
 * same apply, so they cannot be Terraform resources of their own. Each Job is
 * the one object of a Helm release of the readiness gates' chart
 * (gate-chart.ts), for the same reason as the gates: Helm's wait reads through
 * a transient API error where the kubernetes provider's Job wait failed the
 * apply. The image is the readiness gates' (bash and kubectl, mirrored with
 * Rancher's). Its service account may read, create and change Backups and
 * Restores, nothing else; a Job that removes Secrets after its object (a
 * migration's Restore) runs as a second one that may also list and delete the
 * namespace's Secrets. The objects stay when a Job or its release is deleted
 * (they are the operator's: no owner reference ties them to the Job).
 */
export class BackupObjectJobs extends Construct {
  private readonly serviceAccount: ServiceAccountV1;
  private readonly access: ITerraformDependable[];
  private readonly roles: { readonly cluster: string; readonly events: string };
  private readonly dependsOn: ITerraformDependable[];
  /** The cleanup identity and its grants, made with the first Job that removes Secrets. */
  private cleanupAccess?: ITerraformDependable[];
  /** A drill's Restore identity and its grants. */
  private disarmAccess?: ITerraformDependable[];
  private readonly namespace: string;
  private readonly image: string;
  /** The gate chart as the module holds it (`${path.module}/assets/...`). */
  private readonly chart: string;

  constructor(scope: Construct, id: string, props: BackupObjectJobsProps) {
    super(scope, id);
    this.namespace = props.namespace;
    this.image = imageRef(SHELL_IMAGE, props.registry);
    this.serviceAccount = new ServiceAccountV1(this, 'service-account', {
      metadata: { name: NAME, namespace: props.namespace },
      dependsOn: props.dependsOn,
    });
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
    // A failed Job's last line, as an Event on the Job (job-failure.sh), in the operator's namespace only.
    const reporter = new RoleV1(this, 'role', {
      metadata: { name: NAME, namespace: props.namespace },
      rule: [{ apiGroups: [''], resources: ['events'], verbs: ['create'] }],
      dependsOn: props.dependsOn,
    });
    const reporterBinding = new RoleBindingV1(this, 'role-binding', {
      metadata: { name: NAME, namespace: props.namespace },
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: reporter.metadata.name },
      subject: [{ kind: 'ServiceAccount', name: this.serviceAccount.metadata.name, namespace: props.namespace }],
    });
    this.access = [this.serviceAccount, binding, reporterBinding];
    this.roles = { cluster: role.metadata.name, events: reporter.metadata.name };
    this.dependsOn = props.dependsOn;
    this.chart = gateChart(this);
  }

  /**
   * A service account of its own for the Jobs that delete Secrets, so the recurring Backup's Jobs never may: the
   * same grants as the others, and list and delete on the Secrets of the namespace (a Role cannot name Secrets by
   * prefix; the script picks them by name).
   */
  private cleanup(): ITerraformDependable[] {
    if (this.cleanupAccess) return this.cleanupAccess;
    const account = new ServiceAccountV1(this, 'cleanup-service-account', {
      metadata: { name: CLEANUP_NAME, namespace: this.namespace },
      dependsOn: this.dependsOn,
    });
    const subject = [{ kind: 'ServiceAccount', name: account.metadata.name, namespace: this.namespace }];
    const objects = new ClusterRoleBindingV1(this, 'cleanup-cluster-role-binding', {
      metadata: { name: CLEANUP_NAME },
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: this.roles.cluster },
      subject,
    });
    const events = new RoleBindingV1(this, 'cleanup-events-binding', {
      metadata: { name: `${CLEANUP_NAME}-events`, namespace: this.namespace },
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: this.roles.events },
      subject,
    });
    const secrets = new RoleV1(this, 'cleanup-role', {
      metadata: { name: CLEANUP_NAME, namespace: this.namespace },
      rule: [{ apiGroups: [''], resources: ['secrets'], verbs: ['list', 'delete'] }],
      dependsOn: this.dependsOn,
    });
    const secretsBinding = new RoleBindingV1(this, 'cleanup-role-binding', {
      metadata: { name: CLEANUP_NAME, namespace: this.namespace },
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: secrets.metadata.name },
      subject,
    });
    this.cleanupAccess = [account, objects, events, secretsBinding];
    return this.cleanupAccess;
  }

  /**
   * The identity of a drill's Restore (restore-disarm.sh): the Backup and Restore grants, and what its disarm needs
   * and nothing else: list and delete Secrets in every namespace (cloud credentials may be in any), create and delete
   * the hold's policy and binding (RBAC cannot name an object on create: the script names them), and create pods in
   * Rancher's namespace, for the server-side dry run that shows the hold in force (nothing is created). `after`: the
   * Job's own dependencies (Rancher's namespace among them).
   */
  private disarm(after: readonly ITerraformDependable[]): ITerraformDependable[] {
    if (this.disarmAccess) return this.disarmAccess;
    const account = new ServiceAccountV1(this, 'disarm-service-account', {
      metadata: { name: DISARM_NAME, namespace: this.namespace },
      dependsOn: this.dependsOn,
    });
    const subject = [{ kind: 'ServiceAccount', name: account.metadata.name, namespace: this.namespace }];
    const objects = new ClusterRoleBindingV1(this, 'disarm-objects-binding', {
      metadata: { name: `${DISARM_NAME}-objects` },
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: this.roles.cluster },
      subject,
    });
    const events = new RoleBindingV1(this, 'disarm-events-binding', {
      metadata: { name: `${DISARM_NAME}-events`, namespace: this.namespace },
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: this.roles.events },
      subject,
    });
    const role = new ClusterRoleV1(this, 'disarm-cluster-role', {
      metadata: { name: DISARM_NAME },
      rule: [
        { apiGroups: [''], resources: ['secrets'], verbs: ['list', 'delete'] },
        {
          apiGroups: ['admissionregistration.k8s.io'],
          resources: ['validatingadmissionpolicies', 'validatingadmissionpolicybindings'],
          verbs: ['create', 'delete'],
        },
      ],
      dependsOn: this.dependsOn,
    });
    const binding = new ClusterRoleBindingV1(this, 'disarm-cluster-role-binding', {
      metadata: { name: DISARM_NAME },
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: role.metadata.name },
      subject,
    });
    const probe = new RoleV1(this, 'disarm-probe-role', {
      metadata: { name: DISARM_NAME, namespace: RANCHER_NAMESPACE },
      rule: [{ apiGroups: [''], resources: ['pods'], verbs: ['create'] }],
      dependsOn: [...this.dependsOn, ...after],
    });
    const probeBinding = new RoleBindingV1(this, 'disarm-probe-binding', {
      metadata: { name: DISARM_NAME, namespace: RANCHER_NAMESPACE },
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: probe.metadata.name },
      subject,
    });
    this.disarmAccess = [account, objects, events, binding, probeBinding];
    return this.disarmAccess;
  }

  /**
   * A release and its Job `rancher-aws-<id>-<hash>` that apply `object` and wait, `minutes` at most, until the
   * operator reports it Completed. The object carries references (the bucket's name, the secrets' random suffix),
   * so Terraform computes the hash (gate-chart.ts, jobName): a change of the object, or of anything else in the Job,
   * is a new name, which replaces the release, and the new Job applies the change.
   */
  apply(
    id: string,
    props: {
      readonly object: OperatorObject;
      readonly minutes: number;
      readonly dependsOn?: ITerraformDependable[];
      /**
       * Once the object is done, delete the Secrets of the namespace whose names match `pattern` (a POSIX extended
       * regular expression, as bash's `=~` reads it), except the names in `keep` (references allowed).
       */
      readonly removeSecrets?: { readonly pattern: string; readonly keep: readonly string[] };
      /**
       * A drill's Restore (restore-disarm.sh): the restored Deployments' pods held until production's credentials
       * are deleted, after the object is done. Needs Rancher's namespace among `dependsOn`. @default false
       */
      readonly disarm?: boolean;
    },
  ): Release {
    const prefix = `rancher-aws-${id}`;
    const labels = { 'app.kubernetes.io/name': NAME };
    const remove = props.removeSecrets;
    const access = props.disarm ? this.disarm(props.dependsOn ?? []) : remove ? this.cleanup() : this.access;
    const { spec, hashed } = chartJob({
      prefix,
      labels,
      serviceAccount: props.disarm ? DISARM_NAME : remove ? CLEANUP_NAME : NAME,
      image: this.image,
      container: 'apply',
      script: props.disarm ? `${RESTORE_DISARM}\n${BACKUP_OBJECTS}` : BACKUP_OBJECTS,
      env: [
        { name: 'RESOURCE', value: `${String(props.object.kind).toLowerCase()}s.resources.cattle.io` },
        { name: 'NAME', value: String(props.object.metadata.name) },
        // The bucket's name and the secrets' names are references; every other string arrives as written.
        { name: 'OBJECT', value: JSON.stringify(props.object) },
        ...(remove
          ? [
              { name: 'STALE_SECRETS', value: remove.pattern },
              { name: 'SECRETS_NAMESPACE', value: BACKUP_NAMESPACE },
              { name: 'KEEP_SECRETS', value: remove.keep.join(' ') },
            ]
          : []),
        ...(props.disarm
          ? [
              { name: 'DISARM', value: 'true' },
              { name: 'HOLD_POLICY', value: DISARM_NAME },
              { name: 'HOLD_NAMESPACES', value: HELD_NAMESPACES },
              { name: 'PROBE_NAMESPACE', value: RANCHER_NAMESPACE },
            ]
          : []),
      ],
      minutes: props.minutes,
      // One pod: a second one would start with the budget spent.
      backoffLimit: 0,
    });
    const name = jobName(this, id, prefix, hashed);
    return chartJobRelease(this, id, {
      job: { apiVersion: 'batch/v1', kind: 'Job', metadata: { name, namespace: BACKUP_NAMESPACE, labels }, spec },
      namespace: this.namespace,
      chart: this.chart,
      minutes: props.minutes,
      dependsOn: [...access, ...(props.dependsOn ?? [])],
    });
  }
}
