import type { SettingsInput } from '../../../app/config/settings-schema';
import { dataSources, dependencyClosure, only, resources, type TerraformJson } from '../../helpers/synth';
import { STACK_VARIANTS, synthSettings, DOCKER_STACK, RKE_HA_STACK } from '../../helpers/variants';
import { apiCertificateEndLiterals, CLUSTER_INITIALIZED_MARKER, notSecret, secretLiterals } from '../../helpers/secrets';

/**
 * "Try it without a domain" (dns.mode wildcard): no Route53 at all; Rancher
 * is named after an Elastic IP through sslip.io (or nip.io), and every place
 * the hostname reaches follows that name.
 */

const WILDCARD: SettingsInput = { dns: { mode: 'wildcard' } };
const rke = (input: SettingsInput) => synthSettings(RKE_HA_STACK, input);
const docker = (input: SettingsInput) => synthSettings(DOCKER_STACK, input);

/** What the stack names Rancher: `<eip>` is the Elastic IP's address in Terraform. */
const wildcardName = (eip: string, domain = 'sslip.io') => `\${replace(aws_eip.${eip}.public_ip, ".", "-")}.${domain}`;
const route53 = (json: TerraformJson) => [
  ...Object.keys(json.resource).filter((type) => type.startsWith('aws_route53')),
  ...Object.keys(json.data ?? {}).filter((type) => type.startsWith('aws_route53')),
];
const guardRecords = (json: TerraformJson) =>
  Object.fromEntries(
    Object.entries(resources(json, 'terraform_data'))
      .filter(([name]) => name.includes('record-dns'))
      .map(([name, r]) => [/record-(dns-[A-Za-z]+)_/.exec(name)![1], r.input]),
  );

describe('rke-ha without a domain', () => {
  const { json, text } = rke(WILDCARD);
  const eips = Object.keys(resources(json, 'aws_eip'));
  const [lbName, lb] = only(json, 'aws_lb');
  const name = wildcardName(eips[0]);
  const http = dataSources(json, 'http');
  const probe = (suffix: string) => Object.entries(http).find(([, d]) => String(d.url).endsWith(suffix))!;

  it('is a variant the root-module checks run (terraform init, fmt, recorded addresses)', () => {
    expect(STACK_VARIANTS.some((v) => v.stack === RKE_HA_STACK && v.settings.dns?.mode === 'wildcard')).toBe(true);
  });

  it('has no Route53 record, zone lookup, hostname or zone variable', () => {
    expect(route53(json)).toEqual([]);
    expect(Object.keys(json.variable!)).toEqual(['admin_cidrs', 'check_deployer_address', 'deployer_arns', 'instance_type', 'read_deployer_session']);
  });

  it('puts one Elastic IP per public subnet on the NLB, keyed by zone index', () => {
    expect(eips.map((e) => /^load-balancer_(eip-\d)_/.exec(e)![1])).toEqual(['eip-0', 'eip-1', 'eip-2']);
    const subnets = Object.keys(resources(json, 'aws_subnet')).filter((s) => s.startsWith('network_public-'));
    expect(lb.subnets).toBeUndefined();
    expect(lb.subnet_mapping).toEqual(
      eips.map((eip, i) => ({ subnet_id: `\${aws_subnet.${subnets[i]}.id}`, allocation_id: `\${aws_eip.${eip}.allocation_id}` })),
    );
  });

  it('never creates anything before destroying its predecessor where that could touch the NLB or its addresses', () => {
    // Terraform extends create_before_destroy to what such a resource depends on: a new NLB could not take the
    // allocations the old one holds.
    const cbd = Object.entries(json.resource).flatMap(([type, byName]) =>
      Object.entries(byName)
        .filter(([, r]) => r.lifecycle?.create_before_destroy)
        .map(([n]) => `${type}.${n}`),
    );
    for (const address of cbd) {
      expect([...dependencyClosure(json, address)].filter((a) => /^aws_(lb|eip)\./.test(a))).toEqual([]);
      expect(address).not.toMatch(/^aws_(lb|eip)\./);
    }
    const dependents = Object.entries(json.resource).flatMap(([type, byName]) =>
      Object.keys(byName)
        .filter((n) => dependencyClosure(json, `${type}.${n}`).has(`aws_lb.${lbName}`))
        .map((n) => `${type}.${n}`),
    );
    expect(dependents.length).toBeGreaterThan(0);
    for (const address of dependents) expect(cbd).not.toContain(address);
  });

  it('probes /ping once the name leads to the ingress: the balancer, its addresses, listeners and rules', () => {
    const [pingName] = probe('/ping');
    const closure = dependencyClosure(json, `data.http.${pingName}`);
    const path = [
      `aws_lb.${lbName}`,
      ...['aws_eip', 'aws_lb_listener'].flatMap((type) => Object.keys(resources(json, type)).map((n) => `${type}.${n}`)),
      ...Object.keys(resources(json, 'aws_vpc_security_group_ingress_rule'))
        .filter((n) => /^(load-balancer_ingress|node-security-group_from-lb-(80|443)_)/.test(n))
        .map((n) => `aws_vpc_security_group_ingress_rule.${n}`),
    ];
    expect(path.length).toBeGreaterThan(8);
    expect(path.filter((a) => !closure.has(a))).toEqual([]);
  });

  it('names Rancher after eip-0 in the chart values, the readiness probes, the providers and the kubeconfig', () => {
    const [, rancher] = Object.entries(resources(json, 'helm_release')).find(([, r]) => r.chart === 'rancher')!;
    expect(rancher.values[0]).toContain(`"hostname" = "${name}"`);
    expect(probe('/ping')[1].url).toBe(`https://${name}/ping`);
    // The API through the NLB by that name: the servers' certificates carry it, and it outlives a replaced NLB.
    expect(probe('/readyz')[1].url).toBe(`https://${name}:6443/readyz`);
    expect(json.provider!.kubernetes[0].host).toBe(`https://${name}:6443`);
    expect(json.provider!.helm[0].kubernetes.host).toBe(`https://${name}:6443`);
    expect(json.output!.kubeconfig.value).toContain(`"server" = "https://${name}:6443"`);
    expect(json.output!.rancher_url.value).toBe(`\${trimsuffix(data.http.${probe('/ping')[0]}.url, "/ping")}`);
  });

  it('waits for the NLB, its addresses and listeners where a Route53 deployment waits for the record', () => {
    const needed = [
      `aws_lb.${lbName}`,
      ...eips.map((e) => `aws_eip.${e}`),
      ...Object.keys(resources(json, 'aws_lb_listener')).map((l) => `aws_lb_listener.${l}`),
    ];
    expect(probe('/readyz')[1].depends_on).toEqual(expect.arrayContaining(needed));
    const [, rancher] = Object.entries(resources(json, 'helm_release')).find(([, r]) => r.chart === 'rancher')!;
    expect(rancher.depends_on).toEqual(expect.arrayContaining(needed));
    const [, secret] = Object.entries(dataSources(json, 'kubernetes_secret_v1'))[0];
    expect(secret.depends_on).toEqual(expect.arrayContaining(needed));
  });

  it('records the mode and the domain in the deployment guard', () => {
    expect(guardRecords(json)).toEqual({ 'dns-mode': 'wildcard', 'dns-wildcardDomain': 'sslip.io' });
  });

  it('holds no private key, certificate, password or token literal', () => {
    expect(text).not.toMatch(/-----BEGIN/);
    expect(secretLiterals(json).sort()).toEqual(
      [CLUSTER_INITIALIZED_MARKER, 'resource.aws_ssm_parameter.server-count.value=3', ...apiCertificateEndLiterals(json)].sort(),
    );
  });

  it("issues with Let's Encrypt on the same name when asked (the warning is the construct's, see main.ts)", () => {
    const acme = rke({ ...WILDCARD, rancher: { tls: { issuer: 'acme', acme: { email: 'ops@example.com' } } } }).json;
    const [, rancher] = Object.entries(resources(acme, 'helm_release')).find(([, r]) => r.chart === 'rancher')!;
    expect(rancher.values[0]).toContain('"source" = "letsEncrypt"');
    expect(rancher.values[0]).toContain(`"hostname" = "${wildcardName(Object.keys(resources(acme, 'aws_eip'))[0])}"`);
  });
});

