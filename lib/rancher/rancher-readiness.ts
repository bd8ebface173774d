import { DataHttp, type DataHttpConfig } from '@cdktf/provider-http/lib/data-http';
import { DataKubernetesSecretV1 } from '@cdktf/provider-kubernetes/lib/data-kubernetes-secret-v1';
import { Fn, type ITerraformDependable } from 'cdktf';
import { Construct } from 'constructs';
import { probeTiming } from '../common/private/http-retry';
import { RANCHER_NAMESPACE } from './namespace';

/** Rancher's own CA, created by Rancher at start-up, which signs the ingress certificate. */
export const RANCHER_CA_SECRET = 'tls-rancher';

/** What the served certificate must chain to. */
export type ReadinessTrust =
  /** Rancher's own CA, read from the cluster over the authenticated API. */
  | {
      /** Which trust. */
      readonly kind: 'rancher-ca';
    }
  /** A CA the deployer provided (PEM, may be a Terraform reference). */
  | {
      /** Which trust. */
      readonly kind: 'ca';
      /** The CA certificate, PEM. */
      readonly caCertPem: string;
    }
  /** Public roots of the machine running Terraform. */
  | {
      /** Which trust. */
      readonly kind: 'public';
    }
  /** Not verifiable (Let's Encrypt staging): only the answer is checked. */
  | {
      /** Which trust. */
      readonly kind: 'unverified';
    };

/** Rancher's name, what its certificate must chain to, and the budget of the probe. */
export interface RancherReadinessProps {
  /** Rancher's public name. */
  readonly hostname: string;
  /** The Rancher release and the DNS record. */
  readonly dependsOn: ITerraformDependable[];
  /** @default { kind: 'rancher-ca' } */
  readonly trust?: ReadinessTrust;
  /** Budget. @default 15 */
  readonly minutes?: number;
  /**
   * Probe at this address (a load balancer's DNS name) with `hostname` as Host, TLS not verified there (the
   * certificate names the hostname, and Go's client sends the address as SNI), where no record leads the name here
   * yet (a failover's standby). `caCertPem` is still read. @default the hostname itself, verified
   */
  readonly at?: string;
}

/**
 * The end of the deploy: `https://<hostname>/ping` answers `pong` through the
 * real DNS name and load balancer, with a certificate that chains to the
 * expected CA. DNS not yet resolving, refused connections and 5xx are retried.
 */
export class RancherReadiness extends Construct {
  /** The probe of `https://<hostname>/ping`, read when it answers `pong`. */
  readonly ping: DataHttp;
  /** `https://<hostname>`, derived from the probe so it is known only once Rancher answered. */
  readonly url: string;
  /** The CA the probe verified the certificate against (Rancher's own, or the user's); unset: the system roots. */
  readonly caCertPem?: string;
  /**
   * Whether `caCertPem` comes from a read of the cluster (Rancher's own CA):
   * Terraform defers such a read to apply whenever a dependency changes (a
   * Rancher upgrade), so the value is unknown in those plans.
   */
  readonly caCertDeferred: boolean;

  constructor(scope: Construct, id: string, props: RancherReadinessProps) {
    super(scope, id);
    const trust = props.trust ?? { kind: 'rancher-ca' };
    const tls: Partial<DataHttpConfig> = {};
    const preconditions: { condition: string; errorMessage: string }[] = [];

    if (trust.kind === 'rancher-ca') {
      const ca = new DataKubernetesSecretV1(this, 'rancher-ca', {
        metadata: { name: RANCHER_CA_SECRET, namespace: RANCHER_NAMESPACE },
        dependsOn: props.dependsOn,
      });
      Object.assign(tls, { caCertPem: Fn.lookup(ca.data, 'tls.crt') });
      preconditions.push({
        condition: `\${contains(nonsensitive(keys(${ca.fqn}.data)), "tls.crt")}`,
        errorMessage: `Secret ${RANCHER_NAMESPACE}/${RANCHER_CA_SECRET} has no tls.crt: Rancher did not create its CA.`,
      });
    } else if (trust.kind === 'ca') {
      Object.assign(tls, { caCertPem: trust.caCertPem });
    } else if (trust.kind === 'unverified') {
      Object.assign(tls, { insecure: true });
    }

    // At an address: terraform-provider-http takes a Host request header as the request's Host (its performRequest).
    const at = props.at === undefined ? {} : { requestHeaders: { Host: props.hostname }, insecure: true };
    this.ping = new DataHttp(this, 'ping', {
      url: `https://${props.at ?? props.hostname}/ping`,
      ...(props.at === undefined ? tls : at),
      ...probeTiming(props.minutes ?? 15),
      // With the Rancher CA the secret read carries the ordering; otherwise the probe itself does.
      dependsOn: trust.kind === 'rancher-ca' ? undefined : props.dependsOn,
      lifecycle: {
        precondition: preconditions.length ? preconditions : undefined,
        postcondition: [
          {
            condition: '${self.status_code == 200 && trimspace(self.response_body) == "pong"}',
            errorMessage: 'Rancher did not answer "pong" on ${self.url}.',
          },
        ],
      },
    });
    this.url =
      props.at === undefined
        ? Fn.trimsuffix(this.ping.url, '/ping')
        : Fn.replace(this.ping.url, `https://${props.at}/ping`, `https://${props.hostname}`);
    this.caCertPem = tls.caCertPem;
    this.caCertDeferred = trust.kind === 'rancher-ca';
  }
}
