import { createHash } from 'node:crypto';
import type { SettingsInput } from '../../lib/config/schema';
import { RKE_HA_STACK } from '../../app/stacks/rke-ha';
import { resources } from '../helpers/synth';
import { synthSettings } from '../helpers/variants';
import { evaluate, expressionOf } from '../helpers/terraform';

/**
 * The first apply, gate by gate, for every TLS mode and issuer, both
 * distributions (and both RKE2 ingress controllers), one server and the HA
 * count: the charts wait for every server, the Rancher release for the
 * ingress controller's admission, the final probe for cert-manager's
 * certificate, and each gate has the budget of its setting.
 */
const TLS = [
  { mode: 'ingress', issuer: 'rancher' },
  { mode: 'ingress', issuer: 'blank' },
  { mode: 'ingress', issuer: 'blank', privateCA: true },
  { mode: 'ingress', issuer: 'ca' },
  { mode: 'ingress', issuer: 'acme', acme: { email: 'ops@example.com' } },
  { mode: 'external', issuer: 'blank' },
  { mode: 'external', issuer: 'ca' },
  { mode: 'external', issuer: 'acme' },
  { mode: 'rancher', issuer: 'rancher' },
  { mode: 'rancher', issuer: 'ca' },
  { mode: 'rancher', issuer: 'acme', acme: { email: 'ops@example.com' } },
] as const;

interface Variant {
  readonly name: string;
  readonly input: SettingsInput;
  readonly servers: number;
  readonly distribution: 'rke2' | 'k3s';
  readonly controller: 'ingress-nginx' | 'traefik';
  readonly certManager: boolean;
  readonly alb: boolean;
}

const variants: Variant[] = [];
for (const tls of TLS) {
  const certManager = tls.mode !== 'external' && tls.issuer !== 'blank';
  const alb = tls.mode === 'external';
  for (const servers of [1, 3]) {
    variants.push({
      name: `rke2 nginx ${tls.mode}+${tls.issuer}${'privateCA' in tls ? '+privateCA' : ''} x${servers}`,
      input: { rancher: { tls }, rkeHa: { nodeCount: servers as 1 | 3 } },
      servers,
      distribution: 'rke2',
      controller: 'ingress-nginx',
      certManager,
      alb,
    });
    // Traefik and K3s support TLS at the ingress only.
    if (tls.mode === 'ingress') {
      variants.push({
        name: `rke2 traefik ${tls.issuer} x${servers}`,
        input: { rancher: { tls }, rkeHa: { nodeCount: servers as 1 | 3, ingressController: 'traefik' } },
        servers,
        distribution: 'rke2',
        controller: 'traefik',
        certManager,
        alb,
      });
      variants.push({
        name: `k3s ${tls.issuer} x${servers}`,
        input: { rancher: { tls }, rkeHa: { nodeCount: servers as 1 | 3, distribution: 'k3s' } },
        servers,
        distribution: 'k3s',
        controller: 'traefik',
        certManager,
        alb,
      });
    }
  }
}

const synth = (input: SettingsInput) => synthSettings(RKE_HA_STACK, { hostname: 'rancher.example.com', hostedZone: 'example.com', ...input }).json;

describe('rke-ha first apply: the join token and the snapshots', () => {
  const json = synth({});
  const parameters = resources(json, 'aws_ssm_parameter');
  const token = Object.entries(parameters).find(([n]) => n.startsWith('boot-parameters_token'))![1];
  const ca = Object.entries(parameters).find(([n]) => n.startsWith('boot-parameters_server-ca-cert'))![1];

  it('computes, in Terraform, the hash k3s computes over the served server-ca.crt (the file boot-lib writes byte for byte)', () => {
    const pem = '-----BEGIN CERTIFICATE-----\nMIIBkTCB+wIJAKHBfpegPjMCMA0GCSqGSIb3DQEBCwUA\n-----END CERTIFICATE-----\n';
    const expression = expressionOf(token.value)
      .replace(ca.value.slice(2, -1), JSON.stringify(pem))
      .replace('random_password.join-token.result', '"s3cret"');
    expect(evaluate(expression)).toBe(`K10${createHash('sha256').update(pem).digest('hex')}::server:s3cret`);
  });
});
