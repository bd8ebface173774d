import {
  ELB_HOSTNAME_PATTERN,
  HOSTNAME_PATTERN,
  IPV4_PATTERN,
  NLB_HOSTNAME_PATTERN,
  RECORD_FOR_KIND,
  dnsTargetKind,
  loadBalancerRegion,
} from '../../../lib/dns/private/dns-target';

/** Targets as Kubernetes reports them on LoadBalancer Services, with the record each must become. */
const TARGET_CASES: readonly [target: string, kind: string, region: string | undefined][] = [
  ['k8s-ingressn-ingressn-0a1b2c3d4e-0123456789abcdef.elb.us-east-1.amazonaws.com', 'nlb', 'us-east-1'],
  ['a0123456789abcdef0123456789abcde-1234567890.eu-west-1.elb.amazonaws.com', 'elb', 'eu-west-1'],
  ['internal-k8s-ingress-abc-1234567890.ap-southeast-2.elb.amazonaws.com', 'elb', 'ap-southeast-2'],
  ['K8s-Ingress-0123.ELB.US-WEST-2.amazonaws.com', 'nlb', 'us-west-2'],
  ['rancher-0123.elb.cn-north-1.amazonaws.com.cn', 'nlb', 'cn-north-1'],
  ['203.0.113.10', 'ipv4', undefined],
  ['lb.example.net', 'hostname', undefined],
  ['abc.elb.amazonaws.com.example.net', 'hostname', undefined],
  ['my-lb.us-east-1.elb.example.com', 'hostname', undefined],
];

describe('dnsTargetKind', () => {
  it.each(TARGET_CASES)('%s is %s in region %s', (target, kind, region) => {
    expect(dnsTargetKind(target)).toBe(kind);
    expect(loadBalancerRegion(target)).toBe(region);
  });

  it('maps AWS load balancers to aliases, addresses to A and other names to CNAME', () => {
    expect(RECORD_FOR_KIND).toEqual({ nlb: 'alias', elb: 'alias', ipv4: 'A', hostname: 'CNAME' });
  });

  it('uses only RE2 syntax Terraform understands (no lookaround, no backreferences)', () => {
    for (const pattern of [NLB_HOSTNAME_PATTERN, ELB_HOSTNAME_PATTERN, IPV4_PATTERN, HOSTNAME_PATTERN]) {
      expect(pattern).not.toMatch(/\(\?[=!<]|\\[1-9]/);
    }
  });

  it('HOSTNAME_PATTERN accepts DNS names and rejects URLs, single labels and upper case', () => {
    const re = new RegExp(HOSTNAME_PATTERN);
    expect(['lb.example.net', 'a-1.b.c'].every((h) => re.test(h))).toBe(true);
    expect(['https://lb.example.net', 'lb', 'LB.example.net', '-a.example.net'].some((h) => re.test(h))).toBe(false);
  });
});
