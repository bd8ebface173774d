import { DataHttp } from '@cdktf/provider-http/lib/data-http';
import type { ITerraformDependable } from 'cdktf';
import { Construct } from 'constructs';
import { probeTiming } from '../common/private/http-retry';
import type { ClusterAccess } from '../kubernetes/cluster-access';

/** How the gate reaches the API server, and what it waits for first. */
export interface ApiReadinessProps {
  /** The API server's URL, CA and admin client certificate. */
  readonly access: ClusterAccess;
  /** What must exist before probing (the nodes, their load balancer registration). */
  readonly dependsOn: ITerraformDependable[];
  /** Budget: installing RKE2 and the first start of the first server. @default 20 */
  readonly minutes?: number;
}

/**
 * A gate that holds the Helm releases until the API server reports ready,
 * authenticated with the admin client certificate (RKE2 turns anonymous
 * access off) and verified against the cluster CA.
 */
export class ApiReadiness extends Construct {
  /** The probe of `/readyz`: the Helm releases depend on it. */
  readonly gate: DataHttp;

  constructor(scope: Construct, id: string, props: ApiReadinessProps) {
    super(scope, id);
    this.gate = new DataHttp(this, 'readyz', {
      url: `${props.access.host}/readyz`,
      caCertPem: props.access.clusterCaCertificate,
      clientCertPem: props.access.clientCertificate,
      clientKeyPem: props.access.clientKey,
      // Connection errors and 5xx are retried; a node still booting refuses connections.
      ...probeTiming(props.minutes ?? 20),
      dependsOn: props.dependsOn,
      // Only an answer reaches the postcondition: a read that never got one (nothing listens, as on a first server
      // whose bootstrap refused a release file) ends with the provider's own "giving up after N attempt(s)" error,
      // so a cause named here would never show for it (design notes, "Reporting a refusal").
      lifecycle: {
        postcondition: [{ condition: '${self.status_code == 200}', errorMessage: 'The Kubernetes API server did not report ready (GET /readyz).' }],
      },
    });
  }
}
