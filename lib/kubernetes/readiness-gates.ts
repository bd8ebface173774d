import type { Release } from '@cdktf/provider-helm/lib/release';
import { ClusterRoleBindingV1 } from '@cdktf/provider-kubernetes/lib/cluster-role-binding-v1';
import { ClusterRoleV1 } from '@cdktf/provider-kubernetes/lib/cluster-role-v1';
import { NamespaceV1 } from '@cdktf/provider-kubernetes/lib/namespace-v1';
import { RoleBindingV1 } from '@cdktf/provider-kubernetes/lib/role-binding-v1';
import { RoleV1 } from '@cdktf/provider-kubernetes/lib/role-v1';
import { ServiceAccountV1 } from '@cdktf/provider-kubernetes/lib/service-account-v1';
import { Token, type ITerraformDependable } from 'cdktf';
import { Construct } from 'constructs';
import { annotationPaths, RANCHER_NAMESPACE_ANNOTATIONS } from './cluster-writes';
import { chartJob, chartJobRelease, gateChart, staticJobName, type ChartJob } from './gate-chart';
import READINESS_GATES from './readiness-gates.sh';
import { GATES_NAMESPACE } from './object-names';
import { imageRef } from './image-ref';

/**
 * The image the gates run in: the one Rancher's own chart hooks use (chart
 * 2.14.x `postDelete.image`, `preUpgrade.image`), with bash and kubectl, and
 * already mirrored by an air-gapped install of Rancher.
 */
export const SHELL_IMAGE = { repository: 'rancher/shell', tag: 'v0.7.1' } as const;

export { GATES_NAMESPACE } from './object-names';
const NAME = 'rancher-aws-gates';

/** What a gate waits for. */
export type GateCheck =
  /**
   * `servers` Ready server nodes; with `embeddedEtcd` (RKE2) each also a
   * voting etcd member (node condition `EtcdIsVoter`) with a ready
   * kube-apiserver static pod. A gate that fails says how many servers never
   * registered as a node, then `unregisteredHint` (where to look on them).
   */
  | {
      /** Which gate. */
      readonly kind: 'servers';
      /** Server nodes that must be Ready. */
      readonly servers: number;
      /** The servers run etcd (RKE2): each must also be a voting member with a ready kube-apiserver. */
      readonly embeddedEtcd: boolean;
      /** Where to look on a server that never registered (printed when the gate fails). @default none */
      readonly unregisteredHint?: string;
    }
  /**
   * An Ingress of `ingressClass` passes a server-side dry run, i.e. every
   * admission webhook on Ingresses answers; first, when given, the webhook
   * configuration must exist or the controller must have a ready pod.
   */
  | {
      /** Which gate. */
      readonly kind: 'admission';
      /** The class of the dry-run Ingress. */
      readonly ingressClass: string;
      /** A ValidatingWebhookConfiguration that must exist first. @default none */
      readonly webhook?: string;
      /** The ingress controller's workload that must have a ready pod first. @default none */
      readonly controller?: {
        /** Its namespace. */
        readonly namespace: string;
        /** Its kind. */
        readonly kind: 'daemonset' | 'deployment';
        /** Its name. */
        readonly name: string;
      };
    }
  /** A cert-manager Certificate is Ready. */
  | {
      /** Which gate. */
      readonly kind: 'certificate';
      /** The Certificate's namespace. */
      readonly namespace: string;
      /** The Certificate's name. */
      readonly name: string;
    }
  /**
   * `plan` (a system-upgrade-controller Plan, YAML, named `planName` in
   * `planNamespace`) is applied, then every node (at least `servers`) runs
   * `version`, is Ready and schedulable, and the controller has finished the
   * Plan (resolved at `version`, applying nowhere, every server labelled with
   * its hash); the gate's service account needs a `grant` to apply and read Plans.
   */
  | {
      /** Which gate. */
      readonly kind: 'upgrade';
      /** The Plan, YAML. */
      readonly plan: string;
      /** The Plan's name. */
      readonly planName: string;
      /** The Plan's namespace. */
      readonly planNamespace: string;
      /** The Kubernetes version every node must run. */
      readonly version: string;
      /** Nodes that must run it, at least. */
      readonly servers: number;
    }
  /**
   * Not a gate Job: the prepare step of the server upgrade Plan (upgrade-plan.ts),
   * which the controller runs on each server before upgrading it. Every other
   * server (at least `servers - 1`) is Ready, schedulable and, with
   * `embeddedEtcd`, a voting etcd member; every node already upgraded by the
   * Plan's revision runs `version`.
   */
  | {
      /** Which gate. */
      readonly kind: 'prepare';
      /** The version the Plan upgrades to. */
      readonly version: string;
      /** The servers of the cluster. */
      readonly servers: number;
      /** The servers run etcd (RKE2). */
      readonly embeddedEtcd: boolean;
    }
  /**
   * No pod was refused by Pod Security admission: the FailedCreate Events of every namespace are listed `rounds`
   * times, 10 s apart, and the first refusal fails the gate naming each controller refused. The gate's service
   * account needs `allowListingEvents`.
   */
  | {
      /** Which gate. */
      readonly kind: 'admitted';
      /** How many times the Events are listed. */
      readonly rounds: number;
    };

