import { Release } from '@cdktf/provider-helm/lib/release';
import type { ITerraformDependable } from 'cdktf';
import { Construct } from 'constructs';

export const CERT_MANAGER_REPOSITORY = 'https://charts.jetstack.io';
export const CERT_MANAGER_NAMESPACE = 'cert-manager';

export interface CertManagerProps {
  /** Chart version, e.g. v1.21.1. */
  readonly version: string;
  readonly dependsOn?: ITerraformDependable[];
}

/**
 * cert-manager with its CRDs. `wait` holds the apply until the webhook is
 * serving (the chart's startupapicheck job), so Rancher's Issuer is accepted.
 */
export class CertManager extends Construct {
  readonly release: Release;

  constructor(scope: Construct, id: string, props: CertManagerProps) {
    super(scope, id);
    this.release = new Release(this, 'release', {
      name: 'cert-manager',
      repository: CERT_MANAGER_REPOSITORY,
      chart: 'cert-manager',
      version: props.version,
      namespace: CERT_MANAGER_NAMESPACE,
      createNamespace: true,
      wait: true,
      waitForJobs: true,
      atomic: true,
      timeout: 600,
      set: [{ name: 'crds.enabled', value: 'true' }],
      dependsOn: props.dependsOn,
    });
  }
}
