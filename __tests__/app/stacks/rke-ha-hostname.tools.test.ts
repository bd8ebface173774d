import type { SettingsInput } from '../../../app/config/settings-schema';
import { refusals } from '../../helpers/guard';
import { plannedChange, servers } from '../../helpers/replacement';
import { synth, SITE, renamed, FRONTS, apiHost } from './rke-ha-hostname.setup';

describe.each(FRONTS)('a new hostname, %s in front', (_name, input) => {
  const before = synth(input);
  const after = synth(renamed(input));
  const accepted = synth({ ...renamed(input), rancher: { ...input.rancher, acceptAgentChange: { hostname: 'rancher2.example.com' } } });

  it("is refused for the downstream agents' sake unless accepted, and then replaces no server and no load balancer", () => {
    expect(refusals(before, after)).toEqual([
      expect.stringContaining('hostname is "rancher2.example.com", but this deployment was created with "rancher.example.com".'),
    ]);
    expect(refusals(before, accepted)).toEqual([]);
    const change = plannedChange(before, accepted);
    expect(servers([...change.replaced, ...change.destroyed])).toEqual([]);
    expect([...change.replaced, ...change.destroyed].filter((a) => /^aws_lb\./.test(a))).toEqual([]);
  });
});

describe('a new hostname with DNS round robin (no load balancer)', () => {
  const DNS: SettingsInput = { ...SITE, rkeHa: { loadBalancer: { type: 'dns' } } };
  const before = synth(DNS);
  const after = synth(renamed(DNS));

  it('is refused at plan time with the procedure', () => {
    const [message] = refusals(before, after);
    expect(message).toContain('hostname is "rancher2.example.com", but this deployment was created with "rancher.example.com".');
    expect(message).toContain('add the new name to tls-san');
    expect(message).toContain('terraform apply -refresh=false -replace=<the hostname record>');
    expect(refusals(before, before)).toEqual([]);
  });
});

describe('switching the front (the API name moves with it)', () => {
  const DNS: SettingsInput = { ...SITE, rkeHa: { loadBalancer: { type: 'dns' } } };

  it("NLB to DNS round robin is taken: the API is then reached by Rancher's name, which every server certificate carries and which still leads to the cluster", () => {
    expect(refusals(synth(SITE), synth(DNS))).toEqual([]);
    // The record of the name is new in that plan: its input (Rancher's name) is known, so is the providers' address.
    expect(apiHost(synth(DNS))).toMatch(/terraform_data\.deployment-guard_record-hostname_/);
  });

  it("DNS round robin to the NLB is refused: the new NLB's name is unknown in that plan and not in the servers' certificates", () => {
    const [message] = refusals(synth(DNS), synth(SITE));
    expect(message).toContain('loadBalancer.type is "nlb", but this deployment was created with "dns".');
    expect(message).toContain('terraform apply -target=<the aws_lb address of the load balancer>');
    expect(message).toContain(
      'terraform apply -replace=<the loadBalancer.type record> (its address in terraform state list ends in record-rkeHa-loadBalancer-type_<hash>;',
    );
    expect(apiHost(synth(SITE))).toMatch(/aws_lb\.load-balancer_lb_/);
  });

  it('neither is refused without a change', () => {
    expect(refusals(synth(SITE), synth(SITE))).toEqual([]);
    expect(refusals(synth(DNS), synth(DNS))).toEqual([]);
  });
});
