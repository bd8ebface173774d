import type { SettingsInput } from '../../../app/config/settings-schema';
import { dataSources, resources, type TerraformJson } from '../../helpers/synth';
import { synth, SITE, renamed, FRONTS, apiHost } from './rke-ha-hostname.setup';

/** The cluster providers' configuration, as Terraform reads it. */
const clusterProviders = (json: TerraformJson) => ({ kubernetes: json.provider!.kubernetes, helm: json.provider!.helm });
/** What refers to Rancher's name (the `rancher_hostname` variable): what a new name changes, or reads under it. */
function usersOfHostname(json: TerraformJson): string[] {
  const out: string[] = [];
  const blocks: [string, Record<string, Record<string, unknown>>][] = [
    ['', json.resource],
    ['data.', json.data ?? {}],
  ];
  for (const [prefix, byType] of blocks) {
    for (const [type, byName] of Object.entries(byType)) {
      for (const [name, body] of Object.entries(byName))
        if (JSON.stringify(body).includes('var.rancher_hostname')) out.push(`${prefix}${type}.${name.replace(/_[0-9A-F]{8}$/, '')}`);
    }
  }
  for (const [type, configs] of Object.entries(json.provider ?? {}))
    if (JSON.stringify(configs).includes('var.rancher_hostname')) out.push(`provider.${type}`);
  return out.sort();
}

describe.each(FRONTS)('a new hostname, %s in front', (_name, input) => {
  const before = synth(input);
  const after = synth(renamed(input));

  it("reaches the API by the NLB's own name (in every server's tls-san), which the change does not touch", () => {
    expect(apiHost(before)).toMatch(/^https:\/\/\$\{aws_lb\.load-balancer_lb_[0-9A-F]+\.dns_name\}:6443$/);
    expect(clusterProviders(after)).toEqual(clusterProviders(before));
    expect(after.output!.kubeconfig).toEqual(before.output!.kubeconfig);
  });

  it('changes only what names Rancher; what reads the cluster at plan time does not use the name', () => {
    expect([before, after].map((j) => j.variable!.rancher_hostname.default)).toEqual(['rancher.example.com', 'rancher2.example.com']);
    const users = usersOfHostname(after);
    // Never the cluster providers or the API probe: the refresh of every in-cluster object works as before.
    expect(users.filter((u) => /^provider\.(kubernetes|helm)$|^data\.http\.api-readiness/.test(u))).toEqual([]);
    expect(users).toEqual(
      expect.arrayContaining([
        'aws_route53_record.dns_record',
        'helm_release.rancher_release',
        'data.http.rancher-readiness_ping',
        'provider.rancher2',
      ]),
    );
    // The servers' user data names it (tls-san) but is held (ignore_changes) and reported in servers_pending_replacement.
    for (const instance of Object.values(resources(after, 'aws_instance'))) expect(instance.lifecycle.ignore_changes).toContain('user_data_base64');
    // /ping waits for the chart, which changes: Terraform reads it at apply time, after the new record exists.
    const ping = Object.entries(dataSources(after, 'http')).find(([n]) => n.startsWith('rancher-readiness_ping'))![1];
    expect(JSON.stringify(ping)).toMatch(/helm_release\.rancher_release|data\.kubernetes_secret_v1\.rancher-readiness_rancher-ca/);
  });
});

describe('a new hostname with DNS round robin (no load balancer)', () => {
  const DNS: SettingsInput = { ...SITE, rkeHa: { loadBalancer: { type: 'dns' } } };
  const before = synth(DNS);
  const after = synth(renamed(DNS));

  it('reaches the API by the name recorded at the first apply, so the providers do not move with the setting', () => {
    expect(apiHost(before)).toMatch(/^https:\/\/\$\{terraform_data\.deployment-guard_record-hostname_[0-9A-F]+\.input\}:6443$/);
    expect(clusterProviders(after)).toEqual(clusterProviders(before));
    const [, record] = Object.entries(resources(before, 'terraform_data')).find(([n]) => n.startsWith('deployment-guard_record-hostname_'))!;
    expect(record).toMatchObject({ input: '${var.rancher_hostname}', lifecycle: { ignore_changes: ['input'] } });
  });

  it("a load balancer deployment records the name too (the agents' server-url), but reaches the API by the NLB's name", () => {
    expect(Object.keys(resources(synth(SITE), 'terraform_data')).filter((n) => n.includes('record-hostname'))).toHaveLength(1);
    expect(apiHost(synth(SITE))).not.toContain('record-hostname');
  });
});

describe('no domain (dns.mode wildcard)', () => {
  it("reaches the API by Rancher's sslip.io name, which no accepted setting changes and a replaced NLB keeps", () => {
    const json = synth({ dns: { mode: 'wildcard' } });
    expect(apiHost(json)).toMatch(/^https:\/\/\$\{.*aws_eip\.load-balancer_eip-0_[0-9A-F]+\.public_ip.*\}.*:6443$/);
  });
});
