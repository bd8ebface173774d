import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { useFakeAwsEndpoint } from '../../helpers/fake-cloud';
import type { FakeCloud } from '../../helpers/fake-cloud';
import { expectedK8sFailback, failbackK8s, failbackWorld, FAILBACK_FILE } from '../../helpers/failback-world';
import { HOSTNAME, PRODUCTION_LB, recordsOf } from '../../helpers/failover-world';
import { codesOf, said } from '../../helpers/plain-output';

// `npm run failback -- k8s-ha` against the fake cloud (helpers/failback-world.ts, k8sTarget): the k8s-ha failover run
// first (the record a CNAME to the standby's ingress target), then the failback: production restored with its record
// held out, its CA checked at its ingress NLB, the CNAME replaced by production's A alias in one batch, the record
// imported back at its counted address; the standby (Rancher on the user's cluster) left up and named.

useFakeAwsEndpoint();
const clouds: FakeCloud[] = [];
afterEach(() => {
  for (const c of clouds.splice(0)) {
    expect(c.violations()).toBe('');
    c.remove();
  }
});

const STANDBY_INGRESS = 'k8s-sb-nlb-1a2b3c.elb.us-west-2.amazonaws.com';

describe('npm run failback -- k8s-ha', () => {
  it("moves the failover's CNAME to the standby's NLB back to the A alias production held, imports it at its address, and leaves the standby up, named", () => {
    // The standby's ingress NLB: made without its record, its state names no canonical zone, so the failover wrote a
    // CNAME; production's alias comes back with the zone its state held (the failback's apply looks none up either).
    const c = failbackWorld(undefined, { k8sTarget: STANDBY_INGRESS });
    clouds.push(c);
    expect(recordsOf(c)).toEqual([{ Name: `${HOSTNAME}.`, Type: 'CNAME', TTL: 60, ResourceRecords: [{ Value: STANDBY_INGRESS }] }]);

    const done = failbackK8s(c, '--yes');
    expect({ code: done.code, result: said(done.out, 'FAILBACK_RESULT') }).toMatchObject({ code: 0, result: expect.stringContaining('PASSED') });
    expect(JSON.parse(readFileSync(join(c.dir, 'drill-settings-seen.json'), 'utf8'))).toEqual(expectedK8sFailback);
    expect(expectedK8sFailback).toMatchObject({ k8sHa: { dns: { hostnameRecord: false } }, backups: { restoreFrom: { file: FAILBACK_FILE } } });
    // One batch: the failover's CNAME deleted, production's alias back; then imported where production's state held it.
    expect(recordsOf(c)).toEqual([
      { Name: `${HOSTNAME}.`, Type: 'A', AliasTarget: { HostedZoneId: 'Z2IFOLAFXWLO4F', DNSName: `${PRODUCTION_LB}.`, EvaluateTargetHealth: true } },
    ]);
    expect(c.calls().filter((call) => call.startsWith('terraform import'))).toEqual([
      expect.stringContaining('aws_route53_record.dns_alias_0A1B2C[0] Z0PRODUCTIONZONE_rancher.example.com_A'),
    ]);
    expect(
      c
        .world()
        .state.resources.filter((r: any) => r.type === 'aws_route53_record')
        .map((r: any) => r.name),
    ).toEqual(['dns_alias_0A1B2C']);
    // The teardown command does not remove Rancher from the user's cluster: the standby stays, and the way out is named.
    expect(said(done.out, 'FAILBACK_REPORT')).toContain("teardown: skipped: k8s-ha: the standby's cluster is yours");
    expect(said(done.out, 'FAILBACK_STANDBY_LEFT')).toContain('docs/k8s-ha.md');
    expect(codesOf(done.out)).not.toContain('TEARDOWN_RESULT');
    // A rerun: done, and the way out named again (not the teardown command, which refuses k8s-ha).
    const again = failbackK8s(c, '--yes');
    expect({ code: again.code, codes: codesOf(again.out) }).toEqual({ code: 0, codes: ['FAILBACK_ALREADY_DONE'] });
    expect(said(again.out, 'FAILBACK_ALREADY_DONE')).toContain('docs/k8s-ha.md');
  });
});
