import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { AVAILABILITY_BUDGET } from '../../../cli/acceptance/acceptance-probes';
import { reportOf, runDir, statuses } from '../../helpers/acceptance-run';
import { acceptRkeHa } from '../../helpers/acceptance-in-process';
import { checkEveryRun, expectTornDown, world } from '../../helpers/acceptance-world';

// The availability probes beside the roll phase (cli/acceptance/acceptance-probes.ts) against the fake cloud's servers
// (helpers/acceptance-world.ts): a roll one server at a time keeps every probe answered; two servers' services
// restarted at once beside it make a gap the phase fails on. Each is a roll of all three servers, the dearest runs
// after the passing one: a file of their own, so jest runs them beside the others. In jest's process, beside the
// test's Rancher: a call of the roll's that held the process (Terraform's reads did, before they ran as runAsync)
// leaves probes unanswered here, and the counts below fail.

checkEveryRun();

describe('npm run acceptance: Rancher answering through the roll', () => {
  it("--only roll, two servers' services restarted at once beside it: Rancher's /ping and the API stop answering, the roll phase fails naming the gap", async () => {
    // server-1 and server-2 serve nothing for 8 probes of the API from the roll's first: 8 probe intervals, 40 s on the run's clock.
    const { c } = await world((w) => (w.acceptance.outage = { phase: 'roll', servers: ['server-1', 'server-2'], probes: 8 }));
    const result = await acceptRkeHa(c, '--only', 'roll');
    expect(result.code).toBe(1);
    const report = reportOf(c);
    expect(statuses(report).roll).toBe('failed');
    const failed = report.phases.find((p: any) => p.phase === 'roll');
    expect(failed.detail).toMatch(/^Rancher did not stay answering through the roll: /);
    // The probe's /ping and /readyz go out side by side: the /ping of the outage's first or last probe may come first.
    expect(failed.detail).toMatch(/Rancher's \/ping through the load balancer did not answer for (35|40) s from \d{4}-\d\d-\d\dT/);
    expect(failed.detail).toContain("the Kubernetes API's /readyz did not answer for 40 s from ");
    const [roll] = report.availability;
    expect(roll.phase).toBe('roll');
    expect(roll.api.probes - roll.api.answered).toBe(8);
    expect(roll.api.longestGapMs).toBe(8 * AVAILABILITY_BUDGET.intervalMs);
    expect(readFileSync(join(runDir(c), 'report.md'), 'utf8')).toContain('## Rancher answering through the restarts');
    // The roll itself went through, one at a time: the phase fails on Rancher's availability alone.
    expect(report.evidence.roll).toEqual(expect.arrayContaining(['rancher-ha-aws roll --server server-2: exit 0']));
    expectTornDown(c);
  });

  it('--only roll, a third of the API probes unanswered for 90 s (every third of 18, no gap over 5 s): the roll phase fails naming the minute', async () => {
    const { c } = await world((w) => (w.acceptance.outage = { phase: 'roll', servers: ['server-1', 'server-2'], probes: 18, every: 3 }));
    expect((await acceptRkeHa(c, '--only', 'roll')).code).toBe(1);
    const report = reportOf(c);
    const [roll] = report.availability;
    expect(roll.api.probes - roll.api.answered).toBe(6);
    expect(roll.api.longestGapMs).toBe(AVAILABILITY_BUDGET.intervalMs);
    expect(roll.api.worstWindow).toMatchObject({ answered: 8, probes: 12 });
    const failed = report.phases.find((p: any) => p.phase === 'roll');
    expect(failed.detail).toMatch(/the Kubernetes API's \/readyz answered 8 of 12 probes in the 60 s from \d{4}-\d\d-\d\dT/);
    expect(report.evidence.roll).toEqual(
      expect.arrayContaining([expect.stringMatching(/^the Kubernetes API's \/readyz: .*, worst 60 s: 8 of 12 from /)]),
    );
    expectTornDown(c);
  });

  it('--only roll, one server at a time: every probe of the roll answered, no gap, the phase passes with the numbers in the report', async () => {
    const { c } = await world();
    expect((await acceptRkeHa(c, '--only', 'roll')).code).toBe(0);
    const [roll] = reportOf(c).availability;
    expect(roll.phase).toBe('roll');
    for (const target of ['ping', 'api']) {
      expect(roll[target].probes).toBeGreaterThan(0);
      expect(roll[target].answered).toBe(roll[target].probes);
      expect(roll[target].longestGapMs).toBe(0);
    }
  });
});
