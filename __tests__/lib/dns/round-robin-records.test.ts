import { DataAwsRoute53Zone } from '@cdktn/provider-aws/lib/data-aws-route53-zone';
import { Lb } from '@cdktn/provider-aws/lib/lb';
import { AwsProvider } from '@cdktn/provider-aws/lib/provider';
import type { TerraformStack } from 'cdktf';
import { AliasRecord } from '../../../lib/dns/alias-record';
import { RoundRobinRecords } from '../../../lib/dns/round-robin-records';
import { ref, resources, synthConstruct } from '../../helpers/synth';

function synth(add: (stack: TerraformStack, zone: DataAwsRoute53Zone) => void) {
  return synthConstruct((stack) => {
    new AwsProvider(stack, 'aws', { region: 'us-east-1' });
    add(stack, new DataAwsRoute53Zone(stack, 'zone', { name: 'example.com', privateZone: false }));
  });
}

const MEMBERS = [
  { name: 'server-0', address: '198.51.100.10' },
  { name: 'server-1', address: '198.51.100.11' },
  { name: 'server-2', address: '198.51.100.12' },
];

describe('RoundRobinRecords', () => {
  const { json } = synth((stack, zone) => {
    new RoundRobinRecords(stack, 'dns', {
      zone,
      recordName: 'rancher.example.com',
      members: MEMBERS,
      healthCheck: { hostname: 'rancher.example.com', path: '/ping' },
      name: 'demo',
    });
  });
  const records = Object.entries(resources(json, 'aws_route53_record'));
  const checks = Object.entries(resources(json, 'aws_route53_health_check'));
  const byMember = (i: number) => records.find(([, r]) => r.set_identifier === MEMBERS[i].name)!;

  it("checks each member over HTTPS on 443, by Rancher's name (Host header and SNI), every 30 s, three failures to fail", () => {
    expect(checks).toHaveLength(3);
    checks.forEach(([, check], i) => {
      expect(check).toEqual(
        expect.objectContaining({
          type: 'HTTPS',
          ip_address: MEMBERS[i].address,
          port: 443,
          fqdn: 'rancher.example.com',
          enable_sni: true,
          resource_path: '/ping',
          request_interval: 30,
          failure_threshold: 3,
          tags: { Name: `demo-${MEMBERS[i].name}` },
        }),
      );
      // No string match, latency or fast interval: each is an extra charge per check.
      expect(check).not.toHaveProperty('search_string');
      expect(check).not.toHaveProperty('measure_latency');
    });
  });

  it("answers the name with one multivalue A record per member, TTL 60, tied to that member's check", () => {
    expect(records).toHaveLength(3);
    MEMBERS.forEach((member, i) => {
      const [, record] = byMember(i);
      expect(record).toMatchObject({
        zone_id: ref('data.aws_route53_zone', 'zone', 'zone_id'),
        name: 'rancher.example.com',
        type: 'A',
        ttl: 60,
        records: [member.address],
        set_identifier: member.name,
        multivalue_answer_routing_policy: true,
        health_check_id: `\${aws_route53_health_check.${checks[i][0]}.id}`,
      });
      expect(record).not.toHaveProperty('alias');
    });
  });

  it("creates the other members' records only after the first one (Route53 refuses them next to a simple record of the name)", () => {
    const [firstName, first] = byMember(0);
    expect(first.depends_on).toBeUndefined();
    for (const i of [1, 2]) expect(byMember(i)[1].depends_on).toEqual([`aws_route53_record.${firstName}`]);
  });

  it("gives the first member's record the address of an AliasRecord's record in the same place: a switch updates it in place", () => {
    const alias = synth((stack, zone) => {
      const lb = new Lb(stack, 'lb', { name: 'demo', loadBalancerType: 'network' });
      new AliasRecord(stack, 'dns', { zone, recordName: 'rancher.example.com', target: lb });
    }).json;
    expect(Object.keys(resources(alias, 'aws_route53_record'))).toEqual([byMember(0)[0]]);
  });

  it('needs at least one member', () => {
    expect(() =>
      synth(
        (stack, zone) =>
          new RoundRobinRecords(stack, 'dns', {
            zone,
            recordName: 'rancher.example.com',
            members: [],
            healthCheck: { hostname: 'rancher.example.com', path: '/ping' },
            name: 'demo',
          }),
      ),
    ).toThrow('RoundRobinRecords needs at least one member');
  });

  it('matches the snapshot', () => {
    expect(json).toMatchSnapshot();
  });
});