/** What the gates wait on before any runs, and where their image comes from. */
export interface ReadinessGatesProps {
  /** The Kubernetes API answers (the API gate, or the preflight checks of an existing cluster). */
  readonly dependsOn: ITerraformDependable[];
  /** Registry prefix of the gate image (`airGap.systemDefaultRegistry`). */
  readonly registry?: string;
}

/** One gate: its check, budget and order. */
export interface GateProps {
  /** What the gate waits for; plain values (no Terraform references): they name the gate's release. */
  readonly check: GateCheck;
  /** The budget; the Job fails with a message once it is spent. */
  readonly minutes: number;
  /** What must exist before the gate runs, besides the API. @default nothing more */
  readonly dependsOn?: ITerraformDependable[];
  /**
   * A value whose change replaces the gate's release, so the gate runs again
   * (e.g. the versions an upgrade changes: the gate then checks the upgraded
   * cluster).
   * @default none: the gate runs again only when its check changes
   */
  readonly rerunOn?: string;
}

/**
 * The gates' command with the script as text (not yet escaped for Terraform):
 * for a container outside the gate Jobs, such as the upgrade Plan's prepare step.
 */
export const GATE_COMMAND: readonly string[] = ['bash', '-c', READINESS_GATES];

export { JOB_GRACE_SECONDS, HELM_GRACE_MINUTES, PROVIDER_GRACE_MINUTES } from './gate-chart';

/**
 * Readiness gates that run inside the cluster: each is a Helm release of a
 * one-Job chart (gate-chart.ts) that Terraform installs with `wait_for_jobs`,
 * the Job running `readiness-gates.sh` with kubectl under a read-only service
 * account. Helm's wait reads the Job again after a connection error, a 429 or
 * a 5xx (the kubernetes provider's Job wait stopped at the first one), so an
 * API server restarting behind the load balancer does not fail the apply.
 *
 * A gate that fails or runs out of time is uninstalled (`atomic`) and left out
 * of the state, so the next apply installs it again. The release and its Job
 * are named after what the gate checks: any change of it (a server count, a
 * version in `rerunOn`) is a new name, which Terraform can only meet by
 * replacing the release, so the gate runs again as a fresh Job; a release is
 * never upgraded in place (a Job's pod template cannot change, and a failed
 * upgrade would keep the new values). The Helm releases of the charts
 * `depends_on` the gates they need.
 */
export class ReadinessGates extends Construct {
  /** The gates' namespace (`GATES_NAMESPACE`). */
  readonly namespace: NamespaceV1;
  private readonly serviceAccount: ServiceAccountV1;
  private readonly image: string;
  /** The RBAC objects every gate needs before it runs (and after, until it is deleted). */
  private readonly access: ITerraformDependable[];
  /** The gate chart as the module holds it (`${path.module}/assets/...`). */
  private readonly chart: string;

