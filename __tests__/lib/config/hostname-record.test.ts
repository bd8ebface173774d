import { settingsProblems } from '../../helpers/synth';
import { synthSettings } from '../../helpers/variants';

// rkeHa.loadBalancer.hostnameRecord false: a deployment beside another that owns its name's record (a failover's
// standby, docs/failover.md). No record of the hostname, and the end-of-apply /ping probed at the NLB under the name.

const STANDBY = { rkeHa: { loadBalancer: { hostnameRecord: false } }, rancher: { bootstrap: { enabled: false } } };
const problemsOf = (input: Record<string, unknown>) => settingsProblems(input).filter((p) => p.field === 'rkeHa.loadBalancer.hostnameRecord');

describe('rkeHa.loadBalancer.hostnameRecord', () => {
  it('false synthesizes no Route53 record and probes /ping at the NLB with the hostname as Host', () => {
    expect(problemsOf(STANDBY)).toEqual([]);
    const standby = synthSettings('rke-ha', STANDBY as never).json as any;
    const production = synthSettings('rke-ha', { rancher: { bootstrap: { enabled: false } } } as never).json as any;
    expect(Object.keys(production.resource.aws_route53_record ?? {}).length).toBeGreaterThan(0);
    expect(standby.resource.aws_route53_record).toBeUndefined();
    const ping = (json: any) => Object.entries(json.data.http).find(([id]) => id.startsWith('rancher-readiness_ping'))![1] as any;
    expect(ping(production)).toMatchObject({ url: expect.stringMatching(/^https:\/\/\$\{var\.rancher_hostname\}\/ping$|^https:\/\/[a-z.]+\/ping$/) });
    expect(ping(production).request_headers).toBeUndefined();
    expect(ping(standby)).toMatchObject({
      url: expect.stringMatching(/^https:\/\/\$\{aws_lb\.[^}]+\.dns_name\}\/ping$/),
      request_headers: {
        Host: ping(production)
          .url.replace(/^https:\/\//, '')
          .replace(/\/ping$/, ''),
      },
      insecure: true,
    });
    // Rancher's URL output still names the hostname, not the load balancer.
    expect(JSON.stringify(standby.output.rancher_url)).toContain('replace(');
  });

  it('refuses what needs the record or goes by the name, each naming the fix', () => {
    expect(problemsOf({ rkeHa: { loadBalancer: { hostnameRecord: false } } })).toEqual([
      { field: 'rkeHa.loadBalancer.hostnameRecord', value: false, message: expect.stringContaining('set rancher.bootstrap.enabled: false with it') },
    ]);
    const messages = (input: Record<string, unknown>) => problemsOf({ ...STANDBY, ...input }).map((p) => p.message);
    expect(messages({ rkeHa: { loadBalancer: { hostnameRecord: false, type: 'dns' } } })).toEqual([
      expect.stringContaining('use loadBalancer type nlb with it'),
    ]);
    expect(messages({ rancher: { bootstrap: { enabled: false }, tls: { mode: 'external', issuer: 'acme' } } })).toEqual([
      expect.stringContaining('use mode ingress or rancher with it'),
    ]);
    expect(
      messages({ rancher: { bootstrap: { enabled: false }, tls: { mode: 'ingress', issuer: 'acme', acme: { email: 'ops@example.com' } } } }),
    ).toEqual([expect.stringContaining('use issuer rancher, ca or blank with it')]);
  });
});
