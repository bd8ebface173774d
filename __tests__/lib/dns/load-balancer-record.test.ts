import { dataSources, resources } from '../../helpers/synth';
import { cname, variableNamesRecord, variableTargetRecord } from './load-balancer-record.setup';

const { json, localName } = variableTargetRecord();
const records = resources(json, 'aws_route53_record');
const byType = (suffix: string) => Object.entries(records).find(([name]) => name.startsWith(`dns_${suffix}_`))!;

describe('LoadBalancerRecord', () => {
  const [zoneName, zone] = Object.entries(dataSources(json, 'aws_route53_zone'))[0];

  it('finds the public hosted zone by name and writes every record into it under the same name', () => {
    expect(zone).toEqual(expect.objectContaining({ name: 'example.com', private_zone: false }));
    expect(Object.keys(records)).toHaveLength(3);
    for (const record of Object.values(records)) {
      expect(record.zone_id).toBe(`\${data.aws_route53_zone.${zoneName}.zone_id}`);
      expect(record.name).toBe('rancher.example.com');
    }
  });

  it('decides the record type at plan time: exactly one of alias, A and CNAME has an instance', () => {
    const recordType = localName('record-type');
    expect(byType('alias')[1].count).toBe(`\${local.${recordType} == "alias" ? 1 : 0}`);
    expect(byType('a')[1].count).toBe(`\${local.${recordType} == "A" ? 1 : 0}`);
    expect(byType('cname')[1].count).toBe(`\${local.${recordType} == "CNAME" ? 1 : 0}`);
  });

  it('aliases an AWS load balancer with the canonical zone id of its type and region, evaluating its health', () => {
    const [, alias] = byType('alias');
    const [nlbName, nlb] = Object.entries(dataSources(json, 'aws_lb_hosted_zone_id'))[0];
    const [elbName, elb] = Object.entries(dataSources(json, 'aws_elb_hosted_zone_id'))[0];
    expect(alias).toMatchObject({ type: 'A', alias: { name: `\${local.${localName('target')}}`, evaluate_target_health: true } });
    expect(alias.alias.zone_id).toBe(`\${one(concat(data.aws_lb_hosted_zone_id.${nlbName}[*].id, data.aws_elb_hosted_zone_id.${elbName}[*].id))}`);
    expect(nlb).toMatchObject({ load_balancer_type: 'network', region: `\${local.${localName('nlb-region')}}` });
    expect(nlb.count).toBe(`\${local.${localName('nlb-region')} != null ? 1 : 0}`);
    expect(elb).toMatchObject({ region: `\${local.${localName('elb-region')}}` });
    expect(elb.count).toBe(`\${local.${localName('elb-region')} != null ? 1 : 0}`);
    expect(alias).not.toHaveProperty('ttl');
  });

  it('points an A record at an address and a CNAME at any other name, with a short TTL', () => {
    expect(byType('a')[1]).toMatchObject({ type: 'A', ttl: 60, records: [`\${local.${localName('target')}}`] });
    expect(byType('cname')[1]).toMatchObject({ type: 'CNAME', ttl: 60, records: [`\${local.${localName('target')}}`] });
  });

  it('compares the target lower-cased', () => {
    expect(json.locals![localName('target')]).toBe('${lower(var.target)}');
  });

  it('matches the snapshot', () => {
    expect(json).toMatchSnapshot();
  });
});

describe('LoadBalancerRecord: no CNAME at the zone apex', () => {
  const apex = variableNamesRecord();

  it('holds a precondition on the CNAME only, comparing the names without case and trailing dot', () => {
    const [precondition] = cname(apex).lifecycle.precondition;
    expect(precondition.condition).toBe('${lower(trimsuffix(var.hostname, ".")) != lower(trimsuffix(var.zone, "."))}');
    expect(precondition.error_message).toMatch(/CNAME, which Route53 refuses at a zone apex/);
    for (const [name, record] of Object.entries(resources(apex, 'aws_route53_record'))) {
      if (!name.startsWith('dns_cname_')) expect(record.lifecycle).toBeUndefined();
    }
  });

  it('quotes literal names', () => {
    expect(cname(json).lifecycle.precondition[0].condition).toBe(
      '${lower(trimsuffix("rancher.example.com", ".")) != lower(trimsuffix("example.com", "."))}',
    );
  });
});