  constructor(scope: Construct, id: string, props: ReadinessGatesProps) {
    super(scope, id);
    this.image = imageRef(SHELL_IMAGE, props.registry);
    this.namespace = new NamespaceV1(this, 'namespace', {
      metadata: { name: GATES_NAMESPACE },
      dependsOn: props.dependsOn,
      // Rancher marks every namespace of its cluster (cluster-writes.ts); the next plan must not take it back.
      lifecycle: { ignoreChanges: annotationPaths(RANCHER_NAMESPACE_ANNOTATIONS) },
    });
    const namespace = this.namespace.metadata.name;
    this.serviceAccount = new ServiceAccountV1(this, 'service-account', { metadata: { name: NAME, namespace } });

    // Read-only, and only what the checks read; creating an Ingress is allowed in this namespace alone,
    // where the gate only ever does it as a dry run.
    const reader = new ClusterRoleV1(this, 'cluster-role', {
      metadata: { name: NAME },
      rule: [
        { apiGroups: [''], resources: ['nodes', 'pods'], verbs: ['get', 'list'] },
        { apiGroups: ['apps'], resources: ['daemonsets', 'deployments'], verbs: ['get'] },
        { apiGroups: ['admissionregistration.k8s.io'], resources: ['validatingwebhookconfigurations'], verbs: ['get'] },
        { apiGroups: ['cert-manager.io'], resources: ['certificates'], verbs: ['get'] },
      ],
      dependsOn: props.dependsOn,
    });
    const subject = [{ kind: 'ServiceAccount', name: this.serviceAccount.metadata.name, namespace }];
    const readerBinding = new ClusterRoleBindingV1(this, 'cluster-role-binding', {
      metadata: { name: NAME },
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: reader.metadata.name },
      subject,
    });
    const prober = new RoleV1(this, 'role', {
      metadata: { name: NAME, namespace },
      rule: [
        { apiGroups: ['networking.k8s.io'], resources: ['ingresses'], verbs: ['create'] },
        // A failed gate's last line, as an Event on its Job (job-failure.sh).
        { apiGroups: [''], resources: ['events'], verbs: ['create'] },
      ],
    });
    const proberBinding = new RoleBindingV1(this, 'role-binding', {
      metadata: { name: NAME, namespace },
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: prober.metadata.name },
      subject,
    });
    this.access = [this.serviceAccount, readerBinding, proberBinding];
    this.chart = gateChart(this);
  }

  /**
   * Lets the gates' service account do more in one namespace (a Role and its
   * binding named `rancher-aws-gates`): a gate that writes, such as the
   * upgrade gate applying its Plan, depends on the returned binding.
   */
  grant(
    id: string,
    props: { readonly namespace: string; readonly rules: { apiGroups: string[]; resources: string[]; resourceNames?: string[]; verbs: string[] }[] },
  ): RoleBindingV1 {
    const role = new RoleV1(this, `${id}-role`, { metadata: { name: NAME, namespace: props.namespace }, rule: props.rules });
    return new RoleBindingV1(this, `${id}-role-binding`, {
      metadata: { name: NAME, namespace: props.namespace },
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: role.metadata.name },
      subject: [{ kind: 'ServiceAccount', name: this.serviceAccount.metadata.name, namespace: this.namespace.metadata.name }],
    });
  }

  /**
   * Lets the gates' service account list Events in every namespace (a ClusterRole and its binding named
   * `rancher-aws-gates-events`), for the `admitted` gate, which depends on the returned binding. Apart from the
   * reader role, so a deployment without that gate keeps its RBAC as it was.
   */
  allowListingEvents(): ClusterRoleBindingV1 {
    const role = new ClusterRoleV1(this, 'events-cluster-role', {
      metadata: { name: `${NAME}-events` },
      rule: [{ apiGroups: [''], resources: ['events'], verbs: ['list'] }],
    });
    return new ClusterRoleBindingV1(this, 'events-cluster-role-binding', {
      metadata: { name: `${NAME}-events` },
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: role.metadata.name },
      subject: [{ kind: 'ServiceAccount', name: this.serviceAccount.metadata.name, namespace: this.namespace.metadata.name }],
    });
  }

  /**
   * A gate: the release and its Job are named `rancher-aws-<id>-<hash of the
   * Job>`; the returned release is what dependents wait for.
   */
  gate(id: string, props: GateProps): Release {
    const job = gateJob(`rancher-aws-${id}`, { ...props, image: this.image, serviceAccount: NAME });
    return chartJobRelease(this, id, {
      job,
      namespace: this.namespace.metadata.name,
      chart: this.chart,
      minutes: props.minutes,
      dependsOn: [...this.access, ...(props.dependsOn ?? [])],
    });
  }
}

