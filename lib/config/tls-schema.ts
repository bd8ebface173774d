import { z } from 'zod';

/**
 * The `rancher.tls` section for the Helm-installed stacks (rke-ha, k8s-ha):
 * where TLS ends and who issues the certificate, in the Rancher docs' terms.
 */
export const tlsSchema = z
  .strictObject({
    /** Where TLS ends. Only `ingress` is implemented so far. */
    mode: z.enum(['ingress']).default('ingress'),
    /** Who issues the certificate. `rancher`: Rancher's own CA through cert-manager. */
    issuer: z.enum(['rancher']).default('rancher'),
  })
  .prefault({});
