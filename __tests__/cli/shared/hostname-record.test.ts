import { aliasZoneLike, isApex, recordMove, recordSetFor, recordSetOfState, targetOf } from '../../../cli/shared/hostname-record';
import type { StateResource } from '../../../cli/shared/terraform';

const HOST = 'rancher.example.com';
const NLB = 'k8s-sb-nlb-1a2b.elb.us-west-2.amazonaws.com';
const stateRecord = (attributes: Record<string, unknown>): StateResource => ({
  address: 'aws_route53_record.dns_alias_0A1B2C[0]',
  mode: 'managed',
  type: 'aws_route53_record',
  name: 'dns_alias_0A1B2C',
  attributes: { name: HOST, zone_id: 'Z0ZONE', ...attributes },
});

describe("k8s-ha's hostname record moved to another target", () => {
  it('takes the type the target needs, as the stack decides it', () => {
    expect(targetOf(NLB, 'Z1H1FL5HABSF5')).toEqual({ kind: 'alias', dnsName: NLB, zoneId: 'Z1H1FL5HABSF5' });
    expect(targetOf('a1b2-123.us-west-2.elb.amazonaws.com', 'Z1H1FL5HABSF5')?.kind).toBe('alias');
    expect(targetOf(NLB, undefined)).toBeUndefined();
    expect(targetOf('203.0.113.7', undefined)).toEqual({ kind: 'A', address: '203.0.113.7' });
    expect(targetOf('Lb.Example.Net', undefined)).toEqual({ kind: 'CNAME', dnsName: 'lb.example.net' });
    // A load balancer's name without its canonical zone (a standby made without its record looks none up): a CNAME, where allowed.
    expect(targetOf(NLB, undefined, true)).toEqual({ kind: 'CNAME', dnsName: NLB });
    expect(isApex('Example.com.', 'example.com')).toBe(true);
    expect(isApex(HOST, 'example.com')).toBe(false);
  });

  it("takes an alias's canonical zone for a load balancer of the same kind and region only", () => {
    const held = recordSetFor(HOST, { kind: 'alias', dnsName: 'prod-nlb-9f.elb.eu-west-1.amazonaws.com', zoneId: 'Z2IFOLAFXWLO4F' });
    expect(aliasZoneLike('prod-nlb-aa.elb.eu-west-1.amazonaws.com', held)).toBe('Z2IFOLAFXWLO4F');
    expect(aliasZoneLike(NLB, held)).toBeUndefined();
    expect(aliasZoneLike('a1-123.eu-west-1.elb.amazonaws.com', held)).toBeUndefined();
    expect(aliasZoneLike('prod-nlb-aa.elb.eu-west-1.amazonaws.com', recordSetFor(HOST, { kind: 'A', address: '198.51.100.1' }))).toBeUndefined();
  });

  it('reads the record sets production’s state holds, alias or values', () => {
    expect(
      recordSetOfState(
        stateRecord({
          type: 'A',
          alias: [{ name: 'prod-nlb.elb.eu-west-1.amazonaws.com', zone_id: 'Z2IFOLAFXWLO4F', evaluate_target_health: true }],
        }),
      ),
    ).toEqual({
      Name: HOST,
      Type: 'A',
      AliasTarget: { HostedZoneId: 'Z2IFOLAFXWLO4F', DNSName: 'prod-nlb.elb.eu-west-1.amazonaws.com', EvaluateTargetHealth: true },
    });
    expect(recordSetOfState(stateRecord({ type: 'CNAME', alias: [], records: ['lb.example.net'], ttl: 60 }))).toEqual({
      Name: HOST,
      Type: 'CNAME',
      TTL: 60,
      ResourceRecords: [{ Value: 'lb.example.net' }],
    });
    expect(recordSetOfState(stateRecord({ type: 'TXT', records: ['x'] }))).toBeUndefined();
  });

  it('upserts a record of the same type alone', () => {
    const current = [recordSetFor(HOST, { kind: 'A', address: '198.51.100.1' })];
    const wanted = recordSetFor(HOST, { kind: 'A', address: '203.0.113.7' });
    expect(recordMove(current, wanted)).toEqual([
      { Action: 'UPSERT', ResourceRecordSet: { Name: HOST, Type: 'A', TTL: 60, ResourceRecords: [{ Value: '203.0.113.7' }] } },
    ]);
  });

  it('deletes the records of another type first, exactly as they are, in the same batch', () => {
    const alias = recordSetFor(HOST, { kind: 'alias', dnsName: 'prod-nlb.elb.eu-west-1.amazonaws.com', zoneId: 'Z2IFOLAFXWLO4F' });
    const cname = recordSetFor(HOST, { kind: 'CNAME', dnsName: 'lb.example.net' });
    expect(recordMove([alias], cname)).toEqual([
      { Action: 'DELETE', ResourceRecordSet: alias },
      { Action: 'UPSERT', ResourceRecordSet: cname },
    ]);
    expect(recordMove([cname], alias).map((c) => `${c.Action} ${c.ResourceRecordSet.Type}`)).toEqual(['DELETE CNAME', 'UPSERT A']);
    // An A alias over an A record of values: the same type, one upsert (Route 53 replaces the set).
    expect(recordMove([recordSetFor(HOST, { kind: 'A', address: '198.51.100.1' })], alias).map((c) => c.Action)).toEqual(['UPSERT']);
  });

  it("leaves another name's records alone", () => {
    const other = recordSetFor('other.example.com', { kind: 'A', address: '198.51.100.1' });
    expect(recordMove([other], recordSetFor(HOST, { kind: 'CNAME', dnsName: 'lb.example.net' })).map((c) => c.Action)).toEqual(['UPSERT']);
  });
});
