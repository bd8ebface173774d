import { ConfigMapV1 } from '@cdktf/provider-kubernetes/lib/config-map-v1';
import { DataKubernetesConfigMapV1 } from '@cdktf/provider-kubernetes/lib/data-kubernetes-config-map-v1';
import { dependable, type ITerraformDependable } from 'cdktf';
import { Construct } from 'constructs';
import { literalDeep } from '../../common/terraform-template';

export interface VersionRecordProps {
  /** The ConfigMap's name. */
  readonly name: string;
  /** Its namespace, as a reference (so the map waits for it); read by this literal name. */
  readonly namespace: string;
  readonly namespaceName: string;
  /** What is recorded once `writeAfter` succeeded, e.g. `{ kubernetes: 'v1.35.7+rke2r1' }`. */
  readonly values: Readonly<Record<string, string>>;
  /** The apply steps whose success the record states. */
  readonly writeAfter: ITerraformDependable[];
  /**
   * The cluster exists: on a first apply the read waits for it (and so happens at apply time). Best a resource
   * that changes only when the cluster is created (rke-ha: the `cluster-initialized` parameter): Terraform defers a
   * data source whose `depends_on` has any pending change, so a dependency on the API gate (which waits for the
   * instances, listeners, DNS...) would defer the read on every apply that changes any of those, and the plan
   * would check nothing.
   */
  readonly readAfter: ITerraformDependable[];
}

/**
 * What the cluster runs, recorded by the apply that made it so, and read back
 * by the next plan: a ConfigMap Terraform writes after the steps it records
 * (an upgrade that fails leaves the previous record), and a data source that
 * reads the same map from the cluster while planning, before this plan's
 * write. A `terraform_data` record cannot do this: once its input changes,
 * its output is unknown until apply, so a precondition could not compare the
 * old value with the new one at plan time; the live map still holds the old one.
 * Nothing recorded yet (a first apply, or a deployment older than the record)
 * reads as "".
 */
export class VersionRecord extends Construct {
  readonly configMap: ConfigMapV1;
  /** What the read waits for (VersionRecordProps.readAfter): other plan-time reads of the cluster wait for the same. */
  readonly readAfter: readonly ITerraformDependable[];
  private readonly read: DataKubernetesConfigMapV1;

  constructor(scope: Construct, id: string, props: VersionRecordProps) {
    super(scope, id);
    this.readAfter = props.readAfter;
    this.read = new DataKubernetesConfigMapV1(this, 'recorded', {
      metadata: { name: props.name, namespace: props.namespaceName },
      dependsOn: props.readAfter,
    });
    this.configMap = new ConfigMapV1(this, 'config-map', {
      metadata: { name: props.name, namespace: props.namespace },
      data: literalDeep({ ...props.values }),
      // Read before written: where the read is deferred to the apply (a first apply, an API gate that changes),
      // it still sees the previous record.
      dependsOn: [...props.writeAfter, this.read],
    });
  }

  /** Records only after these succeeded too (steps made after the record). */
  writtenAfter(...steps: ITerraformDependable[]): void {
    this.configMap.dependsOn = [...(this.configMap.dependsOn ?? []), ...steps.map((step) => dependable(step))];
  }

  /** The recorded value of `key` as the plan sees it (a Terraform expression without `${}`), "" when none. */
  recorded(key: string): string {
    return `try(${this.read.fqn}.data["${key}"], "")`;
  }
}
