import type { SettingsInput } from '../../../app/config/settings-schema';
import { expectSecretsByReference } from '../../helpers/secrets';
import { addresses, dataSources, dependencyClosure, resources } from '../../helpers/synth';
import { synthSettings, RKE_HA_STACK } from '../../helpers/variants';

/**
 * rkeHa.loadBalancer: dns — no load balancer: every node's Elastic IP answers
 * Rancher's name through a health-checked multivalue record, the nodes take
 * 80/443 from anywhere and the API from the admin networks themselves, and
 * the gates wait for the records, addresses and rules.
 */
const SITE = { hostname: 'rancher.example.com', hostedZone: 'example.com' };
const synth = (input: SettingsInput) => synthSettings(RKE_HA_STACK, { ...SITE, ...input }).json;

const json = synth({ rkeHa: { loadBalancer: { type: 'dns' } } });
const k3s = synth({ rkeHa: { loadBalancer: { type: 'dns' }, distribution: 'k3s' } });

describe('rke-ha with DNS round robin: no load balancer', () => {
  it.each([
    ['rke2', json, 3],
    ['k3s', k3s, 2],
  ] as const)('%s: has no load balancer, target group or listener, and one Elastic IP per node', (_name, j, servers) => {
    for (const type of ['aws_lb', 'aws_lb_target_group', 'aws_lb_listener', 'aws_lb_target_group_attachment']) expect(resources(j, type)).toEqual({});
    const eips = Object.values(resources(j, 'aws_eip'));
    expect(eips).toHaveLength(servers);
    eips.forEach((eip, i) => expect(eip).toMatchObject({ domain: 'vpc', tags: { Name: `rancher-rke-ha-server-${i}` } }));
    // Allocated once the VPC reaches the internet; associated with its node by a resource of its own (a replaced node gets it back).
    for (const eip of eips)
      expect(eip.depends_on).toEqual(
        expect.arrayContaining([expect.stringMatching(/^aws_internet_gateway\./), expect.stringMatching(/^aws_route\./)]),
      );
    const instances = Object.keys(resources(j, 'aws_instance')).sort();
    const associations = Object.values(resources(j, 'aws_eip_association')).sort((a, b) =>
      String(a.instance_id).localeCompare(String(b.instance_id), 'en'),
    );
    expect(associations.map((a) => a.instance_id)).toEqual(instances.map((n) => `\${aws_instance.${n}.id}`));
    expect(j.output).not.toHaveProperty('load_balancer_dns_name');
    expect(j.output!.node_public_ips.value).toEqual(Object.keys(resources(j, 'aws_eip')).map((n) => `\${aws_eip.${n}.public_ip}`));
  });

  it('answers the name with one health-checked multivalue record per node address', () => {
    const eips = Object.keys(resources(json, 'aws_eip'));
    const checks = resources(json, 'aws_route53_health_check');
    const records = Object.values(resources(json, 'aws_route53_record')).filter((r) => r.name === '${var.rancher_hostname}');
    expect(records).toHaveLength(3);
    records.forEach((record) => {
      const i = Number(/^server-(\d)$/.exec(record.set_identifier)![1]);
      expect(record).toMatchObject({ type: 'A', ttl: 60, multivalue_answer_routing_policy: true, records: [`\${aws_eip.${eips[i]}.public_ip}`] });
      const check = checks[/aws_route53_health_check\.([^.]+)\.id/.exec(record.health_check_id)![1]];
      // Rancher's own /ping through the node's ingress, asked for by Rancher's name (the ingress routes by it).
      expect(check).toMatchObject({
        type: 'HTTPS',
        ip_address: `\${aws_eip.${eips[i]}.public_ip}`,
        port: 443,
        fqdn: '${var.rancher_hostname}',
        resource_path: '/ping',
        request_interval: 30,
        failure_threshold: 3,
      });
    });
  });

  it('opens 80 and 443 to everyone and 6443 to the admin networks on the nodes, and nothing from a load balancer', () => {
    const rules = Object.entries(resources(json, 'aws_vpc_security_group_ingress_rule')).filter(
      ([n]) => n.startsWith('node-security-group_') && !n.includes('_cluster-'),
    );
    const described = rules.map(([, r]) => `${r.from_port} ${r.cidr_ipv4}${r.for_each ? ` for_each ${r.for_each}` : ''}`).sort();
    expect(described).toEqual(['443 0.0.0.0/0', '6443 ${each.value} for_each ${toset(local.admin_cidrs_effective)}', '80 0.0.0.0/0']);
    expect(JSON.stringify(resources(json, 'aws_vpc_security_group_ingress_rule'))).not.toContain(
      'referenced_security_group_id":"${aws_security_group.load-balancer',
    );
  });

  describe('the gates wait for what serves the name', () => {
    const http = dataSources(json, 'http');
    const [readyzName] = Object.entries(http).find(([, d]) => String(d.url).endsWith('/readyz'))!;
    const [pingName, ping] = Object.entries(http).find(([, d]) => String(d.url).endsWith('/ping'))!;
    const [rancherName] = Object.entries(resources(json, 'helm_release')).find(([, r]) => r.chart === 'rancher')!;
    const served = [
      ...addresses(json, 'aws_route53_record'),
      ...addresses(json, 'aws_eip_association'),
      ...addresses(json, 'aws_vpc_security_group_ingress_rule').filter((a) => /node-security-group_public-(80|443)_/.test(a)),
    ];
    const adminRule = addresses(json, 'aws_vpc_security_group_ingress_rule').filter((a) => a.includes('node-security-group_api-admin_'));

    it('the API gate: the nodes, their addresses, the records and the admin rule for 6443', () => {
      const readyz = http[readyzName];
      expect(readyz.url).toMatch(/^https:\/\/\$\{terraform_data\.deployment-guard_record-hostname_[0-9A-F]+\.input\}:6443\/readyz$/);
      expect(adminRule).toHaveLength(1);
      expect(readyz.depends_on).toEqual(expect.arrayContaining([...served, ...adminRule, ...addresses(json, 'aws_instance')]));
    });

    it("the Rancher release (Let's Encrypt HTTP-01 reaches a node by the name)", () => {
      expect(resources(json, 'helm_release')[rancherName].depends_on).toEqual(expect.arrayContaining(served));
    });

    it('the final /ping: after the release, every record (with its health check) and every address', () => {
      expect(ping.url).toBe('https://${var.rancher_hostname}/ping');
      const closure = dependencyClosure(json, `data.http.${pingName}`);
      for (const a of [...served, ...addresses(json, 'aws_route53_health_check'), `helm_release.${rancherName}`]) expect(closure).toContain(a);
      expect(json.output!.rancher_url.value).toBe(`\${trimsuffix(data.http.${pingName}.url, "/ping")}`);
    });
  });

  it('holds no private key, certificate or password literal', () => {
    for (const j of [json, k3s]) {
      // Not even a PEM header here.
      expect(JSON.stringify(j)).not.toMatch(/-----BEGIN [A-Z ]+-----/);
      expectSecretsByReference(j);
    }
  });
});