/** A gate's Job as the Kubernetes API takes it (the chart's whole manifest). */
export type GateJob = ChartJob;

/**
 * The Job of a gate, named `<prefix>-<hash>`: the hash covers the Job itself
 * and the chart, so a change of either names a new release (which replaces
 * the old one) and a Job no older Job had.
 */
export function gateJob(prefix: string, props: GateProps & { readonly image: string; readonly serviceAccount: string }): GateJob {
  const env = [...gateEnvironment(props.check), ...(props.rerunOn === undefined ? [] : [{ name: 'RERUN_ON', value: props.rerunOn }])];
  for (const { name, value } of env) {
    if (Token.isUnresolved(value))
      throw new Error(`gate ${prefix}: ${name} is a Terraform reference; a gate's values must be known at synth (they name its release)`);
  }
  const labels = { 'app.kubernetes.io/name': NAME };
  const { spec, hashed } = chartJob({
    prefix,
    labels,
    serviceAccount: props.serviceAccount,
    image: props.image,
    container: 'gate',
    script: READINESS_GATES,
    env,
    minutes: props.minutes,
    backoffLimit: 1,
  });
  return { apiVersion: 'batch/v1', kind: 'Job', metadata: { name: staticJobName(prefix, hashed), namespace: GATES_NAMESPACE, labels }, spec };
}

/** The script's environment for a check. */
export function gateEnvironment(check: GateCheck): { name: string; value: string }[] {
  const env = (entries: Record<string, string | undefined>) =>
    Object.entries(entries)
      .filter((e): e is [string, string] => e[1] !== undefined)
      .map(([name, value]) => ({ name, value }));
  switch (check.kind) {
    case 'servers':
      return env({
        GATE: 'servers',
        SERVERS: String(check.servers),
        EMBEDDED_ETCD: String(check.embeddedEtcd),
        UNREGISTERED_HINT: check.unregisteredHint,
      });
    case 'admission':
      return env({
        GATE: 'admission',
        INGRESS_CLASS: check.ingressClass,
        NAMESPACE: GATES_NAMESPACE,
        WEBHOOK: check.webhook,
        CONTROLLER_NAMESPACE: check.controller?.namespace,
        CONTROLLER_KIND: check.controller?.kind,
        CONTROLLER: check.controller?.name,
      });
    case 'certificate':
      return env({ GATE: 'certificate', NAMESPACE: check.namespace, CERTIFICATE: check.name });
    case 'upgrade':
      return env({
        GATE: 'upgrade',
        PLAN: check.plan,
        PLAN_NAME: check.planName,
        PLAN_NAMESPACE: check.planNamespace,
        VERSION: check.version,
        SERVERS: String(check.servers),
      });
    case 'prepare':
      return env({ GATE: 'prepare', VERSION: check.version, SERVERS: String(check.servers), EMBEDDED_ETCD: String(check.embeddedEtcd) });
    case 'admitted':
      return env({ GATE: 'admitted', ROUNDS: String(check.rounds) });
  }
}
