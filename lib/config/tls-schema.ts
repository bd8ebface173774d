import { z } from 'zod';
import { email } from './primitives';

import { TLS_ISSUERS, TLS_MODES, type Expect, type SameType, type TlsSettings } from './sections';

export { TLS_ISSUERS, TLS_MODES, type TlsIssuer, type TlsMode, type TlsSettings } from './sections';

/**
 * The `rancher.tls` section for the Helm-installed stacks (rke-ha, k8s-ha).
 * Which pairs are valid is decided in `tlsProblems` (kept next to the schema
 * so the schema and its rules are read together).
 */
export const tlsSchema = z
  .strictObject({
    /** Where TLS ends: the ingress controller, the AWS load balancer (`external`), or the Rancher pods (re-encryption). */
    mode: z.enum(TLS_MODES).default('ingress'),
    /** Who issues the certificate. */
    issuer: z.enum(TLS_ISSUERS).default('rancher'),
    /** `blank` only: the certificate chains to a private or self-signed CA (tls_ca_certificate_pem is then required). */
    privateCA: z.boolean().default(false),
    /** `blank` only: the public certificate file, read at synth time to check its names against `hostname`; never copied into the output. */
    certificateFile: z.string().min(1).optional(),
    acme: z
      .strictObject({
        /** Let's Encrypt account e-mail (required for `acme` with mode ingress or rancher). */
        email: email.optional(),
        /** `staging` avoids Let's Encrypt's rate limits while testing; its certificates are not publicly trusted. Default `production`. */
        environment: z.enum(['production', 'staging']).optional(),
      })
      .prefault({}),
  })
  .prefault({});

/** The schema's output is the plain section type (a compile error otherwise). */
export type TlsSettingsHeld = Expect<SameType<z.output<typeof tlsSchema>, TlsSettings>>;

export interface TlsProblem {
  readonly path: string[];
  readonly message: string;
  readonly value: unknown;
}

/**
 * The pairs the Rancher docs allow, and what each needs. Returns one problem
 * per invalid choice, each saying what to choose instead.
 */
export function tlsProblems(tls: Partial<TlsSettings>): TlsProblem[] {
  const problems: TlsProblem[] = [];
  const add = (path: string[], message: string, value: unknown) => problems.push({ path, message, value });
  const { mode, issuer } = tls;

  if (mode === 'external' && issuer === 'rancher') {
    add(
      ['issuer'],
      "Rancher's own CA lives inside the cluster and cannot be served by an AWS load balancer; with mode external choose blank, ca or acme (or mode ingress to keep issuer rancher)",
      issuer,
    );
  }
  if (tls.privateCA && issuer !== 'blank') {
    add(
      ['privateCA'],
      issuer === 'ca'
        ? 'not needed: with issuer ca the chain is always private and tls-ca is created anyway; remove it'
        : 'applies to issuer blank only; remove it or set issuer: blank',
      tls.privateCA,
    );
  }
  if (tls.certificateFile !== undefined && issuer !== 'blank') {
    add(['certificateFile'], 'applies to issuer blank only (the other issuers create the certificate)', tls.certificateFile);
  }
  const acmeAtIngress = issuer === 'acme' && mode !== 'external';
  if (acmeAtIngress && !tls.acme?.email) {
    add(
      ['acme', 'email'],
      "required for Let's Encrypt (issuer acme with mode ingress or rancher); or use mode external so ACM issues the certificate",
      undefined,
    );
  }
  const acmeGiven = tls.acme?.email !== undefined || tls.acme?.environment !== undefined;
  if (issuer !== 'acme' && acmeGiven) {
    add(['acme'], 'applies to issuer acme only', tls.acme);
  }
  if (issuer === 'acme' && mode === 'external' && acmeGiven) {
    add(['acme'], 'not used with mode external: ACM issues and renews the certificate through DNS validation', tls.acme);
  }
  return problems;
}

/**
 * A mode the cluster's Traefik is not set up for: with K3s (rke-ha `distribution: k3s`), `external` and `rancher` are
 * refused. K3s' Traefik is a Deployment behind ServiceLB, whose pods forward a connection from their own address, so
 * Traefik could not tell the load balancer's forwarded headers from anyone else's; re-encryption is set up for RKE2's
 * rke2-traefik chart only. `distributionSetting`: how the reader names it (`distribution`, `rkeHa.distribution`).
 */
export function tlsIngressProblem(mode: unknown, distribution: unknown, distributionSetting: string): string | undefined {
  if ((mode !== 'rancher' && mode !== 'external') || distribution !== 'k3s') return undefined;
  const what =
    mode === 'rancher'
      ? "re-encryption (mode rancher) is set up for RKE2's Traefik only"
      : "trusting the load balancer's forwarded headers (mode external) needs the balancer's own address, which K3s' ServiceLB hides from Traefik";
  return `${what}; use ${distributionSetting} rke2 or mode ingress`;
}
