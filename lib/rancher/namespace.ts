import { NamespaceV1 } from '@cdktf/provider-kubernetes/lib/namespace-v1';
import type { ITerraformDependable } from 'cdktf';
import { Construct } from 'constructs';

/** Where the Rancher chart and its TLS secrets live. */
export const RANCHER_NAMESPACE = 'cattle-system';

/**
 * The `cattle-system` namespace, owned by Terraform whatever the TLS choice,
 * so switching choices never creates or deletes the namespace Rancher runs in.
 */
export class RancherNamespace extends Construct {
  /** The namespace. */
  readonly namespace: NamespaceV1;

  constructor(scope: Construct, id: string, props: { readonly dependsOn: ITerraformDependable[] }) {
    super(scope, id);
    this.namespace = new NamespaceV1(this, 'namespace', {
      metadata: { name: RANCHER_NAMESPACE },
      dependsOn: props.dependsOn,
      // Rancher labels and annotates its namespace (project membership, lifecycle
      // markers); removing them on every plan would take it out of the System project.
      lifecycle: { ignoreChanges: ['metadata[0].labels', 'metadata[0].annotations'] },
    });
  }

  /** The name, as a reference: users of it wait for the namespace. */
  get name(): string {
    return this.namespace.metadata.name;
  }
}
