import type { Release } from '@cdktf/provider-helm/lib/release';
import type { ITerraformDependable } from 'cdktf';
import { Construct } from 'constructs';
import { NodeVersions } from './node-versions';
import { GATES_NAMESPACE, type ReadinessGates } from '../readiness-gates';
import { SystemUpgradeController } from './system-upgrade-controller';
import { SERVER_PLAN_NAME, serverPlan, SYSTEM_UPGRADE_NAMESPACE, type Distribution } from './upgrade-plan';
import { kubernetesUpgradeRules } from './upgrade-rules';
import { VersionRecord } from './version-record';
import { KUBERNETES_RECORD, UPGRADE_TARGET_RECORD } from '../object-names';

export interface KubernetesUpgradeProps {
  readonly gates: ReadinessGates;
  readonly distribution: Distribution;
  /** The release the settings ask for (`versions.rke2` or `versions.k3s`). */
  readonly version: string;
  /** How many servers must report it. */
  readonly servers: number;
  /** `airGap.systemDefaultRegistry`: the controller, kubectl and upgrade images come from there. */
  readonly registry?: string;
  /** Budget per server (`timeouts.upgradeMinutes`): the gate allows this many minutes for each. */
  readonly minutesPerServer: number;
  /** The Kubernetes API answers. */
  readonly dependsOn: ITerraformDependable[];
  /**
   * What the record reads wait for: a resource created once the cluster first
   * answered and unchanged after (rke-ha: the `cluster-initialized` parameter),
   * so they are deferred on a first apply only (`VersionRecordProps.readAfter`).
   * @default dependsOn
   */
  readonly readAfter?: ITerraformDependable[];
  /** The running Rancher chart version as the plan reads it (a Terraform expression, "" when unknown). */
  readonly rancherRunning: string;
}

/** Names of the records in the gates' namespace. */
export { KUBERNETES_RECORD, UPGRADE_TARGET_RECORD } from '../object-names';

/**
 * In-place upgrades of the servers' Kubernetes (RKE2 or K3s) in the apply:
 * the system-upgrade-controller, and a gate that applies its server Plan and
 * waits until every node runs the version, Ready and uncordoned. A version
 * change replaces the gate, so it runs again; no instance changes (the user
 * data of running servers is held, and a new server installs the version
 * directly). Before the Plan is applied the target is recorded; once the gate
 * passed, the running version. The next plan reads both and refuses what the
 * servers cannot take (`kubernetesUpgradeRules`), on the target record: the
 * first thing a version change writes, so a refused version leaves nothing
 * written, even where the reads are deferred to the apply.
 *
 * On a first apply the Plan names the version the servers were just
 * installed with: the controller still runs one Job per server, which finds
 * the same binary and changes nothing.
 */
export class KubernetesUpgrade extends Construct {
  /** Passes once every node runs the version: what the later gates and charts wait for. */
  readonly gate: Release;
  readonly controller: SystemUpgradeController;
  readonly record: VersionRecord;

  constructor(scope: Construct, id: string, props: KubernetesUpgradeProps) {
    super(scope, id);
    const jobDeadlineSeconds = props.minutesPerServer * 60;
    this.controller = new SystemUpgradeController(this, 'controller', { dependsOn: props.dependsOn, registry: props.registry, jobDeadlineSeconds });
    const plan = serverPlan({
      distribution: props.distribution,
      version: props.version,
      registry: props.registry,
      jobDeadlineSeconds,
      servers: props.servers,
    });
    const applyPlans = props.gates.grant('plans', {
      namespace: this.controller.namespace.metadata.name,
      rules: [
        // `kubectl apply` reads and patches the one Plan, by name...
        { apiGroups: ['upgrade.cattle.io'], resources: ['plans'], resourceNames: [SERVER_PLAN_NAME], verbs: ['get', 'patch'] },
        // ...and creates it on the first apply. RBAC cannot narrow a create to a name (the object is not there to
        // name when the request is authorized): the gate may create other Plans in this namespace (design notes).
        { apiGroups: ['upgrade.cattle.io'], resources: ['plans'], verbs: ['create'] },
      ],
    });
    const readAfter = props.readAfter ?? props.dependsOn;
    const target = new VersionRecord(this, 'target', {
      name: UPGRADE_TARGET_RECORD,
      namespace: props.gates.namespace.metadata.name,
      namespaceName: GATES_NAMESPACE,
      values: { kubernetes: props.version },
      writeAfter: props.dependsOn,
      readAfter,
    });
    this.gate = props.gates.gate('kubernetes-upgraded', {
      check: {
        kind: 'upgrade',
        // Plain text: the gate escapes its whole manifest for Terraform.
        plan: JSON.stringify(plan),
        planName: SERVER_PLAN_NAME,
        planNamespace: SYSTEM_UPGRADE_NAMESPACE,
        version: props.version,
        servers: props.servers,
      },
      minutes: props.minutesPerServer * props.servers,
      dependsOn: [...this.controller.ready, applyPlans, target.configMap],
    });
    this.record = new VersionRecord(this, 'running', {
      name: KUBERNETES_RECORD,
      namespace: props.gates.namespace.metadata.name,
      namespaceName: GATES_NAMESPACE,
      values: { kubernetes: props.version },
      writeAfter: [this.gate],
      readAfter,
    });
    // On the target record: it changes with every version change, before the gate applies the Plan. A precondition
    // whose records are read only at apply time is checked then, before the map is written: a refused version never
    // becomes the target (which the unfinished-upgrade rule would then hold every later plan to).
    // Without a record (a deployment older than it), what the servers report runs: the lowest of their versions.
    const nodes = new NodeVersions(this, 'node-versions', { readAfter });
    const recorded = this.record.recorded('kubernetes');
    target.configMap.lifecycle = {
      precondition: kubernetesUpgradeRules({
        setting: props.distribution === 'k3s' ? 'versions.k3s' : 'versions.rke2',
        version: props.version,
        running: `(${recorded} != "" ? ${recorded} : ${nodes.lowest})`,
        nodeVersions: nodes.versions,
        target: target.recorded('kubernetes'),
        rancherRunning: props.rancherRunning,
      }),
    };
  }
}

/** The namespace the Plans live in (for documentation and tests). */
export { SYSTEM_UPGRADE_NAMESPACE };
