import { HelmProvider } from '@cdktf/provider-helm/lib/provider';
import { KubernetesProvider } from '@cdktf/provider-kubernetes/lib/provider';
import { TerraformStack } from 'cdktf';
import { Construct } from 'constructs';
import { withFullSource } from '../common/provider-source';

/** How Terraform talks to the cluster; every value may be a Terraform token. */
export interface ClusterAccess {
  /** API server URL, e.g. https://<load balancer>:6443. */
  readonly host: string;
  /** The cluster CA the API server's certificate chains to, PEM. */
  readonly clusterCaCertificate: string;
  /** A client certificate the API server accepts, PEM. */
  readonly clientCertificate: string;
  /** The client certificate's key, PEM (sensitive). */
  readonly clientKey: string;
}

/**
 * Refuses a second set of default Helm and Kubernetes providers in the stack
 * before anything is built: Terraform allows one unaliased configuration per
 * provider, and `terraform init` would fail with "Duplicate provider
 * configuration" long after the synth. `label` names the construct asking.
 */
export function refuseSecondClusterProviders(scope: Construct, label: string): void {
  const taken = TerraformStack.of(scope)
    .node.findAll()
    .find((c) => (c instanceof HelmProvider || c instanceof KubernetesProvider) && c.alias === undefined);
  if (!taken) return;
  throw new Error(
    `${label}: the stack already has a default ${taken instanceof HelmProvider ? 'helm' : 'kubernetes'} provider (${taken.node.path}). ` +
      "RancherOnRke configures the stack's helm and kubernetes providers from the cluster it creates, so a stack holds one RancherOnRke " +
      'and no other default helm or kubernetes provider: put each deployment in a TerraformStack of its own.',
  );
}

/**
 * Helm and Kubernetes providers configured straight from Terraform-known
 * credentials: no kubeconfig file, no SSH, no second apply.
 */
export function configureClusterProviders(scope: Construct, access: ClusterAccess): void {
  withFullSource(
    new HelmProvider(scope, 'helm', {
      kubernetes: {
        host: access.host,
        clusterCaCertificate: access.clusterCaCertificate,
        clientCertificate: access.clientCertificate,
        clientKey: access.clientKey,
      },
    }),
  );
  withFullSource(
    new KubernetesProvider(scope, 'kubernetes', {
      host: access.host,
      clusterCaCertificate: access.clusterCaCertificate,
      clientCertificate: access.clientCertificate,
      clientKey: access.clientKey,
    }),
  );
}
