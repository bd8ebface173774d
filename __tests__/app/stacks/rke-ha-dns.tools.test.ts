import { parse } from 'yaml';
import type { SettingsInput } from '../../../app/config/settings-schema';
import { RKE_HA_STACK } from '../../../app/stacks/rke-ha';
import { resources, userDataOf } from '../../helpers/synth';
import { synthSettings } from '../../helpers/variants';
import { placeholderValue, renderTemplate, validateCloudConfig } from '../../helpers/validators';

/**
 * rkeHa.loadBalancer: dns — no load balancer: every node's Elastic IP answers
 * Rancher's name through a health-checked multivalue record, the nodes take
 * 80/443 from anywhere and the API from the admin networks themselves, and
 * the gates wait for the records, addresses and rules.
 */
const SITE = { hostname: 'rancher.example.com', hostedZone: 'example.com' };
const synth = (input: SettingsInput) => synthSettings(RKE_HA_STACK, { ...SITE, ...input }).json;

const json = synth({ rkeHa: { loadBalancer: { type: 'dns' } } });

describe('rke-ha with DNS round robin: no load balancer', () => {
  it("reaches the API by Rancher's name as recorded at the first apply, which resolves to the nodes and is in every server certificate", () => {
    const recorded = Object.keys(resources(json, 'terraform_data')).find((n) => n.startsWith('deployment-guard_record-hostname_'));
    expect(resources(json, 'terraform_data')[recorded!].input).toBe('${var.rancher_hostname}');
    const api = `https://\${terraform_data.${recorded}.input}:6443`;
    for (const p of [json.provider!.helm[0].kubernetes, json.provider!.kubernetes[0]]) expect(p.host).toBe(api);
    expect(json.output!.kubeconfig.value).toContain(`"server" = "${api}"`);
    for (const instance of Object.values(resources(json, 'aws_instance'))) {
      const files = validateCloudConfig(renderTemplate(userDataOf(json, instance), placeholderValue));
      expect(parse(files.find((f) => f.path === '/etc/rancher/rke2/config.yaml')!.content)['tls-san']).toEqual(['value-of-var-rancher-hostname']);
    }
  });
});
