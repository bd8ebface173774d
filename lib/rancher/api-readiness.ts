import { DataHttp } from '@cdktf/provider-http/lib/data-http';
import type { ITerraformDependable } from 'cdktf';
import { Construct } from 'constructs';
import type { ClusterAccess } from './cluster-access';

export interface ApiReadinessProps {
  readonly access: ClusterAccess;
  /** What must exist before probing (the nodes, their load balancer registration). */
  readonly dependsOn: ITerraformDependable[];
  /** Attempts, 10 s apart. @default 90 (15 minutes: install and first start of RKE2) */
  readonly attempts?: number;
}

/**
 * A gate that holds the Helm releases until the API server reports ready,
 * authenticated with the admin client certificate (RKE2 turns anonymous
 * access off) and verified against the cluster CA.
 */
export class ApiReadiness extends Construct {
  readonly gate: DataHttp;

  constructor(scope: Construct, id: string, props: ApiReadinessProps) {
    super(scope, id);
    const attempts = props.attempts ?? 90;
    this.gate = new DataHttp(this, 'readyz', {
      url: `${props.access.host}/readyz`,
      caCertPem: props.access.clusterCaCertificate,
      clientCertPem: props.access.clientCertificate,
      clientKeyPem: props.access.clientKey,
      requestTimeoutMs: 10_000,
      // Connection errors and 5xx are retried; a node still booting refuses connections.
      retry: { attempts, minDelayMs: 10_000, maxDelayMs: 10_000 },
      dependsOn: props.dependsOn,
      lifecycle: {
        postcondition: [{ condition: '${self.status_code == 200}', errorMessage: 'The Kubernetes API server did not report ready (GET /readyz).' }],
      },
    });
  }
}
