import { RKE_HA_STACK } from '../../../app/stacks/rke-ha';
import { gates } from '../../helpers/gates';
import { describeHclFolders, describeRootModulesLoaded } from '../../helpers/root-module';
import { resources, type TerraformJson } from '../../helpers/synth';
import { describeWithTerraform, evaluate, expressionOf, unparsableTemplates } from '../../helpers/terraform';
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

  it('external: the forwarded-headers config reaches ingress-nginx as valid YAML', () => {
    const values = chartValues(synthesized['external+acme'].json);
    expect(values.tls).toBe('external');
    expect(values.extraObjects[0].spec.valuesContent).toBe("controller:\n  config:\n    use-forwarded-headers: 'true'\n");
  });
});
