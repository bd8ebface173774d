import { DataHttp } from '@cdktf/provider-http/lib/data-http';
import { DataKubernetesSecretV1 } from '@cdktf/provider-kubernetes/lib/data-kubernetes-secret-v1';
import { Fn, type ITerraformDependable } from 'cdktf';
import { Construct } from 'constructs';
import { RANCHER_NAMESPACE } from './rancher-server';

/** Rancher's own CA, created by Rancher at start-up, which signs the ingress certificate. */
export const RANCHER_CA_SECRET = 'tls-rancher';

export interface RancherReadinessProps {
  /** Rancher's public name. */
  readonly hostname: string;
  /** The Rancher release and the DNS record. */
  readonly dependsOn: ITerraformDependable[];
  /** Attempts, 10 s apart. @default 60 */
  readonly attempts?: number;
}

/**
 * The end of the deploy: `https://<hostname>/ping` answers `pong` through the
 * real DNS name and load balancer, with a certificate that chains to the CA
 * Rancher holds in the cluster (read over the authenticated API). DNS not yet
 * resolving, refused connections and 5xx are retried.
 */
export class RancherReadiness extends Construct {
  readonly ping: DataHttp;

  constructor(scope: Construct, id: string, props: RancherReadinessProps) {
    super(scope, id);
    const ca = new DataKubernetesSecretV1(this, 'rancher-ca', {
      metadata: { name: RANCHER_CA_SECRET, namespace: RANCHER_NAMESPACE },
      dependsOn: props.dependsOn,
    });
    this.ping = new DataHttp(this, 'ping', {
      url: `https://${props.hostname}/ping`,
      caCertPem: Fn.lookup(ca.data, 'tls.crt'),
      requestTimeoutMs: 10_000,
      retry: { attempts: props.attempts ?? 60, minDelayMs: 10_000, maxDelayMs: 10_000 },
      lifecycle: {
        precondition: [
          {
            condition: `\${contains(nonsensitive(keys(${ca.fqn}.data)), "tls.crt")}`,
            errorMessage: `Secret ${RANCHER_NAMESPACE}/${RANCHER_CA_SECRET} has no tls.crt: Rancher did not create its CA.`,
          },
        ],
        postcondition: [
          {
            condition: '${self.status_code == 200 && trimspace(self.response_body) == "pong"}',
            errorMessage: 'Rancher did not answer "pong" on https://<hostname>/ping.',
          },
        ],
      },
    });
  }
}
