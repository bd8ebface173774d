import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { useFakeAwsEndpoint } from '../../helpers/fake-cloud';
import { checkEveryDrill, COPY, STANDBY_NEWEST, STANDBY_REGION } from '../../helpers/drill-world';
import { aliasOf, expectedStandby, failover, failoverWorld, HOSTNAME, RECORDED, STANDBY_LB } from '../../helpers/failover-world';
import { codesOf, said } from '../../helpers/plain-output';

// `npm run failover -- rke-ha` against the fake cloud (helpers/failover-world.ts): production in eu-west-1, its copy
// and the standby in us-west-2, the hostname's records in Route 53 (changes PENDING for a look before INSYNC).
// After every test production's module folder, state and buckets are as they were (checkEveryDrill).

useFakeAwsEndpoint();
checkEveryDrill();

const PRODUCTION_ALIAS = 'rancher-nlb-9f8e7d.elb.eu-west-1.amazonaws.com.';
/** Nothing was created: no synth, no terraform outside production's folder, no Route 53 change. */
function expectNothingChanged(c: ReturnType<typeof failoverWorld>): void {
  expect(c.calls().filter((call) => call.startsWith('synth') || call.startsWith('terraform init') || call.includes('Route53'))).toEqual([]);
  expect(aliasOf(c)).toBe(PRODUCTION_ALIAS);
}
/** The newest report. */
const reportOf = (c: ReturnType<typeof failoverWorld>): any => {
  const folder = join(c.dir, 'failover.out');
  const file = readdirSync(folder)
    .filter((f) => f.startsWith('report-'))
    .sort()
    .reverse()[0];
  return JSON.parse(readFileSync(join(folder, file), 'utf8'));
};

