import { untrustedCertificate } from '../config/bootstrap-schema';
import type { TlsSettings } from '../config/sections';
import type { CertificateMaterial } from './certificate-variables';

/** Secret names the Rancher chart reads in cattle-system. */
export const INGRESS_SECRET = 'tls-rancher-ingress';
export const PRIVATE_CA_SECRET = 'tls-ca';
/** Keypair of the user's CA for the cert-manager CA issuer (issuer `ca`). */
export const CA_ISSUER_SECRET = 'rancher-ca-issuer-keypair';
export const CA_ISSUER_NAME = 'rancher-user-ca';

/** How the end-of-deploy probe verifies the certificate Rancher is served with. */
export type Trust =
  /** Rancher's own CA, read from the cluster. */
  | 'rancher-ca'
  /** The user's CA (tls_ca_certificate_pem). */
  | 'user-ca'
  /** The system's public roots. */
  | 'public'
  /** Not verifiable (Let's Encrypt staging): the probe checks the answer only. */
  | 'unverified';

/** How ACM gets the certificate when TLS ends at the load balancer. */
export type AcmSource = 'import' | 'sign' | 'issue';

/**
 * The issuer's meaning at a load balancer: your certificate imported, one your CA signs (in Terraform) imported,
 * or ACM's own through DNS validation, its counterpart of Let's Encrypt. Rancher's CA has none (undefined).
 */
export function acmSource(issuer: TlsSettings['issuer']): AcmSource | undefined {
  return ({ blank: 'import', ca: 'sign', acme: 'issue', rancher: undefined } as const)[issuer];
}

/**
 * What one TLS choice needs, decided in one place (DESIGN §4). The stacks and
 * constructs act on this plan instead of re-reading mode and issuer.
 */
export interface TlsPlan {
  /** Where TLS ends, as set. */
  readonly mode: TlsSettings['mode'];
  /** Who issues the certificate, as set. */
  readonly issuer: TlsSettings['issuer'];
  /** TLS ends at an AWS load balancer (ALB with an ACM certificate). */
  readonly atLoadBalancer: boolean;
  /** With TLS at the load balancer: where ACM's certificate comes from; none with Rancher's own CA. */
  readonly acm?: AcmSource;
  /** cert-manager is installed only when it issues something. */
  readonly certManager: boolean;
  /** Terraform variables the user must provide. */
  readonly material: readonly CertificateMaterial[];
  /** Create `tls-rancher-ingress` from the user's certificate and key. */
  readonly ingressSecret: boolean;
  /** Create `tls-ca` (cacerts.pem) and set privateCA. */
  readonly privateCa: boolean;
  /** Create the CA keypair secret and render a cert-manager CA Issuer + Certificate. */
  readonly caIssuer: boolean;
  /** The ingress controller must trust X-Forwarded-* from the load balancer. */
  readonly forwardedHeaders: boolean;
  /** How the end-of-deploy probe verifies the certificate Rancher serves. */
  readonly trust: Trust;
  /**
   * Whether Rancher publishes a CA to the agents (`cacerts`): its own, or the
   * private CA. With a public CA it publishes none (the chart's --no-cacerts),
   * and agents must verify against the system store instead: Rancher 2.14's
   * default agent-tls-mode, strict, makes them exit without a published CA.
   */
  readonly publishesCa: boolean;
}

/** Whether the in-cluster install runs cert-manager for a TLS mode and issuer: it issues at the ingress, except a user's own certificate. */
export function installsCertManager(mode: string | undefined, issuer: string | undefined): boolean {
  return mode !== 'external' && (issuer === 'rancher' || issuer === 'acme' || issuer === 'ca');
}

/** Whether Rancher's certificate comes from the user's private CA: issuer `ca`, or `blank` with `privateCA`. */
export function usesPrivateCa(tls: { readonly issuer: string; readonly privateCA?: boolean }): boolean {
  return tls.issuer === 'ca' || (tls.issuer === 'blank' && tls.privateCA === true);
}

export function tlsPlan(tls: TlsSettings): TlsPlan {
  const atLoadBalancer = tls.mode === 'external';
  const { issuer } = tls;
  const privateCa = usesPrivateCa(tls);

  const material: CertificateMaterial[] = [];
  if (issuer === 'blank') material.push('certificate', 'privateKey');
  if (privateCa) material.push('caCertificate');
  if (issuer === 'ca') material.push('caPrivateKey');

  let trust: Trust;
  if (issuer === 'rancher') trust = 'rancher-ca';
  else if (privateCa) trust = 'user-ca';
  else if (untrustedCertificate(tls)) trust = 'unverified';
  else trust = 'public';

  return {
    mode: tls.mode,
    issuer,
    atLoadBalancer,
    acm: atLoadBalancer ? acmSource(issuer) : undefined,
    certManager: installsCertManager(tls.mode, issuer),
    material,
    ingressSecret: !atLoadBalancer && issuer === 'blank',
    privateCa,
    caIssuer: !atLoadBalancer && issuer === 'ca',
    forwardedHeaders: atLoadBalancer,
    trust,
    publishesCa: issuer === 'rancher' || privateCa,
  };
}
