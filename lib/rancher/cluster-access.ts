import { HelmProvider } from '@cdktf/provider-helm/lib/provider';
import { KubernetesProvider } from '@cdktf/provider-kubernetes/lib/provider';
import { Construct } from 'constructs';

/** How Terraform talks to the cluster; every value may be a Terraform token. */
export interface ClusterAccess {
  /** API server URL, e.g. https://<load balancer>:6443. */
  readonly host: string;
  readonly clusterCaCertificate: string;
  readonly clientCertificate: string;
  readonly clientKey: string;
}

/**
 * Helm and Kubernetes providers configured straight from Terraform-known
 * credentials: no kubeconfig file, no SSH, no second apply.
 */
export function configureClusterProviders(scope: Construct, access: ClusterAccess): void {
  new HelmProvider(scope, 'helm', {
    kubernetes: {
      host: access.host,
      clusterCaCertificate: access.clusterCaCertificate,
      clientCertificate: access.clientCertificate,
      clientKey: access.clientKey,
    },
  });
  new KubernetesProvider(scope, 'kubernetes', {
    host: access.host,
    clusterCaCertificate: access.clusterCaCertificate,
    clientCertificate: access.clientCertificate,
    clientKey: access.clientKey,
  });
}
