import { RKE_HA_STACK } from '../../../app/stacks/rke-ha';
import { gates } from '../../helpers/gates';
import { describeHclFolders, describeRootModulesLoaded } from '../../helpers/root-module';
import { resources, type TerraformJson } from '../../helpers/synth';
import { describeWithTerraform, evaluate, expressionOf, unparsableTemplates } from '../../helpers/terraform';
import { lintYaml } from '../../helpers/validators';
import { parse } from 'yaml';
import { RKE_HA_TLS_VARIANTS as VARIANTS } from '../../helpers/variants';
import { synthesizeFolders, release } from './rke-ha-tls.setup';

const synthesized = synthesizeFolders();
const folders = Object.entries(synthesized).map(([name, folder]) => ({ name, stack: RKE_HA_STACK, folder }));

describeHclFolders('rke-ha TLS', folders);
describeRootModulesLoaded('rke-ha TLS', folders);

/** The Rancher chart values, evaluated by Terraform itself. */
function chartValues(json: TerraformJson): any {
  return evaluate(`yamldecode(${expressionOf(release(json, 'rancher').values[0])})`, { rancher_hostname: 'rancher.example.com' });
}

describeWithTerraform('rke-ha TLS: what Terraform makes of it (terraform fmt / console)', () => {
  it.each(Object.keys(VARIANTS))('%s: every expression parses as HCL', (name) => {
    expect(unparsableTemplates(synthesized[name].json)).toEqual([]);
  });

  it('ingress+ca: chart values carry the CA issuer and the certificate for the hostname', () => {
    const values = chartValues(synthesized['ingress+ca'].json);
    expect(values).toMatchObject({ hostname: 'rancher.example.com', privateCA: true, ingress: { tls: { source: 'secret' } } });
    const [issuer, certificate] = values.extraObjects;
    expect(issuer).toMatchObject({
      kind: 'Issuer',
      metadata: { namespace: 'cattle-system' },
      spec: { ca: { secretName: 'rancher-ca-issuer-keypair' } },
    });
    expect(certificate).toMatchObject({ kind: 'Certificate', spec: { secretName: 'tls-rancher-ingress', dnsNames: ['rancher.example.com'] } });
  });

  it("ingress+acme: chart values for Let's Encrypt, and a gate waits for the issued certificate after the release", () => {
    const values = chartValues(synthesized['ingress+acme'].json);
    expect(values).toMatchObject({
      hostname: 'rancher.example.com',
      replicas: 3,
      ingress: { ingressClassName: 'traefik', tls: { source: 'letsEncrypt' } },
      letsEncrypt: { email: 'ops@example.com', environment: 'production', ingress: { class: 'traefik' } },
    });
    // Only the default controller's own settings: no issuer or certificate of the stack's.
    expect(values.extraObjects.map((o: { kind: string; metadata: { name: string } }) => `${o.kind}/${o.metadata.name}`)).toEqual([
      'HelmChartConfig/rke2-traefik',
    ]);
    const { job, release: gate } = gates(synthesized['ingress+acme'].json)['rancher-aws-certificate-ready'];
    expect(job.spec.template.spec.containers[0].env).toEqual(
      expect.arrayContaining([
        { name: 'GATE', value: 'certificate' },
        { name: 'NAMESPACE', value: 'cattle-system' },
        { name: 'CERTIFICATE', value: 'tls-rancher-ingress' },
      ]),
    );
    expect(gate.depends_on).toContain(
      `helm_release.${Object.entries(resources(synthesized['ingress+acme'].json, 'helm_release')).find(([, r]) => r.chart === 'rancher')![0]}`,
    );
  });

  it('waits for the certificate only when cert-manager issues it', () => {
    for (const [name, { json }] of Object.entries(synthesized)) {
      const waits = 'rancher-aws-certificate-ready' in gates(json);
      expect([name, waits]).toEqual([name, !name.startsWith('external') && !name.includes('blank')]);
    }
  });

  /** Traefik's HelmChartConfig in the evaluated chart values, and its values as Helm will read them. */
  const traefikConfig = (name: string) => {
    const config = chartValues(synthesized[name].json).extraObjects.find((o: { kind: string }) => o.kind === 'HelmChartConfig');
    return { config, values: parse(config.spec.valuesContent) };
  };

  it.each(Object.keys(VARIANTS))("%s: Traefik's HelmChartConfig is one for rke2-traefik in kube-system, its values clean for yamllint", (name) => {
    const { config } = traefikConfig(name);
    expect(config).toMatchObject({
      apiVersion: 'helm.cattle.io/v1',
      kind: 'HelmChartConfig',
      metadata: { name: 'rke2-traefik', namespace: 'kube-system' },
    });
    expect(lintYaml([config.spec.valuesContent])).toEqual([{ status: 0, output: '' }]);
  });

  it("external: Traefik trusts the forwarded headers of the ALB's subnets on web and outlasts its idle timeout", () => {
    const values = chartValues(synthesized['external+acme'].json);
    expect(values.tls).toBe('external');
    expect(values.extraObjects.map((o: { kind: string; metadata: { name: string } }) => `${o.kind}/${o.metadata.name}`)).toEqual([
      'HelmChartConfig/rke2-traefik',
    ]);
    const web = traefikConfig('external+acme').values.ports.web;
    expect(web.forwardedHeaders.trustedIPs).toEqual(['10.0.0.0/20', '10.0.16.0/20', '10.0.32.0/20']);
    expect(web.transport.respondingTimeouts).toEqual({ readTimeout: '600s', idleTimeout: '3660s' });
  });

  it("rancher: Traefik's chart renders a ServersTransport in cattle-system, the one the Rancher Service names", () => {
    const values = chartValues(synthesized['rancher+rancher'].json);
    expect(values.ingress).toMatchObject({ ingressClassName: 'traefik', servicePort: 443 });
    const [transport] = traefikConfig('rancher+rancher').values.extraObjects;
    expect(transport).toEqual({
      apiVersion: 'traefik.io/v1alpha1',
      kind: 'ServersTransport',
      metadata: { name: 'rancher', namespace: 'cattle-system' },
      spec: { serverName: 'rancher.cattle-system', rootCAs: [{ secret: 'tls-rancher-ingress' }] },
    });
    expect(values.service.annotations['traefik.ingress.kubernetes.io/service.serverstransport']).toBe(
      `${transport.metadata.namespace}-${transport.metadata.name}@kubernetescrd`,
    );
    expect(traefikConfig('rancher+acme').values.extraObjects[0].spec).toEqual({ insecureSkipVerify: true });
  });
});
