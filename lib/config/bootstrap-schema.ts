import { z } from 'zod';
import type { TlsSettings } from './tls-schema';

/**
 * `rancher.bootstrap`: the first login of `admin` in the apply
 * (rancher2_bootstrap): the admin password, `server-url`, an admin API token
 * as a sensitive output. Off for a platform that logs in through SSO and wants
 * no admin token in state. Shared by every stack.
 */
export const bootstrapSchema = z
  .strictObject({
    /** Unset: on, except where Rancher's certificate cannot be verified (bootstrapEnabled). */
    enabled: z.boolean().optional(),
  })
  .prefault({});

export type BootstrapSettings = z.output<typeof bootstrapSchema>;

/**
 * Whether the Helm stacks serve Rancher with a certificate nothing trusts:
 * Let's Encrypt staging at the ingress (with `external`, ACM issues instead).
 */
export function untrustedCertificate(tls: Partial<Pick<TlsSettings, 'mode' | 'issuer' | 'acme'>>): boolean {
  return tls.issuer === 'acme' && tls.mode !== 'external' && tls.acme?.environment === 'staging';
}

/**
 * Whether a deployment runs the first-login bootstrap: the setting, or by
 * default on unless Rancher's certificate is untrusted (the bootstrap never
 * logs in unverified). `helmTls`: the deployment serves `rancher.tls` (rke-ha,
 * k8s-ha); the Docker install has its own TLS section, always verifiable.
 */
export function bootstrapEnabled(rancher: { readonly bootstrap: BootstrapSettings; readonly tls: TlsSettings }, helmTls: boolean): boolean {
  return rancher.bootstrap.enabled ?? !(helmTls && untrustedCertificate(rancher.tls));
}
