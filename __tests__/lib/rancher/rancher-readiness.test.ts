import { HttpProvider } from '@cdktf/provider-http/lib/provider';
import { KubernetesProvider } from '@cdktf/provider-kubernetes/lib/provider';
import { Password } from '@cdktn/provider-random/lib/password';
import { RandomProvider } from '@cdktn/provider-random/lib/provider';
import { LocalBackend, type TerraformStack } from 'cdktf';
import { RANCHER_CA_SECRET, RancherReadiness } from '../../../lib/rancher/rancher-readiness';
import { dataSources, synthConstruct } from '../../helpers/synth';

function synth(add: (stack: TerraformStack) => void) {
  return synthConstruct((stack) => {
    new LocalBackend(stack, { path: 'terraform.test.tfstate' });
    new HttpProvider(stack, 'http');
    new KubernetesProvider(stack, 'kubernetes', {});
    new RandomProvider(stack, 'random');
    add(stack);
  });
}

describe('RancherReadiness', () => {
  const { json } = synth((stack) => {
    const release = new Password(stack, 'release', { length: 8 });
    const record = new Password(stack, 'record', { length: 8 });
    new RancherReadiness(stack, 'ready', { hostname: 'rancher.example.com', dependsOn: [release, record] });
  });
  const secrets = Object.entries(dataSources(json, 'kubernetes_secret_v1'));
  const [secretName, secret] = secrets[0];
  const pings = Object.values(dataSources(json, 'http'));
  const ping = pings[0];

  it("reads Rancher's CA secret tls-rancher in cattle-system, after the release and the record", () => {
    expect(secrets).toHaveLength(1);
    expect(RANCHER_CA_SECRET).toBe('tls-rancher');
    expect(secret.metadata).toEqual({ name: 'tls-rancher', namespace: 'cattle-system' });
    expect(secret.depends_on).toEqual(['random_password.release', 'random_password.record']);
  });

  it('pings https://<hostname>/ping, trusting that CA', () => {
    expect(pings).toHaveLength(1);
    expect(ping.url).toBe('https://rancher.example.com/ping');
    // The CA certificate comes from the secret's tls.crt key, read by Terraform, never a literal.
    expect(ping.ca_cert_pem).toContain(`data.kubernetes_secret_v1.${secretName}.data`);
    expect(ping.ca_cert_pem).toContain('"tls.crt"');
    expect(ping.ca_cert_pem).not.toMatch(/BEGIN/);
    expect(ping).not.toHaveProperty('insecure');
  });

  it('retries every 10 seconds within a 15-minute budget by default', () => {
    expect(ping.retry).toEqual({ attempts: 44, min_delay_ms: 10000, max_delay_ms: 10000 });
  });

  it('fails unless Rancher answers 200 "pong"', () => {
    expect(ping.lifecycle.postcondition).toHaveLength(1);
    const [check] = ping.lifecycle.postcondition;
    expect(check.condition).toBe('${self.status_code == 200 && trimspace(self.response_body) == "pong"}');
    expect(check.error_message).toMatch(/pong/);
  });

  it('matches the snapshot', () => {
    expect(json).toMatchSnapshot();
  });
});
