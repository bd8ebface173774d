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

// k8sHa.dns.hostnameRecord false: the same for k8s-ha (a failover's standby on the user's second cluster). No record of
// the hostname; /ping probed at the ingress load balancer under the name; the record it would need still an output.
const K8S_STANDBY = { k8sHa: { dns: { hostnameRecord: false } }, rancher: { bootstrap: { enabled: false } } };
const k8sProblemsOf = (input: Record<string, unknown>) => settingsProblems(input).filter((p) => p.field === 'k8sHa.dns.hostnameRecord');

describe('k8sHa.dns.hostnameRecord', () => {
  const standby = synthSettings('k8s-ha', K8S_STANDBY as never).json as any;
  const production = synthSettings('k8s-ha', { rancher: { bootstrap: { enabled: false } } } as never).json as any;
  const ping = (json: any) => Object.entries(json.data.http).find(([id]) => id.startsWith('rancher-readiness_ping'))![1] as any;

  it('false synthesizes no Route53 record and probes /ping at the ingress load balancer with the hostname as Host', () => {
    expect(k8sProblemsOf(K8S_STANDBY)).toEqual([]);
    expect(Object.keys(production.resource.aws_route53_record ?? {}).length).toBe(3);
    expect(standby.resource.aws_route53_record).toBeUndefined();
    expect(standby.data.aws_route53_zone).toBeUndefined();
    expect(ping(production).request_headers).toBeUndefined();
    expect(ping(standby)).toMatchObject({
      url: expect.stringMatching(/^https:\/\/\$\{local\.[^}]+\}\/ping$/),
      request_headers: { Host: '${var.rancher_hostname}' },
      insecure: true,
    });
    // The address probed is the ingress load balancer's (the ingress_target variable, else its Service's), lower-cased.
    const local = /^https:\/\/\$\{local\.([^}]+)\}/.exec(ping(standby).url)![1];
    expect(standby.locals[local]).toMatch(/^\$\{lower\(local\.ingress_address_[^)]+\)\}$/);
    expect(JSON.stringify(standby.output.rancher_url)).toContain('replace(');
  });

  it('still outputs the target (dns_target) and the record it needs (dns_record_type: alias, A or CNAME), as with the record', () => {
    for (const json of [production, standby]) {
      expect(json.output.dns_target.value).toMatch(/^\$\{local\.[^}]+\}$/);
      const type = /^\$\{local\.([^}]+)\}$/.exec(json.output.dns_record_type.value)![1];
      expect(json.locals[type]).toMatch(/"alias" : can\(regex\(local\.[^,]+, local\.[^)]+\)\) \? "A" : "CNAME"/);
    }
  });

  it('refuses what goes by the name before the record moves, each naming the fix', () => {
    expect(k8sProblemsOf({ k8sHa: { dns: { hostnameRecord: false } } })).toEqual([
      { field: 'k8sHa.dns.hostnameRecord', value: false, message: expect.stringContaining('set rancher.bootstrap.enabled: false with it') },
    ]);
    const messages = (input: Record<string, unknown>) => k8sProblemsOf({ ...K8S_STANDBY, ...input }).map((p) => p.message);
    expect(
      messages({ rancher: { bootstrap: { enabled: false }, tls: { mode: 'ingress', issuer: 'acme', acme: { email: 'ops@example.com' } } } }),
    ).toEqual([expect.stringContaining('use issuer rancher, ca or blank with it')]);
    // k8s-ha's external TLS ends at the cluster owner's load balancer: no ACM certificate validated through a record.
    expect(messages({ rancher: { bootstrap: { enabled: false }, tls: { mode: 'external' } } })).toEqual([]);
  });
});
