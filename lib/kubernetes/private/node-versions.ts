import { DataKubernetesNodes } from '@cdktf/provider-kubernetes/lib/data-kubernetes-nodes';
import type { ITerraformDependable } from 'cdktf';
import { Construct } from 'constructs';
import { versionOrderExpression } from './upgrade-rules';

export interface NodeVersionsProps {
  /** The cluster exists (as `VersionRecordProps.readAfter`: deferred on a first apply only). */
  readonly readAfter: ITerraformDependable[];
}

/**
 * The kubelet versions the servers report, read by the plan
 * (`data.kubernetes_nodes`, the control-plane nodes): what runs when no
 * version record says so (a deployment older than the records). Unread or
 * unparsable reads as no version.
 */
export class NodeVersions extends Construct {
  private readonly nodes: DataKubernetesNodes;

  constructor(scope: Construct, id: string, props: NodeVersionsProps) {
    super(scope, id);
    this.nodes = new DataKubernetesNodes(this, 'servers', {
      metadata: { labels: { 'node-role.kubernetes.io/control-plane': 'true' } },
      dependsOn: props.readAfter,
    });
  }

  /** The distinct versions (a Terraform list expression without `${}`), [] when unread. */
  get versions(): string {
    return kubeletVersions(`${this.nodes.fqn}.nodes`);
  }

  /** The lowest of them (expression), "" when none or one does not parse. */
  get lowest(): string {
    return lowestVersion(this.versions);
  }
}

/** The distinct kubelet versions of a `kubernetes_nodes` data source's `nodes` (expression), [] when unread. */
export function kubeletVersions(nodes: string): string {
  return `try(distinct([for node in ${nodes} : node.status[0].node_info[0].kubelet_version]), [])`;
}

/** The lowest Kubernetes version of a list (expression), "" when it is empty or one does not parse. */
export function lowestVersion(versions: string): string {
  const order = (v: string) => versionOrderExpression('kubernetes', v);
  return `try([for v in ${versions} : v if ${order('v')} == min([for w in ${versions} : ${order('w')}]...)][0], "")`;
}