describe('docker without a domain', () => {
  const { json, text } = docker({ ...WILDCARD, docker: { tls: { issuer: 'acme' } } });
  const [eip] = Object.keys(resources(json, 'aws_eip'));
  const name = wildcardName(eip);

  it('is a variant the root-module checks run', () => {
    expect(STACK_VARIANTS.some((v) => v.stack === DOCKER_STACK && v.settings.dns?.mode === 'wildcard')).toBe(true);
  });

  it("names Rancher after the host's existing Elastic IP: no record, no zone, no hostname or zone variables", () => {
    expect(route53(json)).toEqual([]);
    expect(Object.keys(json.variable!)).toEqual(['deployer_arns', 'instance_type', 'read_deployer_session']);
    const [, ping] = Object.entries(dataSources(json, 'http')).find(([, d]) => String(d.url).endsWith('/ping'))!;
    expect(ping.url).toBe(`https://${name}/ping`);
    // Known when the address is: the association (not a record) is what makes the name lead to the host, through its open ports.
    expect(ping.depends_on).toEqual([
      expect.stringMatching(/^aws_volume_attachment\./),
      expect.stringMatching(/^aws_eip_association\./),
      expect.stringMatching(/^aws_vpc_security_group_ingress_rule\.security-group_public-80_/),
      expect.stringMatching(/^aws_vpc_security_group_ingress_rule\.security-group_public-443_/),
    ]);
  });

  it('signs the certificate of issuer ca for that name', () => {
    const ca = docker({ dns: { mode: 'wildcard', wildcardDomain: 'nip.io' }, docker: { tls: { issuer: 'ca' } } }).json;
    const [, request] = only(ca, 'tls_cert_request');
    expect(request.dns_names).toEqual([wildcardName(Object.keys(resources(ca, 'aws_eip'))[0], 'nip.io')]);
  });

  it('records the mode and the domain in the deployment guard', () => {
    expect(guardRecords(json)).toEqual({ 'dns-mode': 'wildcard', 'dns-wildcardDomain': 'sslip.io' });
  });

  it('holds no private key, certificate, password or token literal', () => {
    expect(text).not.toMatch(/-----BEGIN/);
    // The literals there are not secrets: the version and restore records, the K3s report before the first one.
    expect(secretLiterals(json).filter((literal) => !notSecret(literal))).toEqual([]);
    expect(secretLiterals(json)).toHaveLength(3);
  });
});
