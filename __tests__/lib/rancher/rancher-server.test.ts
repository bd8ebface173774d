import { tlsSchema } from '../../../lib/config/tls-schema';
import { HelmProvider } from '@cdktf/provider-helm/lib/provider';
import { Password } from '@cdktn/provider-random/lib/password';
import { RandomProvider } from '@cdktn/provider-random/lib/provider';
import { LocalBackend, TerraformOutput, TerraformVariable, type TerraformStack } from 'cdktf';
import { rancherChartValues } from '../../../lib/rancher/chart-values';
import { RANCHER_NAMESPACE } from '../../../lib/rancher/namespace';
import { RANCHER_REPOSITORY, RancherServer } from '../../../lib/rancher/rancher-server';
import { ref, resources, synthConstruct } from '../../helpers/synth';

function synth(add: (stack: TerraformStack) => void) {
  return synthConstruct((stack) => {
    new LocalBackend(stack, { path: 'terraform.test.tfstate' });
    new HelmProvider(stack, 'helm', {});
    new RandomProvider(stack, 'random');
    add(stack);
  });
}

/** Decodes `${yamlencode({...})}` built from literals: an HCL object of quoted keys and literal values is JSON with `=` for `:`. */
function decodeValues(expression: string): unknown {
  const match = /^\$\{yamlencode\((.*)\)\}$/s.exec(expression);
  if (!match) throw new Error(`not a yamlencode expression: ${expression}`);
  return JSON.parse(match[1].replace(/("(?:[^"\\]|\\.)*") = /g, '$1: '));
}

const input = { hostname: 'rancher.example.com', replicas: 3, ingressClassName: 'nginx', tls: tlsSchema.parse({}) };

describe('RancherServer', () => {
  let server!: RancherServer;
  const { json, text } = synth((stack) => {
    const certManager = new Password(stack, 'cert-manager', { length: 8 });
    server = new RancherServer(stack, 'rancher', { ...input, version: '2.14.4', dependsOn: [certManager] });
    new TerraformOutput(stack, 'password', { value: server.bootstrapPassword, sensitive: true });
  });
  const releases = Object.values(resources(json, 'helm_release'));
  const release = releases[0];
  const passwords = Object.entries(resources(json, 'random_password')).filter(([, p]) => p['//'].metadata.path === 'test/rancher/bootstrap-password');

  it('installs the stable Rancher chart at the given version', () => {
    expect(releases).toHaveLength(1);
    expect(RANCHER_REPOSITORY).toBe('https://releases.rancher.com/server-charts/stable');
    expect(release).toMatchObject({
      name: 'rancher',
      repository: 'https://releases.rancher.com/server-charts/stable',
      chart: 'rancher',
      version: '2.14.4',
      namespace: RANCHER_NAMESPACE,
      create_namespace: true,
      wait: true,
      atomic: true,
      timeout: 1200,
    });
    expect(RANCHER_NAMESPACE).toBe('cattle-system');
  });

  it('passes hostname, replicas, ingress class and TLS source as chart values', () => {
    expect(release.values).toHaveLength(1);
    const values = decodeValues(release.values[0]);
    expect(values).toMatchObject({
      hostname: 'rancher.example.com',
      replicas: 3,
      ingress: { ingressClassName: 'nginx', tls: { source: 'rancher' } },
    });
    expect(values).toEqual(rancherChartValues(input));
  });

  it('sets the bootstrap password only through set_sensitive, from a generated password', () => {
    expect(passwords).toHaveLength(1);
    const [passwordName, password] = passwords[0];
    expect(password).toMatchObject({ length: 32, special: false });
    expect(release.set_sensitive).toEqual([{ name: 'bootstrapPassword', value: ref('random_password', passwordName, 'result') }]);
    expect(release.set).toBeUndefined();
    expect(release.values[0]).not.toMatch(/bootstrapPassword|random_password/);
    expect(text.match(/bootstrapPassword/g)).toHaveLength(1);
    expect(json.output?.password.value).toBe(ref('random_password', passwordName, 'result'));
  });

  it('passes depends_on through', () => {
    expect(release.depends_on).toEqual(['random_password.cert-manager']);
  });

  it('matches the snapshot', () => {
    expect(json).toMatchSnapshot();
  });
});

describe('RancherServer with a hostname only Terraform knows', () => {
  const { json } = synth((stack) => {
    const hostname = new TerraformVariable(stack, 'rancher_hostname', { type: 'string' });
    new RancherServer(stack, 'rancher', {
      ...input,
      hostname: hostname.stringValue,
      replicas: 1,
      ingressClassName: 'traefik',
      version: '2.14.4',
      dependsOn: [],
    });
  });

  it('references the variable inside the values expression', () => {
    const [release] = Object.values(resources(json, 'helm_release'));
    expect(release.values[0]).toContain('"hostname" = var.rancher_hostname');
    expect(release.values[0]).toContain('"replicas" = 1');
    expect(release.values[0]).toContain('"ingressClassName" = "traefik"');
    expect(release.depends_on ?? []).toEqual([]);
  });
});