describe('npm run failover -- rke-ha', () => {
  it('dry run: reads the settings file only, states the plan, changes nothing', () => {
    const c = failoverWorld();
    const dry = c.run(['failover', 'rke-ha', '--dir', 'module', '--dry-run'], { tools: [] });
    expect({ code: dry.code, codes: codesOf(dry.out) }).toEqual({ code: 0, codes: ['FAILOVER_PLAN', 'FAILOVER_DRY_RUN'] });
    expect(said(dry.out, 'FAILOVER_PLAN')).toContain(`standby deployment: rancher-sb in ${STANDBY_REGION}`);
    expect(c.calls()).toEqual([]);
  });

  it('refuses while the primary answers pong; with --primary-lost a SIGINT stops the apply, and a rerun moves the record and reports RTO and RPO', () => {
    const c = failoverWorld((w) => (w.failover.primary = 'pong'));
    const refused = failover(c, '--yes');
    expect({ code: refused.code, codes: codesOf(refused.out) }).toEqual({ code: 1, codes: ['FAILOVER_PRIMARY_ANSWERS'] });
    expect(said(refused.out, 'FAILOVER_PRIMARY_ANSWERS')).toContain('--primary-lost');
    expectNothingChanged(c);

    // A signal during the apply: terraform is stopped with SIGINT (it saves its state), the record stays, exit 130.
    c.update((w) => (w.drill.signalAt = { phase: 'apply', signal: 'SIGINT' }));
    const stopped = failover(c, '--yes', '--primary-lost');
    expect(stopped.code).toBe(130);
    expect(said(stopped.out, 'FAILOVER_PHASE_INTERRUPTED')).toBe('apply: interrupted by a signal');
    expect(c.world().drill.state.resources.length).toBeGreaterThan(0);
    expect(aliasOf(c)).toBe(PRODUCTION_ALIAS);
    expect(JSON.parse(readFileSync(join(c.dir, 'failover.out', 'failover.json'), 'utf8'))).toMatchObject({ phase: 'apply', moved: false });

    // The rerun moves the records, but Rancher does not answer by the name within the budget: exit 1, moved.
    c.update((w) => (w.failover.nameDown = true));
    const waiting = failover(c, '--yes', '--primary-lost', '--wait-minutes', '1');
    expect(waiting.code).toBe(1);
    expect(aliasOf(c)).toBe(`${STANDBY_LB}.`);
    expect(said(waiting.out, 'FAILOVER_PHASE_FAILED')).toContain(`https://${HOSTNAME}/ping did not answer pong within 1 minutes`);
    expect(JSON.parse(readFileSync(join(c.dir, 'failover.out', 'failover.json'), 'utf8'))).toMatchObject({ moved: true });

    // Then only the wait is left (the name leads to the standby now: no primary check, no second move).
    c.update((w) => (w.failover.nameDown = false));
    const lost = failover(c, '--yes', '--json');
    expect(waiting.out).toContain('FAILOVER_PRIMARY_ANSWERS_LOST');
    const json = JSON.parse(lost.out);
    expect(lost.code).toBe(0);
    expect(json.exitCode).toBe(0);
    // The standby: production's settings in the standby region, no record of its own, restoring the copy's newest file.
    expect(JSON.parse(readFileSync(join(c.dir, 'drill-settings-seen.json'), 'utf8'))).toEqual(expectedStandby);
    expect(expectedStandby).toMatchObject({
      region: STANDBY_REGION,
      hostname: HOSTNAME,
      rkeHa: { loadBalancer: { hostnameRecord: false } },
      backups: { restoreFrom: { bucket: COPY, file: STANDBY_NEWEST } },
    });
    // Both records (A and AAAA) now alias the standby's NLB, Route 53's change followed to INSYNC.
    expect(aliasOf(c)).toBe(`${STANDBY_LB}.`);
    expect(aliasOf(c, 'AAAA')).toBe(`${STANDBY_LB}.`);
    expect(c.calls().filter((call) => call.includes('Route53 ChangeResourceRecordSets')).length).toBe(1);
    expect(c.calls().filter((call) => call.includes('Route53 GetChange')).length).toBe(2);
    expect(json.messages.filter((m: any) => m.code === 'FAILOVER_PHASE_STARTED').map((m: any) => m.data.phase)).toEqual(['ping']);
    expect(c.calls().filter((call) => call.startsWith('terraform apply -auto-approve'))).toHaveLength(2);
    const report = reportOf(c);
    expect(report.passed).toBe(true);
    expect(report.ca).toEqual({ expected: RECORDED, served: RECORDED });
    expect(report.rpoMinutes).toBeGreaterThanOrEqual(120);
    expect(report.rpoMinutes).toBeLessThan(125);
    expect(typeof report.rtoSeconds).toBe('number');
    const result = json.messages.find((m: any) => m.code === 'FAILOVER_RESULT');
    expect(result.data).toMatchObject({ passed: true, moved: true, rpoMinutes: report.rpoMinutes, rtoSeconds: report.rtoSeconds });
    expect(json.messages.find((m: any) => m.code === 'FAILOVER_PRIMARY_LEFT').text).toContain('would move the record back');
    // A rerun says it is done and changes nothing.
    const again = failover(c, '--yes');
    expect({ code: again.code, codes: codesOf(again.out) }).toEqual({ code: 0, codes: ['FAILOVER_ALREADY_DONE'] });
  });

  it('refuses a copy whose newest backup is older than the schedule allows, or lacks the CA agents need: nothing changed', () => {
    const stale = failoverWorld((w) => {
      for (const o of w.aws.buckets[COPY].objects) o.lastModified = new Date(Date.parse(o.lastModified) - 5 * 3_600_000).toISOString();
    });
    const old = failover(stale, '--yes');
    expect({ code: old.code, codes: codesOf(old.out) }).toEqual({ code: 1, codes: ['FAILOVER_STANDBY_BACKUP_STALE'] });
    expectNothingChanged(stale);

    const noCa = failoverWorld(undefined, { caMember: false });
    const without = failover(noCa, '--yes');
    expect({ code: without.code, codes: codesOf(without.out) }).toEqual({ code: 1, codes: ['FAILOVER_BACKUP_WITHOUT_CA'] });
    expect(said(without.out, 'FAILOVER_BACKUP_WITHOUT_CA')).toContain('secrets.#v1/cattle-system/tls-rancher.json');
    expectNothingChanged(noCa);
  });

  it('a standby that serves another CA: the record is not moved, both CAs named, exit 1', () => {
    const c = failoverWorld((w) => (w.failover.servedCa = '-----BEGIN CERTIFICATE-----\na new rancher ca\n-----END CERTIFICATE-----\n'));
    const result = failover(c, '--yes');
    expect(result.code).toBe(1);
    expect(codesOf(result.out)).toContain('FAILOVER_PHASE_FAILED');
    expect(said(result.out, 'FAILOVER_PHASE_FAILED')).toMatch(
      new RegExp(`serves the CA rancher-ca-[0-9a-f]{64}, and the backups' record says agents trust ${RECORDED}`),
    );
    expect(aliasOf(c)).toBe(PRODUCTION_ALIAS);
    expect(c.calls().filter((call) => call.includes('Route53'))).toEqual([]);
    expect(reportOf(c).phases.map((p: any) => `${p.phase} ${p.status}`)).toEqual(['synth passed', 'apply passed', 'check failed']);
    expect(existsSync(join(c.dir, 'failover.out', 'failover.json'))).toBe(true);
  });
});
