import { Release } from '@cdktf/provider-helm/lib/release';
import { Fn, type ITerraformDependable } from 'cdktf';
import { Construct } from 'constructs';
import { literalArgument } from '../common/terraform-template';

export const CERT_MANAGER_REPOSITORY = 'https://charts.jetstack.io';
export const CERT_MANAGER_NAMESPACE = 'cert-manager';

/** cert-manager's chart version, repository, budget and proxy. */
export interface CertManagerProps {
  /** Chart version, e.g. v1.21.1. */
  readonly version: string;
  /** What must be ready before the install (the API, the readiness gates). @default nothing */
  readonly dependsOn?: ITerraformDependable[];
  /** Chart repository. @default CERT_MANAGER_REPOSITORY */
  readonly repository?: string;
  /** Budget of the install (and of an upgrade or uninstall), its startup check included. @default 10 */
  readonly minutes?: number;
  /** Outbound proxy for ACME and other egress of cert-manager's controller. */
  readonly proxy?: {
    /** The proxy for HTTP. */
    readonly http?: string;
    /** The proxy for HTTPS. */
    readonly https?: string;
    /** Hosts and networks reached directly. */
    readonly noProxy: readonly string[];
  };
}

/**
 * cert-manager with its CRDs. `wait` holds the apply until the webhook is
 * serving (the chart's startupapicheck job), so Rancher's Issuer is accepted.
 */
export class CertManager extends Construct {
  /** The Helm release (CRDs included). */
  readonly release: Release;

  constructor(scope: Construct, id: string, props: CertManagerProps) {
    super(scope, id);
    this.release = new Release(this, 'release', {
      name: 'cert-manager',
      repository: props.repository ?? CERT_MANAGER_REPOSITORY,
      chart: 'cert-manager',
      version: props.version,
      namespace: CERT_MANAGER_NAMESPACE,
      createNamespace: true,
      wait: true,
      waitForJobs: true,
      atomic: true,
      timeout: (props.minutes ?? 10) * 60,
      set: [{ name: 'crds.enabled', value: 'true' }],
      // Values rather than `set`: helm's --set would split no_proxy at its commas.
      values: props.proxy
        ? [
            Fn.yamlencode(
              literalArgument({
                ...(props.proxy.http ? { http_proxy: props.proxy.http } : {}),
                ...(props.proxy.https ? { https_proxy: props.proxy.https } : {}),
                no_proxy: props.proxy.noProxy.join(','),
              }),
            ),
          ]
        : undefined,
      dependsOn: props.dependsOn,
    });
  }
}
