import { parse } from 'yaml';
import type { SettingsInput } from '../../../app/config/settings-schema';
import { DOCKER_STACK } from '../../../app/stacks/docker';
import { RKE_HA_STACK } from '../../../app/stacks/rke-ha';
import { refusals } from '../../helpers/guard';
import { plannedChange } from '../../helpers/replacement';
import { dependencyClosure, only, resources, userDataOf } from '../../helpers/synth';
import { describeWithTerraform } from '../../helpers/terraform';
import { placeholderValue, renderTemplate, validateCloudConfig } from '../../helpers/validators';
import { synthSettings } from '../../helpers/variants';

/**
 * "Try it without a domain" (dns.mode wildcard): no Route53 at all; Rancher
 * is named after an Elastic IP through sslip.io (or nip.io), and every place
 * the hostname reaches follows that name.
 */

const WILDCARD: SettingsInput = { dns: { mode: 'wildcard' } };
const rke = (input: SettingsInput) => synthSettings(RKE_HA_STACK, input);
const docker = (input: SettingsInput) => synthSettings(DOCKER_STACK, input);

describe('rke-ha without a domain', () => {
  const { json } = rke(WILDCARD);
  const eips = Object.keys(resources(json, 'aws_eip'));

  it("puts the name and the NLB's own in every server's tls-san, in user data cloud-init accepts", () => {
    const instances = Object.values(resources(json, 'aws_instance'));
    expect(instances).toHaveLength(3);
    for (const instance of instances) {
      const rendered = renderTemplate(userDataOf(json, instance), placeholderValue);
      const config = parse(validateCloudConfig(rendered).find((f) => f.path === '/etc/rancher/rke2/config.yaml')!.content);
      expect(config['tls-san']).toEqual([
        expect.stringMatching(new RegExp(`^value-of-replace-aws-eip-${eips[0].replace(/[^a-z0-9]+/gi, '-')}-public-ip-\\.sslip\\.io$`)),
        expect.stringMatching(/^value-of-aws-lb-load-balancer-lb-[0-9A-F]+-dns-name$/),
      ]);
    }
  });
});

describe('docker without a domain', () => {
  const { json } = docker({ ...WILDCARD, docker: { tls: { issuer: 'acme' } } });
  const [eip] = Object.keys(resources(json, 'aws_eip'));
  const [, instance] = only(json, 'aws_instance');

  it("tells the container its name (Let's Encrypt's --acme-domain), the address allocated before the host", () => {
    const rendered = renderTemplate(userDataOf(json, instance), placeholderValue);
    const args = validateCloudConfig(rendered)
      .find((f) => f.path === '/etc/rancher-aws/rancher-run.args')!
      .content.trimEnd()
      .split('\n');
    expect(args.slice(-2)).toEqual(['--acme-domain', `value-of-replace-aws-eip-${eip.replace(/[^a-z0-9]+/gi, '-')}-public-ip-.sslip.io`]);
    // The user data (a local) refers to the address; the address to nothing of the host's: no cycle.
    expect(userDataOf(json, instance)).toContain(`aws_eip.${eip}.public_ip`);
    expect(dependencyClosure(json, `aws_eip.${eip}`).has(`aws_instance.${only(json, 'aws_instance')[0]}`)).toBe(false);
  });
});

describeWithTerraform('docker day 2: the name is guarded too (preconditions evaluated by terraform)', () => {
  const BASE: SettingsInput = { hostname: 'rancher.example.com', hostedZone: 'example.com', docker: { tls: { issuer: 'acme' } } };
  const NO_DOMAIN: SettingsInput = { ...WILDCARD, docker: { tls: { issuer: 'acme' } } };

  it('refuses the wildcard mode for a Route53 deployment, which would drop the record the old name resolves through', () => {
    const [before, after] = [docker(BASE).json, docker(NO_DOMAIN).json];
    const refused = refusals(before, after);
    expect(refused).toHaveLength(1);
    expect(refused[0]).toContain('dns.mode is "wildcard", but this deployment was created with "route53".');
    const change = plannedChange(before, after);
    expect(change.destroyed.filter((d) => d.startsWith('aws_route53_record.'))).toHaveLength(1);
    // The host gets a certificate for the new name; the data volume and the address stay.
    expect(change.replaced.filter((r) => /^aws_(ebs_volume|eip)\./.test(r))).toEqual([]);
  });

  it('refuses another wildcard domain; lets everything else through', () => {
    const refused = refusals(docker(NO_DOMAIN).json, docker({ ...NO_DOMAIN, dns: { mode: 'wildcard', wildcardDomain: 'nip.io' } }).json);
    expect(refused).toEqual([expect.stringContaining('dns.wildcardDomain is "nip.io", but this deployment was created with "sslip.io".')]);
    expect(refusals(docker(NO_DOMAIN).json, docker({ ...NO_DOMAIN, docker: { tls: { issuer: 'acme' }, instanceType: 'm6i.xlarge' } }).json)).toEqual(
      [],
    );
  });
});
