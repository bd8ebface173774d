import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { useFakeAwsEndpoint } from '../../helpers/fake-cloud';
import type { FakeCloud } from '../../helpers/fake-cloud';
import { expectedK8sFailback, failbackK8s, failbackWorld, FAILBACK_FILE, STANDBY_BUCKET, STANDBY_CONFIG } from '../../helpers/failback-world';
import { failoverK8s, HOSTNAME, PRODUCTION_LB, recordsOf } from '../../helpers/failover-world';
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
    // Restoring the one-time Backup the standby took once its Rancher stopped (the quiesce).
    const restoreFrom = {
      ...(expectedK8sFailback as any).backups.restoreFrom,
      file: expect.stringMatching(/^rancher-aws-failback-\d{8}t\d{6}-.*\.tar\.gz\.enc$/),
    };
    expect(JSON.parse(readFileSync(join(c.dir, 'drill-settings-seen.json'), 'utf8'))).toEqual({
      ...expectedK8sFailback,
      backups: { ...(expectedK8sFailback as any).backups, restoreFrom },
    });
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
    // The teardown command does not remove Rancher from the user's cluster: the standby stays, stopped (its Deployment
    // scaled to zero first, through the kubeconfig and context its settings name, and found still at 0 at the end),
    // and the way out is named.
    expect(c.world().failover.standbyRancher).toBe(0);
    expect(said(done.out, 'FAILBACK_REPORT')).toMatch(/quiesce: passed \(\d+ s\): Rancher scaled from 3 to 0 on the standby's cluster/);
    expect(said(done.out, 'FAILBACK_REPORT')).toMatch(/teardown: passed \(\d+ s\): Rancher still at 0 replicas on the standby's cluster/);
    expect(said(done.out, 'FAILBACK_STANDBY_LEFT')).toMatch(/no longer serving, scaled to 0\. .*docs\/k8s-ha\.md/);
    expect(codesOf(done.out)).not.toContain('TEARDOWN_RESULT');
    // A rerun: done, and the way out named again (not the teardown command, which refuses k8s-ha).
    const again = failbackK8s(c, '--yes');
    expect({ code: again.code, codes: codesOf(again.out) }).toEqual({ code: 0, codes: ['FAILBACK_ALREADY_DONE'] });
    expect(said(again.out, 'FAILBACK_ALREADY_DONE')).toContain('docs/k8s-ha.md');

    // The primary lost again: the next failover applies the standby's module again on that cluster, its Rancher
    // release unchanged (Helm does not run, the Deployment stays at 0), and starts the Rancher the failback stopped.
    c.update((w) => (w.failover.primary = 'down'));
    const over = failoverK8s(c, '--yes', '--wait-minutes', '1');
    expect({ code: over.code, standbyRancher: c.world().failover.standbyRancher }).toEqual({ code: 0, standbyRancher: 3 });
    expect(said(over.out, 'FAILOVER_REPORT')).toMatch(/apply: passed \(\d+ s\): Rancher scaled from 0 to 3 replicas on the standby's cluster/);
    expect(recordsOf(c)).toEqual([{ Name: `${HOSTNAME}.`, Type: 'CNAME', TTL: 60, ResourceRecords: [{ Value: STANDBY_INGRESS }] }]);
    // That cluster restored a backup before: in place this time, and the Secrets the prune takes replaced by a second apply.
    expect(JSON.parse(readFileSync(join(c.dir, 'failover.out', 'settings.json'), 'utf8')).backups.restoreFrom).toMatchObject({ inPlace: true });
    expect(
      c
        .calls()
        .filter((call) => call.startsWith('terraform apply'))
        .at(-1),
    ).toMatch(/-refresh=false.* -replace=kubernetes_secret_v1\./);
    // And back again (failover, failback, failover, failback): a failback of its own, the name at production's alias.
    c.update((w) => {
      w.failover.primary = 'pong';
      // The standby applied again: its outputs as failbackWorld gives them (the fake's apply writes its own).
      Object.assign(w.drill.state.outputs, {
        rancher_backup_bucket: { value: STANDBY_BUCKET },
        rancher_backup_encryption_config: { value: STANDBY_CONFIG, sensitive: true },
      });
    });
    const back = failbackK8s(c, '--yes');
    expect(codesOf(back.out)).not.toContain('FAILBACK_ALREADY_DONE');
    expect({ code: back.code, result: said(back.out, 'FAILBACK_RESULT') }).toMatchObject({ code: 0, result: expect.stringContaining('PASSED') });
    expect(recordsOf(c)).toEqual([
      { Name: `${HOSTNAME}.`, Type: 'A', AliasTarget: { HostedZoneId: 'Z2IFOLAFXWLO4F', DNSName: `${PRODUCTION_LB}.`, EvaluateTargetHealth: true } },
    ]);
    expect(c.world().failover.standbyRancher).toBe(0);
  });

  it("a standby's cluster that does not answer: the failback stops at its quiesce, the hostname at the standby, and a rerun stops its Rancher and goes on", () => {
    const c = failbackWorld(undefined, { k8sTarget: STANDBY_INGRESS });
    clouds.push(c);
    // The kubeconfig leads nowhere (port 9, discard: closed here), as a cluster whose API server is down.
    const file = join(c.dir, 'home', '.kube', 'standby');
    const reachable = readFileSync(file, 'utf8');
    writeFileSync(file, reachable.replace(/server: https:\/\/127\.0\.0\.1:\d+/, 'server: https://127.0.0.1:9'));
    const failed = failbackK8s(c, '--yes');
    expect(failed.code).toBe(1);
    expect(said(failed.out + failed.err, 'FAILBACK_PHASE_FAILED')).toMatch(/^quiesce: the standby's Rancher could not be stopped: /);
    expect(recordsOf(c)[0]).toMatchObject({ Type: 'CNAME', ResourceRecords: [{ Value: STANDBY_INGRESS }] });
    expect(c.world().failover.standbyRancher).toBeUndefined();
    expect(c.calls().filter((call) => call.startsWith('terraform apply'))).toHaveLength(1);
    // The cluster back: the rerun stops it, backs it up and fails back.
    writeFileSync(file, reachable);
    const again = failbackK8s(c, '--yes');
    expect({ code: again.code, result: said(again.out, 'FAILBACK_RESULT') }).toMatchObject({ code: 0, result: expect.stringContaining('PASSED') });
    expect(c.world().failover.standbyRancher).toBe(0);
  });

  it("a standby's cluster reached through Terraform variables: no kubeconfig to read, so the quiesce says how to go on; --no-quiesce passes and a warning names the command to stop its Rancher", () => {
    const c = failbackWorld(undefined, { k8sTarget: STANDBY_INGRESS });
    clouds.push(c);
    const file = join(c.dir, 'failover.out', 'settings.json');
    const settings = JSON.parse(readFileSync(file, 'utf8'));
    writeFileSync(file, JSON.stringify({ ...settings, k8sHa: { ...settings.k8sHa, access: { variables: true } } }));
    const stopped = failbackK8s(c, '--yes');
    expect(stopped.code).toBe(1);
    expect(said(stopped.out, 'FAILBACK_PHASE_FAILED')).toMatch(/Terraform variables .*run the failback again with --no-quiesce/);
    expect(recordsOf(c)[0]).toMatchObject({ Type: 'CNAME' });
    // The standby's newest scheduled backup restored, its Rancher running until the end.
    const done = failbackK8s(c, '--yes', '--no-quiesce');
    expect({ code: done.code, result: said(done.out, 'FAILBACK_RESULT') }).toMatchObject({ code: 0, result: expect.stringContaining('PASSED') });
    expect(said(done.out, 'FAILBACK_STANDBY_RUNNING')).toContain('kubectl -n cattle-system scale deployment rancher --replicas=0');
    // The closing warning does not say it was stopped: the phase passed, but nothing was scaled.
    expect(said(done.out, 'FAILBACK_STANDBY_LEFT')).toMatch(/no longer serving\. /);
    expect(c.world().failover.standbyRancher).toBeUndefined();
  });
});
