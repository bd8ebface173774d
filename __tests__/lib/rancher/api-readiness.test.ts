import { HttpProvider } from '@cdktf/provider-http/lib/provider';
import { Password } from '@cdktn/provider-random/lib/password';
import { RandomProvider } from '@cdktn/provider-random/lib/provider';
import { LocalBackend, TerraformVariable, type TerraformStack } from 'cdktf';
import { probeWorstCaseSeconds } from '../../../lib/common/private/http-retry';
import { ApiReadiness } from '../../../lib/rancher/api-readiness';
import { dataSources, synthConstruct } from '../../helpers/synth';

function synth(add: (stack: TerraformStack) => void) {
  return synthConstruct((stack) => {
    new LocalBackend(stack, { path: 'terraform.test.tfstate' });
    new HttpProvider(stack, 'http');
    new RandomProvider(stack, 'random');
    add(stack);
  });
}

describe('ApiReadiness', () => {
  const { json } = synth((stack) => {
    const pem = (name: string) => new TerraformVariable(stack, name, { type: 'string', sensitive: true }).stringValue;
    const node = new Password(stack, 'node', { length: 8 });
    new ApiReadiness(stack, 'api', {
      access: {
        host: 'https://demo-lb.elb.us-east-1.amazonaws.com:6443',
        clusterCaCertificate: pem('ca'),
        clientCertificate: pem('cert'),
        clientKey: pem('key'),
      },
      dependsOn: [node],
    });
  });
  const probes = Object.values(dataSources(json, 'http'));
  const probe = probes[0];

  it('probes /readyz on the API server', () => {
    expect(probes).toHaveLength(1);
    expect(probe.url).toBe('https://demo-lb.elb.us-east-1.amazonaws.com:6443/readyz');
    expect(probe.url).toMatch(/\/readyz$/);
    expect(probe).not.toHaveProperty('insecure');
  });

  it('verifies the cluster CA and authenticates with the admin client certificate', () => {
    expect(probe).toMatchObject({ ca_cert_pem: '${var.ca}', client_cert_pem: '${var.cert}', client_key_pem: '${var.key}' });
  });

  it('retries every 10 seconds within a 20-minute budget by default, its worst case included', () => {
    expect(probe.retry).toEqual({ attempts: 59, min_delay_ms: 10000, max_delay_ms: 10000 });
    expect(probe.request_timeout_ms).toBe(10000);
    // 60 requests of up to 10 s, 59 pauses of 10 s.
    expect(probeWorstCaseSeconds({ requestTimeoutMs: 10000, retry: { attempts: 59, minDelayMs: 10000, maxDelayMs: 10000 } })).toBe(1190);
  });

  it('fails unless the API answers 200', () => {
    expect(probe.lifecycle.postcondition).toEqual([
      { condition: '${self.status_code == 200}', error_message: 'The Kubernetes API server did not report ready (GET /readyz).' },
    ]);
  });

  it('waits for what it is given', () => {
    expect(probe.depends_on).toEqual(['random_password.node']);
  });

  it('matches the snapshot', () => {
    expect(json).toMatchSnapshot();
  });
});

describe('ApiReadiness budget', () => {
  const { json } = synth((stack) => {
    new ApiReadiness(stack, 'api', {
      access: { host: 'https://h:6443', clusterCaCertificate: 'a', clientCertificate: 'b', clientKey: 'c' },
      dependsOn: [],
      minutes: 5,
    });
  });

  it('fits its retries into the budget given', () => {
    expect(Object.values(dataSources(json, 'http'))[0].retry.attempts).toBe(14);
  });
});
