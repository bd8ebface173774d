import { HttpProvider } from '@cdktf/provider-http/lib/provider';
import { Password } from '@cdktn/provider-random/lib/password';
import { RandomProvider } from '@cdktn/provider-random/lib/provider';
import type { DockerTlsIssuer } from '../../../lib/config/docker-schema';
import { DockerReadiness } from '../../../lib/docker/docker-readiness';
import { dataSources, synthConstruct } from '../../helpers/synth';

function synth(issuer: DockerTlsIssuer, caCertPem?: string, minutes?: number) {
  return synthConstruct((stack) => {
    new HttpProvider(stack, 'http');
    new RandomProvider(stack, 'random');
    const record = new Password(stack, 'record', { length: 8 });
    new DockerReadiness(stack, 'ready', { hostname: 'rancher.example.com', issuer, caCertPem, dependsOn: [record], minutes });
  }).json;
}
const probes = (issuer: DockerTlsIssuer, caCertPem?: string) => Object.entries(dataSources(synth(issuer, caCertPem), 'http'));

describe('DockerReadiness', () => {
  it.each(['blank', 'ca'] as const)('%s: pings https://<hostname>/ping trusting the given CA', (issuer) => {
    const all = probes(issuer, 'CA-REFERENCE');
    expect(all).toHaveLength(1);
    const [, ping] = all[0];
    expect(ping).toMatchObject({ url: 'https://rancher.example.com/ping', ca_cert_pem: 'CA-REFERENCE', depends_on: ['random_password.record'] });
    expect(ping).not.toHaveProperty('insecure');
  });

  it.each(['acme', 'blank'] as const)('%s without a CA: pings with the system roots', (issuer) => {
    const [[, ping], ...rest] = probes(issuer);
    expect(rest).toEqual([]);
    expect(ping).not.toHaveProperty('ca_cert_pem');
    expect(ping).not.toHaveProperty('insecure');
  });

  it("rancher: fetches /cacerts without verification, then verifies /ping against Rancher's CA", () => {
    const all = Object.fromEntries(probes('rancher'));
    const [cacertsName, pingName] = Object.keys(all).sort();
    const cacerts = all[cacertsName];
    const ping = all[pingName];
    expect(cacerts).toMatchObject({ url: 'https://rancher.example.com/cacerts', insecure: true, depends_on: ['random_password.record'] });
    expect(cacerts.lifecycle.postcondition[0].condition).toBe('${self.status_code == 200 && strcontains(self.response_body, "BEGIN CERTIFICATE")}');
    expect(ping.ca_cert_pem).toBe(`\${data.http.${cacertsName}.response_body}`);
    expect(ping).not.toHaveProperty('insecure');
  });

  it('retries every 10 seconds within 15 minutes by default, and requires 200 "pong"', () => {
    const [, ping] = probes('acme')[0];
    expect(ping.retry).toEqual({ attempts: 44, min_delay_ms: 10000, max_delay_ms: 10000 });
    expect(ping.request_timeout_ms).toBe(10000);
    expect(ping.lifecycle.postcondition).toEqual([
      {
        condition: '${self.status_code == 200 && trimspace(self.response_body) == "pong"}',
        error_message: 'Rancher did not answer "pong" on ${self.url}.',
      },
    ]);
    const [, custom] = Object.entries(dataSources(synth('acme', undefined, 2), 'http'))[0];
    expect(custom.retry.attempts).toBe(5);
  });

  it('gives /ping two minutes after /cacerts answered (Rancher runs already), so the worst case stays near the budget', () => {
    const all = Object.fromEntries(probes('rancher'));
    const [cacertsName, pingName] = Object.keys(all).sort();
    expect(all[cacertsName].retry.attempts).toBe(44);
    expect(all[pingName].retry.attempts).toBe(5);
  });

  it('matches the snapshot', () => {
    expect(synth('rancher')).toMatchSnapshot();
  });
});
