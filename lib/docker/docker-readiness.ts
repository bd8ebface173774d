import { DataHttp, type DataHttpConfig } from '@cdktf/provider-http/lib/data-http';
import type { ITerraformDependable } from 'cdktf';
import { Construct } from 'constructs';
import type { DockerTlsIssuer } from '../config/docker-schema';

export interface DockerReadinessProps {
  /** Rancher's public name. */
  readonly hostname: string;
  readonly issuer: DockerTlsIssuer;
  /**
   * The CA the served certificate must chain to (`blank` with a private CA, `ca`).
   * Unset: the system roots (`acme`, `blank` from a public CA), or for `rancher`
   * the CA Rancher itself publishes on /cacerts.
   */
  readonly caCertPem?: string;
  /** The host, its data volume attachment, address and DNS record. */
  readonly dependsOn: ITerraformDependable[];
  /** Attempts per probe, 10 s apart. @default 90 (15 minutes: Docker install, image pull, first start) */
  readonly attempts?: number;
}

/**
 * The end of the deploy: `https://<hostname>/ping` answers `pong` through DNS
 * and the Elastic IP, with a verified certificate. For Rancher's self-signed
 * CA there is nothing to verify against beforehand, so the CA is first read
 * from Rancher's public `/cacerts` (trust on first use), then /ping must
 * present a certificate for the hostname signed by it.
 */
export class DockerReadiness extends Construct {
  readonly ping: DataHttp;
  /** Rancher's CA as served on /cacerts (`rancher` issuer only). */
  readonly cacerts?: DataHttp;

  constructor(scope: Construct, id: string, props: DockerReadinessProps) {
    super(scope, id);
    const probe = (path: string, check: string, errorMessage: string): DataHttpConfig => ({
      url: `https://${props.hostname}${path}`,
      requestTimeoutMs: 10_000,
      // Unresolved names, refused connections and 5xx are retried.
      retry: { attempts: props.attempts ?? 90, minDelayMs: 10_000, maxDelayMs: 10_000 },
      dependsOn: props.dependsOn,
      lifecycle: { postcondition: [{ condition: `\${self.status_code == 200 && ${check}}`, errorMessage }] },
    });

    let caCertPem = props.caCertPem;
    if (props.issuer === 'rancher') {
      this.cacerts = new DataHttp(this, 'cacerts', {
        ...probe('/cacerts', 'strcontains(self.response_body, "BEGIN CERTIFICATE")', 'Rancher did not publish its CA on https://<hostname>/cacerts.'),
        insecure: true,
      });
      caCertPem = this.cacerts.responseBody;
    }
    this.ping = new DataHttp(this, 'ping', {
      ...probe('/ping', 'trimspace(self.response_body) == "pong"', 'Rancher did not answer "pong" on https://<hostname>/ping.'),
      caCertPem,
    });
  }
}
