import { DataHttp, type DataHttpConfig } from '@cdktf/provider-http/lib/data-http';
import { Fn, type ITerraformDependable } from 'cdktf';
import { Construct } from 'constructs';
import { probeTiming } from '../common/private/http-retry';
import type { DockerTlsIssuer } from '../config/sections';

/** The `/ping` probe that follows a successful `/cacerts` probe. */
const PING_AFTER_CACERTS_MINUTES = 2;

/** What Rancher's name is, and who signed the certificate the probes expect. */
export interface DockerReadinessProps {
  /** Rancher's public name. */
  readonly hostname: string;
  /** Who signed the served certificate: decides what the probe verifies it against. */
  readonly issuer: DockerTlsIssuer;
  /**
   * The CA the served certificate must chain to (`blank` with a private CA, `ca`).
   * Unset: the system roots (`acme`, `blank` from a public CA), or for `rancher`
   * the CA Rancher itself publishes on /cacerts.
   */
  readonly caCertPem?: string;
  /** The host, its data volume attachment, address and DNS record. */
  readonly dependsOn: ITerraformDependable[];
  /**
   * Budget of the first probe (`/cacerts` for Rancher's own CA, else `/ping`):
   * installing Docker, pulling the image and the first start. @default 15
   */
  readonly minutes?: number;
}

/**
 * The end of the deploy: `https://<hostname>/ping` answers `pong` through DNS
 * and the Elastic IP, with a verified certificate. For Rancher's self-signed
 * CA there is nothing to verify against beforehand, so the CA is first read
 * from Rancher's public `/cacerts` (trust on first use), then /ping must
 * present a certificate for the hostname signed by it.
 */
export class DockerReadiness extends Construct {
  /** The `/ping` probe: read when Rancher answered `pong` with the expected certificate. */
  readonly ping: DataHttp;
  /** `https://<hostname>`, derived from the probe so it is known only once Rancher answered. */
  readonly url: string;
  /** Rancher's CA as served on /cacerts (`rancher` issuer only). */
  readonly cacerts?: DataHttp;
  /** The CA /ping was verified against (the user's, or Rancher's from /cacerts); unset: the system roots. */
  readonly caCertPem?: string;
  /** Whether `caCertPem` is read from /cacerts: deferred to apply, so unknown, in a plan that changes what the read depends on. */
  readonly caCertDeferred: boolean;

  constructor(scope: Construct, id: string, props: DockerReadinessProps) {
    super(scope, id);
    const probe = (path: string, check: string, errorMessage: string, minutes: number): DataHttpConfig => ({
      url: `https://${props.hostname}${path}`,
      // Unresolved names, refused connections and 5xx are retried.
      ...probeTiming(minutes),
      dependsOn: props.dependsOn,
      lifecycle: { postcondition: [{ condition: `\${self.status_code == 200 && ${check}}`, errorMessage }] },
    });

    const minutes = props.minutes ?? 15;
    let caCertPem = props.caCertPem;
    let pingMinutes = minutes;
    if (props.issuer === 'rancher') {
      this.cacerts = new DataHttp(this, 'cacerts', {
        ...probe('/cacerts', 'strcontains(self.response_body, "BEGIN CERTIFICATE")', 'Rancher did not publish its CA on ${self.url}.', minutes),
        insecure: true,
      });
      caCertPem = this.cacerts.responseBody;
      // Rancher already answers: /ping only has to follow.
      pingMinutes = PING_AFTER_CACERTS_MINUTES;
    }
    this.ping = new DataHttp(this, 'ping', {
      ...probe('/ping', 'trimspace(self.response_body) == "pong"', 'Rancher did not answer "pong" on ${self.url}.', pingMinutes),
      caCertPem,
    });
    this.url = Fn.trimsuffix(this.ping.url, '/ping');
    this.caCertPem = caCertPem;
    this.caCertDeferred = props.issuer === 'rancher';
  }
}
