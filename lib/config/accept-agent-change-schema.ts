import { z } from 'zod';
import { fqdn } from './primitives';

/** How the guard names the CA downstream agents trust (lib/deployments/private/agent-trust.ts). */
export const AGENT_CA = {
  /** Rancher's own CA, made in the cluster (or the Docker data volume) at the first install and kept there. */
  rancher: 'rancher-ca',
  /** A publicly trusted CA: agents verify against their system store (agent-tls-mode system-store). */
  public: 'public',
  /** Let's Encrypt staging: nothing trusts it, so no agent can have registered. */
  staging: 'letsencrypt-staging',
  /** The user's private CA, named by the SHA-256 of tls_ca_certificate_pem (what Rancher publishes as cacerts). */
  privatePrefix: 'private-ca sha256:',
} as const;

const AGENT_CA_VALUE = new RegExp(`^(${AGENT_CA.rancher}|${AGENT_CA.public}|${AGENT_CA.staging}|${AGENT_CA.privatePrefix}[0-9a-f]{64})$`);

/**
 * `rancher.acceptAgentChange`: a change of Rancher's name or of the CA its
 * agents trust, accepted on purpose. Each field names the one new value it
 * accepts (the refusal prints it), so it can stay in the settings after the
 * apply: any later change is refused again. docs/day-2.md, "Rancher's name and CA".
 */
export const acceptAgentChangeSchema = z
  .strictObject({
    /** The new `hostname` whose change is accepted (every downstream cluster's agents must be moved to it). */
    hostname: fqdn('the new hostname').optional(),
    /** The CA agents trust, as the refusal names it: `rancher-ca`, `public`, `letsencrypt-staging` or `private-ca sha256:<64 hex>`. */
    ca: z
      .string()
      .regex(AGENT_CA_VALUE, {
        message: `expected the value the refusal names: ${AGENT_CA.rancher}, ${AGENT_CA.public}, ${AGENT_CA.staging} or "${AGENT_CA.privatePrefix}" and 64 hex digits`,
      })
      .optional(),
  })
  .prefault({});

export type AcceptAgentChangeSettings = z.output<typeof acceptAgentChangeSchema>;
