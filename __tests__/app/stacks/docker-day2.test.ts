import { plannedChange } from '../../helpers/replacement';
import { addresses, resources, type TerraformJson } from '../../helpers/synth';
import { synth, tls, SWITCHES } from './docker-day2.setup';

/** A resource's arguments without cdktf's metadata. */
const body = (json: TerraformJson, address: string) => {
  const [type, name] = address.split('.');
  const { '//': _metadata, ...rest } = resources(json, type)[name];
  return rest;
};

describe('docker day 2: an ALB in front of a running Docker install, or taken away', () => {
  it.each(SWITCHES)('%s: keeps the data volume and its snapshots, replaces only the host (and its attachment)', (_name, before, after) => {
    const [b, a] = [synth(before), synth(after)];
    const change = plannedChange(b, a);
    const gone = [...change.replaced, ...change.destroyed];
    for (const address of [...addresses(b, 'aws_ebs_volume'), ...addresses(b, 'aws_dlm_lifecycle_policy'), ...addresses(b, 'aws_iam_role')])
      expect(gone).not.toContain(address);
    expect(body(a, addresses(a, 'aws_ebs_volume')[0])).toEqual(body(b, addresses(b, 'aws_ebs_volume')[0]));
    // The container's arguments change with the user data: a new host mounts the same volume (docs/docker.md, "Docker: day 2, backups and restore").
    expect(change.replaced.filter((r) => r.startsWith('aws_instance.') || r.startsWith('aws_volume_attachment.')).sort()).toEqual(
      [...addresses(b, 'aws_instance'), ...addresses(b, 'aws_volume_attachment')].sort(),
    );
  });

  it.each(SWITCHES)("%s: leaves the host's subnet, its routes and the VPC untouched", (_name, before, after) => {
    const [b, a] = [synth(before), synth(after)];
    const first = (json: TerraformJson, type: string) => addresses(json, type).filter((x) => /public-0(-routes)?_/.test(x));
    for (const type of ['aws_subnet', 'aws_route_table_association']) {
      expect(first(a, type)).toEqual(first(b, type));
      expect(first(b, type)).toHaveLength(1);
      expect(body(a, first(a, type)[0])).toEqual(body(b, first(b, type)[0]));
    }
    expect(body(a, addresses(a, 'aws_vpc')[0])).toEqual(body(b, addresses(b, 'aws_vpc')[0]));
    expect(plannedChange(b, a).replaced.filter((r) => /^aws_(vpc|subnet)\./.test(r))).toEqual([]);
  });

  it.each(SWITCHES)('%s: updates the record in place (one address, A record <-> alias) and keeps the Elastic IP', (_name, before, after) => {
    const [b, a] = [synth(before), synth(after)];
    const record = (json: TerraformJson) => addresses(json, 'aws_route53_record').filter((x) => x.startsWith('aws_route53_record.dns_record_'));
    expect(record(a)).toEqual(record(b));
    expect(record(b)).toHaveLength(1);
    expect(body(a, record(a)[0]).zone_id).toBe(body(b, record(b)[0]).zone_id);
    const change = plannedChange(b, a);
    for (const kept of [...record(b), ...addresses(b, 'aws_eip')]) expect([...change.replaced, ...change.destroyed]).not.toContain(kept);
  });

  it('the host opens 443 to the world before and only 80 to the ALB after', () => {
    const open = (json: TerraformJson) =>
      Object.values(resources(json, 'aws_vpc_security_group_ingress_rule'))
        .filter((r) => String(r.security_group_id).includes('aws_security_group.security-group_'))
        .map((r) => `${r.from_port} ${r.cidr_ipv4 ?? 'alb'}`)
        .sort();
    expect(open(synth(tls('rancher', 'acme')))).toEqual(['443 0.0.0.0/0', '80 0.0.0.0/0']);
    expect(open(synth(tls('external', 'acme')))).toEqual(['80 alb']);
  });
});
